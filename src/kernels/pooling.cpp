// Pooling and interpolation loops, instantiated for float and double. The per-plane loops follow
// PyTorch 1.13's CPU kernels (same window clipping, index formulas and accumulation order in T),
// so that the values agree with PyTorch's to the last bit where the arithmetic is the same.
#include "kernels/pooling.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/parallel.h"

namespace torchlite::kernels {
namespace {

/// body(first_plane, end_plane) over [0, planes): on torchlite's threads in chunks of about
/// kChunkWork elements when there is enough work, else at once on the calling thread.
template <class F>
void for_planes(int64_t planes, int64_t work_per_plane, F&& body) {
  constexpr int64_t kParallelWork = int64_t{1} << 16, kChunkWork = int64_t{1} << 14;
  const int64_t work = std::max<int64_t>(work_per_plane, 1);
  if (planes <= 1 || planes * work < kParallelWork) {
    body(int64_t{0}, planes);
    return;
  }
  detail::parallel_for(0, planes, std::max<int64_t>(1, kChunkWork / work),
                       [&](int64_t begin, int64_t end) { body(begin, end); });
}

/// Whether a window position beats the current maximum: larger, or NaN (PyTorch's rule).
template <class T>
inline bool beats(T v, T best) {
  return v > best || std::isnan(v);
}

template <class T>
void max_plane(const T* x, T* y, int64_t* idx, const PoolGeometry& g) {
  for (int64_t oh = 0; oh < g.oh; ++oh) {
    for (int64_t ow = 0; ow < g.ow; ++ow) {
      int64_t h0 = oh * g.sh - g.ph, w0 = ow * g.sw - g.pw;
      const int64_t h1 = std::min(h0 + (g.kh - 1) * g.dh + 1, g.ih);
      const int64_t w1 = std::min(w0 + (g.kw - 1) * g.dw + 1, g.iw);
      while (h0 < 0) h0 += g.dh;
      while (w0 < 0) w0 += g.dw;
      int64_t best = h0 * g.iw + w0;
      T m = -std::numeric_limits<T>::infinity();
      for (int64_t h = h0; h < h1; h += g.dh) {
        for (int64_t w = w0; w < w1; w += g.dw) {
          const int64_t i = h * g.iw + w;
          if (beats(x[i], m)) {
            m = x[i];
            best = i;
          }
        }
      }
      y[oh * g.ow + ow] = m;
      idx[oh * g.ow + ow] = best;
    }
  }
}

/// kernel 2, stride 2, no padding, dilation 1, every window inside the plane (LeNet's pools).
bool is_2x2_stride2(const PoolGeometry& g) {
  return g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.ph == 0 && g.pw == 0 && g.dh == 1 &&
         g.dw == 1 && 2 * g.oh <= g.ih && 2 * g.ow <= g.iw;
}

/// The 2x2 / stride 2 max without branches on the data (the same result as max_plane: starting
/// from the first element equals starting from -inf).
template <class T>
void max_plane_2x2(const T* x, T* y, int64_t* idx, const PoolGeometry& g) {
  for (int64_t oh = 0; oh < g.oh; ++oh) {
    const T* r0 = x + 2 * oh * g.iw;
    const T* r1 = r0 + g.iw;
    const int64_t base = 2 * oh * g.iw;
    T* out = y + oh * g.ow;
    int64_t* out_idx = idx + oh * g.ow;
    for (int64_t ow = 0; ow < g.ow; ++ow) {
      T m = r0[2 * ow];
      int64_t best = base + 2 * ow;
      const T v1 = r0[2 * ow + 1], v2 = r1[2 * ow], v3 = r1[2 * ow + 1];
      const bool t1 = v1 > m || v1 != v1;
      m = t1 ? v1 : m;
      best = t1 ? base + 2 * ow + 1 : best;
      const bool t2 = v2 > m || v2 != v2;
      m = t2 ? v2 : m;
      best = t2 ? base + g.iw + 2 * ow : best;
      const bool t3 = v3 > m || v3 != v3;
      m = t3 ? v3 : m;
      best = t3 ? base + g.iw + 2 * ow + 1 : best;
      out[ow] = m;
      out_idx[ow] = best;
    }
  }
}

template <class T>
void scatter_plane(const T* gy, const int64_t* idx, T* gx, int64_t in_plane, int64_t out_plane) {
  std::fill(gx, gx + in_plane, T(0));
  for (int64_t o = 0; o < out_plane; ++o)
    if (idx[o] >= 0 && idx[o] < in_plane) gx[idx[o]] += gy[o];
}

/// An average window: clipped bounds and the divisor, as PyTorch's cpu_avg_pool computes them.
struct AvgWindow {
  int64_t h0, h1, w0, w1, divisor;
  bool empty() const { return h0 >= h1 || w0 >= w1; }
};

inline AvgWindow avg_window(const PoolGeometry& g, int64_t oh, int64_t ow, bool count_include_pad,
                            int64_t divisor_override) {
  AvgWindow a;
  a.h0 = oh * g.sh - g.ph;
  a.w0 = ow * g.sw - g.pw;
  a.h1 = std::min(a.h0 + g.kh, g.ih + g.ph);
  a.w1 = std::min(a.w0 + g.kw, g.iw + g.pw);
  const int64_t pool_size = (a.h1 - a.h0) * (a.w1 - a.w0);
  a.h0 = std::max<int64_t>(a.h0, 0);
  a.w0 = std::max<int64_t>(a.w0, 0);
  a.h1 = std::min(a.h1, g.ih);
  a.w1 = std::min(a.w1, g.iw);
  a.divisor = divisor_override    ? divisor_override
              : count_include_pad ? pool_size
                                  : (a.h1 - a.h0) * (a.w1 - a.w0);
  return a;
}

template <class T>
void avg_plane(const T* x, T* y, const PoolGeometry& g, bool count_include_pad,
               int64_t divisor_override) {
  for (int64_t oh = 0; oh < g.oh; ++oh) {
    for (int64_t ow = 0; ow < g.ow; ++ow) {
      const AvgWindow a = avg_window(g, oh, ow, count_include_pad, divisor_override);
      if (a.empty()) {
        y[oh * g.ow + ow] = T(0);
        continue;
      }
      T sum = 0;
      for (int64_t h = a.h0; h < a.h1; ++h)
        for (int64_t w = a.w0; w < a.w1; ++w) sum += x[h * g.iw + w];
      y[oh * g.ow + ow] = sum / static_cast<T>(a.divisor);
    }
  }
}

template <class T>
void avg_plane_backward(const T* gy, T* gx, const PoolGeometry& g, bool count_include_pad,
                        int64_t divisor_override) {
  std::fill(gx, gx + g.ih * g.iw, T(0));
  for (int64_t oh = 0; oh < g.oh; ++oh) {
    for (int64_t ow = 0; ow < g.ow; ++ow) {
      const AvgWindow a = avg_window(g, oh, ow, count_include_pad, divisor_override);
      if (a.empty()) continue;
      const T delta = gy[oh * g.ow + ow] / static_cast<T>(a.divisor);
      for (int64_t h = a.h0; h < a.h1; ++h)
        for (int64_t w = a.w0; w < a.w1; ++w) gx[h * g.iw + w] += delta;
    }
  }
}

/// The 2x2 / stride 2 mean: the same sums in the same order as avg_plane, without the window
/// arithmetic, over two input rows at a time (the inner loop vectorises).
template <class T>
void avg_plane_2x2(const T* x, T* y, const PoolGeometry& g, int64_t divisor) {
  const T d = static_cast<T>(divisor);
  for (int64_t oh = 0; oh < g.oh; ++oh) {
    const T* r0 = x + 2 * oh * g.iw;
    const T* r1 = r0 + g.iw;
    T* out = y + oh * g.ow;
    for (int64_t ow = 0; ow < g.ow; ++ow)
      out[ow] = (((T(0) + r0[2 * ow]) + r0[2 * ow + 1]) + r1[2 * ow] + r1[2 * ow + 1]) / d;
  }
}

template <class T>
void avg_plane_2x2_backward(const T* gy, T* gx, const PoolGeometry& g, int64_t divisor) {
  const T d = static_cast<T>(divisor);
  const int64_t covered_w = 2 * g.ow;
  for (int64_t oh = 0; oh < g.oh; ++oh) {
    T* r0 = gx + 2 * oh * g.iw;
    T* r1 = r0 + g.iw;
    const T* in = gy + oh * g.ow;
    for (int64_t ow = 0; ow < g.ow; ++ow) {
      const T delta = T(0) + in[ow] / d;
      r0[2 * ow] = delta;
      r0[2 * ow + 1] = delta;
      r1[2 * ow] = delta;
      r1[2 * ow + 1] = delta;
    }
    std::fill(r0 + covered_w, r0 + g.iw, T(0));
    std::fill(r1 + covered_w, r1 + g.iw, T(0));
  }
  std::fill(gx + 2 * g.oh * g.iw, gx + g.ih * g.iw, T(0));
}

/// PyTorch's adaptive window bounds, computed in float as its CPU kernel does.
inline int64_t adaptive_start(int64_t i, int64_t out, int64_t in) {
  return static_cast<int64_t>(std::floor(static_cast<float>(i * in) / static_cast<float>(out)));
}
inline int64_t adaptive_end(int64_t i, int64_t out, int64_t in) {
  return static_cast<int64_t>(
      std::ceil(static_cast<float>((i + 1) * in) / static_cast<float>(out)));
}

/// Source index of nearest-neighbour output `o` (PyTorch's nearest_idx, float arithmetic).
inline int64_t nearest_index(int64_t o, int64_t in, int64_t out, std::optional<double> scale) {
  if (out == in) return o;
  if (out == 2 * in) return o >> 1;
  const float s = scale && *scale > 0.0 ? static_cast<float>(1.0 / *scale)
                                        : static_cast<float>(in) / static_cast<float>(out);
  return std::min(static_cast<int64_t>(std::floor(static_cast<float>(o) * s)), in - 1);
}

std::vector<int64_t> nearest_table(int64_t in, int64_t out, std::optional<double> scale) {
  std::vector<int64_t> t(static_cast<size_t>(out));
  for (int64_t o = 0; o < out; ++o) t[o] = nearest_index(o, in, out, scale);
  return t;
}

/// Input indices and weights of one bilinear output coordinate.
template <class T>
struct LinearTap {
  int64_t i0 = 0, i1 = 0;
  T l0 = 1, l1 = 0;
};

/// PyTorch's area_pixel_compute_scale.
template <class T>
T linear_scale(int64_t in, int64_t out, bool align_corners, std::optional<double> scale) {
  if (align_corners) return out > 1 ? static_cast<T>(in - 1) / static_cast<T>(out - 1) : T(0);
  return scale && *scale > 0.0 ? static_cast<T>(1.0 / *scale)
                               : static_cast<T>(in) / static_cast<T>(out);
}

/// PyTorch's compute_source_index_and_lambda (the half-pixel offset computed in double).
template <class T>
LinearTap<T> linear_tap(T scale, int64_t o, int64_t in, int64_t out, bool align_corners) {
  LinearTap<T> t;
  if (out == in) {
    t.i0 = t.i1 = o;
    return t;
  }
  T real;
  if (align_corners) {
    real = scale * static_cast<T>(o);
  } else {
    real = static_cast<T>(scale * (static_cast<double>(o) + 0.5) - 0.5);
    if (real < 0) real = T(0);
  }
  t.i0 = static_cast<int64_t>(real);
  t.i1 = t.i0 + (t.i0 < in - 1 ? 1 : 0);
  t.l1 = std::min(std::max(real - static_cast<T>(t.i0), T(0)), T(1));
  t.l0 = T(1) - t.l1;
  return t;
}

template <class T>
std::vector<LinearTap<T>> linear_table(int64_t in, int64_t out, bool align_corners,
                                       std::optional<double> scale) {
  const T s = linear_scale<T>(in, out, align_corners, scale);
  std::vector<LinearTap<T>> t(static_cast<size_t>(out));
  for (int64_t o = 0; o < out; ++o) t[o] = linear_tap<T>(s, o, in, out, align_corners);
  return t;
}

}  // namespace

// ---- max pooling ----

template <class T>
void max_pool2d(const T* x, T* y, int64_t* indices, int64_t planes, const PoolGeometry& g) {
  const int64_t in = g.ih * g.iw, out = g.oh * g.ow;
  const bool fast = is_2x2_stride2(g);
  for_planes(planes, in, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      if (fast)
        max_plane_2x2(x + p * in, y + p * out, indices + p * out, g);
      else
        max_plane(x + p * in, y + p * out, indices + p * out, g);
    }
  });
}

