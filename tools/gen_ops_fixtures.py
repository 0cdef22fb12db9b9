#!/usr/bin/python3
"""Draws tensor-op test cases from real PyTorch: inputs, outputs and input gradients.

usage: /usr/bin/python3 tools/gen_ops_fixtures.py tests/fixtures/ops/ops.json

Each case: name, inputs [{shape, dtype, values, requires_grad}], output {shape, dtype, values},
upstream (the gradient fed to backward, same shape as the output) and grads (one per input that
requires grad), and grad_fn (the output's grad_fn as printed: its class name, which is
"CopyBackwards" where grad_fn.name() says "torch::autograd::CopyBackwards"). Values are float64
lists. The C++ test (tests/ops/test_ops_vs_torch.cpp) has the same case names, each one line of
torchlite code.
"""
import json
import sys

import torch

torch.manual_seed(20261127)

F64 = torch.float64


def t(*shape, dtype=F64, grad=True, positive=False, ints=False):
    if ints:
        x = torch.randint(-5, 6, shape, dtype=dtype)
    else:
        x = torch.randn(*shape, dtype=dtype)
        if positive:
            x = x.abs() + 0.5
    return x.requires_grad_(grad and x.is_floating_point())


def seeded(draw):
    torch.manual_seed(7)
    return draw()


