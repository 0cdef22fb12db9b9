// Convolution kernels: im2col/col2im around kernels::gemm with the batch spread over the pool,
// and their direct-loop reference twins.
#include "kernels/conv.h"

#include <algorithm>
#include <type_traits>
#include <vector>

#include "core/parallel.h"
#include "kernels/conv_backend.h"
#include "kernels/gemm.h"
#include "kernels/loops.h"

namespace torchlite::kernels {
namespace {

/// The [first, last) outputs o along one axis whose tap o * stride - pad + offset is inside
/// [0, size).
struct Span {
  int64_t first, last;
};
Span valid_span(int64_t out, int64_t stride, int64_t pad, int64_t offset, int64_t size) {
  const int64_t shift = offset - pad;  // input index of output 0
  int64_t first = shift >= 0 ? 0 : (-shift + stride - 1) / stride;
  int64_t last = size - shift <= 0 ? 0 : (size - shift + stride - 1) / stride;
  first = std::min(first, out);
  last = std::clamp(last, first, out);
  return {first, last};
}

/// col [channels * kh * kw, oh * ow] from one sample's channels x [channels, h, w]: row
/// (c, i, j) holds the input under kernel tap (i, j) for every output position, 0 in the padding.
/// Rows are short (LeNet's are 10 and 28 wide), so plain loops: a memcpy/fill call per row
/// costs more than the copy.
template <class T, bool kUnitStride>
void im2col_rows(const ConvGeometry& g, int64_t channels, const T* __restrict x,
                 T* __restrict col) {
  const int64_t ow_n = g.out_width, ohw = g.out_height * g.out_width;
  for (int64_t c = 0; c < channels; ++c) {
    const T* xc = x + c * g.height * g.width;
    for (int64_t i = 0; i < g.kernel_h; ++i) {
      const Span rows = valid_span(g.out_height, g.stride_h, g.pad_h, i * g.dilation_h, g.height);
      for (int64_t j = 0; j < g.kernel_w; ++j) {
        T* row = col + ((c * g.kernel_h + i) * g.kernel_w + j) * ohw;
        const Span cols = valid_span(ow_n, g.stride_w, g.pad_w, j * g.dilation_w, g.width);
        const int64_t iw0 = j * g.dilation_w - g.pad_w;
        for (int64_t p = 0; p < rows.first * ow_n; ++p) row[p] = T(0);
        for (int64_t oh = rows.first; oh < rows.last; ++oh) {
          const T* xr = xc + (oh * g.stride_h - g.pad_h + i * g.dilation_h) * g.width + iw0;
          T* out = row + oh * ow_n;
          for (int64_t ow = 0; ow < cols.first; ++ow) out[ow] = T(0);
          if constexpr (kUnitStride) {
            for (int64_t ow = cols.first; ow < cols.last; ++ow) out[ow] = xr[ow];
          } else {
            for (int64_t ow = cols.first; ow < cols.last; ++ow) out[ow] = xr[ow * g.stride_w];
          }
          for (int64_t ow = cols.last; ow < ow_n; ++ow) out[ow] = T(0);
        }
        for (int64_t p = rows.last * ow_n; p < ohw; ++p) row[p] = T(0);
      }
    }
  }
}

template <class T>
void im2col(const ConvGeometry& g, int64_t channels, const T* x, T* col) {
  if (g.stride_w == 1)
    im2col_rows<T, true>(g, channels, x, col);
  else
    im2col_rows<T, false>(g, channels, x, col);
}

/// x [channels, h, w] += col scattered back: the adjoint of im2col.
template <class T>
void col2im(const ConvGeometry& g, int64_t channels, const T* __restrict col, T* __restrict x) {
  const int64_t ohw = g.out_height * g.out_width;
  for (int64_t c = 0; c < channels; ++c) {
    T* xc = x + c * g.height * g.width;
    for (int64_t i = 0; i < g.kernel_h; ++i) {
      const Span rows = valid_span(g.out_height, g.stride_h, g.pad_h, i * g.dilation_h, g.height);
      for (int64_t j = 0; j < g.kernel_w; ++j) {
        const T* row = col + ((c * g.kernel_h + i) * g.kernel_w + j) * ohw;
        const Span cols = valid_span(g.out_width, g.stride_w, g.pad_w, j * g.dilation_w, g.width);
        const int64_t iw0 = j * g.dilation_w - g.pad_w;
        for (int64_t oh = rows.first; oh < rows.last; ++oh) {
          T* xr = xc + (oh * g.stride_h - g.pad_h + i * g.dilation_h) * g.width + iw0;
          const T* in = row + oh * g.out_width;
          if (g.stride_w == 1) {
            for (int64_t ow = cols.first; ow < cols.last; ++ow) xr[ow] += in[ow];
          } else {
            for (int64_t ow = cols.first; ow < cols.last; ++ow) xr[ow * g.stride_w] += in[ow];
          }
        }
      }
    }
  }
}

/// A 1x1 kernel with stride 1 and no padding reads the image as its own im2col matrix.
bool is_pointwise(const ConvGeometry& g) {
  return g.kernel_h == 1 && g.kernel_w == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_h == 0 &&
         g.pad_w == 0 && g.out_height == g.height && g.out_width == g.width;
}

/// Sizes of one group: input channels, output channels, GEMM depth (cg * kh * kw).
struct GroupDims {
  int64_t cg, og, kg, hw, ohw;
};
GroupDims group_dims(const ConvGeometry& g) {
  const int64_t cg = g.channels / g.groups;
  return {cg, g.out_channels / g.groups, cg * g.kernel_h * g.kernel_w, g.height * g.width,
          g.out_height * g.out_width};
}

/// body(n0, n1) over batch ranges: about four per thread, so that a slow thread holds back little.
template <class F>
void for_batch(int64_t batch, F&& body) {
  const int64_t parts = std::max<int64_t>(1, get_num_threads()) * 4;
  const int64_t grain = std::max<int64_t>(1, (batch + parts - 1) / parts);
  detail::parallel_for(0, batch, grain, body);
}

}  // namespace

std::array<int64_t, 2> pad_after(const ConvGeometry& g) {
  auto after = [](int64_t in, int64_t out, int64_t k, int64_t stride, int64_t dil, int64_t pad) {
    const int64_t implied = (out - 1) * stride + (k - 1) * dil + 1 - in - pad;
    return implied < 0 && (in + pad - (k - 1) * dil - 1) / stride + 1 == out ? 0 : implied;
  };
  return {after(g.height, g.out_height, g.kernel_h, g.stride_h, g.dilation_h, g.pad_h),
          after(g.width, g.out_width, g.kernel_w, g.stride_w, g.dilation_w, g.pad_w)};
}

template <class T>
void conv2d_forward(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y) {
#ifdef TORCHLITE_WITH_ONEDNN
  if constexpr (std::is_same_v<T, float>) {
    if (backend::conv2d_forward_onednn(g, x, w, bias, y)) return;
  }
#endif
  conv2d_forward_im2col(g, x, w, bias, y);
}

template <class T>
void conv2d_forward_im2col(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y) {
  const GroupDims d = group_dims(g);
  const bool pointwise = is_pointwise(g);
  if (d.og == 0 || d.ohw == 0) return;
  if (d.kg == 0) {  // no input channels: the output is the bias alone
    for (int64_t i = 0; i < g.batch * g.out_channels * d.ohw; ++i)
      y[i] = bias ? bias[(i / d.ohw) % g.out_channels] : T(0);
    return;
  }
  for_batch(g.batch, [&](int64_t n0, int64_t n1) {
    std::vector<T> col(pointwise ? 0 : d.kg * d.ohw);
    for (int64_t n = n0; n < n1; ++n) {
      T* yn = y + n * g.out_channels * d.ohw;
      if (bias) {
        for (int64_t o = 0; o < g.out_channels; ++o) std::fill_n(yn + o * d.ohw, d.ohw, bias[o]);
      }
      for (int64_t gi = 0; gi < g.groups; ++gi) {
        const T* xg = x + (n * g.channels + gi * d.cg) * d.hw;
        if (!pointwise) im2col(g, d.cg, xg, col.data());
        const T* b = pointwise ? xg : col.data();
        gemm(d.og, d.ohw, d.kg, GemmOperand<T>{w + gi * d.og * d.kg, false, d.kg},
             GemmOperand<T>{b, false, d.ohw}, bias != nullptr, yn + gi * d.og * d.ohw, d.ohw);
      }
    }
  });
}

template <class T>
void conv2d_backward_input(const ConvGeometry& g, const T* dy, const T* w, T* dx) {
#ifdef TORCHLITE_WITH_ONEDNN
  if constexpr (std::is_same_v<T, float>) {
    if (backend::conv2d_backward_input_onednn(g, dy, w, dx)) return;
  }
#endif
  const GroupDims d = group_dims(g);
  const bool pointwise = is_pointwise(g);
  if (d.kg == 0 || d.hw == 0) return;
  if (d.og == 0 || d.ohw == 0) {
    std::fill_n(dx, g.batch * g.channels * d.hw, T(0));
    return;
  }
  for_batch(g.batch, [&](int64_t n0, int64_t n1) {
    std::vector<T> col(pointwise ? 0 : d.kg * d.ohw);
    for (int64_t n = n0; n < n1; ++n) {
      T* dxn = dx + n * g.channels * d.hw;
      for (int64_t gi = 0; gi < g.groups; ++gi) {
        T* dxg = dxn + gi * d.cg * d.hw;
        T* c = pointwise ? dxg : col.data();
        gemm(d.kg, d.ohw, d.og, GemmOperand<T>{w + gi * d.og * d.kg, true, d.kg},
             GemmOperand<T>{dy + (n * g.out_channels + gi * d.og) * d.ohw, false, d.ohw}, false, c,
             d.ohw);
        if (!pointwise) {
          std::fill_n(dxg, d.cg * d.hw, T(0));
          col2im(g, d.cg, col.data(), dxg);
        }
      }
    }
  });
}

template <class T>
void conv2d_backward_weight(const ConvGeometry& g, const T* x, const T* dy, T* dw) {
#ifdef TORCHLITE_WITH_ONEDNN
  if constexpr (std::is_same_v<T, float>) {
    if (backend::conv2d_backward_weight_onednn(g, x, dy, dw)) return;
  }
#endif
  const GroupDims d = group_dims(g);
  const bool pointwise = is_pointwise(g);
  const int64_t wsize = g.out_channels * d.kg;
  std::fill_n(dw, wsize, T(0));
  if (wsize == 0 || d.ohw == 0) return;
  const int64_t parts = std::clamp<int64_t>(get_num_threads(), 1, std::max<int64_t>(g.batch, 1));
  std::vector<T> partial((parts - 1) * wsize, T(0));
  detail::parallel_for(0, parts, 1, [&](int64_t p0, int64_t p1) {
    std::vector<T> col(pointwise ? 0 : d.kg * d.ohw);
    for (int64_t p = p0; p < p1; ++p) {
      T* acc = p == 0 ? dw : partial.data() + (p - 1) * wsize;
      const int64_t n0 = g.batch * p / parts, n1 = g.batch * (p + 1) / parts;
      for (int64_t n = n0; n < n1; ++n) {
        for (int64_t gi = 0; gi < g.groups; ++gi) {
          const T* xg = x + (n * g.channels + gi * d.cg) * d.hw;
          if (!pointwise) im2col(g, d.cg, xg, col.data());
          gemm(d.og, d.kg, d.ohw,
               GemmOperand<T>{dy + (n * g.out_channels + gi * d.og) * d.ohw, false, d.ohw},
               GemmOperand<T>{pointwise ? xg : col.data(), true, d.ohw}, true,
               acc + gi * d.og * d.kg, d.kg);
        }
      }
    }
  });
  for (int64_t p = 1; p < parts; ++p) {
    const T* src = partial.data() + (p - 1) * wsize;
    for (int64_t i = 0; i < wsize; ++i) dw[i] += src[i];
  }
}

/// Sum of p[0..n) in 16 lanes of T (vectorised; rows here are a few hundred long), in double.
template <class T>
double row_sum(const T* __restrict p, int64_t n) {
  T lanes[16] = {};
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int l = 0; l < 16; ++l) lanes[l] += p[i + l];
  double s = 0;
  for (int l = 0; l < 16; ++l) s += lanes[l];
  for (; i < n; ++i) s += p[i];
  return s;
}

