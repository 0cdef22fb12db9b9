#!/usr/bin/python3
"""Draws the convolution and padding test cases from real PyTorch 1.13.

usage: /usr/bin/python3 tools/gen_conv_fixtures.py tests/fixtures/nn/conv.json

Inputs, weights and upstream gradients are not stored: they follow value(i, salt) below, which
tests/nn/test_conv.cpp computes the same way (exact in float64, then rounded to the dtype).

modules: Conv1d/Conv2d/ConvTranspose2d built right after manual_seed(seed): repr, weight and bias
  bits (hex of float32), and the next randint draw (checks the number of draws).
functional: conv1d/conv2d/conv_transpose2d/pad calls over a grid of strides, paddings (ints,
  pairs, 'same', 'valid'), dilations, groups (depthwise included), padding modes, odd sizes,
  non-contiguous and unbatched inputs, float32 and float64: output, grad_fn name and the input,
  weight and bias gradients of sum(out * upstream).
module_forward: modules with padding modes / 'same' on their seeded parameters: the same.
errors: bad calls and constructor arguments with PyTorch's message.
sequential_repr: the repr of a Sequential holding the layers.
Python's set order is in some messages, so the script re-runs itself with PYTHONHASHSEED=0.
"""
import json
import os
import struct
import sys

if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def hex32(t):
    return "".join("%08x" % struct.unpack("<I", struct.pack("<f", v))[0]
                   for v in t.detach().reshape(-1).tolist())


def value(shape, salt, dtype):
    """((i * 7919 + salt * 104729) mod 2003) / 1001 - 1 for the row-major index i."""
    n = 1
    for s in shape:
        n *= s
    i = torch.arange(n, dtype=torch.int64)
    v = ((i * 7919 + salt * 104729) % 2003).to(torch.float64) / 1001.0 - 1.0
    return v.reshape(shape).to(DTYPES[dtype])


def make_input(shape, salt, dtype, layout):
    """'contiguous', or 'transposed': values laid out for the last two dims swapped, then viewed
    back (a non-contiguous tensor of `shape`)."""
    if layout == "transposed":
        swapped = list(shape[:-2]) + [shape[-1], shape[-2]]
        return value(swapped, salt, dtype).transpose(-1, -2)
    return value(shape, salt, dtype)


def flat(t, dtype):
    """Values rounded to well below the test tolerances (1e-10 for float64, 1e-5 for float32),
    to keep the file small."""
    fmt = "%.8g" if dtype == "float32" else "%.13g"
    return [float(fmt % v) for v in t.detach().reshape(-1).tolist()]


MODULE_CONFIGS = [
    ("Conv1d", [3, 4, 3], {}),
    ("Conv1d", [4, 6, 5], {"stride": 2, "padding": 1, "groups": 2, "bias": False}),
    ("Conv1d", [2, 2, 4], {"padding": "same", "dilation": 2, "padding_mode": "circular"}),
    ("Conv2d", [1, 6, 5], {"padding": 2}),
    ("Conv2d", [6, 16, 5], {}),
    ("Conv2d", [3, 8, 3], {"stride": 2, "padding": 1, "bias": False}),
    ("Conv2d", [4, 8, [3, 2]], {"groups": 4, "padding": [1, 0]}),
    ("Conv2d", [3, 6, 3], {"padding": "same", "padding_mode": "reflect"}),
    ("Conv2d", [3, 6, 2], {"padding": "valid", "dilation": [2, 1]}),
    ("Conv2d", [2, 4, 3], {"padding": [1, 2], "padding_mode": "replicate"}),
    ("Conv2d", [5, 5, 3], {"groups": 5, "padding": 1, "padding_mode": "zeros"}),
    ("ConvTranspose2d", [16, 8, 3], {"stride": 2, "output_padding": 1}),
    ("ConvTranspose2d", [4, 6, [2, 3]], {"groups": 2, "bias": False}),
    ("ConvTranspose2d", [3, 2, 3], {"stride": [2, 1], "padding": 1, "dilation": 2}),
]


