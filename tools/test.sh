#!/usr/bin/env bash
# The whole test suite: install and build (tools/install.sh), fuzz the checkpoint readers for a
# bounded time, then every GoogleTest case under CTest (its summary is the last thing printed).
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/install.sh
if [ -x tools/run_fuzzers.sh ]; then
  FUZZ_SECONDS="${FUZZ_SECONDS:-40}" ./tools/run_fuzzers.sh
fi
cd build
ctest --output-on-failure -j"$(nproc)"
