// Pooling and interpolation loops over contiguous planes (N*C of them, each [H, W] row-major),
// forward and backward. Shapes and arguments are checked by the caller (src/ops/); the fast paths
// thread over planes and each has a plain single-threaded reference twin of PyTorch's CPU loop.
#pragma once

#include <cstdint>
#include <optional>

namespace torchlite::kernels {

/// One plane's window geometry: input ih x iw, output oh x ow, kernel, stride, padding, dilation.
struct PoolGeometry {
  int64_t ih = 0, iw = 0, oh = 0, ow = 0;
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1;
};

/// Max over each window; indices get the flat in-plane index (ih * iw + iw) of the first maximum,
/// a NaN wins (the last NaN of a window), as PyTorch's CPU kernel.
template <class T>
void max_pool2d(const T* x, T* y, int64_t* indices, int64_t planes, const PoolGeometry& g);
template <class T>
void max_pool2d_reference(const T* x, T* y, int64_t* indices, int64_t planes,
                          const PoolGeometry& g);

/// gx (planes x in_plane, overwritten) = 0, plus gy at each output's index (max pools' backward,
/// adaptive included). Indices outside the plane are skipped.
template <class T>
void max_pool2d_backward(const T* gy, const int64_t* indices, T* gx, int64_t planes,
                         int64_t in_plane, int64_t out_plane);
template <class T>
void max_pool2d_backward_reference(const T* gy, const int64_t* indices, T* gx, int64_t planes,
                                   int64_t in_plane, int64_t out_plane);

/// Mean over each window (dilation 1): the window sum divided by divisor_override when nonzero,
/// else by the window size clipped to input + padding (count_include_pad) or to the input.
template <class T>
void avg_pool2d(const T* x, T* y, int64_t planes, const PoolGeometry& g, bool count_include_pad,
                int64_t divisor_override);
template <class T>
void avg_pool2d_reference(const T* x, T* y, int64_t planes, const PoolGeometry& g,
                          bool count_include_pad, int64_t divisor_override);
/// gx (overwritten) = each output's gradient / its divisor, summed over the windows it lies in.
template <class T>
void avg_pool2d_backward(const T* gy, T* gx, int64_t planes, const PoolGeometry& g,
                         bool count_include_pad, int64_t divisor_override);
template <class T>
void avg_pool2d_backward_reference(const T* gy, T* gx, int64_t planes, const PoolGeometry& g,
                                   bool count_include_pad, int64_t divisor_override);

/// Adaptive windows rows [floor(i * in / out), ceil((i + 1) * in / out)) in each dim (PyTorch's
/// float formula); only g.ih, g.iw, g.oh, g.ow are read.
template <class T>
void adaptive_avg_pool2d(const T* x, T* y, int64_t planes, const PoolGeometry& g);
template <class T>
void adaptive_avg_pool2d_backward(const T* gy, T* gx, int64_t planes, const PoolGeometry& g);
/// Adaptive max; indices as max_pool2d's.
template <class T>
void adaptive_max_pool2d(const T* x, T* y, int64_t* indices, int64_t planes, const PoolGeometry& g);

/// Nearest-neighbour upsampling (mode="nearest"); scale_h/scale_w are the user's scale factors
/// when given (PyTorch then indexes with 1 / scale). 1-d is ih = oh = 1.
template <class T>
void upsample_nearest2d(const T* x, T* y, int64_t planes, const PoolGeometry& g,
                        std::optional<double> scale_h, std::optional<double> scale_w);
template <class T>
void upsample_nearest2d_reference(const T* x, T* y, int64_t planes, const PoolGeometry& g,
                                  std::optional<double> scale_h, std::optional<double> scale_w);
/// gx (overwritten) = sum of gy over the outputs that read each input.
template <class T>
void upsample_nearest2d_backward(const T* gy, T* gx, int64_t planes, const PoolGeometry& g,
                                 std::optional<double> scale_h, std::optional<double> scale_w);
template <class T>
void upsample_nearest2d_backward_reference(const T* gy, T* gx, int64_t planes,
                                           const PoolGeometry& g, std::optional<double> scale_h,
                                           std::optional<double> scale_w);

/// Bilinear upsampling, PyTorch's source indices and weights (align_corners or half-pixel).
template <class T>
void upsample_bilinear2d(const T* x, T* y, int64_t planes, const PoolGeometry& g,
                         bool align_corners, std::optional<double> scale_h,
                         std::optional<double> scale_w);
template <class T>
void upsample_bilinear2d_reference(const T* x, T* y, int64_t planes, const PoolGeometry& g,
                                   bool align_corners, std::optional<double> scale_h,
                                   std::optional<double> scale_w);
template <class T>
void upsample_bilinear2d_backward(const T* gy, T* gx, int64_t planes, const PoolGeometry& g,
                                  bool align_corners, std::optional<double> scale_h,
                                  std::optional<double> scale_w);
template <class T>
void upsample_bilinear2d_backward_reference(const T* gy, T* gx, int64_t planes,
                                            const PoolGeometry& g, bool align_corners,
                                            std::optional<double> scale_h,
                                            std::optional<double> scale_w);

}  // namespace torchlite::kernels
