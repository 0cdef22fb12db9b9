// conv1d, conv2d and conv_transpose2d: PyTorch's shape checks and messages, then the kernels of
// kernels/conv.h (conv1d as a conv2d of height 1), with one backward for all three.
#include "torchlite/ops/conv.h"

#include <array>
#include <vector>

#include "core/dispatch.h"
#include "core/tensor_util.h"
#include "kernels/conv.h"
#include "torchlite/autograd/function.h"

namespace torchlite {
namespace {

using autograd::SavedTensor;
using detail::shape_str;

/// One call's parameters, per spatial dim (only the first `dims` entries are used).
struct ConvSpec {
  const char* op;  // "conv1d", "conv2d", "conv_transpose2d": the name in PyTorch's messages
  int64_t dims;
  std::array<int64_t, 2> stride{1, 1}, pad_before{0, 0}, pad_after{0, 0}, dilation{1, 1};
  std::array<int64_t, 2> output_padding{0, 0};
  int64_t groups = 1;
  bool transposed = false;
};

/// "2 x 3": sizes as PyTorch's convolution messages list them.
std::string by(const std::vector<int64_t>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? " x " : "") + std::to_string(v[i]);
  return s;
}

/// What at::convolution checks before it computes (its check_shape_forward), on the batched
/// input, in PyTorch's order and words. Returns the output's spatial sizes.
std::vector<int64_t> check_shape(const Tensor& input, const Tensor& weight, const Tensor& bias,
                                 const ConvSpec& s) {
  const auto& ws = weight.sizes();
  const int64_t k = input.dim();
  const int64_t groups = s.groups;
  if (s.dims == 2 && weight.dim() != 4) {  // at::convolution fits its arguments to the weight
    TL_CHECK(false, "expected stride to be a single integer value or a list of ", weight.dim() - 2,
             " values to match the convolution dimensions, but got stride=[", s.stride[0], ", ",
             s.stride[1], "]");
  }
  TL_CHECK(groups > 0, "non-positive groups is not supported");
  std::string dilation = "[";
  for (int64_t d = 0; d < s.dims; ++d) dilation += (d ? ", " : "") + std::to_string(s.dilation[d]);
  for (int64_t d = 0; d < s.dims; ++d) {
    TL_CHECK(s.pad_before[d] >= 0 && s.pad_after[d] >= 0, "negative padding is not supported");
    TL_CHECK(s.output_padding[d] >= 0, "negative output_padding is not supported");
    TL_CHECK(s.stride[d] > 0, "non-positive stride is not supported");
    TL_CHECK(s.dilation[d] > 0, "dilation should be greater than zero, but got ", dilation, "]");
  }
  TL_CHECK(weight.dim() == k, "Expected ", weight.dim(), "-dimensional input for ", weight.dim(),
           "-dimensional weight ", shape_str(ws), ", but got ", k, "-dimensional input of size ",
           shape_str(input.sizes()), " instead");
  TL_CHECK(ws[0] >= groups, "Given groups=", groups, ", expected weight to be at least ", groups,
           " at dimension 0, but got weight of size ", shape_str(ws), " instead");
  TL_CHECK(ws[0] % groups == 0, "Given groups=", groups, ", expected weight to be divisible by ",
           groups, " at dimension 0, but got weight of size [", shape_str(ws), "] instead");
  std::vector<int64_t> out;
  if (!s.transposed) {
    TL_CHECK(input.size(1) == ws[1] * groups, "Given groups=", groups, ", weight of size ",
             shape_str(ws), ", expected input", shape_str(input.sizes()), " to have ",
             ws[1] * groups, " channels, but got ", input.size(1), " channels instead");
    TL_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == ws[0]), "Given weight of size ",
             shape_str(ws), ", expected bias to be 1-dimensional with ", ws[0],
             " elements, but got bias of size ", shape_str(bias.sizes()), " instead");
    std::vector<int64_t> padded, kernel;
    bool fits = true;
    for (int64_t d = 0; d < s.dims; ++d) {
      padded.push_back(input.size(d + 2) + s.pad_before[d] + s.pad_after[d]);
      kernel.push_back(s.dilation[d] * (ws[d + 2] - 1) + 1);
      fits = fits && padded.back() >= kernel.back();
      out.push_back((padded.back() - kernel.back()) / s.stride[d] + 1);
    }
    TL_CHECK(fits, "Calculated padded input size per channel: (", by(padded), "). Kernel size: (",
             by(kernel), "). Kernel size can't be greater than actual input size");
    return out;
  }
  TL_CHECK(input.size(1) == ws[0], "Given transposed=1, weight of size ", shape_str(ws),
           ", expected input", shape_str(input.sizes()), " to have ", ws[0], " channels, but got ",
           input.size(1), " channels instead");
  TL_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == ws[1] * groups),
           "Given transposed=1, weight of size ", shape_str(ws),
           ", expected bias to be 1-dimensional with ", ws[1] * groups,
           " elements, but got bias of size ", shape_str(bias.sizes()), " instead");
  bool op_ok = true;
  for (int64_t d = 0; d < s.dims; ++d)
    op_ok = op_ok && (s.output_padding[d] < s.stride[d] || s.output_padding[d] < s.dilation[d]);
  TL_CHECK(op_ok,
           "output padding must be smaller than either stride or dilation, but got "
           "output_padding_height: ",
           s.output_padding[0], " output_padding_width: ", s.output_padding[1],
           " stride_height: ", s.stride[0], " stride_width: ", s.stride[1],
           " dilation_height: ", s.dilation[0], " dilation_width: ", s.dilation[1]);
  std::vector<int64_t> in;
  bool positive = true;
  for (int64_t d = 0; d < s.dims; ++d) {
    in.push_back(input.size(d + 2));
    out.push_back((input.size(d + 2) - 1) * s.stride[d] - 2 * s.pad_before[d] +
                  s.dilation[d] * (ws[d + 2] - 1) + s.output_padding[d] + 1);
    positive = positive && out.back() >= 1;
  }
  TL_CHECK(positive, "Given input size per channel: (", by(in),
           "). Calculated output size per channel: (", by(out), "). Output size is too small");
  return out;
}