def build(kind, args, kwargs):
    a = [tuple(x) if isinstance(x, list) else x for x in args]
    kw = {k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()}
    return getattr(nn, kind)(*a, **kw)


def modules():
    cases = []
    for kind, args, kwargs in MODULE_CONFIGS:
        for seed in [0, 7, 2024] if args[0] * args[1] <= 64 else [0, 2024]:
            torch.manual_seed(seed)
            m = build(kind, args, kwargs)
            probe = torch.randint(0, 2**31, (2,)).tolist()
            cases.append({"kind": kind, "args": args, "kwargs": kwargs, "seed": seed,
                          "repr": repr(m), "weight_shape": list(m.weight.shape),
                          "weight": hex32(m.weight),
                          "bias": hex32(m.bias) if m.bias is not None else None,
                          "state_dict_keys": list(m.state_dict().keys()), "probe": probe})
    return cases


def run_case(fn, input_shape, weight_shape, bias, kwargs, dtype, layout, unbatched=False):
    x = make_input(input_shape, 1, dtype, layout).requires_grad_(True)
    args = []
    if fn == "pad":
        out = F.pad(x, kwargs["pad"], mode=kwargs.get("mode", "constant"),
                    value=kwargs.get("value"))
        w = b = None
    else:
        w = value(weight_shape, 2, dtype).requires_grad_(True)
        out_ch = weight_shape[1] * kwargs.get("groups", 1) if fn.startswith("conv_t") else \
            weight_shape[0]
        b = value([out_ch], 3, dtype).requires_grad_(True) if bias else None
        kw = {k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()}
        out = getattr(F, fn)(x, w, b, **kw)
    up = value(list(out.shape), 4, dtype)
    (out * up).sum().backward()
    case = {"fn": fn, "input_shape": input_shape, "weight_shape": weight_shape, "bias": bias,
            "kwargs": kwargs, "dtype": dtype, "layout": layout,
            "output_shape": list(out.shape), "grad_fn": type(out.grad_fn).__name__,
            "output": flat(out, dtype), "grad_input": flat(x.grad, dtype)}
    if w is not None:
        case["grad_weight"] = flat(w.grad, dtype)
    if b is not None:
        case["grad_bias"] = flat(b.grad, dtype)
    return case


