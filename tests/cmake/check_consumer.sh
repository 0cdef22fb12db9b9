#!/usr/bin/env bash
# Builds tests/cmake/consumer against torchlite (mode: install | subdirectory) and checks that it
# prints PyTorch's text for Linear(2, 2) after manual_seed(0).
set -euo pipefail
mode=$1 source=$2 build=$3
work="$build/consumer-$mode"
rm -rf "$work"
mkdir -p "$work"
if [ "$mode" = install ]; then
  cmake --install "$build" --prefix "$work/prefix" >/dev/null
  cmake -S "$source/tests/cmake/consumer" -B "$work/b" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
else
  # Unoptimised: this checks that the build and its text work, and -O0 compiles the library in
  # about half the time (CI builds it three times); the values are the same, since the library
  # is built with -ffp-contract=off and never reassociates.
  cmake -S "$source/tests/cmake/consumer" -B "$work/b" -DTORCHLITE_SOURCE="$source" \
    -DCMAKE_BUILD_TYPE=Debug -DTORCHLITE_WITH_DISTRIBUTED=OFF >/dev/null
fi
cmake --build "$work/b" --target consumer -j2 >/dev/null
expected="OrderedDict([('weight', tensor([[-0.0053,  0.3793],
        [-0.5820, -0.5204]])), ('bias', tensor([-0.2723,  0.1896]))])"
actual=$("$work/b/consumer")
if [ "$actual" != "$expected" ]; then
  echo "consumer ($mode) printed:"; echo "$actual"; exit 1
fi
echo "consumer ($mode) ok"
