// Reduction kernels, instantiated for the arithmetic dtypes.
#include "kernels/reduce.h"

#include <array>
#include <cmath>

namespace torchlite::kernels {

template <class T>
SumAcc<T> sum_contiguous(const T* p, int64_t n) {
  SumAcc<T> s = 0;
  int64_t i = 0;
  if constexpr (std::is_floating_point_v<T>) {
    constexpr int64_t kLanes = 16, kBlock = 1024;
    for (; i + kBlock <= n; i += kBlock) {
      T lanes[kLanes] = {};
      for (int64_t j = 0; j < kBlock; j += kLanes)
        for (int64_t l = 0; l < kLanes; ++l) lanes[l] += p[i + j + l];
      for (int64_t l = 0; l < kLanes; ++l) s += static_cast<SumAcc<T>>(lanes[l]);
    }
  }
  for (; i < n; ++i) s += static_cast<SumAcc<T>>(p[i]);
  return s;
}

template <class T>
void sum_into(const View& acc, const View& x) {
  using A = SumAcc<T>;
  if (x.contiguous && acc.numel == 1) {
    const T* p = reinterpret_cast<const T*>(x.data);
    A s = 0;
    for (int64_t i = 0; i < x.numel; ++i) s += static_cast<A>(p[i]);
    *reinterpret_cast<A*>(acc.data) = s;
    return;
  }
  const std::span<const int64_t> shape = x.sizes;
  std::array<IntVector, 2> st{broadcast_byte_strides(acc, shape), broadcast_byte_strides(x, shape)};
  for_each_row<2>(shape, {acc.data, x.data}, st,
                  [](std::array<char*, 2> p, std::array<int64_t, 2> s, int64_t n) {
                    if (s[0] == 0) {
                      A v = 0;
                      for (int64_t i = 0; i < n; ++i)
                        v += static_cast<A>(*reinterpret_cast<const T*>(p[1] + i * s[1]));
                      *reinterpret_cast<A*>(p[0]) += v;
                    } else {
                      for (int64_t i = 0; i < n; ++i)
                        *reinterpret_cast<A*>(p[0] + i * s[0]) +=
                            static_cast<A>(*reinterpret_cast<const T*>(p[1] + i * s[1]));
                    }
                  });
}

template <class T>
void column_sums(const View& out, const View& g) {
  const int64_t rows = g.sizes[0], cols = g.sizes[1];
  const int64_t rs = g.strides[0], cs = g.strides[1];
  const T* p = reinterpret_cast<const T*>(g.data);
  T* o = reinterpret_cast<T*>(out.data);
  if (rows == 1) {  // a batch of one (per-call overhead matters there): 0 + g, as sum(0) adds
    for (int64_t c = 0; c < cols; ++c) o[c] = T(0) + p[c * cs];
    return;
  }
  for (int64_t c = 0; c < cols; ++c) o[c] = T(0);
  if (cs == 1) {
    // Unit-stride rows: the inner loop vectorises.
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) o[c] += p[r * rs + c];
    return;
  }
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) o[c] += p[r * rs + c * cs];
}

template <class T>
void extreme_rows(T* values, int64_t* indices, const T* x, int64_t rows, int64_t n, bool is_max) {
  for (int64_t r = 0; r < rows; ++r) {
    const T* row = x + r * n;
    int64_t best = 0;
    for (int64_t i = 1; i < n; ++i) {
      if constexpr (std::is_floating_point_v<T>) {
        if (std::isnan(row[best])) break;
        if (std::isnan(row[i])) {
          best = i;
          break;
        }
      }
      if (is_max ? row[i] > row[best] : row[i] < row[best]) best = i;
    }
    values[r] = row[best];
    indices[r] = best;
  }
}

#define TL_INSTANTIATE(T)                                  \
  template SumAcc<T> sum_contiguous<T>(const T*, int64_t); \
  template void sum_into<T>(const View&, const View&);     \
  template void extreme_rows<T>(T*, int64_t*, const T*, int64_t, int64_t, bool);
TL_INSTANTIATE(float)
TL_INSTANTIATE(double)
TL_INSTANTIATE(int64_t)
TL_INSTANTIATE(int32_t)
TL_INSTANTIATE(int16_t)
TL_INSTANTIATE(int8_t)
TL_INSTANTIATE(uint8_t)
TL_INSTANTIATE(bool)
#undef TL_INSTANTIATE
template void column_sums<float>(const View&, const View&);
template void column_sums<double>(const View&, const View&);

}  // namespace torchlite::kernels
