#!/usr/bin/env python3
"""Writes tests/fixtures/distributed/{sampler,ddp}.json from PyTorch 1.13 (/usr/bin/python3):
DistributedSampler's indices for a grid of (size, replicas, seed, epoch, drop_last, shuffle), and
the per-step losses of an MLP trained by PyTorch DDP over gloo on 2 processes."""
import json
import os
import sys
import tempfile

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "distributed")


class _Sized:
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n


def sampler_cases():
    cases = []
    for size in [0, 1, 7, 10, 64, 101]:
        for replicas in [1, 2, 3, 4]:
            for seed, epoch in [(0, 0), (0, 3), (42, 1)]:
                for drop_last in [False, True]:
                    for shuffle in [True, False]:
                        if shuffle is False and (seed, epoch) != (0, 0):
                            continue
                        ranks = []
                        for rank in range(replicas):
                            s = DistributedSampler(_Sized(size), num_replicas=replicas, rank=rank,
                                                   shuffle=shuffle, seed=seed, drop_last=drop_last)
                            s.set_epoch(epoch)
                            ranks.append(list(s))
                        cases.append({"size": size, "replicas": replicas, "seed": seed,
                                      "epoch": epoch, "drop_last": drop_last, "shuffle": shuffle,
                                      "indices": ranks})
    return cases


# The DDP run: torchlite's test repeats it (tests/distributed/test_ddp.cpp).
DDP = {"n": 1024, "data_seed": 1, "model_seed": 0, "hidden": 64, "batch": 128, "steps": 50,
       "lr": 0.1, "world": 2}


def make_data():
    g = torch.Generator()
    g.manual_seed(DDP["data_seed"])
    x = torch.rand(DDP["n"], 784, generator=g)
    y = torch.randint(0, 10, (DDP["n"],), generator=g)
    return x, y


def ddp_worker(rank, init_file, out):
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method="file://" + init_file, rank=rank,
                            world_size=DDP["world"])
    torch.manual_seed(DDP["model_seed"])
    net = torch.nn.Sequential(torch.nn.Linear(784, DDP["hidden"]), torch.nn.ReLU(),
                              torch.nn.Linear(DDP["hidden"], 10))
    model = torch.nn.parallel.DistributedDataParallel(net)
    opt = torch.optim.SGD(model.parameters(), lr=DDP["lr"])
    x, y = make_data()
    ds = TensorDataset(x, y)
    sampler = DistributedSampler(ds, num_replicas=DDP["world"], rank=rank, seed=0)
    loader = DataLoader(ds, batch_size=DDP["batch"], sampler=sampler)
    losses, step, epoch = [], 0, 0
    while step < DDP["steps"]:
        sampler.set_epoch(epoch)
        for xb, yb in loader:
            loss = torch.nn.functional.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss))
            step += 1
            if step == DDP["steps"]:
                break
        epoch += 1
    sums = [float(p.double().sum()) for p in net.parameters()]
    out[rank] = {"losses": losses, "param_sums": sums}
    dist.destroy_process_group()


def ddp_case():
    with tempfile.TemporaryDirectory() as d:
        out = mp.Manager().dict()
        mp.spawn(ddp_worker, args=(os.path.join(d, "init"), out), nprocs=DDP["world"])
        return dict(DDP, ranks=[out[r] for r in range(DDP["world"])],
                    torch_version=torch.__version__)


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "sampler.json"), "w") as f:
        json.dump({"torch_version": torch.__version__, "cases": sampler_cases()}, f)
    with open(os.path.join(OUT, "ddp.json"), "w") as f:
        json.dump(ddp_case(), f, indent=1)
    print("wrote", OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