template <class T>
void max_pool2d_reference(const T* x, T* y, int64_t* indices, int64_t planes,
                          const PoolGeometry& g) {
  const int64_t in = g.ih * g.iw, out = g.oh * g.ow;
  for (int64_t p = 0; p < planes; ++p) max_plane(x + p * in, y + p * out, indices + p * out, g);
}

template <class T>
void max_pool2d_backward(const T* gy, const int64_t* indices, T* gx, int64_t planes,
                         int64_t in_plane, int64_t out_plane) {
  for_planes(planes, in_plane, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p)
      scatter_plane(gy + p * out_plane, indices + p * out_plane, gx + p * in_plane, in_plane,
                    out_plane);
  });
}

template <class T>
void max_pool2d_backward_reference(const T* gy, const int64_t* indices, T* gx, int64_t planes,
                                   int64_t in_plane, int64_t out_plane) {
  for (int64_t p = 0; p < planes; ++p)
    scatter_plane(gy + p * out_plane, indices + p * out_plane, gx + p * in_plane, in_plane,
                  out_plane);
}

// ---- average pooling ----

template <class T>
void avg_pool2d(const T* x, T* y, int64_t planes, const PoolGeometry& g, bool count_include_pad,
                int64_t divisor_override) {
  const int64_t in = g.ih * g.iw, out = g.oh * g.ow;
  const bool fast = is_2x2_stride2(g);
  const int64_t divisor = divisor_override ? divisor_override : 4;
  for_planes(planes, in, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      if (fast)
        avg_plane_2x2(x + p * in, y + p * out, g, divisor);
      else
        avg_plane(x + p * in, y + p * out, g, count_include_pad, divisor_override);
    }
  });
}