def functional():
    cases = []
    conv2d = [
        ([2, 3, 7, 6], [4, 3, 3, 3], True, {}),
        ([2, 3, 7, 6], [4, 3, 3, 3], True, {"stride": 2, "padding": 1}),
        ([2, 3, 7, 6], [4, 3, 3, 2], False, {"stride": [2, 3], "padding": [2, 1]}),
        ([2, 2, 8, 7], [4, 2, 3, 3], True, {"dilation": 2, "padding": 1}),
        ([2, 2, 8, 7], [4, 2, 2, 3], True, {"dilation": [1, 2], "stride": [1, 2]}),
        ([1, 4, 5, 5], [6, 2, 3, 3], True, {"groups": 2, "padding": 1}),
        ([2, 4, 6, 5], [4, 1, 3, 3], True, {"groups": 4, "padding": 1}),
        ([2, 4, 6, 5], [8, 1, 3, 2], False, {"groups": 4, "stride": 2}),
        ([1, 3, 6, 7], [4, 3, 4, 4], True, {"padding": "same"}),
        ([1, 3, 6, 7], [4, 3, 3, 2], True, {"padding": "same", "dilation": [1, 3]}),
        ([1, 3, 6, 7], [4, 3, 3, 3], True, {"padding": "valid"}),
        ([2, 3, 5, 5], [4, 3, 1, 1], True, {}),
        ([2, 3, 5, 5], [4, 3, 5, 5], True, {}),
        ([1, 1, 9, 9], [2, 1, 5, 5], True, {"padding": 2}),
    ]
    for i, (xs, ws, bias, kw) in enumerate(conv2d):
        for dtype in ["float64", "float32"] if i % 2 == 0 else ["float64"]:
            layout = "transposed" if i % 3 == 1 else "contiguous"
            cases.append(run_case("conv2d", xs, ws, bias, kw, dtype, layout))
    cases.append(run_case("conv2d", [3, 6, 5], [4, 3, 3, 3], True, {"padding": 1}, "float64",
                          "contiguous"))
    cases.append(run_case("conv2d", [3, 6, 5], [4, 3, 3, 3], True, {"padding": 1}, "float64",
                          "transposed"))
    conv1d = [
        ([2, 3, 9], [4, 3, 3], True, {}),
        ([2, 4, 10], [6, 2, 4], True, {"stride": 2, "padding": 1, "groups": 2, "dilation": 2}),
        ([2, 3, 8], [4, 3, 4], False, {"padding": "same"}),
        ([3, 8], [4, 3, 3], True, {"padding": 1}),
    ]
    for xs, ws, bias, kw in conv1d:
        for dtype in ["float64", "float32"]:
            cases.append(run_case("conv1d", xs, ws, bias, kw, dtype, "contiguous"))
    convt = [
        ([2, 3, 4, 5], [3, 4, 3, 3], True, {}),
        ([1, 3, 4, 5], [3, 4, 3, 3], True, {"stride": 2, "padding": 1, "output_padding": 1}),
        ([2, 4, 3, 4], [4, 3, 2, 3], False, {"groups": 2, "stride": [2, 1]}),
        ([2, 4, 3, 4], [4, 1, 3, 3], True, {"groups": 4, "dilation": 2, "padding": 1}),
        ([1, 2, 3, 3], [2, 2, 3, 3], True, {"stride": 2, "dilation": 3, "output_padding": 2}),
        ([3, 4, 5], [3, 2, 3, 3], True, {"stride": 2}),
    ]
    for i, (xs, ws, bias, kw) in enumerate(convt):
        for dtype in ["float64", "float32"] if i % 2 == 0 else ["float64"]:
            layout = "transposed" if i == 1 else "contiguous"
            cases.append(run_case("conv_transpose2d", xs, ws, bias, kw, dtype, layout))
    pads = [
        ([2, 3, 4, 5], {"pad": [1, 2]}),
        ([2, 3, 4, 5], {"pad": [1, 2, 0, 3], "value": 1.5}),
        ([2, 3, 4, 5], {"pad": [-1, 2, 1, -2, 1, 1]}),
        ([2, 3], {"pad": [2, 1, 1, 0]}),
        ([2, 3, 4, 5], {"pad": [2, 1, 3, 1], "mode": "reflect"}),
        ([3, 4, 5], {"pad": [2, 1, 3, 1], "mode": "reflect"}),
        ([2, 3, 6], {"pad": [4, 5], "mode": "reflect"}),
        ([3, 6], {"pad": [1, 2], "mode": "reflect"}),
        ([1, 3, 4, 5], {"pad": [3, 1, 2, 4], "mode": "replicate"}),
        ([2, 3, 5], {"pad": [3, 2], "mode": "replicate"}),
        ([2, 1, 4, 5], {"pad": [2, 1, 4, 3], "mode": "circular"}),
        ([2, 3, 5], {"pad": [5, 2], "mode": "circular"}),
        ([1, 2, 3, 4], {"pad": [-1, 2, 1, -1], "mode": "circular"}),
    ]
    for i, (xs, kw) in enumerate(pads):
        for dtype in ["float64", "float32"] if i % 2 == 0 else ["float64"]:
            layout = "transposed" if i % 4 == 2 and len(xs) >= 2 else "contiguous"
            cases.append(run_case("pad", xs, None, False, kw, dtype, layout))
    return cases


def module_forward():
    cases = []
    for kind, args, kwargs in MODULE_CONFIGS:
        if kwargs.get("padding_mode", "zeros") == "zeros" and kind != "ConvTranspose2d" and \
                not isinstance(kwargs.get("padding"), str):
            continue
        if args[0] > 4:
            continue
        torch.manual_seed(11)
        m = build(kind, args, kwargs).double()
        d = 1 if kind == "Conv1d" else 2
        in_ch = args[0]
        shape = [2, in_ch] + ([9] if d == 1 else [5, 6])
        x = value(shape, 5, "float64").requires_grad_(True)
        out = m(x)
        up = value(list(out.shape), 6, "float64")
        (out * up).sum().backward()
        cases.append({"kind": kind, "args": args, "kwargs": kwargs, "seed": 11,
                      "input_shape": shape, "output_shape": list(out.shape),
                      "output": flat(out, "float64"), "grad_input": flat(x.grad, "float64"),
                      "grad_weight": flat(m.weight.grad, "float64"),
                      "grad_bias": flat(m.bias.grad, "float64") if m.bias is not None else None})
    return cases


