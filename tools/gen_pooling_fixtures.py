#!/usr/bin/python3
"""Writes tests/fixtures/nn/pooling.json from real PyTorch 1.13: the pooling layers' repr, forward
and input gradients of the pooling functions and F.interpolate over a grid of arguments, and
PyTorch's error messages for bad arguments. Run with /usr/bin/python3 (the default python3 has no
torch):

    /usr/bin/python3 tools/gen_pooling_fixtures.py tests/fixtures/nn/pooling.json

Tensors are {"shape", "dtype", "data"}; float64 values are written to 13 significant digits and
float32 values to 9 (tests compare at ~1e-10 and ~1e-5), inputs are multiples of 1/8 (exact in
both dtypes), nan travels as "nan". Each case's gradient is that of (output * grad_output).sum(),
grad_output[i] = 1 + (i % 5) / 4 (rebuilt by the test). "transpose": the input is the stored
tensor with its last two dims swapped (a non-contiguous view). max_pool1d cases use inputs that
require grad: PyTorch's no-grad CPU path for max_pool1d checks its arguments differently.
"""
import json
import math
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


def num(v, dtype):
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    if isinstance(v, int):
        return v
    s = "%.13g" % v if dtype == torch.float64 else "%.9g" % v
    f = float(s)
    return int(f) if f == int(f) and abs(f) < 2**53 else f


def tensor(t):
    t = t.detach().contiguous()
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""),
            "data": [num(v, t.dtype) for v in t.flatten().tolist()]}


def grad_output_like(out):
    n = out.numel()
    g = torch.tensor([1 + (i % 5) / 4 for i in range(n)], dtype=out.dtype)
    return g.reshape(out.shape)


gen = torch.Generator().manual_seed(11)


def make_input(shape, dtype, ties=False, transpose=False):
    """Multiples of 1/8 (few distinct values when `ties`); with `transpose`, the stored tensor has
    the last two dims swapped and the input is its transposed view."""
    store = list(shape)
    if transpose:
        store[-1], store[-2] = store[-2], store[-1]
    if ties:
        base = torch.randint(-2, 3, store, generator=gen).to(dtype) / 2
    else:
        base = torch.randint(-40, 41, store, generator=gen).to(dtype) / 8
    x = base.transpose(-1, -2) if transpose else base
    return base, x


def call(fn, x, kw):
    if fn == "max_pool2d_with_indices":
        return F.max_pool2d(x, return_indices=True, **kw)
    if fn == "max_pool1d_with_indices":
        return F.max_pool1d(x, return_indices=True, **kw)
    if fn == "adaptive_max_pool2d_with_indices":
        return F.adaptive_max_pool2d(x, return_indices=True, **kw)
    return getattr(F, fn)(x, **kw)


def jsonable(kw):
    out = {}
    for k, v in kw.items():
        out[k] = list(v) if isinstance(v, tuple) else v
    return out


cases = []


def add(fn, shape, kw, dtype=torch.float64, ties=False, transpose=False, x_override=None):
    if x_override is not None:
        base, x = x_override.to(dtype), x_override.to(dtype)
    else:
        base, x = make_input(shape, dtype, ties, transpose)
    x = x.clone() if not transpose else x
    leaf = x.detach().requires_grad_(True) if not transpose else None
    if transpose:
        b = base.clone().requires_grad_(True)
        xin = b.transpose(-1, -2)
    else:
        b = leaf
        xin = leaf
    res = call(fn, xin, kw)
    out, idx = (res if isinstance(res, tuple) else (res, None))
    gout = grad_output_like(out)
    (out * gout).sum().backward()
    grad = b.grad.transpose(-1, -2) if transpose else b.grad
    case = {"fn": fn, "kwargs": jsonable(kw), "input": tensor(base), "transpose": transpose,
            "output": tensor(out), "grad_input": tensor(grad)}
    if idx is not None:
        case["indices"] = tensor(idx)
    cases.append(case)


