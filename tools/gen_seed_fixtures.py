#!/usr/bin/python3
"""Writes what examples/seed.cpp must print, from real PyTorch, for several seeds.

usage: /usr/bin/python3 tools/gen_seed_fixtures.py tests/fixtures/seed
"""
import contextlib
import io
import os
import sys

import torch
from torch import nn

SEEDS = [0, 1, 7, 42, 1234, 2**32 + 5]


def seed_program(seed):
    torch.manual_seed(seed)
    net = nn.Linear(2, 2)
    print(net.state_dict())
    print(net.bias)
    print(net.bias.data)
    print(net.bias.grad)
    print(list(net.named_parameters()))
    for name, param in net.named_parameters():
        print(name, param.size())
    seq = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))

    def init_weights(m):
        if type(m) == nn.Linear:
            nn.init.normal_(m.weight, mean=0.0, std=0.01)

    seq.apply(init_weights)
    print(seq)
    loss = seq(torch.randn(8, 1, 28, 28)).pow(2).mean()
    loss.backward()
    print(seq.state_dict())


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    for seed in SEEDS:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            seed_program(seed)
        with open(os.path.join(out_dir, f"seed_{seed}.txt"), "w") as f:
            f.write(buf.getvalue())


if __name__ == "__main__":
    main()