def message(f):
    try:
        f()
    except Exception as e:  # noqa: BLE001 -- any error's text is what is recorded
        return str(e)
    raise AssertionError("no error")


def errors():
    cases = []

    def call(fn, input_shape, weight_shape=None, bias_shape=None, kwargs=None, dtypes=None):
        kwargs = kwargs or {}
        dt = dtypes or ["float32", "float32", "float32"]

        def run():
            x = torch.zeros(input_shape, dtype=DTYPES[dt[0]])
            if fn == "pad":
                return F.pad(x, kwargs["pad"], mode=kwargs.get("mode", "constant"),
                             value=kwargs.get("value"))
            w = torch.zeros(weight_shape, dtype=DTYPES[dt[1]])
            b = torch.zeros(bias_shape, dtype=DTYPES[dt[2]]) if bias_shape else None
            kw = {k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()}
            return getattr(F, fn)(x, w, b, **kw)
        cases.append({"fn": fn, "input_shape": input_shape, "weight_shape": weight_shape,
                      "bias_shape": bias_shape, "kwargs": kwargs, "dtypes": dt,
                      "message": message(run)})

    call("conv2d", [3, 28], [6, 1, 5, 5])
    call("conv2d", [2, 1, 3, 28, 28], [6, 1, 5, 5])
    call("conv2d", [8, 3, 28, 28], [6, 1, 5, 5])
    call("conv2d", [3, 28, 28], [6, 1, 5, 5])
    call("conv2d", [1, 1, 3, 3], [6, 1, 5, 5])
    call("conv2d", [1, 1, 3, 4], [6, 1, 2, 3], kwargs={"dilation": 2})
    call("conv2d", [1, 4, 3, 3], [6, 2, 1, 1], kwargs={"groups": 4})
    call("conv2d", [1, 4, 3, 3], [2, 1, 1, 1], kwargs={"groups": 4})
    call("conv2d", [1, 4, 3, 3], [6, 4, 1, 1], [5])
    call("conv2d", [1, 4, 3, 3], [6, 4, 1, 1], kwargs={"padding": "foo"})
    call("conv2d", [1, 4, 3, 3], [6, 4, 1, 1], kwargs={"padding": "same", "stride": 2})
    call("conv2d", [1, 4, 3, 3], [6, 4, 1, 1], kwargs={"stride": 0})
    call("conv2d", [1, 4, 3, 3], [6, 4, 1, 1], kwargs={"padding": -1})
    call("conv2d", [1, 4, 3, 3], [6, 4, 1, 1], kwargs={"dilation": 0})
    call("conv2d", [1, 4, 3, 3], [6, 4, 1, 1], kwargs={"groups": 0})
    call("conv2d", [1, 4, 3, 3], [6, 4, 1], kwargs={})
    call("conv2d", [1, 4, 3, 3], [6, 4, 1, 1], dtypes=["float64", "float32", "float32"])
    call("conv2d", [1, 4, 3, 3], [6, 4, 1, 1], dtypes=["float32", "float64", "float32"])
    call("conv2d", [1, 4, 3, 3], [6, 4, 1, 1], [6], dtypes=["float32", "float32", "float64"])
    call("conv1d", [4, 3, 3, 3], [6, 4, 1])
    call("conv1d", [3, 3], [6, 4, 1])
    call("conv1d", [1, 3, 3], [6, 3, 5])
    call("conv_transpose2d", [4, 1, 1, 1, 1], [4, 4, 1, 1])
    call("conv_transpose2d", [1, 4, 3, 3], [3, 4, 1, 1])
    call("conv_transpose2d", [1, 4, 3, 3], [4, 4, 1, 1], [3])
    call("conv_transpose2d", [1, 4, 3, 3], [4, 4, 1, 1], kwargs={"output_padding": 1})
    call("conv_transpose2d", [1, 4, 1, 1], [4, 4, 1, 1], kwargs={"padding": 2})
    call("pad", [1, 1, 3, 3], kwargs={"pad": [1, 2, 3]})
    call("pad", [3], kwargs={"pad": [1, 2, 3, 4]})
    call("pad", [1, 1, 3, 3], kwargs={"pad": [3, 3], "mode": "reflect"})
    call("pad", [1, 1, 3, 3], kwargs={"pad": [3, 3, 1, 1], "mode": "reflect"})
    call("pad", [1, 3, 3], kwargs={"pad": [1, 1, 3, 3], "mode": "reflect"})
    call("pad", [2, 3, 4], kwargs={"pad": [4, 0], "mode": "reflect"})
    call("pad", [1, 1, 3, 3], kwargs={"pad": [4, 4, 1, 1], "mode": "circular"})
    call("pad", [1, 1, 3, 3], kwargs={"pad": [1, 1], "mode": "foo"})
    call("pad", [1, 1, 3, 3], kwargs={"pad": [1, 1], "mode": "reflect", "value": 2.0})
    call("pad", [3, 3], kwargs={"pad": [1, 1, 1, 1], "mode": "reflect"})
    call("pad", [2, 3], kwargs={"pad": [-4, 0]})
    call("pad", [2, 3], kwargs={"pad": [0, -4]})
    call("pad", [2, 3], kwargs={"pad": [-2, -2, 1, 0]})
    ctor = [
        ("Conv2d", [4, 6, 3], {"groups": 3}),
        ("Conv2d", [3, 7, 3], {"groups": 3}),
        ("Conv2d", [3, 6, 3], {"groups": 0}),
        ("Conv2d", [3, 6, 3], {"padding": "foo"}),
        ("Conv2d", [3, 6, 3], {"padding": "same", "stride": 2}),
        ("Conv1d", [3, 6, 3], {"padding": "same", "stride": 3}),
        ("Conv2d", [3, 6, 3], {"padding_mode": "foo"}),
        ("ConvTranspose2d", [3, 6, 3], {"padding_mode": "reflect"}),
        ("ConvTranspose2d", [4, 6, 3], {"groups": 3}),
    ]
    for kind, args, kwargs in ctor:
        cases.append({"module": kind, "args": args, "kwargs": kwargs,
                      "message": message(lambda: build(kind, args, kwargs))})
    # A module's forward names the functional op and the module's own weight.
    torch.manual_seed(0)
    m = nn.Conv2d(1, 6, 5)
    cases.append({"module_forward": "Conv2d", "args": [1, 6, 5], "kwargs": {},
                  "input_shape": [8, 3, 28, 28],
                  "message": message(lambda: m(torch.zeros(8, 3, 28, 28)))})
    cases.append({"module_forward": "Conv2d", "args": [1, 6, 5], "kwargs": {},
                  "input_shape": [28, 28],
                  "message": message(lambda: m(torch.zeros(28, 28)))})
    m = nn.Conv2d(1, 2, 3, padding_mode="reflect", padding=3)
    cases.append({"module_forward": "Conv2d", "args": [1, 2, 3],
                  "kwargs": {"padding_mode": "reflect", "padding": 3}, "input_shape": [1, 1, 3, 3],
                  "message": message(lambda: m(torch.zeros(1, 1, 3, 3)))})
    return cases


def main():
    torch.set_num_threads(1)
    out = {"modules": modules(), "functional": functional(), "module_forward": module_forward(),
           "errors": errors(),
           "sequential_repr": repr(nn.Sequential(
               nn.Conv2d(1, 6, 5, padding=2), nn.Sigmoid(), nn.Conv2d(6, 16, 5),
               nn.ConvTranspose2d(16, 8, 3, stride=2, bias=False), nn.Conv1d(8, 8, 3, groups=8)))}
    with open(sys.argv[1], "w") as f:
        json.dump(out, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
