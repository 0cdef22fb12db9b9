#!/usr/bin/python3
"""Live round trip between torch 1.13 and torchlite (driven by test_torch_roundtrip.cpp).

  torch_roundtrip.py write DIR   torch.save()s every case to DIR/<case>.pt, with DIR/<case>.json
                                 (what a reader must return) and DIR/<case>.print.txt
                                 (print(torch.load(f))); DIR/cases.txt lists the cases.
  torch_roundtrip.py check DIR   torch.load(weights_only=True)s the files torchlite wrote,
                                 DIR/<case>.tl.pt and DIR/<case>.tl.safetensors, and compares
                                 them bit for bit with the originals (and DIR/<case>.z64.tl.pt,
                                 the same archive with ZIP64 fields, where present).
                                 Exit status 1 on a mismatch.
"""
import collections
import json
import os
import struct
import sys

import torch
from torch import nn

ST_NAMES = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
            torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
            torch.uint8: "U8", torch.bool: "BOOL"}


def modules():
    torch.manual_seed(1)
    lin = nn.Linear(5, 3)
    seq = nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.Flatten(), nn.Linear(12, 4))
    seq.train()
    seq(torch.randn(2, 2, 4, 4))
    return {"linear": lin, "conv_bn": seq}


def cases():
    torch.manual_seed(2)
    out = {name: m.state_dict() for name, m in modules().items()}
    out["dtypes"] = {
        "f32": torch.randn(2, 3),
        "f64": torch.tensor([1e300, -5e-324, float("inf"), float("nan")], dtype=torch.float64),
        "f16": torch.tensor([1.0, -65504.0, 6e-8, float("-inf")], dtype=torch.float16),
        "bf16": torch.tensor([[1.0, -3.0e38], [0.1, 7.0]], dtype=torch.bfloat16),
        "i64": torch.tensor([-(2 ** 63), 2 ** 63 - 1]),
        "i32": torch.tensor([-(2 ** 31), 2 ** 31 - 1], dtype=torch.int32),
        "i16": torch.tensor([-32768, 32767], dtype=torch.int16),
        "i8": torch.tensor([[-128], [127]], dtype=torch.int8),
        "u8": torch.arange(0, 256, 51, dtype=torch.uint8),
        "b": torch.tensor([True, False]),
        "scalar": torch.tensor(-0.0),
        "empty": torch.zeros(3, 0, dtype=torch.int64),
    }
    base = torch.randn(4, 6)
    out["views"] = collections.OrderedDict([
        ("base", base), ("t", base.t()), ("block", base[1:3, 2:5]), ("row", base[2]),
        ("step", base.view(-1)[1::5]), ("perm", base.view(2, 3, 4).permute(2, 0, 1)),
        ("again", base), ("half", base.half()), ("half_view", base.half()[1:, ::2])])
    out["params"] = {"p": nn.Parameter(torch.randn(2, 2)),
                     "frozen": nn.Parameter(torch.randn(3), requires_grad=False),
                     "grad": torch.randn(2).requires_grad_(), "plain": torch.randn(1)}
    big = torch.randn(300, 40)
    out["large"] = collections.OrderedDict([("w", big), ("wt", big.t()), ("i", torch.randint(-9, 9, (1001,)))])
    out["single"] = torch.randn(3, 2)[::2]
    out["single_param"] = nn.Parameter(torch.randn(2))
    return out


def raw(t):
    return bytes(t.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes())


def describe(obj):
    if isinstance(obj, torch.Tensor):
        return {"kind": "parameter" if isinstance(obj, nn.Parameter) else "tensor",
                "dtype": str(obj.dtype).replace("torch.", ""), "shape": list(obj.shape),
                "stride": list(obj.stride()), "offset": obj.storage_offset(),
                "requires_grad": obj.requires_grad, "storage": obj.storage().data_ptr(), "hex": raw(obj).hex()}
    entries = []
    ids = {}
    for k, v in obj.items():
        d = describe(v)
        d["key"] = k
        d["storage"] = ids.setdefault(d["storage"], len(ids))
        entries.append(d)
    return {"kind": "OrderedDict" if isinstance(obj, collections.OrderedDict) else "dict", "entries": entries}


