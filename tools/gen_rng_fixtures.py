#!/usr/bin/python3
"""Draws extra RNG/nn.init test vectors from the real PyTorch 1.13 (run with /usr/bin/python3).

usage: /usr/bin/python3 tools/gen_rng_fixtures.py > tests/fixtures/rng/rng_extra.json

Same record format as rng_vectors_avx2.json (gen_rng_vectors.py in the PyTorch reference notes):
seed, op, args, outputs (shape, dtype, hex when numel <= 1024, head_hex, fnv1a64), probe = the
low 31 bits of the next two 32-bit draws of the default generator. Additions:
  args.layout   "contiguous" (default), "transpose" (the tensor is empty(reversed shape)
                .permute(reversed dims)) or "step2" (every other element of the last dim)
  generator     true: the op draws from torch.Generator().manual_seed(seed) while the default
                generator is seeded with DEFAULT_SEED; probe is then from the default generator
                and gen_probe from the op's generator
  args.dtype    also for init.* and nn.Linear (default float32)
  "gains"       calculate_gain results as float64 hex
Ops in LAPACK_OPS go through LAPACK, whose last bits depend on the CPU's kernels: their outputs
always carry the full hex, and the tests compare them within a stated tolerance, not bit for bit.
"""
import json
import math
import struct
import sys

import numpy as np
import torch

HEX_MAX = 1024
LAPACK_OPS = {"init.orthogonal_"}
DEFAULT_SEED = 999
nn = torch.nn


def fnv1a64(b):
    h = 0xcbf29ce484222325
    for byte in b:
        h ^= byte
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def tensor_record(t, full_hex=False):
    t = t.detach().contiguous()
    name = str(t.dtype).replace("torch.", "")
    if t.dtype == torch.bool:
        t, name = t.to(torch.uint8), "uint8"
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)  # numpy has no bfloat16; the bits are what is compared
    a = t.numpy()
    w = a.dtype.itemsize
    u = a.reshape(-1).view({1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}[w])
    fmt = "%0" + str(2 * w) + "x"
    rec = {"shape": list(a.shape), "dtype": name}
    if full_hex or u.size <= HEX_MAX:
        rec["hex"] = "".join(fmt % v for v in u.tolist())
    rec["head_hex"] = "".join(fmt % v for v in u[:16].tolist())
    rec["fnv1a64"] = fnv1a64(u.astype(u.dtype.newbyteorder("<")).tobytes())
    return rec


def probe(gen=None):
    return torch.randint(0, 2**31, (2,), generator=gen).tolist()


def make(shape, dtype, layout):
    dt = getattr(torch, dtype)
    if layout == "transpose":
        return torch.empty(shape[::-1], dtype=dt).permute(*reversed(range(len(shape))))
    if layout == "step2":
        return torch.empty(shape[:-1] + [shape[-1] * 2], dtype=dt)[..., ::2]
    return torch.empty(shape, dtype=dt)


def op_tensor(name, a, gen):
    t = make(a["shape"], a.get("dtype", "float32"), a.get("layout", "contiguous"))
    if name == "uniform_":
        return t.uniform_(a["a"], a["b"], generator=gen)
    if name == "normal_":
        return t.normal_(a["mean"], a["std"], generator=gen)
    if name == "random_":
        return t.random_(a["low"], a["high"], generator=gen)
    if name == "bernoulli_":
        return t.bernoulli_(a["p"], generator=gen)
    raise KeyError(name)


