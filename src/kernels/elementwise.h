// Elementwise kernels: binary and unary loops over contiguous and strided/broadcast operands,
// fill and converting copy. Dtypes are resolved by the caller; no autograd, no shape checks.
#pragma once

#include <array>

#include "kernels/loops.h"
#include "torchlite/scalar.h"

namespace torchlite::kernels {

/// out[i] = f(a[i], b[i]) for every index i of out's shape; a and b broadcast to it (their
/// sizes right-aligned, size-1 dims repeated). a and b hold T, out holds R; any strides. The
/// plain loop: binary()'s reference twin, and its path for strided or broadcast operands.
template <class T, class R, class F>
void binary_strided(const View& out, const View& a, const View& b, F f) {
  const std::span<const int64_t> shape = out.sizes;
  std::array<IntVector, 3> st{broadcast_byte_strides(out, shape), broadcast_byte_strides(a, shape),
                              broadcast_byte_strides(b, shape)};
  for_each_row<3>(shape, {out.data, a.data, b.data}, st,
                  [&](std::array<char*, 3> p, std::array<int64_t, 3> s, int64_t m) {
                    for (int64_t i = 0; i < m; ++i)
                      *reinterpret_cast<R*>(p[0] + i * s[0]) =
                          f(*reinterpret_cast<const T*>(p[1] + i * s[1]),
                            *reinterpret_cast<const T*>(p[2] + i * s[2]));
                  });
}

/// binary_strided(), with flat loops when all three are contiguous and a and b either have
/// out's numel or are a single element. out may be a or b (an in-place op): each element is
/// read before it is written.
template <class T, class R, class F>
void binary(const View& out, const View& a, const View& b, F f) {
  const int64_t n = out.numel;
  if (out.contiguous && a.contiguous && b.contiguous) {
    R* o = reinterpret_cast<R*>(out.data);
    const T* pa = reinterpret_cast<const T*>(a.data);
    const T* pb = reinterpret_cast<const T*>(b.data);
    if (a.numel == n && b.numel == n) {
      parallel_loop(n, [&](int64_t i) { o[i] = f(pa[i], pb[i]); });
      return;
    }
    if (b.numel == 1 && a.numel == n) {
      const T vb = pb[0];
      parallel_loop(n, [&](int64_t i) { o[i] = f(pa[i], vb); });
      return;
    }
    if (a.numel == 1 && b.numel == n) {
      const T va = pa[0];
      parallel_loop(n, [&](int64_t i) { o[i] = f(va, pb[i]); });
      return;
    }
  }
  binary_strided<T, R>(out, a, b, f);
}

/// out[i] = f(a[i]) for every index i of out's shape (a broadcast to it); a holds T, out holds
/// R; any strides. unary()'s reference twin and strided path.
template <class T, class R, class F>
void unary_strided(const View& out, const View& a, F f) {
  const std::span<const int64_t> shape = out.sizes;
  std::array<IntVector, 2> st{broadcast_byte_strides(out, shape), broadcast_byte_strides(a, shape)};
  for_each_row<2>(shape, {out.data, a.data}, st,
                  [&](std::array<char*, 2> p, std::array<int64_t, 2> s, int64_t m) {
                    for (int64_t i = 0; i < m; ++i)
                      *reinterpret_cast<R*>(p[0] + i * s[0]) =
                          f(*reinterpret_cast<const T*>(p[1] + i * s[1]));
                  });
}

/// unary_strided(), with a flat loop when out and a are contiguous with the same numel. out may
/// be a (an in-place op).
template <class T, class R, class F>
void unary(const View& out, const View& a, F f) {
  const int64_t n = out.numel;
  if (out.contiguous && a.contiguous && a.numel == n) {
    R* o = reinterpret_cast<R*>(out.data);
    const T* pa = reinterpret_cast<const T*>(a.data);
    parallel_loop(n, [&](int64_t i) { o[i] = f(pa[i]); });
    return;
  }
  unary_strided<T, R>(out, a, f);
}

/// t[i] = value converted to t's dtype, for every element of t (any strides, any dtype).
void fill(const View& t, Scalar value);

/// dst[i] = src[i] converted to dst's dtype, src broadcast to dst's shape; any strides and
/// dtypes. Contiguous same-dtype copies are one memmove, rows of unit stride one memcpy each.
void copy(const View& dst, const View& src);

/// copy() without its memmove/memcpy paths: an element at a time (its reference twin).
void copy_strided(const View& dst, const View& src);

}  // namespace torchlite::kernels
