// Elementwise kernels compiled once: fill and the converting, broadcasting copy.
#include "kernels/elementwise.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "core/dispatch.h"

namespace torchlite::kernels {

void fill(const View& t, Scalar value) {
  detail::dispatch_all(t.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T v = value.is_floating_point() ? detail::convert<T>(value.to_double())
                                          : detail::convert<T>(value.to_int64());
    if (t.contiguous) {
      T* p = reinterpret_cast<T*>(t.data);
      std::fill(p, p + t.numel, v);
      return;
    }
    std::array<IntVector, 1> st{broadcast_byte_strides(t, t.sizes)};
    for_each_row<1>(t.sizes, {t.data}, st,
                    [&](std::array<char*, 1> p, std::array<int64_t, 1> s, int64_t n) {
                      for (int64_t i = 0; i < n; ++i) *reinterpret_cast<T*>(p[0] + i * s[0]) = v;
                    });
  });
}

namespace {

template <bool kRowCopies>
void copy_impl(const View& dst, const View& src) {
  const std::span<const int64_t> shape = dst.sizes;
  std::array<IntVector, 2> st{broadcast_byte_strides(dst, shape),
                              broadcast_byte_strides(src, shape)};
  detail::dispatch_all(dst.dtype, [&](auto dtag) {
    using D = decltype(dtag);
    detail::dispatch_all(src.dtype, [&](auto stag) {
      using S = decltype(stag);
      for_each_row<2>(shape, {dst.data, src.data}, st,
                      [](std::array<char*, 2> p, std::array<int64_t, 2> s, int64_t n) {
                        if constexpr (kRowCopies && std::is_same_v<D, S>) {
                          if (s[0] == sizeof(D) && s[1] == sizeof(S)) {
                            std::memcpy(p[0], p[1], n * sizeof(D));
                            return;
                          }
                        }
                        for (int64_t i = 0; i < n; ++i)
                          *reinterpret_cast<D*>(p[0] + i * s[0]) =
                              detail::convert<D>(*reinterpret_cast<const S*>(p[1] + i * s[1]));
                      });
    });
  });
}

}  // namespace

void copy(const View& dst, const View& src) {
  if (dst.dtype == src.dtype && dst.contiguous && src.contiguous &&
      std::ranges::equal(src.sizes, dst.sizes)) {
    std::memmove(dst.data, src.data, static_cast<size_t>(dst.numel) * element_size(dst.dtype));
    return;
  }
  copy_impl<true>(dst, src);
}

void copy_strided(const View& dst, const View& src) { copy_impl<false>(dst, src); }

}  // namespace torchlite::kernels