template <class T>
void avg_pool2d_reference(const T* x, T* y, int64_t planes, const PoolGeometry& g,
                          bool count_include_pad, int64_t divisor_override) {
  const int64_t in = g.ih * g.iw, out = g.oh * g.ow;
  for (int64_t p = 0; p < planes; ++p)
    avg_plane(x + p * in, y + p * out, g, count_include_pad, divisor_override);
}

template <class T>
void avg_pool2d_backward(const T* gy, T* gx, int64_t planes, const PoolGeometry& g,
                         bool count_include_pad, int64_t divisor_override) {
  const int64_t in = g.ih * g.iw, out = g.oh * g.ow;
  const bool fast = is_2x2_stride2(g);
  const int64_t divisor = divisor_override ? divisor_override : 4;
  for_planes(planes, in, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      if (fast)
        avg_plane_2x2_backward(gy + p * out, gx + p * in, g, divisor);
      else
        avg_plane_backward(gy + p * out, gx + p * in, g, count_include_pad, divisor_override);
    }
  });
}

template <class T>
void avg_pool2d_backward_reference(const T* gy, T* gx, int64_t planes, const PoolGeometry& g,
                                   bool count_include_pad, int64_t divisor_override) {
  const int64_t in = g.ih * g.iw, out = g.oh * g.ow;
  for (int64_t p = 0; p < planes; ++p)
    avg_plane_backward(gy + p * out, gx + p * in, g, count_include_pad, divisor_override);
}

