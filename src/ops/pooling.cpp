// Pooling ops: PyTorch 1.13's argument checks and output sizes, the loops of kernels/pooling,
// and each op's backward beside its forward. 1-d pools are the 2-d ones over a height of 1, as
// in PyTorch (so that their errors name the same sizes).
#include "torchlite/ops/pooling.h"

#include <array>
#include <string>

#include "core/dispatch.h"
#include "core/tensor_util.h"
#include "kernels/pooling.h"
#include "torchlite/autograd/function.h"

namespace torchlite {
namespace {

/// a / b rounded towards negative infinity.
int64_t div_rtn(int64_t a, int64_t b) {
  int64_t q = a / b;
  const int64_t r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) --q;
  return q;
}

/// PyTorch's pooling_output_shape: checks stride and padding, then the output length, a
/// ceil_mode window dropped when it would start beyond the input and its left padding.
int64_t pooling_output_size(int64_t in, int64_t kernel, int64_t pad, int64_t stride,
                            int64_t dilation, bool ceil_mode) {
  TL_CHECK(stride != 0, "stride should not be zero");
  TL_CHECK(pad >= 0, "pad must be non-negative, but got pad: ", pad);
  TL_CHECK(pad <= kernel / 2, "pad should be at most half of kernel size, but got pad=", pad,
           " and kernel_size=", kernel);
  int64_t out =
      div_rtn(in + 2 * pad - dilation * (kernel - 1) - 1 + (ceil_mode ? stride - 1 : 0), stride) +
      1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

/// The geometry of a 2-d pool over `input` (3-D or 4-D), with PyTorch's pool2d_shape_check.
kernels::PoolGeometry pool_geometry(const Tensor& input, Pool2dSize k, Pool2dSize s, Pool2dSize p,
                                    Pool2dSize d, bool ceil_mode) {
  kernels::PoolGeometry g;
  const int64_t planes = input.size(-3);
  g.ih = input.size(-2);
  g.iw = input.size(-1);
  g.oh = pooling_output_size(g.ih, k[0], p[0], s[0], d[0], ceil_mode);
  g.ow = pooling_output_size(g.iw, k[1], p[1], s[1], d[1], ceil_mode);
  g.kh = k[0], g.kw = k[1], g.sh = s[0], g.sw = s[1];
  g.ph = p[0], g.pw = p[1], g.dh = d[0], g.dw = d[1];
  TL_CHECK(g.kw > 0 && g.kh > 0, "kernel size should be greater than zero, but got kH: ", g.kh,
           " kW: ", g.kw);
  TL_CHECK(g.sw > 0 && g.sh > 0, "stride should be greater than zero, but got dH: ", g.sh,
           " dW: ", g.sw);
  TL_CHECK(g.dh > 0 && g.dw > 0, "dilation should be greater than zero, but got dilationH: ", g.dh,
           " dilationW: ", g.dw);
  const int64_t ndim = input.dim();
  const bool valid_dims = input.size(1) != 0 && input.size(2) != 0;
  TL_CHECK((ndim == 3 && input.size(0) != 0 && valid_dims) ||
               (ndim == 4 && valid_dims && input.size(3) != 0),
           "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but "
           "got:",
           detail::shape_str(input.sizes()));
  TL_CHECK(g.ow >= 1 && g.oh >= 1, "Given input size: (", planes, "x", g.ih, "x", g.iw,
           "). Calculated output size: (", planes, "x", g.oh, "x", g.ow,
           "). Output size is too small");
  return g;
}

/// `input`'s sizes with the last two replaced by (oh, ow).
Sizes pooled_sizes(const Tensor& input, int64_t oh, int64_t ow) {
  Sizes out = input.sizes();
  out[out.size() - 2] = oh;
  out[out.size() - 1] = ow;
  return out;
}

/// PyTorch's checkDimRange(op, self, 2, 4) of the 1-d ops.
void check_1d_rank(const Tensor& input, const char* op) {
  TL_CHECK(input.dim() >= 2 && input.dim() < 4, "Expected 2 to 3 dimensions, but got ", input.dim(),
           "-dimensional tensor for argument #1 'self' (while checking arguments for ", op, ")");
}

/// The backward of the max pools: each output's gradient added at its saved index.
Tensor max_pool_backward(const Tensor& grad, const Tensor& indices, const Sizes& in_sizes,
                         const char* op) {
  const Tensor g = grad.contiguous();
  Tensor gx = empty(in_sizes, g.dtype());
  const int64_t in_plane = in_sizes[in_sizes.size() - 2] * in_sizes[in_sizes.size() - 1];
  const int64_t out_plane = indices.size(-2) * indices.size(-1);
  const int64_t planes = in_plane == 0 ? 0 : gx.numel() / in_plane;
  detail::dispatch_float(g.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    kernels::max_pool2d_backward<T>(g.data_ptr<T>(), indices.data_ptr<int64_t>(), gx.data_ptr<T>(),
                                    planes, in_plane, out_plane);
  });
  return gx;
}

/// Records the max pools' backward (PyTorch saves the indices, checked for in-place changes).
Tensor record_max_pool(Tensor y, const Tensor& indices, const Tensor& input, const char* name) {
  autograd::SavedTensor saved(indices);
  return autograd::record(
      std::move(y), name, {input}, [saved, in_sizes = input.sizes(), name](const Tensor& grad) {
        return std::array{max_pool_backward(grad, saved.unpack(), in_sizes, name)};
      });
}

}  // namespace