/// C's name of a dtype, as PyTorch's type messages write it ("float", "double").
std::string c_type_name(Dtype dtype) {
  switch (dtype) {
    case kFloat32:
      return "float";
    case kFloat64:
      return "double";
    case kInt64:
      return "long int";
    case kInt32:
      return "int";
    default:
      return dtype_name(dtype).substr(6);
  }
}

/// The dtype PyTorch's at::convolution asks every operand to share.
void check_dtypes(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  TL_CHECK(input.dtype() == weight.dtype(), "expected scalar type ",
           scalar_type_name(input.dtype()), " but found ", scalar_type_name(weight.dtype()));
  TL_CHECK(!bias.defined() || bias.dtype() == input.dtype(), "Input type (",
           c_type_name(input.dtype()), ") and bias type (", c_type_name(bias.dtype()),
           ") should be the same");
}

/// The kernels' geometry for a checked call: conv1d runs with height 1; a transposed
/// convolution is described by the convolution whose input gradient it is (its output is that
/// convolution's image).
kernels::ConvGeometry geometry(const Sizes& image, const Sizes& weight, const Sizes& out,
                               const ConvSpec& s) {
  kernels::ConvGeometry g;
  const int64_t h = s.dims == 2 ? 0 : -1;  // index of the height dim, -1 for conv1d
  auto sp = [](const Sizes& sz, int64_t i) { return i < 0 ? int64_t{1} : sz[i + 2]; };
  g.batch = image[0];
  g.channels = image[1];
  g.height = sp(image, h);
  g.width = sp(image, s.dims - 1);
  g.out_channels = out[1];
  g.out_height = sp(out, h);
  g.out_width = sp(out, s.dims - 1);
  g.kernel_h = sp(weight, h);
  g.kernel_w = sp(weight, s.dims - 1);
  auto pick = [&](const std::array<int64_t, 2>& v, int64_t i, int64_t dflt) {
    return i < 0 ? dflt : v[i];
  };
  g.stride_h = pick(s.stride, h, 1);
  g.stride_w = s.stride[s.dims - 1];
  g.pad_h = pick(s.pad_before, h, 0);
  g.pad_w = s.pad_before[s.dims - 1];
  g.dilation_h = pick(s.dilation, h, 1);
  g.dilation_w = s.dilation[s.dims - 1];
  g.groups = s.groups;
  return g;
}