// ---- adaptive pooling ----

template <class T>
void adaptive_avg_pool2d(const T* x, T* y, int64_t planes, const PoolGeometry& g) {
  const int64_t in = g.ih * g.iw, out = g.oh * g.ow;
  for_planes(planes, in, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const T* xp = x + p * in;
      T* yp = y + p * out;
      for (int64_t oh = 0; oh < g.oh; ++oh) {
        const int64_t h0 = adaptive_start(oh, g.oh, g.ih), h1 = adaptive_end(oh, g.oh, g.ih);
        for (int64_t ow = 0; ow < g.ow; ++ow) {
          const int64_t w0 = adaptive_start(ow, g.ow, g.iw), w1 = adaptive_end(ow, g.ow, g.iw);
          T sum = 0;
          for (int64_t h = h0; h < h1; ++h)
            for (int64_t w = w0; w < w1; ++w) sum += xp[h * g.iw + w];
          yp[oh * g.ow + ow] = sum / static_cast<T>(h1 - h0) / static_cast<T>(w1 - w0);
        }
      }
    }
  });
}

template <class T>
void adaptive_avg_pool2d_backward(const T* gy, T* gx, int64_t planes, const PoolGeometry& g) {
  const int64_t in = g.ih * g.iw, out = g.oh * g.ow;
  for_planes(planes, in, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const T* gyp = gy + p * out;
      T* gxp = gx + p * in;
      std::fill(gxp, gxp + in, T(0));
      for (int64_t oh = 0; oh < g.oh; ++oh) {
        const int64_t h0 = adaptive_start(oh, g.oh, g.ih), h1 = adaptive_end(oh, g.oh, g.ih);
        for (int64_t ow = 0; ow < g.ow; ++ow) {
          const int64_t w0 = adaptive_start(ow, g.ow, g.iw), w1 = adaptive_end(ow, g.ow, g.iw);
          const T delta = gyp[oh * g.ow + ow] / static_cast<T>(h1 - h0) / static_cast<T>(w1 - w0);
          for (int64_t h = h0; h < h1; ++h)
            for (int64_t w = w0; w < w1; ++w) gxp[h * g.iw + w] += delta;
        }
      }
    }
  });
}