def run(name, a, gen=None):
    init = nn.init
    if name in ("uniform_", "normal_", "random_", "bernoulli_"):
        return [op_tensor(name, a, gen)]
    if name == "rand":
        return [torch.rand(a["shape"], dtype=getattr(torch, a["dtype"]), generator=gen)]
    if name == "randn":
        return [torch.randn(a["shape"], dtype=getattr(torch, a["dtype"]), generator=gen)]
    if name == "randint":
        return [torch.randint(a["low"], a["high"], a["shape"], dtype=getattr(torch, a["dtype"]),
                              generator=gen)]
    if name == "randperm":
        return [torch.randperm(a["n"], dtype=getattr(torch, a.get("dtype", "int64")),
                               generator=gen)]
    e = torch.empty(a["shape"], dtype=getattr(torch, a.get("dtype", "float32"))) \
        if "shape" in a else None
    if name == "init.uniform_":
        return [init.uniform_(e, a["a"], a["b"])]
    if name == "init.normal_":
        return [init.normal_(e, a["mean"], a["std"])]
    if name == "init.constant_":
        return [init.constant_(e, a["val"])]
    if name == "init.eye_":
        return [init.eye_(e)]
    if name == "init.dirac_":
        return [init.dirac_(e, a["groups"])]
    if name == "init.xavier_uniform_":
        return [init.xavier_uniform_(e, a["gain"])]
    if name == "init.xavier_normal_":
        return [init.xavier_normal_(e, a["gain"])]
    if name == "init.kaiming_uniform_":
        return [init.kaiming_uniform_(e, a=a["a"], mode=a["mode"], nonlinearity=a["nonlinearity"])]
    if name == "init.kaiming_normal_":
        return [init.kaiming_normal_(e, a=a["a"], mode=a["mode"], nonlinearity=a["nonlinearity"])]
    if name == "init.orthogonal_":
        return [init.orthogonal_(e, a["gain"])]
    if name == "init.trunc_normal_":
        return [init.trunc_normal_(e, a["mean"], a["std"], a["a"], a["b"])]
    if name == "nn.Linear":
        m = nn.Linear(a["in_features"], a["out_features"], bias=a["bias"],
                      dtype=getattr(torch, a.get("dtype", "float32")))
        return [m.weight, m.bias] if a["bias"] else [m.weight]
    raise KeyError(name)


SQRT5 = math.sqrt(5)
CORE = []
for layout in ("contiguous", "transpose", "step2"):
    for dtype in ("float32", "float64"):
        for shape in ([3, 5], [4, 7], [2, 3, 6], [40, 30]):
            CORE.append(("uniform_", dict(shape=shape, a=-0.3, b=0.5, dtype=dtype, layout=layout)))
            CORE.append(("normal_", dict(shape=shape, mean=0.25, std=1.5, dtype=dtype,
                                         layout=layout)))
    for dtype in ("int64", "int32", "uint8", "float32"):
        CORE.append(("random_", dict(shape=[5, 6], low=-3 if dtype != "uint8" else 3, high=100,
                                     dtype=dtype, layout=layout)))
    for dtype in ("float32", "float64", "int64", "bool", "uint8"):
        CORE.append(("bernoulli_", dict(shape=[6, 9], p=0.3, dtype=dtype, layout=layout)))
for p in (0.0, 0.5, 1.0, 1 / 3, 0.999):
    CORE.append(("bernoulli_", dict(shape=[100], p=p, dtype="float32")))
CORE += [
    ("normal_", dict(shape=[1], mean=-2.0, std=0.0, dtype="float32")),
    ("normal_", dict(shape=[31], mean=3.0, std=0.5, dtype="float32")),
    ("normal_", dict(shape=[1000], mean=0.1, std=0.3, dtype="float32")),
    ("normal_", dict(shape=[0], mean=0.0, std=1.0, dtype="float32")),
    ("randn", dict(shape=[4097], dtype="float32")),
    # big enough that every fused step of the float32 log/sincos changes some element
    ("randn", dict(shape=[1 << 20], dtype="float32")),
    ("normal_", dict(shape=[1 << 18], mean=-0.5, std=3.0, dtype="float32")),
    ("randn", dict(shape=[1, 16, 1], dtype="float32")),
    ("rand", dict(shape=[0, 3], dtype="float32")),
    ("rand", dict(shape=[2000], dtype="float64")),
    ("uniform_", dict(shape=[50], a=2.0, b=2.0, dtype="float32")),
    ("uniform_", dict(shape=[50], a=-1e30, b=1e30, dtype="float32")),
    ("randint", dict(low=-2**63, high=2**63 - 1, shape=[8], dtype="int64")),
    ("randint", dict(low=0, high=2**32, shape=[8], dtype="int64")),
    ("randint", dict(low=0, high=2**32 - 1, shape=[8], dtype="int64")),
    ("randint", dict(low=-5, high=2**40, shape=[8], dtype="float64")),
    ("randint", dict(low=-5, high=2**40, shape=[8], dtype="float32")),
    ("randint", dict(low=-(2**40) - 3, high=5, shape=[8], dtype="float32")),
    ("randint", dict(low=-(2**60) - 3, high=2**60 + 5, shape=[8], dtype="float64")),
    ("randint", dict(low=-100, high=100, shape=[20], dtype="int16")),
    ("randint", dict(low=-100, high=100, shape=[20], dtype="int8")),
    ("randint", dict(low=0, high=2, shape=[20], dtype="bool")),
    ("randint", dict(low=0, high=7, shape=[3, 4], dtype="float64")),
    ("randint", dict(low=-3000, high=3000, shape=[20], dtype="float16")),
    ("randint", dict(low=-5, high=2**40, shape=[8], dtype="bfloat16")),
    ("bernoulli_", dict(shape=[20], p=0.6, dtype="bfloat16")),
    ("randperm", dict(n=0)),
    ("randperm", dict(n=1000, dtype="int32")),
    ("randperm", dict(n=100, dtype="float32")),
    ("randperm", dict(n=100, dtype="float64")),
    ("randperm", dict(n=128, dtype="int8")),
    ("randperm", dict(n=200, dtype="uint8")),
]

