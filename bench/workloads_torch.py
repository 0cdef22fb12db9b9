#!/usr/bin/python3
"""PyTorch twin of bench/workloads.cpp: the same workloads, printing `RESULT <key> <value>`.

Run with /usr/bin/python3 (Debian's python3-torch 1.13; python3-torchvision 0.14 for the ResNet
workloads). The Fashion-MNIST IDX files are read with gzip + numpy and served by the idiomatic
TensorDataset + DataLoader (what torchvision's dataset would give, minus its per-image PIL work).
"""
import gzip
import os
import resource
import sys
import time


def result(key, value):
    print(f"RESULT {key} {value:.17g}", flush=True)


def parse(argv):
    args = {}
    for i in range(0, len(argv) - 1, 2):
        args[argv[i].lstrip("-")] = argv[i + 1]
    return args


def read_idx(path):
    import numpy as np
    import torch
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)
    return torch.from_numpy(data.copy())


def fashion_mnist(root, train=True):
    """(images float32 [N, 1, 28, 28] in [0, 1], labels int64 [N]) of the training (or test) set,
    as ToTensor() gives."""
    def find(stem):
        for name in (stem + ".gz", stem):
            for sub in ("", "FashionMNIST/raw"):
                p = os.path.join(root, sub, name)
                if os.path.exists(p):
                    return p
        raise FileNotFoundError(stem)
    prefix = "train" if train else "t10k"
    x = read_idx(find(prefix + "-images-idx3-ubyte")).unsqueeze(1).float().div_(255)
    y = read_idx(find(prefix + "-labels-idx1-ubyte")).long()
    return x, y