def pool_grid():
    # max_pool2d / avg_pool2d over kernel, stride, padding, dilation, ceil_mode, odd sizes
    for dtype in (torch.float64, torch.float32):
        # float32 repeats a part of the float64 grid: the loops are the same templates
        full = dtype == torch.float64
        shapes = [(2, 1, 7, 6), (2, 5, 7)] if full else [(1, 2, 7, 6)]  # batched and unbatched
        for shape in shapes:
            for k, s, p, d, ceil in [(2, None, 0, 1, False), (3, 2, 1, 1, False),
                                     (3, 2, 1, 1, True), ((3, 2), (2, 1), (1, 0), 1, True),
                                     (2, 1, 1, 2, False), (3, 3, 1, (2, 1), True),
                                     ((2, 3), 2, (1, 1), 1, False), (1, 2, 0, 1, True)]:
                kw = {"kernel_size": k, "padding": p, "dilation": d, "ceil_mode": ceil}
                if s is not None:
                    kw["stride"] = s
                add("max_pool2d_with_indices", shape, kw, dtype, ties=True)
            for k, s, p, ceil, cip, div in [(2, None, 0, False, True, None),
                                           (3, 2, 1, False, True, None),
                                           (3, 2, 1, True, False, None),
                                           (3, 2, 1, True, True, None),
                                           ((3, 2), (2, 1), (1, 0), True, False, None),
                                           ((2, 3), 2, (1, 1), False, True, 5),
                                           (2, 3, 1, True, False, 3), (1, 2, 0, True, True, None)]:
                kw = {"kernel_size": k, "padding": p, "ceil_mode": ceil,
                      "count_include_pad": cip}
                if s is not None:
                    kw["stride"] = s
                if div is not None:
                    kw["divisor_override"] = div
                add("avg_pool2d", shape, kw, dtype)
        # LeNet's pool, and non-contiguous input
        add("avg_pool2d", (2, 3, 8, 8), {"kernel_size": 2, "stride": 2}, dtype)
        add("avg_pool2d", (2, 3, 8, 6), {"kernel_size": 2, "stride": 2}, dtype, transpose=True)
        add("avg_pool2d", (2, 2, 7, 6), {"kernel_size": 2, "stride": 2, "ceil_mode": True}, dtype)
        add("avg_pool2d", (2, 3, 8, 8), {"kernel_size": 2, "stride": 2, "divisor_override": 3},
            dtype)
        add("max_pool2d_with_indices", (2, 3, 8, 8), {"kernel_size": 2, "stride": 2}, dtype,
            ties=True)
        add("max_pool2d_with_indices", (2, 3, 7, 6), {"kernel_size": 3, "stride": 2, "padding": 1},
            dtype, ties=True, transpose=True)
        add("max_pool2d", (2, 2, 5, 5), {"kernel_size": 3, "stride": 1, "padding": 1}, dtype)
        # 1-d
        for shape in [(2, 3, 9), (3, 8)] if full else [(3, 8)]:
            for k, s, p, d, ceil in [(2, None, 0, 1, False), (3, 2, 1, 1, True), (2, 1, 1, 3, False),
                                     (3, 2, 1, 2, True)]:
                kw = {"kernel_size": k, "padding": p, "dilation": d, "ceil_mode": ceil}
                if s is not None:
                    kw["stride"] = s
                add("max_pool1d_with_indices", shape, kw, dtype, ties=True)
            add("max_pool1d", shape, {"kernel_size": 3, "stride": 2, "padding": 1}, dtype)
            for k, s, p, ceil, cip in [(2, None, 0, False, True), (3, 2, 1, True, False),
                                       (3, 2, 1, True, True), (4, 3, 2, False, False)]:
                kw = {"kernel_size": k, "padding": p, "ceil_mode": ceil, "count_include_pad": cip}
                if s is not None:
                    kw["stride"] = s
                add("avg_pool1d", shape, kw, dtype)
        add("avg_pool1d", (2, 3, 9), {"kernel_size": 3, "stride": 2}, dtype, transpose=True)
        # adaptive
        for shape in [(2, 1, 7, 6), (2, 5, 9)] if full else [(1, 1, 7, 6)]:
            for size in [(3, 4), 2, (1, 1), 1, (None, 3), (5, None), (10, 9), (4, 1)]:
                add("adaptive_avg_pool2d", shape, {"output_size": size}, dtype)
                add("adaptive_max_pool2d_with_indices", shape, {"output_size": size}, dtype,
                    ties=True)
        add("adaptive_avg_pool2d", (2, 3, 6, 7), {"output_size": (2, 3)}, dtype, transpose=True)
        add("adaptive_max_pool2d", (2, 3, 6, 7), {"output_size": (4, 3)}, dtype, transpose=True)
        for shape in [(2, 3, 9), (3, 7)] if full else [(3, 7)]:
            for size in [4, 1, 12, (5,)]:
                add("adaptive_avg_pool1d", shape, {"output_size": size}, dtype)
    nan = float("nan")
    # NaN propagates through max (the last NaN of a window gets the gradient)
    x = torch.tensor([[[[1.0, nan, 3.0, nan], [0.5, 2.0, nan, 1.0], [4.0, 4.0, -1.0, 0.0]]]])
    add("max_pool2d_with_indices", None, {"kernel_size": 2, "stride": 1}, x_override=x)
    add("adaptive_max_pool2d_with_indices", None, {"output_size": (2, 2)}, x_override=x)
    add("max_pool1d_with_indices", None, {"kernel_size": 3, "stride": 1, "padding": 1},
        x_override=x[0])