template <class T>
void channel_sums(const T* t, int64_t batch, int64_t channels, int64_t spatial, T* out) {
  auto body = [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      double s = 0;
      for (int64_t n = 0; n < batch; ++n) s += row_sum(t + (n * channels + c) * spatial, spatial);
      out[c] = static_cast<T>(s);
    }
  };
  if (batch * channels * spatial < kGrain) {
    body(0, channels);
  } else {
    detail::parallel_for(0, channels, 1, body);
  }
}

template <class T>
void add_channel_bias(T* t, const T* bias, int64_t batch, int64_t channels, int64_t spatial) {
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t c = 0; c < channels; ++c) {
      T* row = t + (n * channels + c) * spatial;
      for (int64_t s = 0; s < spatial; ++s) row[s] += bias[c];
    }
  }
}

namespace {

/// Calls tap(x_index, y_index, w_index) for every (sample, output, kernel tap) whose input
/// position lies inside the image: the one loop nest all three reference kernels share.
template <class F>
void for_each_tap(const ConvGeometry& g, F&& tap) {
  const GroupDims d = group_dims(g);
  for (int64_t n = 0; n < g.batch; ++n)
    for (int64_t o = 0; o < g.out_channels; ++o) {
      const int64_t gi = o / d.og;
      for (int64_t oh = 0; oh < g.out_height; ++oh)
        for (int64_t ow = 0; ow < g.out_width; ++ow) {
          const int64_t yi = ((n * g.out_channels + o) * g.out_height + oh) * g.out_width + ow;
          for (int64_t c = 0; c < d.cg; ++c)
            for (int64_t i = 0; i < g.kernel_h; ++i)
              for (int64_t j = 0; j < g.kernel_w; ++j) {
                const int64_t ih = oh * g.stride_h - g.pad_h + i * g.dilation_h;
                const int64_t iw = ow * g.stride_w - g.pad_w + j * g.dilation_w;
                if (ih < 0 || ih >= g.height || iw < 0 || iw >= g.width) continue;
                const int64_t xi =
                    ((n * g.channels + gi * d.cg + c) * g.height + ih) * g.width + iw;
                const int64_t wi = ((o * d.cg + c) * g.kernel_h + i) * g.kernel_w + j;
                tap(xi, yi, wi);
              }
        }
    }
}

}  // namespace

