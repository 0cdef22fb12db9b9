#!/usr/bin/python3
"""Writes the training fixtures (losses, optimizers, schedulers, DataLoader order) from real
PyTorch 1.13. Run with /usr/bin/python3 (the default python3 has no torch):

    /usr/bin/python3 tools/gen_train_fixtures.py tests/fixtures/train

Tensors are {"shape": [...], "dtype": "float32", "data": [...]} with exact values (float32
values are exact as doubles; nan/inf are the strings "nan"/"inf"/"-inf"). Files:
  losses.json      F.* losses/softmax on fixed inputs: output, grad_fn, gradients of
                   (output * grad_output).sum() with respect to input (and float targets)
  optim.json       a small MLP built after torch.manual_seed: initial parameters, data, the
                   DataLoader(shuffle) batches, 25-step loss trajectories for SGD(momentum +
                   weight decay) and Adam; per-variant parameters after 20 full-batch steps
                   from the same init, plus state_dict layout
  schedulers.json  get_last_lr() sequences of StepLR / MultiStepLR / ExponentialLR /
                   CosineAnnealingLR over two parameter groups
  dataloader.json  batch order of DataLoader(shuffle) for several seeds/sizes over two passes,
                   and the default generator's next draws afterwards (its draw count)
  errors.json      error messages PyTorch gives for bad loss arguments
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F
from torch import nn


def tensor(t):
    t = t.detach().contiguous()
    dtype = str(t.dtype).replace("torch.", "")
    # JSON has no nan/inf: those travel as the strings "nan", "inf", "-inf"
    data = [v if not isinstance(v, float) or math.isfinite(v) else str(v)
            for v in t.flatten().tolist()]
    return {"shape": list(t.shape), "dtype": dtype, "data": data}


def grad_of(out, inputs, gout):
    grads = torch.autograd.grad((out * gout).sum(), [i for i in inputs if i.requires_grad],
                                allow_unused=True)
    return [tensor(g) if g is not None else None for g in grads]


def loss_cases():
    cases = []
    g = torch.Generator().manual_seed(1234)

    def randn(*shape, dtype=torch.float32):
        return torch.randn(*shape, generator=g, dtype=dtype)

    def add(fn, name, x, target, kwargs, target_grad=False):
        x = x.clone().requires_grad_(True)
        t = target.clone()
        if target_grad:
            t.requires_grad_(True)
        out = fn(x, t, **kwargs)
        gout = torch.rand(out.shape, generator=g, dtype=out.dtype) + 0.5
        inputs = [x, t] if target_grad else [x]
        grads = grad_of(out, inputs, gout)
        enc = {}
        for k, v in kwargs.items():
            enc[k] = tensor(v) if isinstance(v, torch.Tensor) else v
        cases.append({
            "fn": name, "input": tensor(x), "target": tensor(target), "kwargs": enc,
            "output": tensor(out), "grad_fn": type(out.grad_fn).__name__,
            "grad_output": tensor(gout), "grad_input": grads[0],
            "grad_target": grads[1] if target_grad else None,
        })

    for dtype in (torch.float32, torch.float64):
        x = randn(6, 5, dtype=dtype) * 3
        t = torch.tensor([0, 4, -100, 2, 1, 3])
        w = torch.rand(5, generator=g, dtype=dtype) + 0.2
        for red in ("mean", "sum", "none"):
            for ls in (0.0, 0.1, 0.35):
                add(F.cross_entropy, "cross_entropy", x, t, {"reduction": red, "label_smoothing": ls})
                add(F.cross_entropy, "cross_entropy", x, t,
                    {"weight": w, "reduction": red, "label_smoothing": ls})
            add(F.cross_entropy, "cross_entropy", x, torch.tensor([0, 4, 2, 2, 1, 3]),
                {"ignore_index": 2, "reduction": red})
            add(F.nll_loss, "nll_loss", F.log_softmax(x, 1).detach(), t, {"reduction": red})
            add(F.nll_loss, "nll_loss", x, t, {"weight": w, "reduction": red})
            # class probabilities (target gradient too)
            p = torch.softmax(randn(6, 5, dtype=dtype), 1)
            add(F.cross_entropy, "cross_entropy", x, p, {"reduction": red}, target_grad=True)
            add(F.cross_entropy, "cross_entropy", x, p,
                {"weight": w, "reduction": red, "label_smoothing": 0.2}, target_grad=True)
            # N-d input [N, C, d1, d2] and unbatched [C]
            xn = randn(2, 3, 2, 2, dtype=dtype)
            tn = torch.tensor([[[0, 2], [1, -100]], [[2, 2], [0, 1]]])
            add(F.cross_entropy, "cross_entropy", xn, tn, {"reduction": red})
            add(F.cross_entropy, "cross_entropy", xn, tn,
                {"weight": w[:3], "reduction": red, "label_smoothing": 0.1})
            add(F.cross_entropy, "cross_entropy", randn(4, dtype=dtype), torch.tensor(2),
                {"reduction": red})
            y = randn(4, 3, dtype=dtype)
            add(F.mse_loss, "mse_loss", randn(4, 3, dtype=dtype), y, {"reduction": red},
                target_grad=True)
            add(F.l1_loss, "l1_loss", randn(4, 3, dtype=dtype), y, {"reduction": red},
                target_grad=True)
            z = randn(4, 3, dtype=dtype) * 4
            bt = torch.rand(4, 3, generator=g, dtype=dtype)
            bw = torch.rand(3, generator=g, dtype=dtype) + 0.5
            pw = torch.rand(3, generator=g, dtype=dtype) * 3
            add(F.binary_cross_entropy_with_logits, "binary_cross_entropy_with_logits", z, bt,
                {"reduction": red}, target_grad=True)
            add(F.binary_cross_entropy_with_logits, "binary_cross_entropy_with_logits", z, bt,
                {"weight": bw, "pos_weight": pw, "reduction": red}, target_grad=True)
        # an all-ignored batch: mean is nan (0 / 0)
        add(F.cross_entropy, "cross_entropy", x[:2], torch.tensor([-100, -100]), {})
        for dim in (0, 1, -1):
            s = randn(3, 4, 2, dtype=dtype) * 5
            for fname, f in (("softmax", F.softmax), ("log_softmax", F.log_softmax)):
                xs = s.clone().requires_grad_(True)
                out = f(xs, dim)
                gout = torch.rand(out.shape, generator=g, dtype=dtype) - 0.5
                cases.append({"fn": fname, "input": tensor(xs), "kwargs": {"dim": dim},
                              "output": tensor(out), "grad_fn": type(out.grad_fn).__name__,
                              "grad_output": tensor(gout),
                              "grad_input": grad_of(out, [xs], gout)[0]})
    # dropout masks: bernoulli_(1 - p) draws from the default generator after manual_seed
    for seed, p, shape in ((0, 0.5, (4, 5)), (3, 0.2, (3, 7)), (9, 0.9, (50,))):
        torch.manual_seed(seed)
        xs = torch.ones(shape).requires_grad_(True)
        out = F.dropout(xs, p)
        cases.append({"fn": "dropout", "seed": seed, "kwargs": {"p": p}, "input": tensor(xs),
                      "output": tensor(out), "grad_fn": type(out.grad_fn).__name__})
    return cases


def error_cases():
    out = []

    def expect(desc, fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001 -- we record whatever PyTorch says
            out.append({"case": desc, "message": str(e).split("\n")[0]})
            return
        raise AssertionError(desc + " did not raise")

    x = torch.randn(3, 5)
    expect("target_out_of_bounds", lambda: F.cross_entropy(x, torch.tensor([0, 12, 1])))
    expect("negative_target", lambda: F.cross_entropy(x, torch.tensor([0, -1, 1])))
    expect("batch_mismatch", lambda: F.cross_entropy(x, torch.tensor([0, 1])))
    expect("bad_reduction", lambda: F.cross_entropy(x, torch.tensor([0, 1, 2]), reduction="avg"))
    expect("bad_label_smoothing",
           lambda: F.cross_entropy(x, torch.tensor([0, 1, 2]), label_smoothing=1.5))
    expect("bad_weight", lambda: F.cross_entropy(x, torch.tensor([0, 1, 2]), weight=torch.ones(3)))
    expect("nd_target_shape",
           lambda: F.cross_entropy(torch.randn(2, 3, 4), torch.zeros(2, 5, dtype=torch.long)))
    expect("multi_target",
           lambda: F.nll_loss(x, torch.zeros(3, 2, dtype=torch.long)))
    expect("bce_size", lambda: F.binary_cross_entropy_with_logits(x, torch.rand(3, 4)))
    expect("dropout_p", lambda: F.dropout(x, 1.5))
    expect("int32_target",
           lambda: F.cross_entropy(x, torch.tensor([0, 1, 2], dtype=torch.int32)))
    expect("double_weight", lambda: F.cross_entropy(x, torch.tensor([0, 1, 2]),
                                                    weight=torch.ones(5, dtype=torch.float64)))
    expect("sgd_nesterov", lambda: torch.optim.SGD([nn.Parameter(x)], lr=0.1, nesterov=True))
    expect("sgd_lr", lambda: torch.optim.SGD([nn.Parameter(x)], lr=-0.1))
    expect("adam_beta", lambda: torch.optim.Adam([nn.Parameter(x)], betas=(1.0, 0.999)))
    return out


def make_net(seed):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3))


def problem_data():
    g = torch.Generator().manual_seed(77)
    x = torch.randn(40, 6, generator=g)
    y = torch.randint(0, 3, (40,), generator=g)
    return x, y


def optim_fixtures():
    x, y = problem_data()
    seed = 5
    result = {"seed": seed, "x": tensor(x), "y": tensor(y), "batch_size": 16, "trajectories": [],
              "variants": []}
    init = make_net(seed)
    result["init"] = {k: tensor(v) for k, v in init.state_dict().items()}

    # 25 steps from manual_seed(seed): Sequential construction, then a shuffled DataLoader.
    for name, make_opt in (
            ("sgd", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=1e-3)),
            ("adam", lambda p: torch.optim.Adam(p, lr=0.01))):
        net = make_net(seed)
        opt = make_opt(net.parameters())
        loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y),
                                             batch_size=16, shuffle=True)
        losses, batches = [], []
        while len(losses) < 25:
            for xb, yb in loader:
                if len(losses) == 25:
                    break
                loss = F.cross_entropy(net(xb), yb)
                opt.zero_grad()
                loss.backward()
                opt.step()
                losses.append(loss.item())
                batches.append(yb.tolist())
        result["trajectories"].append({
            "optimizer": name, "losses": losses, "batch_labels": batches,
            "params": {k: tensor(v) for k, v in net.state_dict().items()}})

    variants = [
        ("SGD", {"lr": 0.1}),
        ("SGD", {"lr": 0.05, "momentum": 0.9}),
        ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.01}),
        ("SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.02}),
        ("SGD", {"lr": 0.05, "momentum": 0.5, "maximize": True}),
        ("Adam", {"lr": 0.01}),
        ("Adam", {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.01}),
        ("Adam", {"lr": 0.01, "amsgrad": True}),
        ("Adam", {"lr": 0.01, "maximize": True, "weight_decay": 0.1}),
        ("AdamW", {"lr": 0.01}),
        ("AdamW", {"lr": 0.02, "betas": (0.85, 0.98), "weight_decay": 0.1, "amsgrad": True}),
    ]
    for cls, kwargs in variants:
        net = make_net(seed)
        opt = getattr(torch.optim, cls)(net.parameters(), **kwargs)
        losses = []
        for _ in range(20):
            loss = F.cross_entropy(net(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        sd = opt.state_dict()
        group = sd["param_groups"][0]
        state0 = sd["state"][0]
        kw = {k: (list(v) if isinstance(v, tuple) else v) for k, v in kwargs.items()}
        result["variants"].append({
            "optimizer": cls, "kwargs": kw, "losses": losses,
            "params": {k: tensor(v) for k, v in net.state_dict().items()},
            "group_keys": list(group.keys()),
            "group_values": {k: (list(v) if isinstance(v, tuple) else v)
                             for k, v in group.items()},
            "state_keys": list(state0.keys()),
            "state0": {k: (tensor(v) if isinstance(v, torch.Tensor) else v)
                       for k, v in state0.items()},
        })
    return result


def scheduler_fixtures():
    out = []

    def run(name, make, steps=16):
        p1 = nn.Parameter(torch.zeros(2))
        p2 = nn.Parameter(torch.zeros(2))
        opt = torch.optim.SGD([{"params": [p1], "lr": 0.1}, {"params": [p2], "lr": 0.03}], lr=0.1)
        sched = make(opt)
        lrs = [list(sched.get_last_lr())]
        for _ in range(steps):
            opt.step()
            sched.step()
            lrs.append(list(sched.get_last_lr()))
        out.append({"name": name, "lrs": lrs,
                    "initial_lr": [gr["initial_lr"] for gr in opt.param_groups]})

    sch = torch.optim.lr_scheduler
    run("StepLR(step_size=3, gamma=0.5)", lambda o: sch.StepLR(o, 3, 0.5))
    run("MultiStepLR([2, 5, 5, 9], gamma=0.3)", lambda o: sch.MultiStepLR(o, [2, 5, 5, 9], 0.3))
    run("ExponentialLR(gamma=0.9)", lambda o: sch.ExponentialLR(o, 0.9))
    run("CosineAnnealingLR(T_max=5, eta_min=0.001)",
        lambda o: sch.CosineAnnealingLR(o, 5, 0.001))
    run("CosineAnnealingLR(T_max=4)", lambda o: sch.CosineAnnealingLR(o, 4))
    return out


def dataloader_fixtures():
    out = []
    for seed, n, bs, shuffle, drop_last, own_gen in (
            (0, 10, 3, True, False, False), (1, 17, 4, True, True, False),
            (123, 100, 32, True, False, False), (7, 5, 8, True, False, False),
            (2024, 1000, 256, True, False, False), (3, 9, 2, False, False, False),
            (11, 12, 5, True, False, True), (13, 12, 4, True, False, True),
            (17, 11, 4, True, True, True)):
        torch.manual_seed(seed)
        ds = torch.utils.data.TensorDataset(torch.arange(n), torch.arange(n) * 10)
        kwargs = {"batch_size": bs, "shuffle": shuffle, "drop_last": drop_last}
        if own_gen:
            kwargs["generator"] = torch.Generator().manual_seed(seed + 1000)
        loader = torch.utils.data.DataLoader(ds, **kwargs)
        passes = [[xb.tolist() for xb, _ in loader] for _ in range(2)]
        probe = torch.randint(0, 2 ** 31 - 1, (4,)).tolist()
        out.append({"seed": seed, "n": n, "batch_size": bs, "shuffle": shuffle,
                    "drop_last": drop_last, "generator_seed": seed + 1000 if own_gen else None,
                    "len": len(loader), "passes": passes, "probe": probe})
    return out


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/train"
    os.makedirs(outdir, exist_ok=True)
    files = {"losses.json": loss_cases(), "errors.json": error_cases(),
             "optim.json": optim_fixtures(), "schedulers.json": scheduler_fixtures(),
             "dataloader.json": dataloader_fixtures()}
    for name, data in files.items():
        with open(os.path.join(outdir, name), "w") as f:
            json.dump({"torch_version": torch.__version__, "cases": data}, f, allow_nan=False)
            f.write("\n")


if __name__ == "__main__":
    main()