std::pair<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, Pool2dSize kernel_size,
                                                  Pool2dSize stride, Pool2dSize padding,
                                                  Pool2dSize dilation, bool ceil_mode) {
  TL_CHECK(input.dim() == 3 || input.dim() == 4,
           "non-empty 3D or 4D (batch mode) tensor expected for input");
  const kernels::PoolGeometry g =
      pool_geometry(input, kernel_size, stride, padding, dilation, ceil_mode);
  const Tensor x = input.contiguous();
  const Sizes out_sizes = pooled_sizes(input, g.oh, g.ow);
  Tensor y = empty(out_sizes, input.dtype());
  Tensor indices = empty(out_sizes, kInt64);
  const int64_t planes = x.numel() / (g.ih * g.iw);
  detail::dispatch_float(input.dtype(), "max_pool2d", [&](auto tag) {
    using T = decltype(tag);
    kernels::max_pool2d<T>(x.data_ptr<T>(), y.data_ptr<T>(), indices.data_ptr<int64_t>(), planes,
                           g);
  });
  y = record_max_pool(std::move(y), indices, input, "MaxPool2DWithIndicesBackward0");
  return {y, indices};
}

Tensor max_pool2d(const Tensor& input, Pool2dSize kernel_size, Pool2dSize stride,
                  Pool2dSize padding, Pool2dSize dilation, bool ceil_mode) {
  return max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode).first;
}

std::pair<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input, int64_t kernel_size,
                                                  int64_t stride, int64_t padding, int64_t dilation,
                                                  bool ceil_mode) {
  check_1d_rank(input, "max_pool1d");
  auto [y, indices] = max_pool2d_with_indices(input.unsqueeze(-2), {1, kernel_size}, {1, stride},
                                              {0, padding}, {1, dilation}, ceil_mode);
  return {y.squeeze(-2), indices.squeeze(-2)};
}

Tensor max_pool1d(const Tensor& input, int64_t kernel_size, int64_t stride, int64_t padding,
                  int64_t dilation, bool ceil_mode) {
  const int64_t ndim = input.dim();
  TL_CHECK((ndim == 2 && input.size(0) != 0 && input.size(1) != 0) ||
               (ndim == 3 && input.size(1) != 0 && input.size(2) != 0),
           "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
           "input, but got:",
           detail::shape_str(input.sizes()));
  return max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode).first;
}

Tensor avg_pool2d(const Tensor& input, Pool2dSize kernel_size, Pool2dSize stride,
                  Pool2dSize padding, bool ceil_mode, bool count_include_pad,
                  std::optional<int64_t> divisor_override) {
  TL_CHECK(!divisor_override || *divisor_override != 0, "divisor must be not zero");
  detail::wrap_dim(-3, input.dim());  // PyTorch reads input.size(-3) first
  const kernels::PoolGeometry g =
      pool_geometry(input, kernel_size, stride, padding, {1, 1}, ceil_mode);
  const Tensor x = input.contiguous();
  Tensor y = empty(pooled_sizes(input, g.oh, g.ow), input.dtype());
  const int64_t planes = x.numel() / (g.ih * g.iw);
  const int64_t divisor = divisor_override.value_or(0);
  detail::dispatch_float(input.dtype(), "avg_pool2d", [&](auto tag) {
    using T = decltype(tag);
    kernels::avg_pool2d<T>(x.data_ptr<T>(), y.data_ptr<T>(), planes, g, count_include_pad, divisor);
  });
  return autograd::record(
      std::move(y), "AvgPool2DBackward0", {input},
      [g, planes, count_include_pad, divisor, in_sizes = input.sizes()](const Tensor& grad) {
        const Tensor gy = grad.contiguous();
        Tensor gx = empty(in_sizes, gy.dtype());
        detail::dispatch_float(gy.dtype(), "avg_pool2d_backward", [&](auto tag) {
          using T = decltype(tag);
          kernels::avg_pool2d_backward<T>(gy.data_ptr<T>(), gx.data_ptr<T>(), planes, g,
                                          count_include_pad, divisor);
        });
        return std::array{gx};
      });
}

