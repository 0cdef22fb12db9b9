#!/usr/bin/python3
"""float64 eval logits and one training step of torchvision 0.14's models, for
tests/models/test_models_train.cpp.

usage: /usr/bin/python3 tools/gen_models_train_fixtures.py tests/fixtures/models

models_train.json: one case per (model, seed, kind). Every case builds
torch.manual_seed(seed); torchvision.models.<model>(num_classes=10) (torchlite's default init
draws the same bits), then torch.manual_seed(input_seed); x = torch.randn(2, 3, size, size).
  kind "eval64": model.double().eval(); "logits": model(x.double()) under no_grad, flattened.
  kind "train32" / "train64": the model in float32 / float64 in train mode;
    "out": model(x) (Dropout draws from the global generator right after the input);
    loss = cross_entropy(out, target = [0, 1]); loss.backward();
    "grads": every parameter's .grad (named_parameters order);
    torch.optim.SGD(lr=0.1, momentum=0.9).step();
    "buffers": every buffer after the forward (BatchNorm running statistics, num_batches_tracked);
    "params": every parameter after the step;
    "out2": model(x) again in train mode after the step (the generator continues).
A tensor is stored as a summary, so that VGG's 100M-element gradients stay small:
{"name", "numel", "sum", "abs_max", "idx": up to 8 flat indices spread evenly (first and last
included), "values": the elements there}, all in float64 (exact for float32 values). Outputs
(logits, out, out2: 20 elements) are stored whole the same way (idx covers every element).
"""
import json
import os
import sys

import numpy as np
import torch
import torchvision

INPUT_SEED = 42
SAMPLES = 8
# (model, seeds of eval64, seeds of train32, seeds of train64). Inputs are 64x64: at 32x32 the
# last BatchNorms of train mode see 2 values per channel, and float32 gradients come out of
# that ill-conditioned normalisation several percent apart between any two summation orders.
# VGG and AlexNet run once and train only in float32: their classifiers hold 100M / 55M weights.
# ResNet-50 and MobileNetV2 train in float64 only: ResNet-50's float32 gradients (up to ~150 in
# conv1) come out ~0.5% apart between any two summation orders, and MobileNetV2's output after
# the step ~1% apart (its projection BatchNorm biases get gradients that are zero but for
# rounding noise, which the step then applies); in float64 both match to 1e-9.
CASES = [
    ("resnet18", [0, 7], [0, 7], [0]),
    ("resnet34", [0], [], []),
    ("resnet50", [0], [], [0]),
    ("alexnet", [0], [0], []),
    ("vgg11_bn", [0], [0], []),
    ("mobilenet_v2", [0, 7], [], [0]),
]


def summary(name, t, samples=SAMPLES):
    """samples=None: every element."""
    a = t.detach().reshape(-1).double().numpy()
    n = a.size
    k = n if samples is None else min(n, samples)
    idx = sorted(set(np.linspace(0, n - 1, k).round().astype(int).tolist()))
    return {"name": name, "numel": n, "sum": float(a.sum()), "abs_max": float(np.abs(a).max()),
            "idx": idx, "values": [float(a[i]) for i in idx]}


def make(name, seed, size, dtype):
    torch.manual_seed(seed)
    model = getattr(torchvision.models, name)(num_classes=10).to(dtype)
    torch.manual_seed(INPUT_SEED)
    x = torch.randn(2, 3, size, size).to(dtype)
    return model, x


def eval64(name, seed, size):
    model, x = make(name, seed, size, torch.float64)
    model.eval()
    with torch.no_grad():
        logits = model(x)
    return {"logits": summary("logits", logits, None)}


def train(name, seed, size, dtype):
    model, x = make(name, seed, size, dtype)
    model.train()
    out = model(x)
    loss = torch.nn.functional.cross_entropy(out, torch.tensor([0, 1]))
    loss.backward()
    grads = [summary(k, p.grad) for k, p in model.named_parameters()]
    torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9).step()
    buffers = [summary(k, b) for k, b in model.named_buffers()]
    params = [summary(k, p) for k, p in model.named_parameters()]
    out2 = model(x)
    return {"out": summary("out", out, None), "loss": loss.item(), "grads": grads, "buffers": buffers,
            "params": params, "out2": summary("out2", out2, None)}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    cases = []
    size = 64
    for name, e64, t32, t64 in CASES:
        base = {"model": name, "size": size, "input_seed": INPUT_SEED}
        cases += [dict(base, seed=s, kind="eval64", **eval64(name, s, size)) for s in e64]
        cases += [dict(base, seed=s, kind="train32", **train(name, s, size, torch.float32))
                  for s in t32]
        cases += [dict(base, seed=s, kind="train64", **train(name, s, size, torch.float64))
                  for s in t64]
    with open(os.path.join(out, "models_train.json"), "w") as f:
        json.dump(cases, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
