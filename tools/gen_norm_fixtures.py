#!/usr/bin/python3
"""Normalisation layers, Dropout2d and the new activation layers in real PyTorch 1.13.

usage: /usr/bin/python3 tools/gen_norm_fixtures.py [tests/fixtures/nn/normalization.json]

Writes, for tests/nn/test_normalization.cpp:
  repr        name -> repr text of each module built the way the C++ test names it
  state_dict  per module: keys in order and the text `print(value)` gives for each entry
  batch_norm  cases of several train steps then an eval step: per step the input, the upstream
              gradient, the output, the input/weight/bias gradients and the buffers afterwards
  layer_norm, group_norm
              forward and input/weight/bias gradients over shapes and options
  dropout2d   per seed and shape the output (float32 bits as hex) and the next randn after it
  activations per activation layer (and Unflatten) the output, grad_fn and input gradient
  load_state_dict
              the error text of a strict load_state_dict refusing a broken BatchNorm state dict
  errors      name -> the message PyTorch raises for the bad input the C++ test names
Tensors are {shape, dtype, values (float64 list)}; a non-contiguous input is recorded as its
contiguous base and the transpose applied to it ("transpose": [d0, d1]).
"""
import json
import os
import struct
import sys
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "nn", "normalization.json")
F64, F32 = torch.float64, torch.float32


def rec(x):
    if x is None:
        return None
    return {"shape": list(x.shape), "dtype": str(x.dtype).replace("torch.", ""),
            "values": x.detach().double().reshape(-1).tolist()}


def hex32(x):
    return "".join("%08x" % struct.unpack("<I", struct.pack("<f", v))[0]
                   for v in x.detach().reshape(-1).tolist())


def reprs():
    mods = {
        "bn2d_64": nn.BatchNorm2d(64),
        "bn2d_none": nn.BatchNorm2d(64, momentum=None),
        "bn1d_opts": nn.BatchNorm1d(3, eps=1e-3, momentum=0.25, affine=False,
                                    track_running_stats=False),
        "ln_16": nn.LayerNorm(16),
        "ln_34": nn.LayerNorm([3, 4], eps=1e-6, elementwise_affine=False),
        "gn_2_6": nn.GroupNorm(2, 6),
        "gn_opts": nn.GroupNorm(3, 6, eps=0.1, affine=False),
        "dropout2d": nn.Dropout2d(),
        "dropout2d_opts": nn.Dropout2d(0.25, inplace=True),
        "leaky": nn.LeakyReLU(),
        "leaky_opts": nn.LeakyReLU(0.2, inplace=True),
        "leaky_int": nn.LeakyReLU(1),
        "gelu": nn.GELU(),
        "gelu_tanh": nn.GELU("tanh"),
        "silu": nn.SiLU(),
        "silu_inplace": nn.SiLU(inplace=True),
        "elu": nn.ELU(),
        "elu_opts": nn.ELU(0.5, inplace=True),
        "relu6": nn.ReLU6(),
        "relu6_inplace": nn.ReLU6(True),
        "hardtanh": nn.Hardtanh(),
        "hardtanh_int": nn.Hardtanh(-2, 3, inplace=True),
        "hardtanh_float": nn.Hardtanh(-2.5, 3.5),
        "hardswish": nn.Hardswish(),
        "hardswish_inplace": nn.Hardswish(True),
        "softplus": nn.Softplus(),
        "softplus_int": nn.Softplus(2, 10),
        "softplus_float": nn.Softplus(0.5, 20.5),
        "unflatten": nn.Unflatten(1, (16, 5, 5)),
        "unflatten_one": nn.Unflatten(-1, (6,)),
        "tree": nn.Sequential(nn.BatchNorm2d(6), nn.LeakyReLU(), nn.Dropout2d(0.1),
                              nn.Flatten(), nn.Unflatten(1, (6, 4)), nn.LayerNorm(4),
                              nn.GELU()),
    }
    return {k: repr(m) for k, m in mods.items()}


