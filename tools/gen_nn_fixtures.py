#!/usr/bin/python3
"""Draws nn test cases from real PyTorch.

usage: /usr/bin/python3 tools/gen_nn_fixtures.py tests/fixtures/nn

linear_init.json: nn.Linear(in, out[, bias]) right after manual_seed(seed): weight/bias bits (hex of
  float32) for many (in, out, seed), and the next draw after construction (checks draw counts).
mlp_grads.json: a float64 MLP (Linear-ReLU-Linear-Tanh-Linear) from a fixed seed, its input and
  target, the loss ((out - target)^2).mean(), and every parameter's gradient, in named_parameters
  order.
"""
import json
import os
import struct
import sys

import torch
from torch import nn


def hex32(t):
    return "".join("%08x" % struct.unpack("<I", struct.pack("<f", v))[0]
                   for v in t.detach().reshape(-1).tolist())


def linear_init():
    cases = []
    for seed in [0, 1, 3, 17, 123, 2024, 99991, 2**31 + 11]:
        for (i, o, bias) in [(1, 1, True), (2, 2, True), (3, 5, True), (5, 3, False), (7, 1, True),
                             (16, 16, True), (20, 7, True), (0, 3, True), (784, 10, True),
                             (33, 65, True)]:
            torch.manual_seed(seed)
            m = nn.Linear(i, o, bias=bias)
            probe = torch.randint(0, 2**31, (2,)).tolist()
            cases.append({"seed": seed, "in": i, "out": o, "bias": bias,
                          "weight": hex32(m.weight),
                          "bias_hex": hex32(m.bias) if bias else None, "probe": probe})
    return cases


def mlp_grads():
    torch.manual_seed(5)
    net = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 5), nn.Tanh(),
                        nn.Linear(5, 3)).double()
    x = torch.randn(4, 6, dtype=torch.float64)
    target = torch.randn(4, 3, dtype=torch.float64)
    loss = (net(x) - target).pow(2).mean()
    loss.backward()
    return {
        "params": {n: p.detach().reshape(-1).tolist() for n, p in net.named_parameters()},
        "shapes": {n: list(p.shape) for n, p in net.named_parameters()},
        "order": [n for n, _ in net.named_parameters()],
        "x": x.reshape(-1).tolist(), "x_shape": list(x.shape),
        "target": target.reshape(-1).tolist(), "target_shape": list(target.shape),
        "loss": loss.item(),
        "grads": {n: p.grad.reshape(-1).tolist() for n, p in net.named_parameters()},
    }


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "linear_init.json"), "w") as f:
        json.dump(linear_init(), f, indent=0)
    with open(os.path.join(out, "mlp_grads.json"), "w") as f:
        json.dump(mlp_grads(), f, indent=0)


if __name__ == "__main__":
    main()
