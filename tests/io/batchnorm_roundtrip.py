#!/usr/bin/python3
"""A BatchNorm2d state dict between torch 1.13 and torchlite (driven by
test_batchnorm_roundtrip.cpp).

  batchnorm_roundtrip.py write DIR   trains nn.BatchNorm2d(4) 3 steps and saves its state dict
                                     to DIR/torch_bn.pt, an eval input and PyTorch's output on
                                     it to DIR/eval.pt, and two more training inputs to
                                     DIR/train.pt.
  batchnorm_roundtrip.py check DIR   loads DIR/tl_bn.pt (torchlite's state dict after those two
                                     more steps) with weights_only=True into a strict
                                     nn.BatchNorm2d(4), and compares it with torch's own two
                                     steps from DIR/torch_bn.pt. Exit status 1 on a mismatch.
"""
import os
import sys

import torch
from torch import nn


def write(d):
    torch.manual_seed(0)
    bn = nn.BatchNorm2d(4)
    with torch.no_grad():
        bn.weight.copy_(torch.rand(4) + 0.5)
        bn.bias.copy_(torch.randn(4))
    for _ in range(3):
        bn(torch.randn(5, 4, 3, 3) * 2 + 1)
    torch.save(bn.state_dict(), os.path.join(d, "torch_bn.pt"))
    x = torch.randn(2, 4, 3, 3)
    bn.eval()
    torch.save({"x": x, "y": bn(x).detach()}, os.path.join(d, "eval.pt"))
    torch.save({"a": torch.randn(3, 4, 5, 2), "b": torch.randn(6, 4, 2, 2)},
               os.path.join(d, "train.pt"))


def check(d):
    sd = torch.load(os.path.join(d, "tl_bn.pt"), weights_only=True)
    ok = list(sd.keys()) == ["weight", "bias", "running_mean", "running_var",
                             "num_batches_tracked"]
    nbt = sd["num_batches_tracked"]
    ok = ok and nbt.dtype == torch.int64 and nbt.dim() == 0 and int(nbt) == 5
    theirs = nn.BatchNorm2d(4)
    theirs.load_state_dict(sd)  # strict: raises on a missing or misshapen entry
    ours = nn.BatchNorm2d(4)
    ours.load_state_dict(torch.load(os.path.join(d, "torch_bn.pt")))
    train = torch.load(os.path.join(d, "train.pt"))
    ours(train["a"])
    ours(train["b"])
    for key, want in ours.state_dict().items():
        got = sd[key]
        same = torch.equal(got, want) if key in ("weight", "bias", "num_batches_tracked") \
            else torch.allclose(got, want, rtol=1e-6, atol=1e-6)
        if not same:
            print("mismatch in", key, got, want)
            ok = False
    return ok


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2])
    else:
        sys.exit(0 if check(sys.argv[2]) else 1)