def state_dicts():
    mods = {
        "bn2d": nn.BatchNorm2d(3),
        "bn1d_no_affine": nn.BatchNorm1d(2, affine=False),
        "bn1d_no_track": nn.BatchNorm1d(2, track_running_stats=False),
        "ln": nn.LayerNorm([2, 2]),
        "gn": nn.GroupNorm(1, 2),
        "tree": nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.ReLU()),
    }
    out = {}
    for k, m in mods.items():
        sd = m.state_dict()
        out[k] = {"keys": list(sd.keys()), "text": [str(v) for v in sd.values()],
                  "print": str(sd) if k != "tree" else None,
                  "buffers": [n for n, _ in m.named_buffers()],
                  "parameters": [n for n, _ in m.named_parameters()]}
    return out


def batch_norm_cases():
    # (name, ctor, input shape, dtype, transpose, train steps)
    specs = [
        ("bn2d_momentum", lambda: nn.BatchNorm2d(3), [4, 3, 5, 7], F64, None, 3),
        ("bn2d_cumulative", lambda: nn.BatchNorm2d(3, momentum=None), [2, 3, 4, 3], F64, None, 4),
        ("bn2d_float32", lambda: nn.BatchNorm2d(4, eps=1e-3, momentum=0.3), [2, 4, 3, 5], F32,
         None, 3),
        ("bn2d_noncontiguous", lambda: nn.BatchNorm2d(3), [5, 3, 4, 2], F64, [2, 3], 2),
        ("bn1d_no_affine", lambda: nn.BatchNorm1d(5, affine=False), [6, 5], F64, None, 3),
        ("bn1d_3d", lambda: nn.BatchNorm1d(4, momentum=0.5), [3, 4, 5], F64, None, 2),
        ("bn1d_no_track", lambda: nn.BatchNorm1d(4, track_running_stats=False), [3, 4, 5], F64,
         None, 2),
        ("bn1d_odd_float32", lambda: nn.BatchNorm1d(7), [9, 7], F32, None, 2),
        ("bn2d_no_track_none", lambda: nn.BatchNorm2d(2, momentum=None, affine=False,
                                                      track_running_stats=False),
         [3, 2, 3, 3], F64, None, 2),
        ("bn2d_lenet_like", lambda: nn.BatchNorm2d(6), [2, 6, 14, 14], F32, None, 2),
    ]
    cases = []
    for name, ctor, shape, dtype, transpose, steps in specs:
        torch.manual_seed(len(cases) + 100)
        m = ctor().to(dtype)
        with torch.no_grad():  # parameters away from ones/zeros, so that they matter
            if m.weight is not None:
                m.weight.copy_(torch.rand(m.weight.shape, dtype=dtype) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, dtype=dtype))
        case = {"name": name, "dtype": str(dtype).replace("torch.", ""),
                "num_features": m.num_features, "eps": m.eps, "momentum": m.momentum,
                "affine": m.affine, "track_running_stats": m.track_running_stats,
                "kind": type(m).__name__, "transpose": transpose,
                "weight": rec(m.weight), "bias": rec(m.bias), "steps": []}
        for step in range(steps + 1):
            training = step < steps
            m.train(training)
            base_shape = list(shape)
            if transpose:
                base_shape[transpose[0]], base_shape[transpose[1]] = (
                    base_shape[transpose[1]], base_shape[transpose[0]])
            base = (torch.randn(base_shape, dtype=dtype) * 2 + 0.5).requires_grad_()
            x = base.transpose(*transpose) if transpose else base
            y = m(x)
            up = torch.randn(y.shape, dtype=dtype)
            if m.weight is not None:
                m.weight.grad = None
                m.bias.grad = None
            y.backward(up)
            case["steps"].append({
                "training": training, "input": rec(base), "upstream": rec(up),
                "output": rec(y), "grad_input": rec(base.grad),
                "grad_weight": rec(m.weight.grad) if m.weight is not None else None,
                "grad_bias": rec(m.bias.grad) if m.bias is not None else None,
                "running_mean": rec(m.running_mean), "running_var": rec(m.running_var),
                "num_batches_tracked": (int(m.num_batches_tracked)
                                        if m.num_batches_tracked is not None else None)})
        cases.append(case)
    return cases


