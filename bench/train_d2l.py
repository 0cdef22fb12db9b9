#!/usr/bin/python3
"""d2l's PyTorch training loop (train_ch3 / train_ch6 with the concise softmax regression, MLP,
LeNet and LeNet with BatchNorm), the reference for what `torchlite train` takes per epoch
(bench/compare W10, W11) and for its results (tools/gen_lenet_fixtures.py).

  train_d2l.py softmax|mlp|lenet|lenet-bn [--epochs 3] [--threads N] [--data DIR] [--workers 0]

Each epoch is d2l's train_epoch_ch3 (SGD, CrossEntropyLoss(reduction='none') whose mean is
backpropagated, loss sum and accuracy accumulated per batch) followed by evaluate_accuracy on
the test set, with torchlite train's defaults: batch 256, seed 0; softmax/MLP: lr 0.1, hidden
256, N(0, 0.01^2) Linear weights (d2l 4.5, 5.2); LeNet: lr 0.9, lenet-bn: lr 1.0, xavier_uniform_
Linear and Conv2d weights (d2l 7.6 train_ch6, 8.5). The animator is left out. Data: the IDX files read into memory (torchvision is not
installed), served by TensorDataset + DataLoader. Prints `RESULT <key> <value>` per epoch.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from workloads_torch import fashion_mnist, parse, result  # noqa: E402


def accuracy(y_hat, y):
    """d2l.accuracy: the number of correct predictions."""
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


def evaluate_accuracy(net, data_iter):
    """d2l.evaluate_accuracy."""
    import torch
    net.eval()
    correct, total = 0.0, 0
    with torch.no_grad():
        for x, y in data_iter:
            correct += accuracy(net(x), y)
            total += y.numel()
    return correct / total


def train_epoch_ch3(net, train_iter, loss, updater):
    """d2l.train_epoch_ch3 with a torch.optim updater: (mean loss, accuracy)."""
    net.train()
    loss_sum, correct, seen = 0.0, 0.0, 0
    for x, y in train_iter:
        y_hat = net(x)
        lv = loss(y_hat, y)
        updater.zero_grad()
        lv.mean().backward()
        updater.step()
        loss_sum += float(lv.sum())
        correct += accuracy(y_hat, y)
        seen += y.numel()
    return loss_sum / seen, correct / seen


LEARNING_RATES = {"softmax": 0.1, "mlp": 0.1, "lenet": 0.9, "lenet-bn": 1.0}


def make_net(model):
    """The model as `torchlite train --model <model>` builds it, after torch.manual_seed."""
    from torch import nn
    if model == "softmax":
        net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    elif model == "mlp":
        net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    elif model == "lenet":
        net = nn.Sequential(
            nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
            nn.AvgPool2d(kernel_size=2, stride=2),
            nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
            nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
            nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
            nn.Linear(120, 84), nn.Sigmoid(),
            nn.Linear(84, 10))
    else:
        net = nn.Sequential(
            nn.Conv2d(1, 6, kernel_size=5), nn.BatchNorm2d(6), nn.Sigmoid(),
            nn.AvgPool2d(kernel_size=2, stride=2),
            nn.Conv2d(6, 16, kernel_size=5), nn.BatchNorm2d(16), nn.Sigmoid(),
            nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
            nn.Linear(16 * 4 * 4, 120), nn.BatchNorm1d(120), nn.Sigmoid(),
            nn.Linear(120, 84), nn.BatchNorm1d(84), nn.Sigmoid(),
            nn.Linear(84, 10))

    def init_weights(m):
        if model in ("softmax", "mlp"):
            if type(m) == nn.Linear:
                nn.init.normal_(m.weight, std=0.01)
        elif type(m) in (nn.Linear, nn.Conv2d):
            nn.init.xavier_uniform_(m.weight)
    net.apply(init_weights)
    return net


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in LEARNING_RATES:
        sys.exit(__doc__)
    model, args = sys.argv[1], parse(sys.argv[2:])
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset
    threads = int(args.get("threads", 0))
    if threads > 0:
        torch.set_num_threads(threads)
    root = args.get("data", os.environ.get("TORCHLITE_DATA", "/usr/share/datasets/fashion-mnist"))
    workers = int(args.get("workers", 0))
    train_iter = DataLoader(TensorDataset(*fashion_mnist(root, True)), batch_size=256,
                            shuffle=True, num_workers=workers)
    test_iter = DataLoader(TensorDataset(*fashion_mnist(root, False)), batch_size=256,
                           shuffle=False, num_workers=workers)
    torch.manual_seed(0)
    net = make_net(model)
    loss = nn.CrossEntropyLoss(reduction="none")
    trainer = torch.optim.SGD(net.parameters(), lr=LEARNING_RATES[model])
    for _ in range(int(args.get("epochs", 3))):
        t0 = time.perf_counter()
        train_loss, train_acc = train_epoch_ch3(net, train_iter, loss, trainer)
        test_acc = evaluate_accuracy(net, test_iter)
        result("epoch_s", time.perf_counter() - t0)
        result("train_loss", train_loss)
        result("train_acc", train_acc)
        result("test_acc", test_acc)


if __name__ == "__main__":
    main()
