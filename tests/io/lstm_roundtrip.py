#!/usr/bin/python3
"""An LSTM state dict between torch 1.13 and torchlite (driven by test_lstm_roundtrip.cpp).

  lstm_roundtrip.py write DIR   trains nn.LSTM(3, 5, num_layers=2, bidirectional=True,
                                proj_size=2) 3 SGD steps and saves its state dict to
                                DIR/torch_lstm.pt, an input, PyTorch's output and h_n, c_n on it
                                and the gradients of their sum to DIR/eval.pt.
  lstm_roundtrip.py check DIR   loads DIR/tl_lstm.pt (torchlite's state dict after one more SGD
                                step on the input in DIR/eval.pt) with weights_only=True into a
                                strict LSTM, and compares it with torch's own step. Exit status 1
                                on a mismatch.
"""
import os
import sys

import torch
from torch import nn


def make():
    return nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2)


def loss_of(m, x):
    out, (h, c) = m(x)
    return out.sum() + (h * h).sum() + c.sum()


def write(d):
    torch.manual_seed(0)
    m = make()
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        loss_of(m, torch.randn(4, 2, 3)).backward()
        opt.step()
    torch.save(m.state_dict(), os.path.join(d, "torch_lstm.pt"))
    x = torch.randn(6, 3, 3)
    out, (h, c) = m(x)
    m.zero_grad()
    loss_of(m, x).backward()
    saved = {"x": x, "out": out.detach(), "h": h.detach(), "c": c.detach()}
    for name, p in m.named_parameters():
        saved["grad." + name] = p.grad
    torch.save(saved, os.path.join(d, "eval.pt"))


def check(d):
    sd = torch.load(os.path.join(d, "tl_lstm.pt"), weights_only=True)
    theirs = make()
    ok = list(sd.keys()) == list(theirs.state_dict().keys())
    theirs.load_state_dict(sd)  # strict: raises on a missing or misshapen entry
    ours = make()
    ours.load_state_dict(torch.load(os.path.join(d, "torch_lstm.pt")))
    x = torch.load(os.path.join(d, "eval.pt"))["x"]
    opt = torch.optim.SGD(ours.parameters(), lr=0.1)
    loss_of(ours, x).backward()
    opt.step()
    for key, want in ours.state_dict().items():
        if not torch.allclose(sd[key], want, rtol=1e-5, atol=1e-6):
            print("mismatch in", key, sd[key], want)
            ok = False
    return ok


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2])
    else:
        sys.exit(0 if check(sys.argv[2]) else 1)
