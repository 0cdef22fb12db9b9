#!/usr/bin/env bash
# Builds torchlite with the OpenBLAS-only GEMM backend (-DTORCHLITE_WITH_ONEDNN=OFF) and runs the
# tests that exercise the kernels (GEMM, fast paths, ops against PyTorch, init), so that every
# backend the CMake options allow stays green, not only the default one.
set -euo pipefail
source=$1 build=$2
work="$build/backend-openblas"
# -O1 rather than Release's -O3: these tests check values, not speed, and the build is most of
# this test's time (CI builds the library three times). The values do not change with the level,
# since the library is built with -ffp-contract=off and never reassociates.
cmake -S "$source" -B "$work" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" \
  -DTORCHLITE_WITH_ONEDNN=OFF \
  -DTORCHLITE_BUILD_EXAMPLES=OFF -DTORCHLITE_BUILD_CLI=OFF -DTORCHLITE_BUILD_BENCH=OFF >/dev/null
tests=(core_test_gemm core_test_tensor core_test_ops_vs_torch core_test_autograd nn_test_init)
cmake --build "$work" --target "${tests[@]}" -j2 >/dev/null
for t in "${tests[@]}"; do
  "$work/tests/$t" --gtest_brief=1
done
info=$("$work/tests/core_test_gemm" --gtest_filter=Gemm.NamesItsLibraries | grep '^gemm_info: ')
case "$info" in
  *"float32 GEMM: OpenBLAS"*) echo "OpenBLAS-only backend ok (${info#gemm_info: })" ;;
  *) echo "the OpenBLAS-only build runs another GEMM: $info"; exit 1 ;;
esac
