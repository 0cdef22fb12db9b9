#!/usr/bin/python3
"""Draws nn.Sequential construction and nn.Parameter cases from real PyTorch.

usage: /usr/bin/python3 tools/gen_sequential_fixtures.py tests/fixtures/nn

sequential.json: for each case, torch.manual_seed(seed), then one Sequential expression written
  left to right (`model` names it; tests/nn/test_sequential.cpp writes the same expression with
  parentheses), then probes of the generator: torch.rand(3) and torch.randn(1) (the second reads
  Box-Muller's cached value, if any).
  "params": named_parameters in order, each {"name", "shape", "fnv", "head", "tail"}: fnv is
  FNV-1a 64 over the float32 bytes (little endian) as 16 hex digits, head/tail the hex bits of the
  first and last 4 values (init draws are bit-exact, so the test compares exactly).
  "repr": repr(model). "pair" is a user container built with Module::init_in_argument_order.
parameter.json: repr of nn.Parameter(torch.randn(...)) with requires_grad True/False and a
  float64 one, and a custom module registering parameters (names, requires_grad, repr).
"""
import json
import os
import struct
import sys
from collections import OrderedDict

import torch
from torch import nn

SEEDS = [0, 1, 11, 123, 2024, 2**31 + 11]


def hex32(values):
    return "".join("%08x" % struct.unpack("<I", struct.pack("<f", v))[0] for v in values)


def fnv1a64(t):
    h = 0xcbf29ce484222325
    for b in t.detach().contiguous().reshape(-1).numpy().astype("<f4").tobytes():
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


class Scale(nn.Module):
    """Draws in its own constructor (torch.randn); the C++ twin overrides reset_parameters()."""

    def __init__(self, n):
        super().__init__()
        self.w = nn.Parameter(torch.randn(n))

    def forward(self, x):
        return x * self.w


class Block(nn.Module):
    """A user module whose draws all come from its children."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 6)
        self.fc2 = nn.Linear(6, 3)

    def forward(self, x):
        return self.fc2(self.fc1(x))


class Pair(nn.Module):
    """A user container whose constructor takes two modules."""

    def __init__(self, a, b):
        super().__init__()
        self.a = a
        self.b = b


def models():
    return {
        "mlp": lambda: nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(),
                                     nn.Linear(64, 10)),
        "nested": lambda: nn.Sequential(nn.Linear(3, 4),
                                        nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 2)),
                                        nn.Sequential(), nn.Linear(2, 1)),
        "user_modules": lambda: nn.Sequential(nn.Linear(2, 4), Block(), Scale(3),
                                              nn.Linear(3, 2)),
        "single_nested": lambda: nn.Sequential(nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))),
        "empty_nested": lambda: nn.Sequential(nn.Sequential()),
        "pair": lambda: Pair(nn.Linear(2, 3), nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 1))),
        "module_list": lambda: nn.ModuleList([nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)]),
        "module_list_loop": lambda: nn.ModuleList([nn.Linear(4, 4) for _ in range(3)]),
        "module_dict": lambda: nn.ModuleDict({"fc": nn.Linear(3, 4), "act": nn.ReLU(),
                                              "out": nn.Linear(4, 2)}),
        "named_sequential": lambda: nn.Sequential(OrderedDict([
            ("fc1", nn.Linear(4, 3)), ("act", nn.ReLU()), ("fc2", nn.Linear(3, 2))])),
        "nested_containers": lambda: nn.Sequential(OrderedDict([
            ("blocks", nn.ModuleList([nn.Linear(2, 3), nn.Linear(3, 3)])),
            ("heads", nn.ModuleDict({"a": nn.Linear(3, 1),
                                     "b": nn.Sequential(nn.Linear(3, 2), nn.ReLU())}))])),
        "container_edits": container_edits,
        "convnet": lambda: nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.BatchNorm2d(6),
                                         nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                                         nn.Linear(6 * 14 * 14, 10)),
    }


def container_edits():
    """ModuleList/ModuleDict edited after construction: indices stay consecutive."""
    layers = nn.ModuleList([nn.Linear(1, 2), nn.Linear(2, 3)])
    layers.append(nn.Linear(3, 4))
    layers.insert(1, nn.ReLU())
    layers.extend(nn.ModuleList([nn.Linear(4, 1), nn.Tanh()]))
    layers.pop(0)
    heads = nn.ModuleDict({"x": nn.Linear(2, 2), "y": nn.Linear(2, 1)})
    heads.update({"z": nn.Sigmoid(), "x": nn.Linear(2, 5)})
    heads.pop("y")
    return nn.ModuleDict({"layers": layers, "heads": heads})


def existing_then_new(seed):
    """An existing module passed in after new ones: it keeps the values it drew first."""
    torch.manual_seed(seed)
    inner = nn.Linear(2, 2)
    return nn.Sequential(nn.Linear(3, 2), inner, nn.Linear(2, 5))


def describe(model, seed, name):
    rand = torch.rand(3)
    randn = torch.randn(1)
    params = []
    for n, p in model.named_parameters():
        flat = p.detach().reshape(-1).tolist()
        params.append({"name": n, "shape": list(p.shape), "fnv": fnv1a64(p),
                       "head": hex32(flat[:4]), "tail": hex32(flat[-4:])})
    return {"model": name, "seed": seed, "params": params, "repr": repr(model),
            "rand": hex32(rand.tolist()), "randn": hex32(randn.tolist())}


def sequential_cases():
    cases = []
    for name, make in models().items():
        for seed in SEEDS:
            torch.manual_seed(seed)
            cases.append(describe(make(), seed, name))
    for seed in SEEDS:
        cases.append(describe(existing_then_new(seed), seed, "existing_then_new"))
    return cases


class Custom(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(3, 4))
        self.register_parameter("frozen", nn.Parameter(torch.randn(2), requires_grad=False))


def parameter_cases():
    out = {"print": []}
    for seed in [0, 5, 11]:
        for requires_grad in [True, False]:
            for dtype in [torch.float32, torch.float64]:
                torch.manual_seed(seed)
                p = nn.Parameter(torch.randn(2, 3, dtype=dtype), requires_grad=requires_grad)
                out["print"].append({"seed": seed, "requires_grad": requires_grad,
                                     "dtype": str(dtype).replace("torch.", ""),
                                     "expected": repr(p)})
    torch.manual_seed(3)
    m = Custom()
    out["custom"] = {
        "seed": 3, "repr": repr(m),
        "names": [n for n, _ in m.named_parameters()],
        "requires_grad": [p.requires_grad for _, p in m.named_parameters()],
        "state_dict": list(m.state_dict().keys()),
        "values": [hex32(p.detach().reshape(-1).tolist()) for _, p in m.named_parameters()],
        "print_weight": repr(m.weight),
    }
    out["empty"] = repr(nn.Parameter())
    return out


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "sequential.json"), "w") as f:
        json.dump(sequential_cases(), f, indent=0)
    with open(os.path.join(out, "parameter.json"), "w") as f:
        json.dump(parameter_cases(), f, indent=0)


if __name__ == "__main__":
    main()