def train(args, hidden):
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset
    epochs, cap = int(args.get("epochs", 1)), int(args.get("batches", 0))
    warmup = int(args.get("warmup", 20))
    first_batch = int(args.get("first-batch", 0)) != 0
    root = args.get("data", os.environ.get("TORCHLITE_DATA", "/usr/share/datasets/fashion-mnist"))
    x_all, y_all = fashion_mnist(root)
    torch.manual_seed(0)
    if hidden == 0:
        net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    else:
        net = nn.Sequential(nn.Flatten(), nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, 10))
    for m in net.modules():
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0.0, 0.01)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    loss_fn = nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(x_all, y_all), batch_size=256, shuffle=True)
    loss_sum = 0.0

    def step(x, y):
        nonlocal loss_sum
        loss = loss_fn(net(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        loss_sum += loss.item()

    if first_batch:
        for x, y in loader:
            step(x, y)
            break
        result("first_batch_unix", time.time())
        return
    for done, (x, y) in enumerate(loader):
        if done >= warmup:
            break
        step(x, y)
    # Timed epochs, split into phases as in workloads.cpp.
    clock = time.perf_counter
    for _ in range(epochs):
        phase = [0.0, 0.0, 0.0, 0.0]
        t0 = t = clock()
        n = 0
        it = iter(loader)
        while cap == 0 or n < cap:
            try:
                x, y = next(it)
            except StopIteration:
                break
            now = clock(); phase[0] += now - t; t = now
            loss = loss_fn(net(x), y)
            now = clock(); phase[1] += now - t; t = now
            opt.zero_grad(set_to_none=True)
            loss.backward()
            now = clock(); phase[2] += now - t; t = now
            opt.step()
            loss_sum += loss.item()
            now = clock(); phase[3] += now - t; t = now
            n += 1
        result("epoch_s", clock() - t0)
        result("batches", n)
        for key, value in zip(("data_s", "forward_s", "backward_s", "step_s"), phase):
            result(key, value)
    result("loss_sum", loss_sum)


def time_calls(args, key, default_iters, fn):
    iters, blocks = int(args.get("iters", default_iters)), int(args.get("blocks", 5))
    for _ in range(max(1, iters // 10)):
        fn()
    for _ in range(blocks):
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        result(key, (time.perf_counter() - t0) / iters)


def linear_small(args):
    import torch
    torch.manual_seed(0)
    lin = torch.nn.Linear(2, 2)
    x = torch.randn(1, 2)

    def fwd_bwd():
        lin.zero_grad(set_to_none=True)
        lin(x).sum().backward()
    phase = args.get("phase", "both")
    if phase != "nograd":
        time_calls(args, "fwd_bwd_s", 20000, fwd_bwd)
    if phase != "fwd_bwd":
        with torch.no_grad():
            time_calls(args, "fwd_nograd_s", 50000, lambda: lin(x))


def linear_mnist(args):
    import torch
    torch.manual_seed(0)
    lin = torch.nn.Linear(784, 256)
    x = torch.randn(256, 784)

    def fwd_bwd():
        lin.zero_grad(set_to_none=True)
        lin(x).sum().backward()
    time_calls(args, "fwd_bwd_s", 200, fwd_bwd)


def sgemm(args):
    import torch
    n = int(args.get("n", 1024))
    iters, blocks = int(args.get("iters", 10)), int(args.get("blocks", 5))
    torch.manual_seed(0)
    a, b = torch.randn(n, n), torch.randn(n, n)
    torch.mm(a, b)
    for _ in range(blocks):
        t0 = time.perf_counter()
        for _ in range(iters):
            torch.mm(a, b)
        s = (time.perf_counter() - t0) / iters
        result("gflops", 2.0 * n * n * n / s / 1e9)


def load_checkpoint(args):
    import torch
    path, touch = args["file"], int(args.get("touch", 0)) != 0
    t0 = time.perf_counter()
    sd = torch.load(path)
    total = 0.0
    if touch:
        for t in sd.values():
            total += t.sum().item()
    result("load_s", time.perf_counter() - t0)
    result("tensors", len(sd))
    result("checksum", total)


def cpu_seconds():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def resnet_infer(args):
    """W15/W17: torchvision's ResNet-18 (seed 0) in eval mode under no_grad."""
    import torch
    import torchvision
    batch, size = int(args.get("batch", 1)), int(args.get("size", 224))
    torch.manual_seed(0)
    model = torchvision.models.resnet18().eval()
    x = torch.randn(batch, 3, size, size)
    iters = int(args.get("iters", 20 if batch == 1 else 3))
    blocks = int(args.get("blocks", 5))
    with torch.no_grad():
        for _ in range(max(1, iters // 5)):
            model(x)
        for _ in range(blocks):
            t0, c0 = time.perf_counter(), cpu_seconds()
            for _ in range(iters):
                model(x)
            s = (time.perf_counter() - t0) / iters
            result("infer_s", s)
            result("images_per_s", batch / s)
            result("cpu_s", (cpu_seconds() - c0) / iters)


def resnet_train(args):
    """W16/W17: ResNet-18 training steps, SGD lr 0.1 momentum 0.9, random labels."""
    import torch
    import torchvision
    batch, size = int(args.get("batch", 32)), int(args.get("size", 64))
    torch.manual_seed(0)
    model = torchvision.models.resnet18().train()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x = torch.randn(batch, 3, size, size)
    y = torch.randint(0, 1000, (batch,))

    phases = [0.0, 0.0, 0.0]  # forward (with the loss), backward(), optimizer (with zero_grad)

    def step():
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(model(x), y)
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        opt.step()
        t3 = time.perf_counter()
        for i, d in enumerate((t1 - t0, t2 - t1, t3 - t2)):
            phases[i] += d
    iters, blocks = int(args.get("iters", 3)), int(args.get("blocks", 5))
    step()
    for _ in range(blocks):
        phases[:] = [0.0, 0.0, 0.0]
        t0, c0 = time.perf_counter(), cpu_seconds()
        for _ in range(iters):
            step()
        result("step_s", (time.perf_counter() - t0) / iters)
        result("cpu_s", (cpu_seconds() - c0) / iters)
        for key, value in zip(("forward_s", "backward_s", "optimizer_s"), phases):
            result(key, value / iters)


def make_checkpoint(args):
    """Writes ckpt.pt (torch.save) and ckpt.safetensors (written by hand: the safetensors package
    is not installed) of one state dict of --mb MiB (float32 [1024, 1024] tensors) into --dir."""
    import json
    import torch
    out, mib = args["dir"], int(args.get("mb", 1024))
    count = max(1, mib // 4)
    torch.manual_seed(0)
    sd = {f"layers.{i}.weight": torch.randn(1024, 1024) for i in range(count)}
    torch.save(sd, os.path.join(out, "ckpt.pt"))
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, t in sd.items():
        header[name] = {"dtype": "F32", "shape": list(t.shape),
                        "data_offsets": [offset, offset + t.numel() * 4]}
        offset += t.numel() * 4
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(os.path.join(out, "ckpt.safetensors"), "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        for t in sd.values():
            f.write(t.numpy().tobytes())
    result("tensors", count)


CHAR_CONFIGS = {
    "char-lstm": {"model": "char-lstm", "vocab_size": 96, "context": 64, "d_model": 64,
                  "hidden": 256, "layers": 2, "heads": 4},
    "char-gpt": {"model": "char-gpt", "vocab_size": 96, "context": 128, "d_model": 256,
                 "hidden": 1024, "layers": 4, "heads": 4},
}


def char_train(args, model):
    """W12/W13: seconds per training step of bench/char_lm_torch.py's loop (forward, cross
    entropy, backward, clip_grad_norm_, Adam) on random token windows."""
    import torch
    import torch.nn.functional as F
    import char_lm_torch as lm
    c = CHAR_CONFIGS[model]
    torch.manual_seed(0)
    net = lm.make_model(c)
    opt = torch.optim.Adam(net.parameters(), lr=0.003)
    batch = int(args.get("batch", 32))
    x = torch.randint(0, c["vocab_size"], (batch, c["context"]))
    y = torch.randint(0, c["vocab_size"], (batch, c["context"]))

    def step():
        logits = lm.logits_of(net, x)
        loss = F.cross_entropy(logits.reshape(-1, c["vocab_size"]), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
    time_calls(args, "step_s", 5, step)


def char_generate(args, model):
    """W14: seconds per greedy token after an 8-token prompt (LSTM state carried, GPT window
    re-run), in eval mode under no_grad."""
    import torch
    import char_lm_torch as lm
    c = CHAR_CONFIGS[model]
    torch.manual_seed(0)
    net = lm.make_model(c).eval()
    tokens = int(args.get("tokens", 200))

    @torch.no_grad()
    def generate(n):
        ids, state = list(range(1, 9)), None
        x = torch.tensor([ids])
        for _ in range(n):
            if model == "char-lstm":
                logits, state = net(x, state)
            else:
                logits = net(torch.tensor([ids[-c["context"]:]]))
            ids.append(int(logits[0, -1].argmax()))
            x = torch.tensor([[ids[-1]]])
    generate(10)
    for _ in range(int(args.get("blocks", 5))):
        t0 = time.perf_counter()
        generate(tokens)
        result("token_s", (time.perf_counter() - t0) / tokens)


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: workloads_torch.py softmax|mlp|linear2|linear784|sgemm|load|"
                 "resnet-infer|resnet-train|make-checkpoint|char-{lstm,gpt}-{train,gen} "
                 "[--key value ...]")
    cmd, args = sys.argv[1], parse(sys.argv[2:])
    import torch
    threads = int(args.get("threads", 0))
    if threads > 0:
        torch.set_num_threads(threads)
    work = {
        "softmax": lambda: train(args, 0),
        "mlp": lambda: train(args, int(args.get("hidden", 256))),
        "linear2": lambda: linear_small(args),
        "linear784": lambda: linear_mnist(args),
        "sgemm": lambda: sgemm(args),
        "load": lambda: load_checkpoint(args),
        "make-checkpoint": lambda: make_checkpoint(args),
        "char-lstm-train": lambda: char_train(args, "char-lstm"),
        "char-gpt-train": lambda: char_train(args, "char-gpt"),
        "char-lstm-gen": lambda: char_generate(args, "char-lstm"),
        "char-gpt-gen": lambda: char_generate(args, "char-gpt"),

        "resnet-infer": lambda: resnet_infer(args),
        "resnet-train": lambda: resnet_train(args),
    }
    if cmd not in work:
        sys.exit(f"unknown workload: {cmd}")
    work[cmd]()


if __name__ == "__main__":
    main()
