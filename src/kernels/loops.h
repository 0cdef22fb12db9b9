// What every kernel shares: a tensor as a plain strided view, the N-d odometer over innermost
// rows, and the grain below which a loop stays on one thread.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "core/parallel.h"
#include "torchlite/dtype.h"
#include "torchlite/int_vector.h"

namespace torchlite::kernels {

/// Below this many elements a loop stays on one thread: memory-bound loops gain little from a
/// second core, and waking it costs more than a small loop.
constexpr int64_t kGrain = int64_t{1} << 20;

/// body(i) for every i in [0, n): on torchlite's threads, in chunks of at least kGrain, when n is
/// above kGrain; in order on the calling thread otherwise.
template <class F>
void parallel_loop(int64_t n, F&& body) {
  if (n <= kGrain) {
    for (int64_t i = 0; i < n; ++i) body(i);
    return;
  }
  detail::parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) body(i);
  });
}

/// A tensor as kernels see it: where element [0, ..., 0] is, its dtype, sizes and strides (in
/// elements). No ownership, no autograd; sizes and strides point into the tensor's metadata.
struct View {
  char* data = nullptr;
  Dtype dtype = kFloat32;
  std::span<const int64_t> sizes;
  std::span<const int64_t> strides;
  int64_t numel = 0;
  bool contiguous = true;
};

/// Strides (in bytes) of `v` viewed with `shape`, 0 on broadcast dims (v must broadcast to shape).
inline IntVector broadcast_byte_strides(const View& v, std::span<const int64_t> shape) {
  const int64_t nd = static_cast<int64_t>(shape.size());
  const int64_t vd = static_cast<int64_t>(v.sizes.size());
  const int64_t es = static_cast<int64_t>(element_size(v.dtype));
  IntVector out(nd, 0);
  for (int64_t i = 0; i < vd; ++i) {
    int64_t d = nd - vd + i;
    out[d] = v.sizes[i] == 1 && shape[d] != 1 ? 0 : v.strides[i] * es;
  }
  return out;
}

/// For every innermost row of `shape`: row(ptrs, inner_strides, n). ptrs start at `base`;
/// strides are in bytes, one list per operand over all dims of `shape`.
template <size_t N, class F>
void for_each_row(std::span<const int64_t> shape, std::array<char*, N> base,
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

}  // namespace torchlite::kernels