template <class T>
void adaptive_max_pool2d(const T* x, T* y, int64_t* indices, int64_t planes,
                         const PoolGeometry& g) {
  const int64_t in = g.ih * g.iw, out = g.oh * g.ow;
  for_planes(planes, in, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const T* xp = x + p * in;
      for (int64_t oh = 0; oh < g.oh; ++oh) {
        const int64_t h0 = adaptive_start(oh, g.oh, g.ih), h1 = adaptive_end(oh, g.oh, g.ih);
        for (int64_t ow = 0; ow < g.ow; ++ow) {
          const int64_t w0 = adaptive_start(ow, g.ow, g.iw), w1 = adaptive_end(ow, g.ow, g.iw);
          int64_t best = h0 * g.iw + w0;
          T m = -std::numeric_limits<T>::infinity();
          for (int64_t h = h0; h < h1; ++h) {
            for (int64_t w = w0; w < w1; ++w) {
              if (beats(xp[h * g.iw + w], m)) {
                m = xp[h * g.iw + w];
                best = h * g.iw + w;
              }
            }
          }
          y[p * out + oh * g.ow + ow] = m;
          indices[p * out + oh * g.ow + ow] = best;
        }
      }
    }
  });
}

// ---- nearest ----

template <class T>
void upsample_nearest2d(const T* x, T* y, int64_t planes, const PoolGeometry& g,
                        std::optional<double> scale_h, std::optional<double> scale_w) {
  const int64_t in = g.ih * g.iw, out = g.oh * g.ow;
  const std::vector<int64_t> rows = nearest_table(g.ih, g.oh, scale_h);
  const std::vector<int64_t> cols = nearest_table(g.iw, g.ow, scale_w);
  for_planes(planes, out, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      for (int64_t oh = 0; oh < g.oh; ++oh) {
        const T* src = x + p * in + rows[oh] * g.iw;
        T* dst = y + p * out + oh * g.ow;
        for (int64_t ow = 0; ow < g.ow; ++ow) dst[ow] = src[cols[ow]];
      }
    }
  });
}

template <class T>
void upsample_nearest2d_reference(const T* x, T* y, int64_t planes, const PoolGeometry& g,
                                  std::optional<double> scale_h, std::optional<double> scale_w) {
  const int64_t in = g.ih * g.iw, out = g.oh * g.ow;
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t oh = 0; oh < g.oh; ++oh)
      for (int64_t ow = 0; ow < g.ow; ++ow)
        y[p * out + oh * g.ow + ow] = x[p * in + nearest_index(oh, g.ih, g.oh, scale_h) * g.iw +
                                        nearest_index(ow, g.iw, g.ow, scale_w)];
}

template <class T>
void upsample_nearest2d_backward(const T* gy, T* gx, int64_t planes, const PoolGeometry& g,
                                 std::optional<double> scale_h, std::optional<double> scale_w) {
  const int64_t in = g.ih * g.iw, out = g.oh * g.ow;
  const std::vector<int64_t> rows = nearest_table(g.ih, g.oh, scale_h);
  const std::vector<int64_t> cols = nearest_table(g.iw, g.ow, scale_w);
  for_planes(planes, out, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      std::fill(gx + p * in, gx + (p + 1) * in, T(0));
      for (int64_t oh = 0; oh < g.oh; ++oh) {
        T* dst = gx + p * in + rows[oh] * g.iw;
        const T* src = gy + p * out + oh * g.ow;
        for (int64_t ow = 0; ow < g.ow; ++ow) dst[cols[ow]] += src[ow];
      }
    }
  });
}