NN = [
    ("init.constant_", dict(shape=[3, 4], val=0.3)),
    ("init.eye_", dict(shape=[3, 5])),
    ("init.eye_", dict(shape=[5, 2])),
    ("init.dirac_", dict(shape=[4, 2, 3], groups=1)),
    ("init.dirac_", dict(shape=[6, 2, 3, 3], groups=2)),
    ("init.dirac_", dict(shape=[2, 4, 3, 3, 3], groups=1)),
    ("init.uniform_", dict(shape=[7, 3], a=-2.5, b=0.125)),
    ("init.normal_", dict(shape=[3, 3], mean=1.0, std=0.2)),
    ("init.normal_", dict(shape=[5, 5], mean=-1.0, std=3.0)),
    ("init.xavier_uniform_", dict(shape=[16, 8, 3, 3], gain=math.sqrt(2.0))),
    ("init.xavier_uniform_", dict(shape=[3, 2], gain=5.0 / 3)),
    ("init.xavier_normal_", dict(shape=[30, 20], gain=0.5)),
    ("init.xavier_normal_", dict(shape=[2, 3], gain=1.0)),
    ("init.kaiming_uniform_", dict(shape=[10, 7], a=0.2, mode="fan_out", nonlinearity="leaky_relu")),
    ("init.kaiming_uniform_", dict(shape=[10, 7], a=0, mode="fan_in", nonlinearity="tanh")),
    ("init.kaiming_uniform_", dict(shape=[10, 7], a=0, mode="fan_in", nonlinearity="selu")),
    ("init.kaiming_uniform_", dict(shape=[4, 0], a=SQRT5, mode="fan_in",
                                   nonlinearity="leaky_relu")),
    ("init.kaiming_normal_", dict(shape=[32, 16, 3, 3], a=0, mode="fan_out", nonlinearity="relu")),
    ("init.kaiming_normal_", dict(shape=[3, 4], a=0.1, mode="fan_in", nonlinearity="leaky_relu")),
    ("init.kaiming_normal_", dict(shape=[50, 3], a=0, mode="fan_in", nonlinearity="linear")),
    ("init.trunc_normal_", dict(shape=[33, 31], mean=0.5, std=2.0, a=-1.0, b=3.0)),
    ("init.trunc_normal_", dict(shape=[7], mean=0.0, std=1.0, a=-2.0, b=2.0)),
    ("init.trunc_normal_", dict(shape=[500], mean=0.0, std=1.0, a=-5.0, b=5.0)),
    ("init.trunc_normal_", dict(shape=[200], mean=0.0, std=1.0, a=1.5, b=4.0)),
    ("init.trunc_normal_", dict(shape=[300], mean=0.1, std=0.7, a=-1.0, b=1.0, dtype="float64")),
    ("init.kaiming_uniform_", dict(shape=[5, 6], a=SQRT5, mode="fan_in",
                                   nonlinearity="leaky_relu", dtype="float64")),
    ("init.xavier_normal_", dict(shape=[8, 4], gain=2.0, dtype="float64")),
    ("nn.Linear", dict(in_features=6, out_features=4, bias=True, dtype="float64")),
    ("nn.Linear", dict(in_features=0, out_features=3, bias=True)),
    ("init.orthogonal_", dict(shape=[3, 5], gain=1.0)),
    ("init.orthogonal_", dict(shape=[5, 3], gain=2.0)),
    ("init.orthogonal_", dict(shape=[4, 4], gain=1.0)),
    ("init.orthogonal_", dict(shape=[8, 2, 3, 3], gain=math.sqrt(2.0))),
    ("init.orthogonal_", dict(shape=[64, 48], gain=1.0)),
    ("init.orthogonal_", dict(shape=[300, 200], gain=1.0)),
    ("init.orthogonal_", dict(shape=[20, 30], gain=0.5, dtype="float64")),
    ("nn.Linear", dict(in_features=1, out_features=1, bias=True)),
]
for in_f, out_f in ((3, 2), (7, 11), (13, 5), (64, 64), (100, 3), (300, 7), (1, 9), (2, 2)):
    NN.append(("nn.Linear", dict(in_features=in_f, out_features=out_f, bias=True)))

