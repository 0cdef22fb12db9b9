#!/usr/bin/python3
"""bench/resnet_layers.py: the per-layer profile of ResNet-18 inference or training (issue 14),
torchlite beside PyTorch 1.13, as a Markdown table for docs/benchmarks.md.

  bench/resnet_layers.py [--build-dir build-bench] [--threads 2] [--batch 16] [--reps 5]
  bench/resnet_layers.py --train [--batch 32] [--size 64] ...

--train: each distinct convolution of ResNet-18's training step (W16's shapes), forward and
backward (weight and input gradients; no input gradient for conv1, as in the model) on its own,
F.conv2d in both libraries (`torchlite_workloads conv-train`), best of --reps.

torchlite: `torchlite_workloads resnet-layers` times each step of the fused inference path alone
(convolution with its BatchNorm folded in and its ReLU / residual add fused), best of --reps.
PyTorch: torch.autograd.profiler over --reps eval + no_grad forwards of torchvision's
resnet18(); per convolution the best aten::conv2d time and the best of aten::conv2d plus the
aten::batch_norm after it (what the fused torchlite step does, less the ReLU/add).
GFLOP/s = 2 * multiply-adds / seconds.
"""
import argparse
import os
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)


def torchlite_layers(args):
    exe = os.path.join(args.build_dir, "bench", "torchlite_workloads")
    out = subprocess.run([exe, "resnet-layers", "--threads", str(args.threads), "--batch",
                          str(args.batch), "--reps", str(args.reps)], check=True,
                         capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        parts = line.split(" ", 4)
        if parts[0] == "LAYER":
            rows.append((parts[1], float(parts[2]), float(parts[3]), parts[4]))
    return rows


def torch_layers(args):
    import torch
    import torchvision
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = torchvision.models.resnet18().eval()
    names = [n for n, m in model.named_modules() if isinstance(m, torch.nn.Conv2d)]
    x = torch.randn(args.batch, 3, 224, 224)
    conv = {n: float("inf") for n in names}
    conv_bn = dict(conv)
    with torch.no_grad():
        model(x)
        for _ in range(args.reps):
            with torch.autograd.profiler.profile() as prof:
                model(x)
            top = [e for e in prof.function_events if e.cpu_parent is None]
            convs = [i for i, e in enumerate(top) if e.name == "aten::conv2d"]
            for n, i in zip(names, convs):
                c = top[i].cpu_time_total * 1e-6
                b = top[i + 1].cpu_time_total * 1e-6 if top[i + 1].name == "aten::batch_norm" else 0
                conv[n] = min(conv[n], c)
                conv_bn[n] = min(conv_bn[n], c + b)
    return conv, conv_bn


def train_convs(size):
    """ResNet-18's distinct convolutions for size x size images: (name, in channels, input
    size, out channels, kernel, stride, padding, how many, input gradient)."""
    rows = [("conv1", 3, size, 64, 7, 2, 3, 1, False),
            ("layer1 3x3", 64, size // 4, 64, 3, 1, 1, 4, True)]
    for layer, (c, o) in enumerate(((64, 128), (128, 256), (256, 512)), start=2):
        h = size // 2 ** layer
        rows += [(f"layer{layer}.0.conv1", c, h, o, 3, 2, 1, 1, True),
                 (f"layer{layer}.0.downsample.0", c, h, o, 1, 2, 0, 1, True),
                 (f"layer{layer} 3x3", o, h // 2, o, 3, 1, 1, 3, True)]
    return rows


def torch_conv_train(args, c, h, o, k, s, p, dx):
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x = torch.randn(args.batch, c, h, h, requires_grad=dx)
    w = torch.randn(o, c, k, k, requires_grad=True)
    forward = backward = float("inf")
    for r in range(args.reps + 1):
        x.grad = w.grad = None
        t0 = time.perf_counter()
        y = F.conv2d(x, w, stride=s, padding=p)
        f = time.perf_counter() - t0
        gy = torch.ones_like(y)
        t0 = time.perf_counter()
        y.backward(gy)
        b = time.perf_counter() - t0
        if r:
            forward, backward = min(forward, f), min(backward, b)
    return forward, backward


def train_profile(args):
    exe = os.path.join(args.build_dir, "bench", "torchlite_workloads")
    print(f"ResNet-18 training convolutions, batch {args.batch}, {args.size}x{args.size}, "
          f"{args.threads} threads, best of {args.reps}")
    print("| convolution | shape (in -> out, kernel/stride) | count | torchlite forward / backward "
          "| GFLOP/s | PyTorch forward / backward | GFLOP/s | speed-up |")
    print("|---|---|---|---|---|---|---|---|---|")
    tot = [0.0, 0.0, 0.0]
    for name, c, h, o, k, s, p, count, dx in train_convs(args.size):
        out = subprocess.run([exe, "conv-train", "--threads", str(args.threads), "--batch",
                              str(args.batch), "--c", str(c), "--h", str(h), "--o", str(o),
                              "--k", str(k), "--s", str(s), "--p", str(p), "--dx", str(int(dx)),
                              "--reps", str(args.reps)], check=True, capture_output=True,
                             text=True).stdout
        res = dict(line.split()[1:3] for line in out.splitlines() if line.startswith("RESULT"))
        ours = float(res["forward_s"]), float(res["backward_s"])
        theirs = torch_conv_train(args, c, h, o, k, s, p, dx)
        oh = (h + 2 * p - k) // s + 1
        flop = 2 * args.batch * o * c * k * k * oh * oh * (3 if dx else 2)
        tot = [tot[0] + count * sum(ours), tot[1] + count * sum(theirs), tot[2] + count * flop]
        print(f"| {name} | {c}x{h}x{h}->{o}x{oh}x{oh}, {k}x{k}/{s} | {count} | "
              f"{ours[0] * 1e3:.2f} / {ours[1] * 1e3:.2f} ms | {flop / sum(ours) / 1e9:.0f} | "
              f"{theirs[0] * 1e3:.2f} / {theirs[1] * 1e3:.2f} ms | "
              f"{flop / sum(theirs) / 1e9:.0f} | {sum(theirs) / sum(ours):.2f}x |")
    print(f"| all (times count) | | 20 | {tot[0] * 1e3:.1f} ms | {tot[2] / tot[0] / 1e9:.0f} | "
          f"{tot[1] * 1e3:.1f} ms | {tot[2] / tot[1] / 1e9:.0f} | {tot[1] / tot[0]:.2f}x |")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build-dir", default=os.path.join(REPO, "build-bench"))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=None, help="16 (inference), 32 (--train)")
    p.add_argument("--size", type=int, default=64, help="--train's image size")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--train", action="store_true")
    args = p.parse_args()
    if args.train:
        args.batch = args.batch or 32
        return train_profile(args)
    args.batch = args.batch or 16
    ours = torchlite_layers(args)
    conv, conv_bn = torch_layers(args)
    print(f"ResNet-18, batch {args.batch}, 224x224, {args.threads} threads, best of {args.reps}")
    print("| layer | shape (in -> out, kernel/stride) | torchlite conv+BN+ReLU(+add) | GFLOP/s "
          "| PyTorch conv | PyTorch conv+BN | GFLOP/s (conv) | speed-up (vs conv+BN) |")
    print("|---|---|---|---|---|---|---|---|")
    tot = [0.0, 0.0, 0.0, 0.0]
    for name, s, flop, shape in ours:
        if name not in conv:
            print(f"| {name} | {shape} | {s * 1e3:.2f} ms | | | | | |")
            tot[0] += s
            continue
        c, cb = conv[name], conv_bn[name]
        tot = [tot[0] + s, tot[1] + c, tot[2] + cb, tot[3] + flop]
        print(f"| {name} | {shape} | {s * 1e3:.2f} ms | {flop / s / 1e9:.0f} | {c * 1e3:.2f} ms | "
              f"{cb * 1e3:.2f} ms | {flop / c / 1e9:.0f} | {cb / s:.2f}x |")
    print(f"| all | | {tot[0] * 1e3:.1f} ms | {tot[3] / tot[0] / 1e9:.0f} | {tot[1] * 1e3:.1f} ms | "
          f"{tot[2] * 1e3:.1f} ms | {tot[3] / tot[1] / 1e9:.0f} | {tot[2] / tot[0]:.2f}x |")


if __name__ == "__main__":
    sys.exit(main())
