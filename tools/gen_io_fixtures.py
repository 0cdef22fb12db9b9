#!/usr/bin/python3
"""Builds tests/fixtures/io: checkpoint fixtures for the .pt / safetensors readers.

Run with /usr/bin/python3 (torch 1.13):  /usr/bin/python3 tools/gen_io_fixtures.py [SERIAL_DIR]

1. serial/: a copy of the reference fixtures (pytorch-reference/serial_fixtures: MANIFEST.json,
   pt/*.pt(.json), safetensors/*(.json)). The 650 KB description of many_keys_1001.pt is cut to
   its first entries plus an entry count ("entries_total").
2. torch/: files written here by torch.save (state dicts of real modules, every dtype, views,
   shared storage, Parameters, dict vs OrderedDict, nested checkpoints) with <name>.print.txt
   holding exactly what print(torch.load(f)) prints.
"""
import collections
import json
import os
import shutil
import sys

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "io")
SERIAL = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/pytorch-reference/serial_fixtures"


def copy_serial():
    dst = os.path.join(OUT, "serial")
    if os.path.isdir(dst):
        shutil.rmtree(dst)
    os.makedirs(os.path.join(dst, "pt"))
    os.makedirs(os.path.join(dst, "safetensors"))
    shutil.copy(os.path.join(SERIAL, "MANIFEST.json"), dst)
    for sub in ("pt", "safetensors"):
        for name in sorted(os.listdir(os.path.join(SERIAL, sub))):
            if name.endswith(".dis.txt"):
                continue
            src = os.path.join(SERIAL, sub, name)
            if name == "many_keys_1001.pt.json":
                d = json.load(open(src))
                d["object"]["entries_total"] = len(d["object"]["entries"])
                d["object"]["entries"] = d["object"]["entries"][:3] + d["object"]["entries"][-2:]
                d["object"]["entries_trimmed"] = True
                with open(os.path.join(dst, sub, name), "w") as f:
                    json.dump(d, f, indent=1)
            else:
                shutil.copy(src, os.path.join(dst, sub, name))
            os.chmod(os.path.join(dst, sub, name), 0o644)


def torch_cases():
    torch.manual_seed(0)
    cases = {}
    cases["linear_3x2"] = nn.Linear(3, 2).state_dict()
    net = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.BatchNorm1d(3))
    net.train()
    net(torch.randn(5, 4))
    cases["seq_bn"] = net.state_dict()
    cases["dtypes"] = {
        "f32": torch.tensor([1.5, -2.25, 3.0e-8]),
        "f64": torch.tensor([[1e300, -5e-324], [0.1, 2.0]], dtype=torch.float64),
        "f16": torch.tensor([1.0, -65504.0, 6.1e-05], dtype=torch.float16),
        "bf16": torch.tensor([1.0, -3.0e38, 0.1], dtype=torch.bfloat16),
        "i64": torch.tensor([-(2**63), 2**63 - 1, 7]),
        "i32": torch.tensor([-(2**31), 5], dtype=torch.int32),
        "i16": torch.tensor([-32768, 32767], dtype=torch.int16),
        "i8": torch.tensor([-128, 127], dtype=torch.int8),
        "u8": torch.tensor([0, 255], dtype=torch.uint8),
        "b": torch.tensor([True, False, True]),
        "scalar": torch.tensor(2.5),
        "empty": torch.zeros(0, 3),
    }
    base = torch.arange(24, dtype=torch.float32)
    m = base.view(4, 6)
    cases["views"] = collections.OrderedDict([
        ("base", base), ("m", m), ("t", m.t()), ("slice", m[1:3, 2:5]), ("step", base[1::4]),
        ("same", base), ("other", torch.ones(2, 2))])
    p = nn.Parameter(torch.tensor([[0.5, -1.0]]))
    frozen = nn.Parameter(torch.tensor([3.0]), requires_grad=False)
    cases["params"] = {"p": p, "frozen": frozen, "grad_tensor": torch.tensor([1.0]).requires_grad_(),
                       "plain": torch.tensor([2.0])}
    cases["long_values"] = {"x": torch.linspace(-3, 3, 1500).view(30, 50), "big": torch.tensor([1e10, 1.0])}
    return cases


def write_torch():
    dst = os.path.join(OUT, "torch")
    if os.path.isdir(dst):
        shutil.rmtree(dst)
    os.makedirs(dst)
    for name, obj in torch_cases().items():
        path = os.path.join(dst, name + ".pt")
        torch.save(obj, path)
        loaded = torch.load(path, weights_only=True)
        with open(os.path.join(dst, name + ".print.txt"), "w") as f:
            print(loaded, file=f)
    # A tensor on its own, and a checkpoint with non-tensor values (a 2.x-style file: floats).
    torch.save(torch.tensor([[1, 2], [3, 4]], dtype=torch.int32), os.path.join(dst, "single_tensor.pt"))
    with open(os.path.join(dst, "single_tensor.print.txt"), "w") as f:
        print(torch.load(os.path.join(dst, "single_tensor.pt")), file=f)
    ckpt = {"epoch": 3, "lr": 0.001, "name": "it's", "sizes": (2, 3), "flags": [True, None],
            "model": nn.Linear(2, 1).state_dict()}
    torch.save(ckpt, os.path.join(dst, "checkpoint.pt"))
    with open(os.path.join(dst, "checkpoint.print.txt"), "w") as f:
        print(torch.load(os.path.join(dst, "checkpoint.pt")), file=f)


if __name__ == "__main__":
    copy_serial()
    write_torch()
    print("wrote", os.path.normpath(OUT))
