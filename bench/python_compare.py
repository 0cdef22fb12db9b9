#!/usr/bin/python3
"""Python on both sides: the same code run with `import torch` and `import torchlite as torch`
(Debian's /usr/bin/python3, the same thread count), medians of several runs, and the ratio.

  bench/python_compare.py [--build build] [--threads 2] [--reps 5]

Workloads: the seed's tiny nn.Linear(2, 2) forward+backward loop (per iteration), d2l's concise
MLP epoch (Flatten-Linear(784, 256)-ReLU-Linear(256, 10), CrossEntropyLoss(reduction='none'),
SGD lr 0.1, batch 256, train_epoch_ch3's bookkeeping) on 10000 synthetic images, and the time of
`import torch` in a fresh interpreter.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

PYTHON = "/usr/bin/python3"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def child(lib, workload, threads):
    if lib == "torch":
        import torch
        from torch import nn
        from torch.utils.data import DataLoader, TensorDataset
    else:
        import torchlite as torch
        from torchlite import nn
        from torchlite.utils.data import DataLoader, TensorDataset
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    if workload == "linear2":
        lin, x = nn.Linear(2, 2), torch.randn(1, 2)
        for _ in range(2000):
            lin.zero_grad(set_to_none=True)
            lin(x).sum().backward()
        iters = 20000
        t0 = time.perf_counter()
        for _ in range(iters):
            lin.zero_grad(set_to_none=True)
            lin(x).sum().backward()
        print((time.perf_counter() - t0) / iters)
    elif workload == "mlp_epoch":
        X, y = torch.randn(10000, 1, 28, 28), torch.randint(0, 10, (10000,))
        it = DataLoader(TensorDataset(X, y), batch_size=256, shuffle=True)
        net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
        loss = nn.CrossEntropyLoss(reduction="none")
        trainer = torch.optim.SGD(net.parameters(), lr=0.1)

        def epoch():
            net.train()
            total, correct, seen = 0.0, 0.0, 0
            for Xb, yb in it:
                y_hat = net(Xb)
                lv = loss(y_hat, yb)
                trainer.zero_grad()
                lv.mean().backward()
                trainer.step()
                total += float(lv.sum())
                correct += float((y_hat.argmax(axis=1).type(yb.dtype) == yb).type(yb.dtype).sum())
                seen += yb.numel()
            return total / seen, correct / seen
        epoch()
        t0 = time.perf_counter()
        epoch()
        print(time.perf_counter() - t0)


def run(lib, workload, args):
    env = dict(os.environ, PYTHONPATH=os.path.join(args.build, "python"),
               OMP_NUM_THREADS=str(args.threads))
    if workload == "import":
        stmt = "import torch" if lib == "torch" else "import torchlite"
        t0 = time.perf_counter()
        subprocess.run([PYTHON, "-c", stmt], check=True, env=env)
        return time.perf_counter() - t0
    out = subprocess.run([PYTHON, __file__, "--child", lib, workload, str(args.threads)],
                         check=True, capture_output=True, text=True, env=env).stdout
    return float(out.split()[-1])


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default=os.path.join(REPO, "build"))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--reps", type=int, default=5)
    args = p.parse_args()
    print(f"| workload | PyTorch 1.13 | torchlite | speed-up |\n|---|---|---|---|")
    for workload, unit, scale in (("linear2", "us/iter", 1e6), ("mlp_epoch", "s/epoch", 1),
                                  ("import", "ms", 1e3)):
        times = {"torch": [], "torchlite": []}
        for rep in range(args.reps):
            for lib in (("torch", "torchlite") if rep % 2 == 0 else ("torchlite", "torch")):
                times[lib].append(run(lib, workload, args))
        t, tl = statistics.median(times["torch"]), statistics.median(times["torchlite"])
        print(f"| {workload} ({unit}) | {t * scale:.3g} | {tl * scale:.3g} | {t / tl:.1f}x |",
              flush=True)


if __name__ == "__main__":
    main()
