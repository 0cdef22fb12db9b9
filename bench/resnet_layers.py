#!/usr/bin/python3
"""bench/resnet_layers.py: the per-layer profile of ResNet-18 inference (issue 14), torchlite
beside PyTorch 1.13, as a Markdown table for docs/benchmarks.md.

  bench/resnet_layers.py [--build-dir build-bench] [--threads 2] [--batch 16] [--reps 5]

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


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build-dir", default=os.path.join(REPO, "build-bench"))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--reps", type=int, default=5)
    args = p.parse_args()
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
