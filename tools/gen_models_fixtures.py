#!/usr/bin/python3
"""Builds torchvision 0.14's models from real PyTorch for tests/models/test_models.cpp.

usage: /usr/bin/python3 tools/gen_models_fixtures.py tests/fixtures/models

models.json: one case per (model, seed): torch.manual_seed(seed), then
  torchvision.models.<model>(num_classes=10).
  "repr": repr(model).
  "state": state_dict() in order, each {"name", "shape", "hash"}: hash is the sum mod 2^64 of
  splitmix64((i << 32) | bits(x[i])) over the float32 elements x (bits: the IEEE word), as 16 hex
  digits; vectorised, so VGG's 130M weights hash in seconds (default init is bit-exact, so the test
  compares exactly); int64 buffers (num_batches_tracked) carry "hash": null.
  "input_seed": after the model, torch.manual_seed(input_seed); x = torch.randn(1, 3, 64, 64)
  (alexnet and vgg reach their adaptive pools at 1x1 and 2x2 and upsample to 6x6 and 7x7).
  "logits": model.eval()(x)[0] as floats (float sums differ in order: compared at 1e-4 relative;
  Dropout is the identity in eval mode).
"""
import json
import os
import sys

import numpy as np
import torch
import torchvision

MODELS = ["resnet18", "resnet34", "resnet50", "alexnet", "vgg11_bn", "mobilenet_v2"]
SEEDS = [0, 7]
NUM_CLASSES = 10
INPUT_SEED = 42


def tensor_hash(t):
    bits = t.detach().contiguous().reshape(-1).numpy().astype("<f4").view("<u4").astype(np.uint64)
    h = np.uint64(0)
    with np.errstate(over="ignore"):
        for start in range(0, bits.size, 1 << 24):
            z = bits[start:start + (1 << 24)]
            z = z | (np.arange(start, start + z.size, dtype=np.uint64) << np.uint64(32))
            z = z + np.uint64(0x9E3779B97F4A7C15)
            z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            z = z ^ (z >> np.uint64(31))
            h = h + z.sum(dtype=np.uint64)
    return "%016x" % int(h)


def case(name, seed):
    torch.manual_seed(seed)
    model = getattr(torchvision.models, name)(num_classes=NUM_CLASSES)
    state = [{"name": k, "shape": list(v.shape),
              "hash": tensor_hash(v) if v.is_floating_point() else None}
             for k, v in model.state_dict().items()]
    torch.manual_seed(INPUT_SEED)
    x = torch.randn(1, 3, 64, 64)
    model.eval()
    with torch.no_grad():
        logits = model(x)[0].tolist()
    return {"model": name, "seed": seed, "num_classes": NUM_CLASSES, "repr": repr(model),
            "state": state, "input_seed": INPUT_SEED, "logits": logits}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    cases = [case(m, s) for m in MODELS for s in SEEDS]
    with open(os.path.join(out, "models.json"), "w") as f:
        json.dump(cases, f, indent=0)


if __name__ == "__main__":
    main()
