// Strided N-d iteration shared by the elementwise kernels: an odometer over all dims but the
// last, and a call per innermost row with per-operand pointers and strides (in bytes).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "torchlite/tensor.h"

namespace torchlite::detail {

/// Strides (in bytes) of `t` viewed with `shape`, 0 on broadcast dims (t must broadcast to shape).
IntVector broadcast_byte_strides(const Tensor& t, const Sizes& shape);

/// For every innermost row of `shape`: row(ptrs, inner_strides, n). ptrs start at `base`.
template <size_t N, class F>
void for_each_row(const Sizes& shape, std::array<char*, N> base,
                  const std::array<IntVector, N>& strides, F&& row) {
  const int64_t nd = static_cast<int64_t>(shape.size());
  if (nd == 0) {
    std::array<int64_t, N> zero{};
    row(base, zero, int64_t{1});
    return;
  }
  for (int64_t s : shape)
    if (s == 0) return;
  const int64_t inner = shape[nd - 1];
  std::array<int64_t, N> inner_strides;
  for (size_t k = 0; k < N; ++k) inner_strides[k] = strides[k][nd - 1];
  IntVector idx(nd, 0);
  std::array<char*, N> ptrs = base;
  while (true) {
    row(ptrs, inner_strides, inner);
    int64_t d = nd - 2;
    for (; d >= 0; --d) {
      if (++idx[d] < shape[d]) {
        for (size_t k = 0; k < N; ++k) ptrs[k] += strides[k][d];
        break;
      }
      for (size_t k = 0; k < N; ++k) ptrs[k] -= strides[k][d] * (shape[d] - 1);
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

}  // namespace torchlite::detail
