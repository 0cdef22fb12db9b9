#!/usr/bin/env bash
# torchlite DDP (MPI) vs PyTorch 1.13 DDP (gloo): an MLP epoch on Fashion-MNIST with the same
# global batch on 1, 2 and 4 processes (4 oversubscribe a 2-core machine), one thread each.
# Needs build/ configured with -DTORCHLITE_BUILD_BENCH=ON (target ddp_epoch).
# Usage: bench/ddp_compare.sh [build dir] [epochs]
set -euo pipefail
build=${1:-build} epochs=${2:-3}
cd "$(dirname "$0")/.."
for np in 1 2 4; do
  echo "== $np process(es)"
  mpirun --oversubscribe --allow-run-as-root --bind-to none -np "$np" \
    "$build/bench/ddp_epoch" "${TORCHLITE_DATA:-/usr/share/datasets/fashion-mnist}" "$epochs" 256 1
  /usr/bin/python3 bench/ddp_torch.py "$np" "$epochs" 256
done
