#!/usr/bin/python3
"""A TransformerEncoder state dict between torch 1.13 and torchlite (driven by
test_transformer_roundtrip.cpp).

  transformer_roundtrip.py write DIR   trains a 2-layer TransformerEncoder (d_model 16, 4 heads,
                                       feed-forward 32, batch first, final LayerNorm) 3 SGD steps
                                       and saves its state dict to DIR/torch_enc.pt; an input,
                                       a causal mask and the eval output to DIR/eval.pt; and a
                                       training input and upstream gradient to DIR/train.pt.
  transformer_roundtrip.py check DIR   loads DIR/tl_enc.pt (torchlite's state dict after one SGD
                                       step, lr 0.1, on sum(out * w) from train.pt) strictly with
                                       weights_only=True and compares it with torch taking that
                                       step from DIR/torch_enc.pt. Exit status 1 on a mismatch.
"""
import os
import sys

import torch
from torch import nn


def build():
    layer = nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, batch_first=True)
    return nn.TransformerEncoder(layer, 2, nn.LayerNorm(16))


def step(enc, train):
    opt = torch.optim.SGD(enc.parameters(), lr=0.1)
    opt.zero_grad()
    mask = nn.Transformer.generate_square_subsequent_mask(train["x"].size(1))
    (enc(train["x"], mask=mask) * train["w"]).sum().backward()
    opt.step()


def write(d):
    torch.manual_seed(0)
    enc = build()
    for _ in range(3):
        step(enc, {"x": torch.randn(3, 6, 16), "w": torch.randn(3, 6, 16)})
    torch.save(enc.state_dict(), os.path.join(d, "torch_enc.pt"))
    enc.eval()
    x = torch.randn(2, 5, 16)
    mask = nn.Transformer.generate_square_subsequent_mask(5)
    with torch.no_grad():
        y = enc(x, mask=mask)
    torch.save({"x": x, "mask": mask, "y": y}, os.path.join(d, "eval.pt"))
    torch.save({"x": torch.randn(2, 4, 16), "w": torch.randn(2, 4, 16)},
               os.path.join(d, "train.pt"))


def check(d):
    sd = torch.load(os.path.join(d, "tl_enc.pt"), weights_only=True)
    theirs = build()
    theirs.load_state_dict(sd)  # strict: raises on a missing or misshapen entry
    ok = list(sd.keys()) == list(theirs.state_dict().keys())
    ours = build()
    ours.load_state_dict(torch.load(os.path.join(d, "torch_enc.pt")))
    step(ours, torch.load(os.path.join(d, "train.pt")))
    for key, want in ours.state_dict().items():
        if not torch.allclose(sd[key], want, rtol=1e-5, atol=1e-6):
            print("mismatch in", key, (sd[key] - want).abs().max())
            ok = False
    return ok


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2])
    else:
        sys.exit(0 if check(sys.argv[2]) else 1)