def write(d):
    names = []
    for name, obj in cases().items():
        path = os.path.join(d, name + ".pt")
        torch.save(obj, path)
        desc = describe(obj)
        if desc["kind"] in ("tensor", "parameter"):
            desc["storage"] = 0
        with open(os.path.join(d, name + ".json"), "w") as f:
            json.dump(desc, f)
        with open(os.path.join(d, name + ".print.txt"), "w") as f:
            print(torch.load(path, weights_only=True), file=f)
        names.append(name)
    with open(os.path.join(d, "cases.txt"), "w") as f:
        f.write("\n".join(names) + "\n")


def same_tensor(a, b, where, problems):
    if type(a) is not type(b):
        problems.append(f"{where}: {type(b).__name__}, expected {type(a).__name__}")
    for what in ("dtype", "shape", "requires_grad"):
        if getattr(a, what) != getattr(b, what):
            problems.append(f"{where}: {what} {getattr(b, what)}, expected {getattr(a, what)}")
    if a.stride() != b.stride() or a.storage_offset() != b.storage_offset():
        problems.append(f"{where}: stride/offset {b.stride()}/{b.storage_offset()}, "
                        f"expected {a.stride()}/{a.storage_offset()}")
    if bytes(a.storage().untyped()) != bytes(b.storage().untyped()):
        problems.append(f"{where}: storage bytes differ")


def check_pt(orig, back, name, problems):
    if isinstance(orig, torch.Tensor):
        same_tensor(orig, back, name, problems)
        return
    if type(orig) is not type(back):
        problems.append(f"{name}: top level is {type(back).__name__}, expected {type(orig).__name__}")
    if list(orig.keys()) != list(back.keys()):
        problems.append(f"{name}: keys {list(back.keys())}")
        return
    for k in orig:
        same_tensor(orig[k], back[k], f"{name}[{k!r}]", problems)
        for k2 in orig:
            shared = orig[k].storage().data_ptr() == orig[k2].storage().data_ptr()
            if shared != (back[k].storage().data_ptr() == back[k2].storage().data_ptr()):
                problems.append(f"{name}: storage sharing of {k!r} and {k2!r} differs")
            if (orig[k] is orig[k2]) != (back[k] is back[k2]):
                problems.append(f"{name}: identity of {k!r} and {k2!r} differs")


def read_safetensors(path):
    with open(path, "rb") as f:
        buf = f.read()
    n = struct.unpack("<Q", buf[:8])[0]
    header = json.loads(buf[8:8 + n])
    return header, buf[8 + n:]


def check_st(orig, path, name, problems):
    header, data = read_safetensors(path)
    if header.pop("__metadata__", None) != {"format": "pt"}:
        problems.append(f"{name}: safetensors metadata is not {{'format': 'pt'}}")
    tensors = {"tensor": orig} if isinstance(orig, torch.Tensor) else orig
    if set(header) != set(tensors):
        problems.append(f"{name}: safetensors keys {sorted(header)}")
        return
    for k, t in tensors.items():
        info = header[k]
        b, e = info["data_offsets"]
        if info["dtype"] != ST_NAMES[t.dtype] or info["shape"] != list(t.shape) or data[b:e] != raw(t):
            problems.append(f"{name}: safetensors entry {k!r} differs")


def check(d):
    problems, zip64 = [], 0
    with open(os.path.join(d, "cases.txt")) as f:
        names = f.read().split()
    for name in names:
        orig = torch.load(os.path.join(d, name + ".pt"), weights_only=True)
        back = torch.load(os.path.join(d, name + ".tl.pt"), weights_only=True)
        check_pt(orig, back, name, problems)
        check_st(orig, os.path.join(d, name + ".tl.safetensors"), name, problems)
        z64 = os.path.join(d, name + ".z64.tl.pt")  # the same archive with ZIP64 fields everywhere
        if os.path.exists(z64):
            check_pt(orig, torch.load(z64, weights_only=True), name + " (zip64)", problems)
            zip64 += 1
    # Real modules accept the state dicts torchlite wrote.
    for name, m in modules().items():
        m.load_state_dict(torch.load(os.path.join(d, name + ".tl.pt"), weights_only=True), strict=True)
    for p in problems:
        print("MISMATCH", p)
    print(f"checked {len(names)} cases ({zip64} also with ZIP64 fields), {len(problems)} mismatches")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("write", "check"):
        sys.exit(__doc__)
    sys.exit(write(sys.argv[2]) if sys.argv[1] == "write" else check(sys.argv[2]))