Tensor convolution(const Tensor& input_arg, const Tensor& weight, const Tensor& bias,
                   const ConvSpec& s) {
  const int64_t d = s.dims;
  TL_CHECK(input_arg.dim() == d + 1 || input_arg.dim() == d + 2, "Expected ", d + 1,
           "D (unbatched) or ", d + 2, "D (batched) input to ", s.op,
           ", but got input of size: ", shape_str(input_arg.sizes()));
  const bool batched = input_arg.dim() == d + 2;
  const Tensor input = batched ? input_arg : input_arg.unsqueeze(0);
  const std::vector<int64_t> spatial = check_shape(input, weight, bias, s);
  check_dtypes(input, weight, bias);
  const Tensor x = input.contiguous();
  const Tensor w = weight.contiguous();
  const Tensor b = bias.defined() ? bias.contiguous() : Tensor();
  Sizes out_sizes{input.size(0), s.transposed ? weight.size(1) * s.groups : weight.size(0)};
  for (int64_t v : spatial) out_sizes.push_back(v);
  Tensor out = detail::make_empty(out_sizes, input.dtype());
  // In the convolution's terms: the image and the output (swapped for a transposed one).
  const kernels::ConvGeometry g = s.transposed ? geometry(out_sizes, w.sizes(), x.sizes(), s)
                                               : geometry(x.sizes(), w.sizes(), out_sizes, s);
  detail::dispatch_float(x.dtype(), s.op, [&](auto tag) {
    using T = decltype(tag);
    const T* bp = b.defined() ? b.data_ptr<T>() : nullptr;
    if (!s.transposed) {
      kernels::conv2d_forward<T>(g, x.data_ptr<T>(), w.data_ptr<T>(), bp, out.data_ptr<T>());
      return;
    }
    kernels::conv2d_backward_input<T>(g, x.data_ptr<T>(), w.data_ptr<T>(), out.data_ptr<T>());
    if (bp)
      kernels::add_channel_bias<T>(out.data_ptr<T>(), bp, g.batch, g.channels, g.height * g.width);
  });
  if (autograd::any_requires_grad({input, weight, bias})) {
    auto backward = [sx = SavedTensor(weight.requires_grad() ? x : Tensor()),
                     sw = SavedTensor(input.requires_grad() ? w : Tensor()), g,
                     has_bias = b.defined(), transposed = s.transposed, op = s.op,
                     x_sizes = x.sizes(), w_sizes = w.sizes()](const Tensor& grad) {
      const Tensor gy = grad.contiguous();
      const Tensor tx = sx.unpack(), tw = sw.unpack();
      std::array<Tensor, 3> grads;
      if (tw.defined()) grads[0] = detail::make_empty(x_sizes, gy.dtype());
      if (tx.defined()) grads[1] = detail::make_empty(w_sizes, gy.dtype());
      if (has_bias)
        grads[2] = detail::make_empty({transposed ? g.channels : g.out_channels}, gy.dtype());
      detail::dispatch_float(gy.dtype(), op, [&](auto tag) {
        using T = decltype(tag);
        // The image and output gradients in the convolution's terms.
        const T* dy = gy.data_ptr<T>();
        if (grads[0].defined()) {
          T* dx = grads[0].data_ptr<T>();
          if (transposed)
            kernels::conv2d_forward<T>(g, dy, tw.data_ptr<T>(), nullptr, dx);
          else
            kernels::conv2d_backward_input<T>(g, dy, tw.data_ptr<T>(), dx);
        }
        if (grads[1].defined()) {
          T* dw = grads[1].data_ptr<T>();
          if (transposed)
            kernels::conv2d_backward_weight<T>(g, dy, tx.data_ptr<T>(), dw);
          else
            kernels::conv2d_backward_weight<T>(g, tx.data_ptr<T>(), dy, dw);
        }
        if (grads[2].defined()) {
          T* db = grads[2].data_ptr<T>();
          if (transposed)
            kernels::channel_sums<T>(dy, g.batch, g.channels, g.height * g.width, db);
          else
            kernels::channel_sums<T>(dy, g.batch, g.out_channels, g.out_height * g.out_width, db);
        }
      });
      return grads;
    };
    out = autograd::attach_node(std::move(out), "ConvolutionBackward0",
                                std::initializer_list<autograd::TensorRef>{input, weight, bias},
                                std::move(backward));
  }
  return batched ? out : out.squeeze(0);
}

