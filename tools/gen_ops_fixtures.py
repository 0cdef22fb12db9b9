#!/usr/bin/python3
"""Runs every op of tests/ops/op_table.h in real PyTorch: inputs, outputs and input gradients.

usage: /usr/bin/python3 tools/gen_ops_fixtures.py [tests/fixtures/ops/ops.json]

The table is the one place an op is listed: each entry SAME(name, inputs, expr) or
TORCH(name, inputs, torch, expr) gives the Python that draws the inputs and the torch expression
over them (x[0], x[1], ...; for SAME the C++ expression's text). This script reads the entries
from the C++ header, so adding an op is one line there and a rerun of this script.

Each case: name, make and torch (the table texts it was made from, so that the C++ test notices
a stale fixture), inputs [{shape, dtype, values, requires_grad}], output {shape, dtype, values},
grad_fn (the output's grad_fn class name), upstream (the gradient fed to backward, same shape as
the output) and grads (one per input, null where it gets none). Values are float64 lists.
"""
import ast
import json
import os
import re
import sys
import warnings

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TABLE = os.path.join(ROOT, "tests", "ops", "op_table.h")
OUT = os.path.join(ROOT, "tests", "fixtures", "ops", "ops.json")

F64 = torch.float64


def t(*shape, dtype=F64, grad=True, positive=False, ints=False, scale=1):
    """A random input tensor: randn (|randn| + 0.5 if positive) times scale, or integers in
    [-5, 5]."""
    if ints:
        x = torch.randint(-5, 6, shape, dtype=dtype)
    else:
        x = torch.randn(*shape, dtype=dtype)
        if positive:
            x = x.abs() + 0.5
        if scale != 1:
            x = x * scale
    return x.requires_grad_(grad and x.is_floating_point())


def kinks():
    """The points where the activations' gradients are a convention: 0, +-3, 6 and the like."""
    return torch.tensor([-3., -1., 0., 1., 3., 6., -0.5, 2.5, 20., 10.], dtype=F64,
                        requires_grad=True)


def seeded_copy(x, k):
    """x * k with the generator just seeded with 7, as the C++ helper of the same name."""
    torch.manual_seed(7)
    return x * k


def macro_args(text, start):
    """The top-level arguments of the macro call whose '(' is at text[start - 1], as raw text."""
    args, depth, i, begin, quote = [], 1, start, start, None
    while depth:
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 1:
            args.append(text[begin:i])
            begin = i + 1
        i += 1
    args.append(text[begin:i - 1])
    return args


def table():
    """(name, make, torch) of every entry of kOps in tests/ops/op_table.h, in order."""
    text = open(TABLE).read()
    body = text[text.index("kOps = {"):text.index("\n};", text.index("kOps = {"))]
    body = "\n".join(line for line in body.split("\n") if not line.strip().startswith("//"))
    out = []
    for m in re.finditer(r"\b(SAME|TORCH)\(", body):
        args = macro_args(body, m.end())
        fixed = 2 if m.group(1) == "SAME" else 3
        name, make = ast.literal_eval(args[0].strip()), ast.literal_eval(args[1].strip())
        if m.group(1) == "SAME":  # the text C++'s #__VA_ARGS__ gives: whitespace runs as one space
            expr = re.sub(r"\s+", " ", ",".join(args[fixed:])).strip()
        else:
            expr = ast.literal_eval(args[2].strip())
        out.append((name, make, expr))
    return out


def record(x):
    return {"shape": list(x.shape), "dtype": str(x.dtype).replace("torch.", ""),
            "values": x.detach().double().reshape(-1).tolist(),
            "requires_grad": bool(x.requires_grad)}


def main():
    # mse_loss warns when its operands broadcast; the cases do that on purpose.
    warnings.filterwarnings("ignore", message="Using a target size")
    torch.manual_seed(20261127)
    env = {"torch": torch, "F": F, "t": t, "kinks": kinks, "seeded_copy": seeded_copy}
    out = []
    for name, make, expr in table():
        inputs = eval("[" + make + "]", env)
        y = eval("lambda *x: " + expr, env)(*inputs)
        case = {"name": name, "make": make, "torch": expr,
                "inputs": [record(x) for x in inputs], "output": record(y),
                "grad_fn": type(y.grad_fn).__name__ if y.grad_fn is not None else None}
        if y.requires_grad:
            upstream = torch.randn(y.shape, dtype=y.dtype)
            y.backward(upstream)
            case["upstream"] = record(upstream)
            case["grads"] = [record(x.grad) if x.grad is not None else None for x in inputs]
        out.append(case)
    with open(sys.argv[1] if len(sys.argv) > 1 else OUT, "w") as f:
        json.dump(out, f, indent=0)


if __name__ == "__main__":
    main()