CASES = {
    "add": (lambda: [t(3, 4), t(3, 4)], lambda a, b: a + b),
    "add_broadcast": (lambda: [t(2, 3, 4), t(4)], lambda a, b: a + b),
    "add_broadcast_both": (lambda: [t(3, 1), t(1, 4)], lambda a, b: a + b),
    "add_alpha": (lambda: [t(3), t(3)], lambda a, b: a.add(b, alpha=2.5)),
    "add_scalar": (lambda: [t(2, 3)], lambda a: a + 1.5),
    "sub": (lambda: [t(2, 3), t(2, 3)], lambda a, b: a - b),
    "sub_broadcast": (lambda: [t(2, 3), t(2, 1)], lambda a, b: a - b),
    "rsub_scalar": (lambda: [t(4)], lambda a: 2.0 - a),
    "mul": (lambda: [t(3, 4), t(3, 4)], lambda a, b: a * b),
    "mul_broadcast": (lambda: [t(5, 1, 3), t(4, 1)], lambda a, b: a * b),
    "mul_scalar": (lambda: [t(3)], lambda a: a * -3.0),
    "div": (lambda: [t(3, 4), t(3, 4, positive=True)], lambda a, b: a / b),
    "div_broadcast": (lambda: [t(2, 3), t(3, positive=True)], lambda a, b: a / b),
    "rdiv_scalar": (lambda: [t(4, positive=True)], lambda a: 2.0 / a),
    "neg": (lambda: [t(3, 2)], lambda a: -a),
    "abs": (lambda: [t(6)], lambda a: a.abs()),
    "exp": (lambda: [t(2, 3)], lambda a: a.exp()),
    "log": (lambda: [t(2, 3, positive=True)], lambda a: a.log()),
    "sqrt": (lambda: [t(2, 3, positive=True)], lambda a: a.sqrt()),
    "pow2": (lambda: [t(5)], lambda a: a.pow(2)),
    "pow_frac": (lambda: [t(5, positive=True)], lambda a: a.pow(2.5)),
    "pow_neg": (lambda: [t(5, positive=True)], lambda a: a.pow(-1.5)),
    "pow_tensor": (lambda: [t(4, positive=True), t(4)], lambda a, b: a.pow(b)),
    "relu": (lambda: [t(3, 4)], lambda a: a.relu()),
    "sigmoid": (lambda: [t(3, 4)], lambda a: a.sigmoid()),
    "tanh": (lambda: [t(3, 4)], lambda a: a.tanh()),
    "clamp": (lambda: [t(8)], lambda a: a.clamp(-0.5, 0.5)),
    "maximum": (lambda: [t(2, 3), t(3)], lambda a, b: torch.maximum(a, b)),
    "minimum": (lambda: [t(2, 3), t(2, 3)], lambda a, b: torch.minimum(a, b)),
    "where": (lambda: [t(3, 3), t(3, 3)], lambda a, b: torch.where(a > b, a, b * 2)),
    "sum_all": (lambda: [t(3, 4)], lambda a: a.sum()),
    "sum_dim0": (lambda: [t(3, 4)], lambda a: a.sum(0)),
    "sum_dim1_keep": (lambda: [t(3, 4)], lambda a: a.sum(1, keepdim=True)),
    "sum_dims": (lambda: [t(2, 3, 4)], lambda a: a.sum((0, 2))),
    "sum_neg_dim": (lambda: [t(2, 3, 4)], lambda a: a.sum(-1)),
    "mean_all": (lambda: [t(3, 4)], lambda a: a.mean()),
    "mean_dim": (lambda: [t(3, 4)], lambda a: a.mean(1)),
    "mean_dims_keep": (lambda: [t(2, 3, 4)], lambda a: a.mean((1, 2), keepdim=True)),
    "max_all": (lambda: [t(3, 4)], lambda a: a.max()),
    "max_dim": (lambda: [t(3, 4)], lambda a: a.max(1)[0]),
    "max_dim0_keep": (lambda: [t(3, 4)], lambda a: a.max(0, keepdim=True)[0]),
    "min_dim": (lambda: [t(3, 4)], lambda a: a.min(1)[0]),
    "mm": (lambda: [t(3, 4), t(4, 5)], lambda a, b: a.mm(b)),
    "mm_transposed": (lambda: [t(4, 3), t(5, 4)], lambda a, b: a.t().mm(b.t())),
    "matmul_mv": (lambda: [t(3, 4), t(4)], lambda a, b: a.matmul(b)),
    "matmul_dot": (lambda: [t(4), t(4)], lambda a, b: a.matmul(b)),
    "matmul_vm": (lambda: [t(4), t(4, 3)], lambda a, b: a.matmul(b)),
    "matmul_batched": (lambda: [t(2, 3, 4), t(2, 4, 5)], lambda a, b: a.matmul(b)),
    "matmul_broadcast": (lambda: [t(2, 3, 4), t(4, 5)], lambda a, b: a.matmul(b)),
    "matmul_batch_broadcast": (lambda: [t(2, 1, 3, 4), t(3, 4, 2)], lambda a, b: a.matmul(b)),
    "addmm": (lambda: [t(5), t(3, 4), t(4, 5)], lambda c, a, b: torch.addmm(c, a, b)),
    "view": (lambda: [t(2, 6)], lambda a: a.view(3, 4) * 2),
    "view_infer": (lambda: [t(2, 6)], lambda a: a.view(-1, 3) * 2),
    "reshape_copy": (lambda: [t(3, 4)], lambda a: a.t().reshape(12) * 2),
    "transpose": (lambda: [t(2, 3, 4)], lambda a: a.transpose(0, 2) * 1.5),
    "permute": (lambda: [t(2, 3, 4)], lambda a: a.permute(2, 0, 1) * 1.5),
    "flatten": (lambda: [t(2, 3, 4)], lambda a: a.flatten(1) * 1.5),
    "unsqueeze_squeeze": (lambda: [t(3, 4)], lambda a: a.unsqueeze(1).squeeze(1) * 2),
    "select": (lambda: [t(3, 4)], lambda a: a.select(1, 2) * 2),
    "index_int": (lambda: [t(3, 4)], lambda a: a[1] * 2),
    "slice": (lambda: [t(6, 4)], lambda a: a[1:5:2] * 2),
    "narrow": (lambda: [t(3, 6)], lambda a: a.narrow(1, 2, 3) * 2),
    "expand": (lambda: [t(3, 1)], lambda a: a.expand(2, 3, 4) * 2),
    "index_select": (lambda: [t(4, 3)], lambda a: a.index_select(0, torch.tensor([3, 0, 3])) * 2),
    "cat": (lambda: [t(2, 3), t(4, 3)], lambda a, b: torch.cat([a, b])),
    "cat_dim1": (lambda: [t(2, 3), t(2, 1)], lambda a, b: torch.cat([a, b], 1)),
    "stack": (lambda: [t(2, 3), t(2, 3)], lambda a, b: torch.stack([a, b], 1)),
    "clone": (lambda: [t(2, 3)], lambda a: a.clone()),
    "contiguous_of_t": (lambda: [t(2, 3)], lambda a: a.t().contiguous() * 2),
    "to_float32": (lambda: [t(2, 3)], lambda a: a.float().double() * 2),
    "composite": (lambda: [t(4, 3), t(3)], lambda a, b: ((a * b).sigmoid() + a.tanh()).pow(2).mean(0)),
    "softplus_like": (lambda: [t(5)], lambda a: (a.exp() + 1).log()),
    "int_add": (lambda: [t(3, dtype=torch.int64, ints=True), t(3, dtype=torch.int64, ints=True)], lambda a, b: a + b),
    "int_div": (lambda: [t(4, dtype=torch.int64, ints=True), torch.tensor([1, 2, 3, 4])], lambda a, b: a / b),
    "int_float_promote": (lambda: [t(3, dtype=torch.int64, ints=True), t(3)], lambda a, b: a * b),
    "int_scalar_float": (lambda: [t(3, dtype=torch.int64, ints=True)], lambda a: a * 0.5),
    "int_sum": (lambda: [t(2, 3, dtype=torch.int32, ints=True)], lambda a: a.sum(1)),
    "compare_gt": (lambda: [t(3, 4), t(4)], lambda a, b: (a > b)),
    "compare_eq_scalar": (lambda: [t(5, dtype=torch.int64, ints=True)], lambda a: a == 2),
    "argmax_dim": (lambda: [t(3, 5)], lambda a: a.argmax(1)),
    "argmax_all": (lambda: [t(3, 5)], lambda a: a.argmax()),
    "float32_matmul": (lambda: [t(3, 4, dtype=torch.float32), t(4, 2, dtype=torch.float32)], lambda a, b: a.mm(b)),
    # In-place ops on intermediates: PyTorch keeps the original self for the backward.
    "inplace_clamp": (lambda: [t(8)], lambda a: (a * 1).clamp_(-0.5, 0.5)),
    "inplace_relu": (lambda: [t(3, 4)], lambda a: (a * 1).relu_()),
    "inplace_mul": (lambda: [t(3, 4), t(4)], lambda a, b: (a * 1).mul_(b)),
    "inplace_div": (lambda: [t(3, 4), t(3, 4, positive=True)], lambda a, b: (a * 2).div_(b)),
    "inplace_chain": (lambda: [t(5), t(5)], lambda a, b: (a * 1).add_(b, alpha=2).mul_(b).sub_(a).div_(3)),
    "inplace_on_plain_tensor": (lambda: [t(4, grad=False), t(4)], lambda a, b: a.clone().mul_(b).add_(b)),
    "inplace_zero": (lambda: [t(2, 3)], lambda a: (a * 2).zero_()),
    "inplace_fill_then_mul": (lambda: [t(2, 3), t(3)], lambda a, b: (a * 2).fill_(1.5).mul_(b)),
    "inplace_fill": (lambda: [t(4)], lambda a: (a * 2).fill_(-3)),
    "inplace_copy": (lambda: [t(2, 3), t(2, 3)], lambda a, b: (a * 1).copy_(b)),
    "inplace_copy_broadcast_dtype": (lambda: [t(2, 3, dtype=torch.float32), t(3)], lambda a, b: (a * 1).copy_(b)),
    "copy_into_plain_tensor": (lambda: [t(3)], lambda a: torch.zeros(2, 3).copy_(a)),
    # Random in-place draws on intermediates (seed 7 just before the draw, as in the C++ test).
    "inplace_uniform": (lambda: [t(4)], lambda a: seeded(lambda: (a * 2).uniform_(-1, 1))),
    "inplace_normal": (lambda: [t(5)], lambda a: seeded(lambda: (a * 1).normal_(0.5, 2))),
    "inplace_bernoulli": (lambda: [t(6)], lambda a: seeded(lambda: (a * 1).bernoulli_(0.3))),
    "inplace_random": (lambda: [t(4)], lambda a: seeded(lambda: (a * 1).random_(0, 5))),
    "cat_five": (lambda: [t(2), t(3), t(1), t(2), t(4)], lambda *xs: torch.cat(xs) * 2),
}


def record(x):
    return {"shape": list(x.shape), "dtype": str(x.dtype).replace("torch.", ""),
            "values": x.detach().double().reshape(-1).tolist(),
            "requires_grad": bool(x.requires_grad)}


def main():
    out = []
    for name, (make, fn) in CASES.items():
        inputs = make()
        y = fn(*inputs)
        case = {"name": name, "inputs": [record(x) for x in inputs], "output": record(y),
                "grad_fn": type(y.grad_fn).__name__ if y.grad_fn is not None else None}
        if y.requires_grad:
            upstream = torch.randn(y.shape, dtype=y.dtype)
            y.backward(upstream)
            case["upstream"] = record(upstream)
            case["grads"] = [record(x.grad) if x.grad is not None else None for x in inputs]
        out.append(case)
    with open(sys.argv[1], "w") as f:
        json.dump(out, f, indent=0)


if __name__ == "__main__":
    main()
