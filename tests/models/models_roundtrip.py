#!/usr/bin/python3
"""Checks torchlite's saved model state dicts in torchvision 0.14 (driven by
test_models_roundtrip.cpp).

  models_roundtrip.py DIR NAME...   for each NAME: loads DIR/NAME.pt (torchlite's state dict
                                    after one training step) with weights_only=True into
                                    torchvision.models.NAME(num_classes=10) strictly, checks
                                    that its keys come in torchvision's order with torchvision's
                                    dtypes, and that the eval logits on DIR/NAME_io.pt's "x"
                                    equal torchlite's "logits" to 1e-4 relative. Exit status 1
                                    on a mismatch.
"""
import os
import sys

import torch
import torchvision


def check(d, name):
    sd = torch.load(os.path.join(d, name + ".pt"), weights_only=True)
    io = torch.load(os.path.join(d, name + "_io.pt"), weights_only=True)
    model = getattr(torchvision.models, name)(num_classes=10)
    ok = True
    want = model.state_dict()
    if list(sd.keys()) != list(want.keys()):
        print(f"{name}: keys differ from torchvision's order")
        ok = False
    for k, v in want.items():
        if k in sd and sd[k].dtype != v.dtype:
            print(f"{name}: {k} is {sd[k].dtype}, torchvision has {v.dtype}")
            ok = False
    model.load_state_dict(sd, strict=True)
    model.eval()
    with torch.no_grad():
        logits = model(io["x"])
    scale = logits.abs().max().item()
    err = (logits - io["logits"]).abs().max().item()
    if err > 1e-4 * scale:
        print(f"{name}: logits differ by {err} (scale {scale})")
        ok = False
    return ok


def main():
    d = sys.argv[1]
    torch.set_num_threads(1)
    results = [check(d, name) for name in sys.argv[2:]]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
