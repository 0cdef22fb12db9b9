#!/usr/bin/env python3
"""PyTorch DDP (gloo) twin of bench/ddp_epoch.cpp: the d2l MLP on Fashion-MNIST, N processes x 1
thread, DistributedSampler, global batch split over them; prints the best epoch's seconds as JSON.
Run with /usr/bin/python3: ddp_torch.py [processes] [epochs] [global batch] [data dir]"""
import gzip
import json
import os
import sys
import tempfile
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler


def load(root):
    with gzip.open(os.path.join(root, "train-images-idx3-ubyte.gz")) as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(os.path.join(root, "train-labels-idx1-ubyte.gz")) as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)
    return torch.tensor(x, dtype=torch.float32) / 255, torch.tensor(y, dtype=torch.int64)


def worker(rank, world, epochs, batch, root, init_file, out):
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method="file://" + init_file, rank=rank,
                            world_size=world)
    x, y = load(root)
    ds = TensorDataset(x, y)
    sampler = DistributedSampler(ds, num_replicas=world, rank=rank)
    loader = DataLoader(ds, batch_size=batch // world, sampler=sampler)
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 256), torch.nn.ReLU(),
                              torch.nn.Linear(256, 10))
    for m in net:
        if isinstance(m, torch.nn.Linear):
            torch.nn.init.normal_(m.weight, 0, 0.01)
    model = torch.nn.parallel.DistributedDataParallel(net)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    best = float("inf")
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        dist.barrier()
        t0 = time.perf_counter()
        for xb, yb in loader:
            loss = torch.nn.functional.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        best = min(best, time.perf_counter() - t0)
    if rank == 0:
        out["epoch_s"] = best
    dist.destroy_process_group()


def main():
    world = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    batch = int(sys.argv[3]) if len(sys.argv) > 3 else 256
    root = sys.argv[4] if len(sys.argv) > 4 else os.environ.get(
        "TORCHLITE_DATA", "/usr/share/datasets/fashion-mnist")
    with tempfile.TemporaryDirectory() as d:
        out = mp.Manager().dict()
        mp.spawn(worker, args=(world, epochs, batch, root, os.path.join(d, "init"), out),
                 nprocs=world)
        print(json.dumps({"processes": world, "threads": 1, "global_batch": batch,
                          "epoch_s": round(out["epoch_s"], 3), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