def affine_case(name, dtype, pshape, affine, transpose, input_shape):
    base_shape = list(input_shape)
    if transpose:
        base_shape[transpose[0]], base_shape[transpose[1]] = (
            base_shape[transpose[1]], base_shape[transpose[0]])
    base = (torch.randn(base_shape, dtype=dtype) * 1.5 - 0.3).requires_grad_()
    x = base.transpose(*transpose) if transpose else base
    w = b = None
    if affine:
        w = (torch.rand(pshape, dtype=dtype) + 0.5).requires_grad_()
        b = torch.randn(pshape, dtype=dtype).requires_grad_()
    return base, x, w, b


def finish(case, y, base, w, b):
    up = torch.randn(y.shape, dtype=y.dtype)
    y.backward(up)
    case.update({"input": rec(base), "weight": rec(w), "bias": rec(b), "upstream": rec(up),
                 "output": rec(y), "grad_input": rec(base.grad),
                 "grad_weight": rec(w.grad) if w is not None else None,
                 "grad_bias": rec(b.grad) if b is not None else None})
    return case


def layer_norm_cases():
    specs = [  # name, input shape, normalized_shape, affine, eps, dtype, transpose
        ("ln_last", [4, 16], [16], True, 1e-5, F64, None),
        ("ln_two_dims", [2, 3, 4, 5], [4, 5], True, 1e-5, F64, None),
        ("ln_no_affine", [3, 7], [7], False, 1e-3, F64, None),
        ("ln_float32", [5, 3, 9], [9], True, 1e-5, F32, None),
        ("ln_noncontiguous", [3, 6, 4], [6, 4], True, 1e-5, F64, [1, 2]),
        ("ln_whole", [2, 3], [2, 3], True, 1e-6, F64, None),
        ("ln_wide_float32", [3, 300], [300], True, 1e-5, F32, None),
    ]
    torch.manual_seed(7)
    out = []
    for name, shape, ns, affine, eps, dtype, tr in specs:
        base, x, w, b = affine_case(name, dtype, ns, affine, tr, shape)
        y = F.layer_norm(x, ns, w, b, eps)
        out.append(finish({"name": name, "normalized_shape": ns, "eps": eps, "transpose": tr,
                           "grad_fn": type(y.grad_fn).__name__}, y, base, w, b))
    return out


def group_norm_cases():
    specs = [  # name, input shape, groups, affine, eps, dtype, transpose
        ("gn_2d", [4, 6, 3, 5], 2, True, 1e-5, F64, None),
        ("gn_depthwise", [2, 4, 5], 4, True, 1e-5, F64, None),
        ("gn_one_group", [3, 5, 2, 2], 1, False, 1e-3, F64, None),
        ("gn_flat", [5, 6], 3, True, 1e-5, F64, None),
        ("gn_float32", [2, 8, 7, 3], 4, True, 1e-5, F32, None),
        ("gn_noncontiguous", [2, 6, 4, 3], 3, True, 1e-5, F64, [2, 3]),
    ]
    torch.manual_seed(8)
    out = []
    for name, shape, g, affine, eps, dtype, tr in specs:
        base, x, w, b = affine_case(name, dtype, [shape[1]], affine, tr, shape)
        y = F.group_norm(x, g, w, b, eps)
        out.append(finish({"name": name, "num_groups": g, "eps": eps, "transpose": tr,
                           "grad_fn": type(y.grad_fn).__name__}, y, base, w, b))
    return out