GEN_CASES = [
    ("rand", dict(shape=[10], dtype="float32")),
    ("rand", dict(shape=[5], dtype="float64")),
    ("randn", dict(shape=[5], dtype="float32")),
    ("randn", dict(shape=[40], dtype="float32")),
    ("randn", dict(shape=[20], dtype="float64")),
    ("uniform_", dict(shape=[6], a=-1.0, b=1.0, dtype="float32")),
    ("normal_", dict(shape=[6], mean=1.0, std=2.0, dtype="float64")),
    ("random_", dict(shape=[10], low=0, high=1000, dtype="int64")),
    ("randint", dict(low=3, high=9, shape=[10], dtype="int64")),
    ("randperm", dict(n=30)),
    ("bernoulli_", dict(shape=[30], p=0.25, dtype="float32")),
]

SEEDS = (0, 3, 2**40 + 5)
GAINS = [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
         ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 0), ("leaky_relu", SQRT5),
         ("selu", None), ("conv_transpose3d", None)]


def record(seed, name, a, gen_mode=False):
    if gen_mode:
        torch.manual_seed(DEFAULT_SEED)
        g = torch.Generator().manual_seed(seed)
        outs = run(name, a, g)
        rec = {"seed": seed, "op": name, "args": a, "generator": True,
               "outputs": [tensor_record(t) for t in outs], "probe": probe(),
               "gen_probe": probe(g)}
        return rec
    torch.manual_seed(seed)
    outs = run(name, a)
    return {"seed": seed, "op": name, "args": a,
            "outputs": [tensor_record(t, name in LAPACK_OPS) for t in outs], "probe": probe()}


def main():
    doc = {"torch_version": torch.__version__,
           "cpu_capability": torch.__config__.show().split("CPU capability usage:")[1]
           .split("\n")[0].strip(),
           "default_seed": DEFAULT_SEED,
           "gains": [{"nonlinearity": n, "param": p,
                      "hex": struct.pack(">d", float(nn.init.calculate_gain(n, p))).hex()}
                     for n, p in GAINS],
           "core": [record(s, n, a) for s in SEEDS for n, a in CORE],
           "generator": [record(s, n, a, True) for s in SEEDS for n, a in GEN_CASES],
           "nn": [record(s, n, a) for s in SEEDS for n, a in NN]}
    # a mixed stream: Linear layers, small normals that leave the Box-Muller cache, and randperm
    torch.manual_seed(11)
    steps = [("nn.Linear", dict(in_features=5, out_features=3, bias=True)),
             ("randn", dict(shape=[3], dtype="float64")),
             ("init.kaiming_normal_", dict(shape=[3, 3], a=0, mode="fan_in",
                                           nonlinearity="relu")),
             ("init.trunc_normal_", dict(shape=[4, 5], mean=0.0, std=0.02, a=-0.04, b=0.04)),
             ("randn", dict(shape=[1], dtype="float32")),
             ("nn.Linear", dict(in_features=3, out_features=2, bias=False))]
    seq = {"seed": 11, "op": "seq", "steps": []}
    for name, a in steps:
        seq["steps"].append({"op": name, "args": a,
                             "outputs": [tensor_record(t) for t in run(name, a)]})
    seq["probe"] = probe()
    doc["nn"].append(seq)
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