def interp_grid():
    for dtype in (torch.float64, torch.float32):
        full = dtype == torch.float64
        for shape in [(1, 2, 5, 4), (1, 1, 3, 6)] if full else [(1, 1, 5, 4)]:
            for kw in [{"size": (7, 9)}, {"size": 3}, {"size": (5, 4)},
                       {"scale_factor": 1.7}, {"scale_factor": (0.5, 1.5)},
                       {"scale_factor": 2.3, "recompute_scale_factor": True},
                       {"scale_factor": (0.7, 3.0), "recompute_scale_factor": False}]:
                for mode, ac in [("nearest", None), ("bilinear", False), ("bilinear", True),
                                 ("area", None)]:
                    if mode == "area" and "recompute_scale_factor" in kw:
                        continue
                    args = dict(kw, mode=mode)
                    if ac is not None:
                        args["align_corners"] = ac
                    add("interpolate", shape, args, dtype)
        for kw in [{"size": 9}, {"size": 4}, {"scale_factor": 1.5}, {"scale_factor": 0.6},
                   {"scale_factor": 2.5, "recompute_scale_factor": True}, {"size": (1,)}]:
            for mode, ac in [("nearest", None), ("linear", False), ("linear", True),
                             ("area", None)]:
                args = dict(kw, mode=mode)
                if ac is not None:
                    args["align_corners"] = ac
                add("interpolate", (2, 2, 7) if full else (1, 2, 7), args, dtype)
        add("interpolate", (1, 2, 4, 5), {"size": (6, 7), "mode": "bilinear"}, dtype,
            transpose=True)
        add("interpolate", (1, 2, 4, 5), {"scale_factor": 2.0, "mode": "nearest"}, dtype,
            transpose=True)