def dropout2d_cases():
    specs = [  # seed, shape, p, training, inplace, module
        (0, [2, 3, 4, 4], 0.5, True, False, False),
        (7, [4, 8, 2, 2], 0.3, True, False, True),
        (42, [2, 5, 6], 0.5, True, False, False),
        (1, [3, 4], 0.2, True, False, False),
        (3, [2, 3, 2, 2, 2], 0.6, True, False, False),
        (5, [16, 32, 1, 1], 0.5, True, True, False),
        (9, [2, 3, 4, 4], 1.0, True, False, False),
        (11, [2, 3, 4, 4], 0.0, True, False, False),
        (13, [2, 3, 4, 4], 0.5, False, False, True),
        (17, [64, 64, 3, 3], 0.1, True, False, True),
    ]
    out = []
    warnings.simplefilter("ignore")
    for seed, shape, p, training, inplace, module in specs:
        torch.manual_seed(seed)
        x = torch.randn(shape)
        torch.manual_seed(seed + 1000)
        if module:
            m = nn.Dropout2d(p, inplace)
            m.train(training)
            y = m(x.clone())
        else:
            y = F.dropout2d(x.clone(), p, training, inplace)
        nxt = torch.randn(3)
        out.append({"seed": seed, "shape": shape, "p": p, "training": training,
                    "inplace": inplace, "module": module, "output": hex32(y),
                    "next": hex32(nxt)})
    return out


def activation_cases():
    """Each activation layer on one input: the output, its grad_fn and the input gradient."""
    mods = {
        "leaky": nn.LeakyReLU(), "leaky_opts": nn.LeakyReLU(0.2, inplace=True),
        "gelu": nn.GELU(), "gelu_tanh": nn.GELU("tanh"), "silu": nn.SiLU(),
        "silu_inplace": nn.SiLU(inplace=True), "elu": nn.ELU(),
        "elu_opts": nn.ELU(0.5, inplace=True), "relu6": nn.ReLU6(),
        "relu6_inplace": nn.ReLU6(True), "hardtanh": nn.Hardtanh(),
        "hardtanh_int": nn.Hardtanh(-2, 3, inplace=True), "hardtanh_float": nn.Hardtanh(-2.5, 3.5),
        "hardswish": nn.Hardswish(), "hardswish_inplace": nn.Hardswish(True),
        "softplus": nn.Softplus(), "softplus_int": nn.Softplus(2, 10),
        "softplus_float": nn.Softplus(0.5, 20.5), "unflatten": nn.Unflatten(1, (2, 3, 2)),
    }
    torch.manual_seed(12)
    out = {}
    for name, m in mods.items():
        x = (torch.randn(4, 12, dtype=F64) * 4).requires_grad_()
        y = m(x * 1)  # an intermediate, so that the in-place forms may write it
        up = torch.randn(y.shape, dtype=F64)
        y.backward(up)
        out[name] = {"input": rec(x), "output": rec(y), "grad_fn": type(y.grad_fn).__name__,
                     "upstream": rec(up), "grad_input": rec(x.grad)}
    return out


def load_errors():
    out = {}

    def attempt(name, edit):
        m = nn.BatchNorm2d(3)
        sd = m.state_dict()
        edit(sd)
        try:
            m.load_state_dict(sd)
            out[name] = None
        except RuntimeError as e:
            out[name] = str(e)

    attempt("missing_running_var", lambda sd: sd.pop("running_var"))
    attempt("missing_num_batches_tracked", lambda sd: sd.pop("num_batches_tracked"))
    attempt("wrong_running_mean", lambda sd: sd.__setitem__("running_mean", torch.zeros(4)))
    attempt("wrong_num_batches_tracked",
            lambda sd: sd.__setitem__("num_batches_tracked", torch.tensor([0])))
    return out


