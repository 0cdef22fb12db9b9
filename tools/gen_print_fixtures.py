#!/usr/bin/env python3
"""Extra printing fixtures from real PyTorch, beyond tools/gen_print_vectors.py.

Run with Debian's /usr/bin/python3 (torch 1.13), from the repository root:

    /usr/bin/python3 tools/gen_print_vectors.py --seed 1 \
        -o tests/fixtures/printing/print_vectors_public.json
    /usr/bin/python3 tools/gen_print_fixtures.py --seed 11 \
        --exclude tests/fixtures/printing/print_vectors_public.json \
        -o tests/fixtures/printing/print_fixtures_extra.json

The output is a JSON array in the schema of gen_print_vectors.py, extended with:

  kind "tensor":  dtype may also be int32, int16, int8, uint8 (bits: 8/4/2/2 hex digits,
                  two's complement) and float16, bfloat16 (4 hex digits of the raw bits).
                  Optional "options": {"precision", "threshold", "edgeitems", "linewidth",
                  "sci_mode" (null/true/false)} set with torch.set_printoptions while printing.
                  A forced sci_mode is only emitted where it equals the automatic choice
                  (there PyTorch 1.13 and 2.x agree; torchlite follows 2.x elsewhere).
  kind "state_dict": also "expected_dict" = repr(dict(state_dict)) (plain-dict form).
  kind "named_tensors": "module" (the tree), "entries" as in state_dict plus per entry
                  "requires_grad" and "is_parameter"; "expected" =
                  repr(list(module.named_parameters())) or of named_buffers() ("category"
                  says which).
  kind "py_float": "bits" (16 hex digits of a float64), "expected" = repr(float).
  kind "py_str":   "text" (a str), "expected" = repr(str).
  kind "size":     "shape", "expected" = repr(torch.Size(shape)).
"""

import argparse
import json
import math
import os
import random
import struct
import sys
from collections import OrderedDict

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_print_vectors as base  # noqa: E402  (the team's generator: value factories, trees)

DTYPES = dict(base.DTYPES)
DTYPES.update({"int32": torch.int32, "int16": torch.int16, "int8": torch.int8,
               "uint8": torch.uint8, "float16": torch.float16, "bfloat16": torch.bfloat16})
DTYPE_NAMES = {v: k for k, v in DTYPES.items()}
INT_INFO = {"int32": (32, True), "int16": (16, True), "int8": (8, True), "uint8": (8, False)}


