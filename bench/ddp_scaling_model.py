#!/usr/bin/env python3
"""The scaling model of docs/distributed.md: predicted DDP speedup (weak scaling: a fixed batch
per process) for p = 2..1024 processes on 10/25/100 Gbit/s, for the MLP and ResNet-18.

step(p) = compute + exposed communication, where the buckets' ring allreduces cost
  t(bytes) = 2(p-1) alpha + 2(p-1)/p * bytes / bandwidth
and run while backward goes on: everything but what is still running when backward ends hides,
  exposed = max(t(last bucket), t(all buckets) - backward_after_first_bucket).
speedup(p) = p * compute / step(p)."""
import sys

ALPHA = 10e-6  # seconds per message over TCP/Ethernet (MPI's ring: 2(p-1) messages)

MODELS = {
    # MLP 784-256-10 (203,530 float32 parameters, one 0.81 MB bucket: nothing to overlap);
    # compute: torchlite, batch 256 on one thread (bench/ddp_epoch, 1 process).
    "MLP (batch 256/process)": {"buckets_mb": [0.814], "compute_s": 3.75e-3,
                                "backward_share": 0.37},
    # ResNet-18 (11.7 M parameters, 46.8 MB: buckets of 1 MiB (fc) then 25 MB, in reverse
    # registration order); compute: 32 images of 224x224 at ~5.5 GFLOP each (forward+backward)
    # on one 16-core node at ~0.5 TFLOP/s.
    "ResNet-18 (batch 32/process)": {"buckets_mb": [2.05, 25.0, 19.75], "compute_s": 0.35,
                                     "backward_share": 0.67},
}


def allreduce_s(p, mb, gbit):
    return 2 * (p - 1) * ALPHA + 2 * (p - 1) / p * mb * 1e6 / (gbit * 1e9 / 8)


def speedup(model, p, gbit):
    m = MODELS[model]
    total = sum(allreduce_s(p, b, gbit) for b in m["buckets_mb"])
    last = allreduce_s(p, m["buckets_mb"][-1], gbit)
    backward = m["backward_share"] * m["compute_s"]
    # the first bucket is ready once backward has gone through the last layers (~5 %)
    hidden_room = 0.95 * backward if len(m["buckets_mb"]) > 1 else 0.0
    exposed = max(last, total - hidden_room)
    return p * m["compute_s"] / (m["compute_s"] + exposed)


def main():
    procs = [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
    out = sys.stdout
    for model in MODELS:
        out.write(f"\n{model}: predicted speedup over one process (efficiency)\n\n")
        out.write("| processes | " + " | ".join(f"{g} Gbit/s" for g in (10, 25, 100)) + " |\n")
        out.write("|---:|---:|---:|---:|\n")
        for p in procs:
            cells = [f"{speedup(model, p, g):.1f} ({speedup(model, p, g) / p:.0%})"
                     for g in (10, 25, 100)]
            out.write(f"| {p} | " + " | ".join(cells) + " |\n")


if __name__ == "__main__":
    main()