template <class T>
void conv2d_forward_reference(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y) {
  const int64_t ohw = g.out_height * g.out_width;
  for (int64_t i = 0; i < g.batch * g.out_channels * ohw; ++i)
    y[i] = bias ? bias[(i / ohw) % g.out_channels] : T(0);
  for_each_tap(g, [&](int64_t xi, int64_t yi, int64_t wi) { y[yi] += x[xi] * w[wi]; });
}

template <class T>
void conv2d_backward_input_reference(const ConvGeometry& g, const T* dy, const T* w, T* dx) {
  std::fill_n(dx, g.batch * g.channels * g.height * g.width, T(0));
  for_each_tap(g, [&](int64_t xi, int64_t yi, int64_t wi) { dx[xi] += dy[yi] * w[wi]; });
}

template <class T>
void conv2d_backward_weight_reference(const ConvGeometry& g, const T* x, const T* dy, T* dw) {
  std::fill_n(dw, g.out_channels * (g.channels / g.groups) * g.kernel_h * g.kernel_w, T(0));
  for_each_tap(g, [&](int64_t xi, int64_t yi, int64_t wi) { dw[wi] += x[xi] * dy[yi]; });
}

#define TL_CONV_INSTANTIATE(T)                                                                   \
  template void conv2d_forward<T>(const ConvGeometry&, const T*, const T*, const T*, T*);        \
  template void conv2d_forward_im2col<T>(const ConvGeometry&, const T*, const T*, const T*, T*); \
  template void conv2d_backward_input<T>(const ConvGeometry&, const T*, const T*, T*);           \
  template void conv2d_backward_weight<T>(const ConvGeometry&, const T*, const T*, T*);          \
  template void channel_sums<T>(const T*, int64_t, int64_t, int64_t, T*);                        \
  template void add_channel_bias<T>(T*, const T*, int64_t, int64_t, int64_t);                    \
  template void conv2d_forward_reference<T>(const ConvGeometry&, const T*, const T*, const T*,   \
                                            T*);                                                 \
  template void conv2d_backward_input_reference<T>(const ConvGeometry&, const T*, const T*, T*); \
  template void conv2d_backward_weight_reference<T>(const ConvGeometry&, const T*, const T*, T*);
TL_CONV_INSTANTIATE(float)
TL_CONV_INSTANTIATE(double)
#undef TL_CONV_INSTANTIATE

}  // namespace torchlite::kernels
