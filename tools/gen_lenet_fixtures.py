#!/usr/bin/python3
"""Trains d2l's LeNet and LeNet with BatchNorm on Fashion-MNIST with real PyTorch 1.13, exactly
as `torchlite train --model lenet|lenet-bn` does, and records what tests/cli/test_lenet.cpp
compares. Run with /usr/bin/python3 (the default python3 has no torch):

    /usr/bin/python3 tools/gen_lenet_fixtures.py tests/fixtures/train [data dir]

lenet.json: for each model, seed 0, batch 256, 10 epochs of SGD (lr 0.9 / 1.0) over a shuffled
DataLoader with cross entropy, the net built and initialised by bench/train_d2l.py's make_net:
  "losses": the first 25 minibatch losses (float32 values as doubles),
  "train_loss"/"test_acc": per epoch, the mean training loss and the accuracy on the test set
  (net.eval(), argmax of the logits).
"""
import json
import os
import sys

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
from train_d2l import LEARNING_RATES, make_net  # noqa: E402
from workloads_torch import fashion_mnist  # noqa: E402

STEPS = 25
EPOCHS = 10


def run(model, train_set, test_set):
    torch.manual_seed(0)
    net = make_net(model)
    opt = torch.optim.SGD(net.parameters(), lr=LEARNING_RATES[model])
    train_loader = DataLoader(train_set, batch_size=256, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=256)
    losses, train_loss, test_acc = [], [], []
    for _ in range(EPOCHS):
        net.train()
        total, seen = 0.0, 0
        for x, y in train_loader:
            loss = F.cross_entropy(net(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if len(losses) < STEPS:
                losses.append(loss.item())
            total += loss.item() * y.numel()
            seen += y.numel()
        train_loss.append(total / seen)
        net.eval()
        correct = 0
        with torch.no_grad():
            for x, y in test_loader:
                correct += int((net(x).argmax(1) == y).sum())
        test_acc.append(correct / len(test_set))
        print(model, len(train_loss), train_loss[-1], test_acc[-1], flush=True)
    return {"losses": losses, "train_loss": train_loss, "test_acc": test_acc}


def main():
    out = sys.argv[1]
    root = sys.argv[2] if len(sys.argv) > 2 else "/usr/share/datasets/fashion-mnist"
    torch.set_num_threads(2)
    train_set = TensorDataset(*fashion_mnist(root, True))
    test_set = TensorDataset(*fashion_mnist(root, False))
    cases = {model: run(model, train_set, test_set) for model in ("lenet", "lenet-bn")}
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "lenet.json"), "w") as f:
        json.dump(cases, f, indent=1)


if __name__ == "__main__":
    main()