def reprs():
    items = [
        ("MaxPool2d", {"kernel_size": 2}), ("MaxPool2d", {"kernel_size": 3, "stride": 2, "padding": 1}),
        ("MaxPool2d", {"kernel_size": [3, 2]}),
        ("MaxPool2d", {"kernel_size": 3, "stride": [2, 1], "ceil_mode": True}),
        ("MaxPool2d", {"kernel_size": [3, 3], "stride": 1, "padding": [1, 0], "dilation": [2, 1]}),
        ("MaxPool1d", {"kernel_size": 3}),
        ("MaxPool1d", {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": 2, "ceil_mode": True}),
        ("MaxPool1d", {"kernel_size": [3], "stride": [2], "padding": [1]}),
        ("AvgPool2d", {"kernel_size": 2}), ("AvgPool2d", {"kernel_size": 2, "stride": 2}),
        ("AvgPool2d", {"kernel_size": [2, 3], "ceil_mode": True, "count_include_pad": False,
                       "divisor_override": 3}),
        ("AvgPool2d", {"kernel_size": 3, "stride": [2, 1], "padding": [1, 0]}),
        ("AvgPool1d", {"kernel_size": 3}),
        ("AvgPool1d", {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True,
                       "count_include_pad": False}),
        ("AdaptiveAvgPool2d", {"output_size": [1, 1]}), ("AdaptiveAvgPool2d", {"output_size": 1}),
        ("AdaptiveAvgPool2d", {"output_size": [None, 7]}),
        ("AdaptiveAvgPool2d", {"output_size": [5, None]}),
        ("AdaptiveAvgPool1d", {"output_size": 5}), ("AdaptiveAvgPool1d", {"output_size": [5]}),
        ("AdaptiveMaxPool2d", {"output_size": 3}), ("AdaptiveMaxPool2d", {"output_size": [2, None]}),
    ]
    out = []
    for cls, kw in items:
        args = {k: tuple(v) if isinstance(v, list) else v for k, v in kw.items()}
        out.append({"cls": cls, "kwargs": kw, "repr": repr(getattr(nn, cls)(**args))})
    return out


def modules():
    """Module forward + input gradient (the modules call the functions above)."""
    out = []
    specs = [("MaxPool2d", {"kernel_size": 3, "stride": 2, "padding": 1}, (2, 3, 7, 7)),
             ("AvgPool2d", {"kernel_size": 2, "stride": 2}, (2, 3, 8, 6)),
             ("AvgPool1d", {"kernel_size": 3, "stride": 2, "count_include_pad": False, "padding": 1},
              (2, 3, 9)),
             ("MaxPool1d", {"kernel_size": 2}, (3, 9)),
             ("AdaptiveAvgPool2d", {"output_size": [None, 3]}, (2, 3, 5, 7)),
             ("AdaptiveAvgPool1d", {"output_size": 4}, (2, 3, 9)),
             ("AdaptiveMaxPool2d", {"output_size": [2, 3]}, (3, 5, 7))]
    for cls, kw, shape in specs:
        args = {k: tuple(v) if isinstance(v, list) else v for k, v in kw.items()}
        m = getattr(nn, cls)(**args)
        _, x = make_input(shape, torch.float64)
        x.requires_grad_(True)
        y = m(x)
        (y * grad_output_like(y)).sum().backward()
        out.append({"cls": cls, "kwargs": kw, "input": tensor(x), "output": tensor(y),
                    "grad_input": tensor(x.grad)})
    return out


def errors():
    out = []

    def err(fn, shape, kw, requires_grad=False):
        x = torch.zeros(shape, requires_grad=requires_grad)
        try:
            call(fn, x, dict((k, tuple(v) if isinstance(v, list) else v) for k, v in kw.items()))
        except Exception as e:  # the text PyTorch gives
            out.append({"fn": fn, "shape": list(shape), "kwargs": kw,
                        "requires_grad": requires_grad, "message": str(e)})
            return
        raise AssertionError(f"{fn} {shape} {kw} did not raise")

    x4, x3 = (2, 3, 5, 5), (2, 3, 5)
    err("max_pool2d", x4, {"kernel_size": 7})
    err("max_pool2d", x4, {"kernel_size": 3, "padding": 2})
    err("max_pool2d", x4, {"kernel_size": [3, 1], "padding": [1, 1]})
    err("max_pool2d", x4, {"kernel_size": 3, "stride": 0})
    err("max_pool2d", x4, {"kernel_size": 0})
    err("max_pool2d", x4, {"kernel_size": -1})
    err("max_pool2d", x4, {"kernel_size": 3, "stride": -1})
    err("max_pool2d", x4, {"kernel_size": 2, "padding": -1})
    err("max_pool2d", x4, {"kernel_size": 2, "dilation": 0})
    err("max_pool2d", x4, {"kernel_size": 3, "dilation": 3})
    err("max_pool2d", (3, 5), {"kernel_size": 2})
    err("max_pool2d", (1, 2, 3, 4, 5), {"kernel_size": 2})
    err("max_pool2d", (2, 3, 0, 5), {"kernel_size": 2})
    err("max_pool2d", (2, 0, 4, 5), {"kernel_size": 2})
    err("max_pool2d", (3, 0, 9), {"kernel_size": 2})
    err("max_pool2d_with_indices", (5, 4), {"kernel_size": 2})
    err("max_pool1d", x3, {"kernel_size": 7}, True)
    err("max_pool1d", x3, {"kernel_size": 3, "padding": 2}, True)
    err("max_pool1d", x3, {"kernel_size": 3, "stride": 0}, True)
    err("max_pool1d", x3, {"kernel_size": 2, "dilation": 0}, True)
    err("max_pool1d", (5,), {"kernel_size": 3}, True)
    err("max_pool1d", (2, 3, 4, 5), {"kernel_size": 3}, True)
    err("max_pool1d", (3, 0), {"kernel_size": 2}, True)
    err("max_pool1d_with_indices", (5,), {"kernel_size": 3}, True)
    err("avg_pool2d", x4, {"kernel_size": 7})
    err("avg_pool2d", x4, {"kernel_size": 3, "padding": 2})
    err("avg_pool2d", x4, {"kernel_size": [3, 4], "padding": [2, 1]})
    err("avg_pool2d", x4, {"kernel_size": 3, "stride": 0})
    err("avg_pool2d", x4, {"kernel_size": 3, "stride": -1})
    err("avg_pool2d", x4, {"kernel_size": 2, "padding": -1})
    err("avg_pool2d", x4, {"kernel_size": 2, "divisor_override": 0})
    err("avg_pool2d", (3, 5), {"kernel_size": 2})
    err("avg_pool2d", (2, 3, 5, 2, 2), {"kernel_size": 2})
    err("avg_pool2d", (2, 3, 0, 5), {"kernel_size": 2})
    err("avg_pool1d", x3, {"kernel_size": 7})
    err("avg_pool1d", x3, {"kernel_size": 3, "padding": 2})
    err("avg_pool1d", x3, {"kernel_size": 3, "stride": 0})
    err("avg_pool1d", (5,), {"kernel_size": 3})
    err("avg_pool1d", (2, 3, 5, 2), {"kernel_size": 2})
    err("avg_pool1d", (2, 3, 0), {"kernel_size": 2})
    err("adaptive_avg_pool2d", (3, 5), {"output_size": 2})
    err("adaptive_avg_pool2d", (3, 5), {"output_size": [2, 2]})
    err("adaptive_avg_pool2d", (5,), {"output_size": [None, 2]})
    err("adaptive_avg_pool2d", x4, {"output_size": -1})
    err("adaptive_avg_pool2d", (2, 3, 0, 5), {"output_size": 2})
    err("adaptive_avg_pool1d", (5,), {"output_size": 2})
    err("adaptive_avg_pool1d", x3, {"output_size": -1})
    err("adaptive_avg_pool1d", (2, 3, 0), {"output_size": 2})
    err("adaptive_max_pool2d", (3, 5), {"output_size": 2})
    err("adaptive_max_pool2d", x4, {"output_size": -1})
    err("adaptive_max_pool2d", (2, 0, 5, 5), {"output_size": 2})
    err("interpolate", x4, {"size": 3, "scale_factor": 2.0})
    err("interpolate", x4, {})
    err("interpolate", x4, {"size": [3]})
    err("interpolate", x4, {"scale_factor": [2.0]})
    err("interpolate", x4, {"scale_factor": [2.0, 1.5, 3.0]})
    err("interpolate", x4, {"size": 3, "recompute_scale_factor": True})
    err("interpolate", x4, {"size": 3, "align_corners": True})
    err("interpolate", x4, {"size": 3, "mode": "area", "align_corners": False})
    err("interpolate", x3, {"size": 3, "mode": "bilinear"})
    err("interpolate", (2, 3, 4, 4, 4), {"size": 3, "mode": "bilinear"})
    err("interpolate", x4, {"size": 3, "mode": "linear"})
    err("interpolate", (2, 3), {"size": 3})
    err("interpolate", x4, {"size": 3, "mode": "bicubicx"})
    err("interpolate", x4, {"size": 0})
    err("interpolate", x4, {"size": 0, "mode": "bilinear"})
    err("interpolate", x3, {"size": 0})
    err("interpolate", x3, {"scale_factor": 0.1})
    err("interpolate", x3, {"scale_factor": 0.1, "mode": "linear"})
    err("interpolate", x4, {"size": [2, -1]})
    err("interpolate", x4, {"scale_factor": -1.0})
    err("interpolate", (2, 3, 0, 4), {"size": 3})
    err("interpolate", (2, 0, 4, 4), {"size": 3, "mode": "bilinear"})
    err("interpolate", (2, 0, 4), {"size": 3})
    return out


def main():
    pool_grid()
    interp_grid()
    doc = {"torch": torch.__version__, "reprs": reprs(), "modules": modules(), "cases": cases,
           "errors": errors()}
    with open(sys.argv[1], "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