Tensor avg_pool1d(const Tensor& input, int64_t kernel_size, int64_t stride, int64_t padding,
                  bool ceil_mode, bool count_include_pad) {
  check_1d_rank(input, "avg_pool1d");
  return avg_pool2d(input.unsqueeze(-2), {1, kernel_size}, {1, stride}, {0, padding}, ceil_mode,
                    count_include_pad)
      .squeeze(-2);
}

Tensor adaptive_avg_pool2d(const Tensor& input, Pool2dSize output_size) {
  TL_CHECK(output_size[0] >= 0 && output_size[1] >= 0,
           "adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but "
           "received {",
           output_size[0], ", ", output_size[1], "}");
  if (output_size[0] == 1 && output_size[1] == 1) return input.mean({-1, -2}, true);
  const int64_t ndim = input.dim();
  TL_CHECK(ndim == 3 || ndim == 4, "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got ",
           detail::shape_str(input.sizes()));
  for (int64_t i : {-2, -1}) {
    TL_CHECK(input.size(i) > 0,
             "adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch "
             "dimensions, but input has sizes ",
             detail::shape_str(input.sizes()), " with dimension ", i + ndim, " being empty");
  }
  kernels::PoolGeometry g;
  g.ih = input.size(-2), g.iw = input.size(-1), g.oh = output_size[0], g.ow = output_size[1];
  const Tensor x = input.contiguous();
  Tensor y = empty(pooled_sizes(input, g.oh, g.ow), input.dtype());
  const int64_t planes = x.numel() / (g.ih * g.iw);
  detail::dispatch_float(input.dtype(), "adaptive_avg_pool2d_cpu", [&](auto tag) {
    using T = decltype(tag);
    kernels::adaptive_avg_pool2d<T>(x.data_ptr<T>(), y.data_ptr<T>(), planes, g);
  });
  return autograd::record(
      std::move(y), "AdaptiveAvgPool2DBackward0", {input},
      [g, planes, in_sizes = input.sizes()](const Tensor& grad) {
        const Tensor gy = grad.contiguous();
        Tensor gx = empty(in_sizes, gy.dtype());
        detail::dispatch_float(gy.dtype(), "adaptive_avg_pool2d_backward_cpu", [&](auto tag) {
          using T = decltype(tag);
          kernels::adaptive_avg_pool2d_backward<T>(gy.data_ptr<T>(), gx.data_ptr<T>(), planes, g);
        });
        return std::array{gx};
      });
}

Tensor adaptive_avg_pool1d(const Tensor& input, int64_t output_size) {
  check_1d_rank(input, "adaptive_avg_pool1d");
  return adaptive_avg_pool2d(input.unsqueeze(-2), {1, output_size}).squeeze(-2);
}

std::pair<Tensor, Tensor> adaptive_max_pool2d(const Tensor& input, Pool2dSize output_size) {
  const int64_t ndim = input.dim();
  TL_CHECK(ndim == 3 || ndim == 4, "adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: ",
           detail::shape_str(input.sizes()));
  for (int64_t i = 1; i < ndim; ++i) {
    TL_CHECK(input.size(i) > 0,
             "adaptive_max_pool2d(): Expected input to have non-zero size for non-batch "
             "dimensions, but input has sizes ",
             detail::shape_str(input.sizes()), " with dimension ", i, " being empty");
  }
  const Sizes out_sizes = pooled_sizes(input, output_size[0], output_size[1]);
  for (int64_t s : out_sizes) {
    TL_CHECK(s >= 0, "Trying to create tensor with negative dimension ", s, ": ",
             detail::shape_str(out_sizes));
  }
  kernels::PoolGeometry g;
  g.ih = input.size(-2), g.iw = input.size(-1), g.oh = output_size[0], g.ow = output_size[1];
  const Tensor x = input.contiguous();
  Tensor y = empty(out_sizes, input.dtype());
  Tensor indices = empty(out_sizes, kInt64);
  const int64_t planes = x.numel() / (g.ih * g.iw);
  detail::dispatch_float(input.dtype(), "adaptive_max_pool2d", [&](auto tag) {
    using T = decltype(tag);
    kernels::adaptive_max_pool2d<T>(x.data_ptr<T>(), y.data_ptr<T>(), indices.data_ptr<int64_t>(),
                                    planes, g);
  });
  y = record_max_pool(std::move(y), indices, input, "AdaptiveMaxPool2DBackward0");
  return {y, indices};
}

}  // namespace torchlite