template <class T>
void upsample_nearest2d_backward_reference(const T* gy, T* gx, int64_t planes,
                                           const PoolGeometry& g, std::optional<double> scale_h,
                                           std::optional<double> scale_w) {
  const int64_t in = g.ih * g.iw, out = g.oh * g.ow;
  std::fill(gx, gx + planes * in, T(0));
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t oh = 0; oh < g.oh; ++oh)
      for (int64_t ow = 0; ow < g.ow; ++ow)
        gx[p * in + nearest_index(oh, g.ih, g.oh, scale_h) * g.iw +
           nearest_index(ow, g.iw, g.ow, scale_w)] += gy[p * out + oh * g.ow + ow];
}

// ---- bilinear ----

template <class T>
void upsample_bilinear2d(const T* x, T* y, int64_t planes, const PoolGeometry& g,
                         bool align_corners, std::optional<double> scale_h,
                         std::optional<double> scale_w) {
  const int64_t in = g.ih * g.iw, out = g.oh * g.ow;
  const auto rows = linear_table<T>(g.ih, g.oh, align_corners, scale_h);
  const auto cols = linear_table<T>(g.iw, g.ow, align_corners, scale_w);
  for_planes(planes, out * 4, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      for (int64_t oh = 0; oh < g.oh; ++oh) {
        const LinearTap<T>& r = rows[oh];
        const T* x0 = x + p * in + r.i0 * g.iw;
        const T* x1 = x + p * in + r.i1 * g.iw;
        T* dst = y + p * out + oh * g.ow;
        for (int64_t ow = 0; ow < g.ow; ++ow) {
          const LinearTap<T>& c = cols[ow];
          dst[ow] = (x0[c.i0] * c.l0 + x0[c.i1] * c.l1) * r.l0 +
                    (x1[c.i0] * c.l0 + x1[c.i1] * c.l1) * r.l1;
        }
      }
    }
  });
}

template <class T>
void upsample_bilinear2d_reference(const T* x, T* y, int64_t planes, const PoolGeometry& g,
                                   bool align_corners, std::optional<double> scale_h,
                                   std::optional<double> scale_w) {
  const int64_t in = g.ih * g.iw, out = g.oh * g.ow;
  const T sh = linear_scale<T>(g.ih, g.oh, align_corners, scale_h);
  const T sw = linear_scale<T>(g.iw, g.ow, align_corners, scale_w);
  for (int64_t p = 0; p < planes; ++p) {
    const T* xp = x + p * in;
    for (int64_t oh = 0; oh < g.oh; ++oh) {
      const LinearTap<T> r = linear_tap<T>(sh, oh, g.ih, g.oh, align_corners);
      for (int64_t ow = 0; ow < g.ow; ++ow) {
        const LinearTap<T> c = linear_tap<T>(sw, ow, g.iw, g.ow, align_corners);
        y[p * out + oh * g.ow + ow] =
            (xp[r.i0 * g.iw + c.i0] * c.l0 + xp[r.i0 * g.iw + c.i1] * c.l1) * r.l0 +
            (xp[r.i1 * g.iw + c.i0] * c.l0 + xp[r.i1 * g.iw + c.i1] * c.l1) * r.l1;
      }
    }
  }
}

template <class T>
void upsample_bilinear2d_backward(const T* gy, T* gx, int64_t planes, const PoolGeometry& g,
                                  bool align_corners, std::optional<double> scale_h,
                                  std::optional<double> scale_w) {
  const int64_t in = g.ih * g.iw, out = g.oh * g.ow;
  const auto rows = linear_table<T>(g.ih, g.oh, align_corners, scale_h);
  const auto cols = linear_table<T>(g.iw, g.ow, align_corners, scale_w);
  for_planes(planes, out * 4, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      T* gxp = gx + p * in;
      std::fill(gxp, gxp + in, T(0));
      for (int64_t oh = 0; oh < g.oh; ++oh) {
        const LinearTap<T>& r = rows[oh];
        T* g0 = gxp + r.i0 * g.iw;
        T* g1 = gxp + r.i1 * g.iw;
        const T* src = gy + p * out + oh * g.ow;
        for (int64_t ow = 0; ow < g.ow; ++ow) {
          const LinearTap<T>& c = cols[ow];
          const T v = src[ow];
          g0[c.i0] += r.l0 * c.l0 * v;
          g0[c.i1] += r.l0 * c.l1 * v;
          g1[c.i0] += r.l1 * c.l0 * v;
          g1[c.i1] += r.l1 * c.l1 * v;
        }
      }
    }
  });
}