/// PyTorch's string paddings: "valid" is none; "same" keeps the input size (stride 1 only),
/// putting the odd zero of an even dilated kernel after the input.
ConvSpec string_padding(ConvSpec s, const std::string& padding, const Tensor& weight) {
  if (padding == "valid") return s;
  TL_CHECK(padding == "same", "Invalid padding string: '", padding, "'");
  if (weight.dim() != s.dims + 2) return s;  // convolution() names the mismatch
  for (int64_t d = 0; d < s.dims; ++d)
    TL_CHECK(s.stride[d] == 1, "padding='same' is not supported for strided convolutions");
  for (int64_t d = 0; d < s.dims; ++d) {
    const int64_t total = s.dilation[d] * (weight.size(d + 2) - 1);
    s.pad_before[d] = total / 2;
    s.pad_after[d] = total - total / 2;
  }
  return s;
}

template <size_t D>
ConvSpec spec(const char* op, std::array<int64_t, D> stride, std::array<int64_t, D> padding,
              std::array<int64_t, D> dilation, int64_t groups) {
  ConvSpec s{op, static_cast<int64_t>(D)};
  for (size_t i = 0; i < D; ++i) {
    s.stride[i] = stride[i];
    s.pad_before[i] = s.pad_after[i] = padding[i];
    s.dilation[i] = dilation[i];
  }
  s.groups = groups;
  return s;
}

}  // namespace

Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              std::array<int64_t, 1> stride, std::array<int64_t, 1> padding,
              std::array<int64_t, 1> dilation, int64_t groups) {
  return convolution(input, weight, bias, spec<1>("conv1d", stride, padding, dilation, groups));
}

Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              std::array<int64_t, 1> stride, const std::string& padding,
              std::array<int64_t, 1> dilation, int64_t groups) {
  const ConvSpec s = spec<1>("conv1d", stride, {0}, dilation, groups);
  if (input.dim() != 2 && input.dim() != 3) return convolution(input, weight, bias, s);
  return convolution(input, weight, bias, string_padding(s, padding, weight));
}

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              std::array<int64_t, 2> stride, std::array<int64_t, 2> padding,
              std::array<int64_t, 2> dilation, int64_t groups) {
  return convolution(input, weight, bias, spec<2>("conv2d", stride, padding, dilation, groups));
}

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              std::array<int64_t, 2> stride, const std::string& padding,
              std::array<int64_t, 2> dilation, int64_t groups) {
  const ConvSpec s = spec<2>("conv2d", stride, {0, 0}, dilation, groups);
  if (input.dim() != 3 && input.dim() != 4) return convolution(input, weight, bias, s);
  return convolution(input, weight, bias, string_padding(s, padding, weight));
}

Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
                        std::array<int64_t, 2> stride, std::array<int64_t, 2> padding,
                        std::array<int64_t, 2> output_padding, int64_t groups,
                        std::array<int64_t, 2> dilation) {
  ConvSpec s = spec<2>("conv_transpose2d", stride, padding, dilation, groups);
  s.output_padding = output_padding;
  s.transposed = true;
  return convolution(input, weight, bias, s);
}

}  // namespace torchlite