def tensor_bits(t):
    flat = t.detach().contiguous().reshape(-1)
    name = DTYPE_NAMES[flat.dtype]
    if name in ("float16", "bfloat16"):
        return ["%04x" % (v & 0xFFFF) for v in flat.view(torch.int16).tolist()]
    if name in INT_INFO:
        nbits = INT_INFO[name][0]
        return ["%0*x" % (nbits // 4, v & ((1 << nbits) - 1)) for v in flat.tolist()]
    return base.tensor_bits(flat)


def default_options():
    return dict(precision=4, threshold=1000, edgeitems=3, linewidth=80, sci_mode=None)


def set_options(o):
    torch.set_printoptions(precision=o["precision"], threshold=o["threshold"],
                           edgeitems=o["edgeitems"], linewidth=o["linewidth"],
                           sci_mode=o["sci_mode"])


def auto_sci_mode(t):
    """The notation PyTorch picks by itself under the current options (sci_mode=None)."""
    s = torch._tensor_str
    x = t.detach()
    if x.dtype in (torch.float16, torch.bfloat16):
        x = x.float()
    if x.numel() == 0:
        return False
    if x.numel() > s.PRINT_OPTS.threshold:
        x = s.get_summarized_data(x)
    return s._Formatter(x).sci_mode


def describe(m):
    """base.describe, plus Identity and LogSoftmax (absent from the team's generator)."""
    if type(m) is nn.Identity:
        return {"type": "Identity", "args": {}, "children": []}
    if type(m) is nn.LogSoftmax:
        return {"type": "LogSoftmax", "args": {"dim": m.dim}, "children": []}
    if type(m) in (nn.Sequential,) or base.describe(m)["type"] == "Custom":
        node = base.describe(m)
        node["children"] = [{"name": k, "module": describe(c)} for k, c in m._modules.items()]
        return node
    return base.describe(m)


class Extra:
    def __init__(self, seed):
        self.seed = seed
        self.rng = random.Random(seed * 104729 + 3)
        self.gen = base.Gen(seed)  # value factories and module trees, seeded independently
        self.cases = []

    def _add(self, case):
        case["id"] = "x%d-%04d" % (self.seed, len(self.cases))
        self.cases.append(case)

    # ---- tensors ---------------------------------------------------------
    def add_tensor(self, category, t, *, requires_grad=False, parameter=False, options=None):
        t = t.detach().clone()
        o = options or default_options()
        set_options(o)
        try:
            if parameter:
                obj = nn.Parameter(t, requires_grad=requires_grad)
            else:
                obj = t.requires_grad_(requires_grad) if requires_grad else t
            expected = repr(obj)
        finally:
            torch.set_printoptions(profile="default", sci_mode=None)
        case = {"kind": "tensor", "category": category, "dtype": DTYPE_NAMES[t.dtype],
                "shape": list(t.shape), "bits": tensor_bits(t),
                "requires_grad": bool(requires_grad), "is_parameter": bool(parameter),
                "grad_fn": None, "expected": expected}
        if options is not None:
            case["options"] = o
        self._add(case)

    def int_values(self, name, n):
        r = self.rng
        nbits, signed = INT_INFO[name]
        lo, hi = (-(1 << (nbits - 1)), (1 << (nbits - 1)) - 1) if signed else (0, (1 << nbits) - 1)
        style = r.choice(["small", "full", "edges"])
        if style == "small":
            return [r.randint(max(lo, -9), min(hi, 9)) for _ in range(n)]
        if style == "edges":
            return [r.choice([lo, hi, 0, 1, lo + 1, hi - 1]) for _ in range(n)]
        return [r.randint(lo, hi) for _ in range(n)]

    def typed_tensor(self, name, shape):
        n = 1
        for d in shape:
            n *= d
        if name in INT_INFO:
            return torch.tensor(self.int_values(name, n), dtype=torch.int64).to(
                DTYPES[name]).reshape(shape)
        if name in ("float16", "bfloat16"):
            return self.gen.float_tensor(shape, torch.float64).to(DTYPES[name])
        return self.gen.any_tensor(shape, name)

    def family_dtypes(self, count):
        r = self.rng
        names = ["int32", "int16", "int8", "uint8", "float16", "bfloat16"]
        for _ in range(count):
            name = r.choice(names)
            kind = r.choice(["0d", "1d", "1d", "2d", "3d", "empty", "summarized"])
            if kind == "0d":
                shape = []
            elif kind == "1d":
                shape = [r.randint(1, 40)]
            elif kind == "2d":
                shape = [r.randint(1, 6), r.randint(1, 20)]
            elif kind == "3d":
                shape = [r.randint(1, 4), r.randint(1, 4), r.randint(1, 6)]
            elif kind == "empty":
                shape = r.choice([[0], [2, 0], [0, 3, 1]])
            else:
                shape = r.choice([[r.randint(1001, 3000)], [r.randint(7, 40), r.randint(30, 90)]])
            floating = name.startswith(("float", "bfloat"))
            rg = floating and r.random() < 0.3
            par = r.random() < 0.15
            self.add_tensor("dtype-" + name + "-" + kind, self.typed_tensor(name, shape),
                            requires_grad=rg, parameter=par)

    def family_options(self, count):
        r = self.rng
        names = ["float32", "float32", "float32", "float64", "int64", "bool", "int32",
                 "float16", "bfloat16"]
        for _ in range(count):
            name = r.choice(names)
            rank = r.choice([0, 1, 1, 1, 2, 2, 3])
            if rank == 0:
                shape = []
            elif rank == 1:
                shape = [r.randint(1, 120)]
            elif rank == 2:
                shape = [r.randint(1, 12), r.randint(1, 30)]
            else:
                shape = [r.randint(1, 5), r.randint(1, 5), r.randint(1, 12)]
            t = self.typed_tensor(name, shape)
            o = default_options()
            o["precision"] = r.choice([0, 1, 2, 3, 4, 6, 8, 10, 12])
            o["linewidth"] = r.choice([1, 10, 20, 40, 60, 75, 80, 100, 120, 200])
            o["threshold"] = r.choice([0, 1, 5, 10, 30, 100, 1000, 10 ** 6])
            o["edgeitems"] = r.choice([1, 2, 3, 4, 6])
            if name.startswith(("float", "bfloat")) and r.random() < 0.3:
                set_options(o)
                try:
                    o["sci_mode"] = auto_sci_mode(t)
                finally:
                    torch.set_printoptions(profile="default", sci_mode=None)
            floating = name.startswith(("float", "bfloat"))
            rg = floating and r.random() < 0.3
            self.add_tensor("options", t, requires_grad=rg, options=o)

    # ---- python text -----------------------------------------------------
    def family_py_float(self, count):
        r = self.rng
        fixed = [0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 1e-5, 2e-5, 1e-12, 1e-4, 1e-3, 0.0001, 0.00011,
                 1 / 3, 2 / 3, 1e16, 1e15, 9999999999999998.0, 1234567890123456.0,
                 12345678901234567.0, 1e22, 1e23, 5e-324, 2.2250738585072014e-308,
                 1.7976931348623157e308, 123.456, 100.0, 1e100, 0.3, 2.5, 0.9, 0.99, 0.999,
                 0.1 + 0.2, math.pi, math.e, 1e-7, 123456789.0, 0.000123, math.nan, math.inf,
                 -math.inf, 3e-5, 0.05, 1e-05, 9.5e-05, 1.5e16]
        vals = list(fixed)
        for _ in range(count):
            kind = r.choice(["any", "decimal", "f32"])
            if kind == "any":
                v = struct.unpack(">d", struct.pack(">Q", r.getrandbits(64)))[0]
                if math.isnan(v):
                    v = r.random()
            elif kind == "decimal":
                v = round(r.uniform(-1, 1), r.randint(1, 8)) * 10.0 ** r.randint(-12, 20)
            else:
                v = base.f32(r.gauss(0, 1) * 10.0 ** r.randint(-8, 8))
            vals.append(v)
        for v in vals:
            self._add({"kind": "py_float", "category": "py-float",
                       "bits": "%016x" % struct.unpack(">Q", struct.pack(">d", v))[0],
                       "expected": repr(v)})

    def family_py_str(self):
        texts = ["weight", "0.weight", "layer1.0.bias", "", "it's", 'say "hi"', "both ' and \"",
                 "back\\slash", "tab\there", "new\nline", "cr\rx", "nul\x00x", "bell\x07",
                 "del\x7f", "caf\u00e9", "\u00a0nbsp", "soft\u00adhyphen", "c1\x85",
                 "line\u2028sep", "zw\u200bsp", "bom\ufeff", "emoji\U0001F600", "\u4e2d\u6587",
                 "priv\ue000", "\U000e0001tag", "'", '"', "''", "\\'", "x\x1by"]
        for s in texts:
            self._add({"kind": "py_str", "category": "py-str", "text": s, "expected": repr(s)})

    def family_sizes(self):
        for shape in ([], [5], [2, 3], [0], [1, 0, 7], [2, 3, 4, 5]):
            self._add({"kind": "size", "category": "size", "shape": shape,
                       "expected": repr(torch.Size(shape))})

    # ---- containers ------------------------------------------------------
    def entries(self, items, with_flags):
        out = []
        for k, v in items:
            e = {"key": k, "dtype": DTYPE_NAMES[v.dtype], "shape": list(v.shape),
                 "bits": tensor_bits(v)}
            if with_flags:
                e["requires_grad"] = bool(v.requires_grad)
                e["is_parameter"] = isinstance(v, nn.Parameter)
            out.append(e)
        return out

    # ---- modules built only from the common layers ----------------------------
    def basic_leaf(self, with_params):
        r = self.rng
        kinds = ["Linear", "Linear", "ReLU", "Sigmoid", "Tanh", "Identity", "Flatten", "Dropout",
                 "Softmax", "LogSoftmax"]
        k = r.choice(["Linear"] if with_params and r.random() < 0.5 else kinds)
        if k == "Linear":
            return nn.Linear(r.randint(1, 6), r.randint(1, 4), bias=r.random() < 0.8)
        if k == "ReLU":
            return nn.ReLU(inplace=r.random() < 0.3)
        if k == "Flatten":
            return r.choice([nn.Flatten(), nn.Flatten(0), nn.Flatten(2, 3), nn.Flatten(1, -2)])
        if k == "Dropout":
            return nn.Dropout(r.choice([0.5, 0.1, 0.2, 0.0, 1.0, 1 / 3, 0.05, 1e-05, 0.999, 0.125]),
                              inplace=r.random() < 0.2)
        if k in ("Softmax", "LogSoftmax"):
            return getattr(nn, k)(dim=r.choice([0, 1, -1, 2]))
        return getattr(nn, k)()

    def basic_tree(self, depth, with_params=False):
        r = self.rng
        if depth <= 0 or r.random() < 0.3:
            return self.basic_leaf(with_params)
        kids = [self.basic_tree(depth - 1, with_params) for _ in range(r.choice([0, 1, 2, 3, 4]))]
        form = r.choice(["seq", "seq", "seqdict", "custom"])
        if form == "seq":
            return nn.Sequential(*kids)
        names = ["fc", "act", "body", "head", "drop", "features", "classifier", "block_1",
                 "layer2", "out", "hidden"]
        r.shuffle(names)
        if form == "seqdict":
            return nn.Sequential(OrderedDict(zip(names, kids)))
        m = base.custom_class(r.choice(["Net", "MyModel", "Encoder", "Block", "MLP"]))()
        for name, kid in zip(names, kids):
            setattr(m, name, kid)
        return m

    def family_basic_modules(self, count):
        for _ in range(count):
            m = self.basic_tree(self.rng.randint(0, 4))
            self._add({"kind": "module", "category": "module-basic", "module": describe(m),
                       "expected": repr(m)})

    def model(self, i, basic=False):
        r = self.rng
        torch.manual_seed(self.seed * 1000 + i)
        if i == 0:
            return nn.Sequential(nn.ReLU(), nn.Flatten())
        if basic:
            m = self.basic_tree(r.randint(1, 3), with_params=True)
        else:
            m = self.gen.rand_tree(r.randint(0, 2), with_params=True)
        with torch.no_grad():
            for _, p in m.named_parameters():
                if r.random() < 0.2:
                    p.mul_(r.choice([1e-6, 1e9]))
        for _, p in m.named_parameters():
            if r.random() < 0.15:
                p.requires_grad_(False)
        return m

    def family_containers(self, count, basic=False):
        for i in range(count):
            m = self.model(i, basic)
            sd = m.state_dict()
            self._add({"kind": "state_dict", "category": "state-dict-extra",
                       "module": describe(m), "entries": self.entries(sd.items(), False),
                       "expected": repr(sd), "expected_dict": repr(dict(sd))})
            params = list(m.named_parameters())
            self._add({"kind": "named_tensors", "category": "named-parameters",
                       "module": describe(m), "entries": self.entries(params, True),
                       "expected": repr(params)})
            bufs = list(m.named_buffers())
            if bufs or i == 0:
                self._add({"kind": "named_tensors", "category": "named-buffers",
                           "module": describe(m), "entries": self.entries(bufs, True),
                           "expected": repr(bufs)})


def case_key(c):
    if c["kind"] == "tensor":
        return json.dumps([c["kind"], c["dtype"], c["shape"], c["bits"], c["requires_grad"],
                           c["is_parameter"], c["grad_fn"], c.get("options")])
    return json.dumps([c["kind"], c.get("bits"), c.get("text"), c.get("shape"),
                       c.get("entries"), c.get("expected")], sort_keys=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("-o", "--output", default="-")
    ap.add_argument("--exclude", action="append", default=[])
    args = ap.parse_args(argv)

    x = Extra(args.seed)
    x.family_dtypes(90)
    x.family_options(120)
    x.family_py_float(60)
    x.family_py_str()
    x.family_sizes()
    x.family_containers(16)
    x.family_basic_modules(40)
    x.family_containers(20, basic=True)

    excluded = set()
    for path in args.exclude:
        with open(path) as f:
            excluded.update(case_key(c) for c in json.load(f))
    out, seen = [], set()
    for c in x.cases:
        k = case_key(c)
        if k not in excluded and k not in seen:
            seen.add(k)
            out.append(c)
    for i, c in enumerate(out):
        c["id"] = "x%d-%04d" % (args.seed, i)
    text = json.dumps(out, indent=1)
    if args.output == "-":
        sys.stdout.write(text + "\n")
    else:
        with open(args.output, "w") as f:
            f.write(text + "\n")
    sys.stderr.write("%d cases; torch %s, python %s\n"
                     % (len(out), torch.__version__, sys.version.split()[0]))


if __name__ == "__main__":
    main()