template <class T>
void upsample_bilinear2d_backward_reference(const T* gy, T* gx, int64_t planes,
                                            const PoolGeometry& g, bool align_corners,
                                            std::optional<double> scale_h,
                                            std::optional<double> scale_w) {
  const int64_t in = g.ih * g.iw, out = g.oh * g.ow;
  const T sh = linear_scale<T>(g.ih, g.oh, align_corners, scale_h);
  const T sw = linear_scale<T>(g.iw, g.ow, align_corners, scale_w);
  std::fill(gx, gx + planes * in, T(0));
  for (int64_t p = 0; p < planes; ++p) {
    T* gxp = gx + p * in;
    for (int64_t oh = 0; oh < g.oh; ++oh) {
      const LinearTap<T> r = linear_tap<T>(sh, oh, g.ih, g.oh, align_corners);
      for (int64_t ow = 0; ow < g.ow; ++ow) {
        const LinearTap<T> c = linear_tap<T>(sw, ow, g.iw, g.ow, align_corners);
        const T v = gy[p * out + oh * g.ow + ow];
        gxp[r.i0 * g.iw + c.i0] += r.l0 * c.l0 * v;
        gxp[r.i0 * g.iw + c.i1] += r.l0 * c.l1 * v;
        gxp[r.i1 * g.iw + c.i0] += r.l1 * c.l0 * v;
        gxp[r.i1 * g.iw + c.i1] += r.l1 * c.l1 * v;
      }
    }
  }
}

#define TL_INSTANTIATE(T)                                                                          \
  template void max_pool2d<T>(const T*, T*, int64_t*, int64_t, const PoolGeometry&);               \
  template void max_pool2d_reference<T>(const T*, T*, int64_t*, int64_t, const PoolGeometry&);     \
  template void max_pool2d_backward<T>(const T*, const int64_t*, T*, int64_t, int64_t, int64_t);   \
  template void max_pool2d_backward_reference<T>(const T*, const int64_t*, T*, int64_t, int64_t,   \
                                                 int64_t);                                         \
  template void avg_pool2d<T>(const T*, T*, int64_t, const PoolGeometry&, bool, int64_t);          \
  template void avg_pool2d_reference<T>(const T*, T*, int64_t, const PoolGeometry&, bool,          \
                                        int64_t);                                                  \
  template void avg_pool2d_backward<T>(const T*, T*, int64_t, const PoolGeometry&, bool, int64_t); \
  template void avg_pool2d_backward_reference<T>(const T*, T*, int64_t, const PoolGeometry&, bool, \
                                                 int64_t);                                         \
  template void adaptive_avg_pool2d<T>(const T*, T*, int64_t, const PoolGeometry&);                \
  template void adaptive_avg_pool2d_backward<T>(const T*, T*, int64_t, const PoolGeometry&);       \
  template void adaptive_max_pool2d<T>(const T*, T*, int64_t*, int64_t, const PoolGeometry&);      \
  template void upsample_nearest2d<T>(const T*, T*, int64_t, const PoolGeometry&,                  \
                                      std::optional<double>, std::optional<double>);               \
  template void upsample_nearest2d_reference<T>(const T*, T*, int64_t, const PoolGeometry&,        \
                                                std::optional<double>, std::optional<double>);     \
  template void upsample_nearest2d_backward<T>(const T*, T*, int64_t, const PoolGeometry&,         \
                                               std::optional<double>, std::optional<double>);      \
  template void upsample_nearest2d_backward_reference<T>(                                          \
      const T*, T*, int64_t, const PoolGeometry&, std::optional<double>, std::optional<double>);   \
  template void upsample_bilinear2d<T>(const T*, T*, int64_t, const PoolGeometry&, bool,           \
                                       std::optional<double>, std::optional<double>);              \
  template void upsample_bilinear2d_reference<T>(const T*, T*, int64_t, const PoolGeometry&, bool, \
                                                 std::optional<double>, std::optional<double>);    \
  template void upsample_bilinear2d_backward<T>(const T*, T*, int64_t, const PoolGeometry&, bool,  \
                                                std::optional<double>, std::optional<double>);     \
  template void upsample_bilinear2d_backward_reference<T>(                                         \
      const T*, T*, int64_t, const PoolGeometry&, bool, std::optional<double>,                     \
      std::optional<double>);
TL_INSTANTIATE(float)
TL_INSTANTIATE(double)
#undef TL_INSTANTIATE

}  // namespace torchlite::kernels
