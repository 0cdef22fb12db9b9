#!/usr/bin/python3
"""Builds torchvision 0.14's models from real PyTorch for tests/models/test_models.cpp.

usage: /usr/bin/python3 tools/gen_models_fixtures.py tests/fixtures/models

models.json: one case per (model, seed): torch.manual_seed(seed), then
  torchvision.models.<model>(num_classes=10).
  "repr": repr(model).
  "state": state_dict() in order, each {"name", "shape", "fnv"}: fnv is FNV-1a 64 over the float32
  bytes (little endian) as 16 hex digits (default init is bit-exact, so the test compares
  exactly); int64 buffers (num_batches_tracked) carry "fnv": null.
  "input_seed": after the model, torch.manual_seed(input_seed); x = torch.randn(1, 3, 64, 64).
  "logits": model.eval()(x)[0] as floats (float sums differ in order: compared at 1e-4 relative).
"""
import json
import os
import sys

import torch
import torchvision

MODELS = ["resnet18", "resnet34", "resnet50"]
SEEDS = [0, 7]
NUM_CLASSES = 10
INPUT_SEED = 42


def fnv1a64(t):
    h = 0xcbf29ce484222325
    for b in t.detach().contiguous().reshape(-1).numpy().astype("<f4").tobytes():
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def case(name, seed):
    torch.manual_seed(seed)
    model = getattr(torchvision.models, name)(num_classes=NUM_CLASSES)
    state = [{"name": k, "shape": list(v.shape),
              "fnv": fnv1a64(v) if v.is_floating_point() else None}
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
