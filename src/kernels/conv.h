// 2-D convolution kernels (conv1d runs as a conv2d of height 1; a transposed convolution is the
// backward of a convolution): im2col/col2im around kernels::gemm (float32 forward and backward
// on oneDNN's direct and brgemm kernels where built with it and they take the geometry), batch
// spread over the pool, and direct-loop reference twins. Contiguous NCHW data; dtypes and shapes
// are checked by callers.
#pragma once

#include <array>
#include <cstdint>

namespace torchlite::kernels {

/// The geometry of one convolution: image x [batch, channels, height, width] -> y [batch,
/// out_channels, out_height, out_width] with weight [out_channels, channels / groups, kernel_h,
/// kernel_w]. pad_h/pad_w are the zeros before the first row/column; the zeros after the last
/// follow from the output size (so that PyTorch's asymmetric 'same' padding needs no copy).
struct ConvGeometry {
  int64_t batch = 1;
  int64_t channels = 1, height = 1, width = 1;
  int64_t out_channels = 1, out_height = 1, out_width = 1;
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_h = 0, pad_w = 0;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t groups = 1;
};

/// The zeros after the last row and column of the image that `g`'s output size implies, or 0
/// where that is negative (a stride that skips the last rows: ResNet's 1x1 stride-2
/// downsampling), which gives the same output and reads the same pixels: {after_h, after_w}.
std::array<int64_t, 2> pad_after(const ConvGeometry& g);

/// y = conv(x, w) + bias (bias may be null): float32 on oneDNN's direct kernels where the build
/// has oneDNN and it has a JIT kernel for `g`, else conv2d_forward_im2col.
template <class T>
void conv2d_forward(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y);
/// conv2d_forward as per sample and group one GEMM w_g [out/g, channels/g * kh * kw] @
/// im2col(x_g).
template <class T>
void conv2d_forward_im2col(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y);
/// dx = the gradient of conv(x, w) with respect to x for the output gradient dy (dx is
/// overwritten): float32 on oneDNN as conv2d_forward, else w_g^T @ dy_g scattered back by
/// col2im. Also a transposed convolution's forward.
template <class T>
void conv2d_backward_input(const ConvGeometry& g, const T* dy, const T* w, T* dx);
/// dw = sum over the batch of dy_g @ im2col(x_g)^T (dw is overwritten; float32 on oneDNN as
/// conv2d_forward); the batch is cut into one range per thread whose partial sums are added in a
/// fixed order.
template <class T>
void conv2d_backward_weight(const ConvGeometry& g, const T* x, const T* dy, T* dw);
/// out[c] = sum of t[n, c, s] over n and s, for t [batch, channels, spatial]: a bias gradient.
template <class T>
void channel_sums(const T* t, int64_t batch, int64_t channels, int64_t spatial, T* out);
/// t[n, c, s] += bias[c] for t [batch, channels, spatial].
template <class T>
void add_channel_bias(T* t, const T* bias, int64_t batch, int64_t channels, int64_t spatial);

/// Reference twins: the textbook loops over every output and kernel tap, one thread, no GEMM.
template <class T>
void conv2d_forward_reference(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y);
template <class T>
void conv2d_backward_input_reference(const ConvGeometry& g, const T* dy, const T* w, T* dx);
template <class T>
void conv2d_backward_weight_reference(const ConvGeometry& g, const T* x, const T* dy, T* dw);

}  // namespace torchlite::kernels
