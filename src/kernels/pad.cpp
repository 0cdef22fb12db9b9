// Padding kernels: a recursion over the padded dims, each level following its index map.
#include "kernels/pad.h"

#include <algorithm>

#include "kernels/loops.h"

namespace torchlite::kernels {
namespace {

/// Element strides of a contiguous block of `sizes`.
std::vector<int64_t> block_strides(const std::vector<int64_t>& sizes) {
  std::vector<int64_t> s(sizes.size() + 1, 1);
  for (size_t d = sizes.size(); d-- > 0;) s[d] = s[d + 1] * sizes[d];
  return s;
}

struct Plan {
  const std::vector<PadMap>& maps;
  std::vector<int64_t> in_strides, out_strides;  // one more entry: the whole block
};

template <class T>
void forward_rec(const Plan& p, size_t d, const T* in, T* out, T value) {
  const PadMap& map = p.maps[d];
  const int64_t n = static_cast<int64_t>(map.size());
  if (d + 1 == p.maps.size()) {
    for (int64_t i = 0; i < n; ++i) out[i] = map[i] < 0 ? value : in[map[i]];
    return;
  }
  const int64_t os = p.out_strides[d + 1], is = p.in_strides[d + 1];
  for (int64_t i = 0; i < n; ++i) {
    if (map[i] < 0)
      std::fill_n(out + i * os, os, value);
    else
      forward_rec(p, d + 1, in + map[i] * is, out + i * os, value);
  }
}

template <class T>
void backward_rec(const Plan& p, size_t d, const T* gout, T* gin) {
  const PadMap& map = p.maps[d];
  const int64_t n = static_cast<int64_t>(map.size());
  if (d + 1 == p.maps.size()) {
    for (int64_t i = 0; i < n; ++i)
      if (map[i] >= 0) gin[map[i]] += gout[i];
    return;
  }
  const int64_t os = p.out_strides[d + 1], is = p.in_strides[d + 1];
  for (int64_t i = 0; i < n; ++i)
    if (map[i] >= 0) backward_rec(p, d + 1, gout + i * os, gin + map[i] * is);
}

/// body(o0, o1) over the outer blocks, threaded when the output is large.
template <class F>
void for_outer(int64_t outer, int64_t block, F&& body) {
  if (outer * block <= kGrain || outer < 2) {
    body(0, outer);
    return;
  }
  const int64_t grain = std::max<int64_t>(1, kGrain / std::max<int64_t>(block, 1));
  detail::parallel_for(0, outer, grain, body);
}

}  // namespace

template <class T>
void pad_forward(const T* in, T* out, int64_t outer, const std::vector<int64_t>& in_sizes,
                 const std::vector<PadMap>& maps, T value) {
  std::vector<int64_t> out_sizes;
  for (const PadMap& m : maps) out_sizes.push_back(static_cast<int64_t>(m.size()));
  const Plan p{maps, block_strides(in_sizes), block_strides(out_sizes)};
  const int64_t ib = p.in_strides[0], ob = p.out_strides[0];
  if (ob == 0) return;
  for_outer(outer, ob, [&](int64_t o0, int64_t o1) {
    for (int64_t o = o0; o < o1; ++o) forward_rec(p, 0, in + o * ib, out + o * ob, value);
  });
}

template <class T>
void pad_backward(const T* gout, T* gin, int64_t outer, const std::vector<int64_t>& in_sizes,
                  const std::vector<PadMap>& maps) {
  std::vector<int64_t> out_sizes;
  for (const PadMap& m : maps) out_sizes.push_back(static_cast<int64_t>(m.size()));
  const Plan p{maps, block_strides(in_sizes), block_strides(out_sizes)};
  const int64_t ib = p.in_strides[0], ob = p.out_strides[0];
  std::fill_n(gin, outer * ib, T(0));
  if (ob == 0) return;
  for_outer(outer, ob, [&](int64_t o0, int64_t o1) {
    for (int64_t o = o0; o < o1; ++o) backward_rec(p, 0, gout + o * ob, gin + o * ib);
  });
}

#define TL_PAD_INSTANTIATE(T)                                                       \
  template void pad_forward<T>(const T*, T*, int64_t, const std::vector<int64_t>&,  \
                               const std::vector<PadMap>&, T);                      \
  template void pad_backward<T>(const T*, T*, int64_t, const std::vector<int64_t>&, \
                                const std::vector<PadMap>&);
TL_PAD_INSTANTIATE(float)
TL_PAD_INSTANTIATE(double)
TL_PAD_INSTANTIATE(int64_t)
TL_PAD_INSTANTIATE(int32_t)
TL_PAD_INSTANTIATE(int16_t)
TL_PAD_INSTANTIATE(int8_t)
TL_PAD_INSTANTIATE(uint8_t)
TL_PAD_INSTANTIATE(bool)
#undef TL_PAD_INSTANTIATE

}  // namespace torchlite::kernels