def errors():
    cases = {
        "bn1d_one_value": lambda: nn.BatchNorm1d(4)(torch.randn(1, 4)),
        "bn1d_one_value_3d": lambda: nn.BatchNorm1d(4)(torch.randn(1, 4, 1)),
        "bn2d_one_value": lambda: nn.BatchNorm2d(4)(torch.randn(1, 4, 1, 1)),
        "bn1d_4d": lambda: nn.BatchNorm1d(4)(torch.randn(2, 4, 3, 3)),
        "bn1d_1d": lambda: nn.BatchNorm1d(4)(torch.randn(4)),
        "bn2d_3d": lambda: nn.BatchNorm2d(4)(torch.randn(2, 4, 3)),
        "bn2d_channels": lambda: nn.BatchNorm2d(4)(torch.randn(2, 3, 3, 3)),
        "bn2d_channels_eval": lambda: nn.BatchNorm2d(4).eval()(torch.randn(2, 3, 3, 3)),
        "bn_weight_size": lambda: F.batch_norm(torch.randn(2, 3), torch.zeros(3), torch.ones(3),
                                               torch.ones(4)),
        "bn_bias_size": lambda: F.batch_norm(torch.randn(2, 3), None, None, None, torch.ones(4),
                                             training=True),
        "bn_eval_no_stats": lambda: F.batch_norm(torch.randn(2, 3), None, None),
        "bn_1d_input": lambda: F.batch_norm(torch.randn(3), torch.zeros(3), torch.ones(3)),
        "ln_shape": lambda: nn.LayerNorm(4)(torch.randn(2, 3)),
        "ln_shape2": lambda: nn.LayerNorm([3, 4])(torch.randn(2, 4, 3)),
        "ln_weight": lambda: F.layer_norm(torch.randn(2, 3), [3], torch.ones(4)),
        "ln_bias": lambda: F.layer_norm(torch.randn(2, 3), [3], None, torch.ones(2)),
        "ln_empty_shape": lambda: F.layer_norm(torch.randn(2, 3), []),
        "gn_ctor": lambda: nn.GroupNorm(4, 6),
        "gn_channels": lambda: nn.GroupNorm(2, 6)(torch.randn(2, 4, 3)),
        "gn_divisible": lambda: F.group_norm(torch.randn(2, 6), 4),
        "gn_1d": lambda: nn.GroupNorm(2, 6)(torch.randn(6)),
        "gn_one_value": lambda: F.group_norm(torch.randn(1, 2), 2),
        "dropout2d_p": lambda: nn.Dropout2d(1.5),
        "dropout2d_f_p": lambda: F.dropout2d(torch.randn(2, 3), -0.1),
        "dropout2d_1d": lambda: F.dropout2d(torch.randn(3), 0.5),
        "gelu_approximate": lambda: F.gelu(torch.randn(3), approximate="foo"),
        "unflatten_size": lambda: nn.Unflatten(1, (4, 4))(torch.randn(2, 15)),
        "unflatten_infer": lambda: nn.Unflatten(1, (4, -1))(torch.randn(2, 15)),
        "unflatten_two_infer": lambda: nn.Unflatten(1, (-1, -1))(torch.randn(2, 15)),
    }
    out = {}
    warnings.simplefilter("ignore")
    for name, f in cases.items():
        try:
            f()
            out[name] = None
        except Exception as e:  # noqa: BLE001 - the text is what is compared
            out[name] = str(e)
    return out


def main():
    torch.set_printoptions(profile="default")
    out = {"torch_version": torch.__version__, "repr": reprs(), "state_dict": state_dicts(),
           "batch_norm": batch_norm_cases(), "layer_norm": layer_norm_cases(),
           "group_norm": group_norm_cases(), "dropout2d": dropout2d_cases(),
           "activations": activation_cases(),
           "load_state_dict": load_errors(), "errors": errors()}
    with open(sys.argv[1] if len(sys.argv) > 1 else OUT, "w") as f:
        json.dump(out, f, indent=0)


if __name__ == "__main__":
    main()
