// nn::functional: PyTorch's keyword-argument forms over the ops in src/ops, and dropout.
#include "torchlite/nn/functional.h"

#include "torchlite/ops/conv.h"
#include "torchlite/ops/interpolate.h"
#include "torchlite/ops/loss.h"
#include "torchlite/ops/pad.h"
#include "torchlite/ops/pooling.h"
#include "torchlite/ops/softmax.h"
#include "torchlite/printing.h"

namespace torchlite::nn::functional {
namespace {

Reduction parse_reduction(const std::string& reduction) {
  if (reduction == "mean") return Reduction::Mean;
  if (reduction == "sum") return Reduction::Sum;
  if (reduction == "none") return Reduction::None;
  throw Error(reduction + " is not a valid value for reduction");
}

}  // namespace

Tensor softmax(const Tensor& input, int64_t dim) { return torchlite::softmax(input, dim); }

Tensor log_softmax(const Tensor& input, int64_t dim) { return torchlite::log_softmax(input, dim); }

Tensor cross_entropy(const Tensor& input, const Tensor& target,
                     const CrossEntropyOptions& options) {
  return torchlite::cross_entropy(input, target, options.weight, parse_reduction(options.reduction),
                                  options.ignore_index, options.label_smoothing);
}

Tensor nll_loss(const Tensor& input, const Tensor& target, const NllLossOptions& options) {
  return torchlite::nll_loss(input, target, options.weight, parse_reduction(options.reduction),
                             options.ignore_index);
}

Tensor mse_loss(const Tensor& input, const Tensor& target, const std::string& reduction) {
  return torchlite::mse_loss(input, target, parse_reduction(reduction));
}

Tensor l1_loss(const Tensor& input, const Tensor& target, const std::string& reduction) {
  return torchlite::l1_loss(input, target, parse_reduction(reduction));
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BceWithLogitsOptions& options) {
  return torchlite::binary_cross_entropy_with_logits(
      input, target, options.weight, options.pos_weight, parse_reduction(options.reduction));
}

Tensor dropout(const Tensor& input, double p, bool training, bool inplace) {
  TL_CHECK(p >= 0.0 && p <= 1.0, "dropout probability has to be between 0 and 1, but got ",
           format_python_float(p));
  if (p == 0.0 || !training || input.numel() == 0) return input;
  Tensor noise;
  if (p == 1.0) {
    noise = zeros(Sizes{}, input.dtype());
  } else {
    noise = empty_like(input);
    noise.bernoulli_(1.0 - p);
    noise.div_(1.0 - p);
  }
  if (!inplace) return input * noise;
  Tensor out = input;
  out.mul_(noise);
  return out;
}

// ---- convolution ----

Tensor conv1d(const Tensor& input, const Tensor& weight, const Conv1dFuncOptions& options) {
  if (options.padding.is_string())
    return torchlite::conv1d(input, weight, options.bias, options.stride.values(),
                             options.padding.mode(), options.dilation.values(), options.groups);
  return torchlite::conv1d(input, weight, options.bias, options.stride.values(),
                           options.padding.sizes().values(), options.dilation.values(),
                           options.groups);
}

Tensor conv2d(const Tensor& input, const Tensor& weight, const Conv2dFuncOptions& options) {
  if (options.padding.is_string())
    return torchlite::conv2d(input, weight, options.bias, options.stride.values(),
                             options.padding.mode(), options.dilation.values(), options.groups);
  return torchlite::conv2d(input, weight, options.bias, options.stride.values(),
                           options.padding.sizes().values(), options.dilation.values(),
                           options.groups);
}

Tensor conv_transpose2d(const Tensor& input, const Tensor& weight,
                        const ConvTranspose2dFuncOptions& options) {
  return torchlite::conv_transpose2d(input, weight, options.bias, options.stride.values(),
                                     options.padding.values(), options.output_padding.values(),
                                     options.groups, options.dilation.values());
}

Tensor pad(const Tensor& input, const std::vector<int64_t>& pad, const PadFuncOptions& options) {
  return torchlite::pad(input, pad, options.mode, options.value);

// ---- pooling and interpolation ----

namespace {

/// The output size of an adaptive 2-d pool: Python's _list_with_default (None entries take the
/// input's size; a tuple needs input.dim() >= 3).
Pool2dSize adaptive_size(const Tensor& input, const ExpandingArrayWithOptionalElem<2>& size) {
  if (!size.is_scalar()) TL_CHECK(input.dim() > 2, "Input dimension should be at least 3");
  Pool2dSize out{};
  for (size_t i = 0; i < 2; ++i)
    out[i] = size[i] ? *size[i] : input.size(static_cast<int64_t>(i) - 2);
  return out;
}

}  // namespace

Tensor max_pool1d(const Tensor& input, ExpandingArray<1> kernel_size,
                  const MaxPool1dOptions& options) {
  return torchlite::max_pool1d(input, kernel_size[0], options.stride.value_or(kernel_size)[0],
                               options.padding[0], options.dilation[0], options.ceil_mode);
}

std::pair<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input,
                                                  ExpandingArray<1> kernel_size,
                                                  const MaxPool1dOptions& options) {
  return torchlite::max_pool1d_with_indices(
      input, kernel_size[0], options.stride.value_or(kernel_size)[0], options.padding[0],
      options.dilation[0], options.ceil_mode);
}

Tensor max_pool2d(const Tensor& input, ExpandingArray<2> kernel_size,
                  const MaxPool2dOptions& options) {
  return max_pool2d_with_indices(input, kernel_size, options).first;
}

std::pair<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input,
                                                  ExpandingArray<2> kernel_size,
                                                  const MaxPool2dOptions& options) {
  return torchlite::max_pool2d_with_indices(
      input, kernel_size.values(), options.stride.value_or(kernel_size).values(),
      options.padding.values(), options.dilation.values(), options.ceil_mode);
}

Tensor avg_pool1d(const Tensor& input, ExpandingArray<1> kernel_size,
                  const AvgPool1dOptions& options) {
  return torchlite::avg_pool1d(input, kernel_size[0], options.stride.value_or(kernel_size)[0],
                               options.padding[0], options.ceil_mode, options.count_include_pad);
}

Tensor avg_pool2d(const Tensor& input, ExpandingArray<2> kernel_size,
                  const AvgPool2dOptions& options) {
  return torchlite::avg_pool2d(input, kernel_size.values(),
                               options.stride.value_or(kernel_size).values(),
                               options.padding.values(), options.ceil_mode,
                               options.count_include_pad, options.divisor_override);
}

Tensor adaptive_avg_pool1d(const Tensor& input, ExpandingArray<1> output_size) {
  return torchlite::adaptive_avg_pool1d(input, output_size[0]);
}

Tensor adaptive_avg_pool2d(const Tensor& input, ExpandingArrayWithOptionalElem<2> output_size) {
  return torchlite::adaptive_avg_pool2d(input, adaptive_size(input, output_size));
}

Tensor adaptive_max_pool2d(const Tensor& input, ExpandingArrayWithOptionalElem<2> output_size) {
  return adaptive_max_pool2d_with_indices(input, output_size).first;
}

std::pair<Tensor, Tensor> adaptive_max_pool2d_with_indices(
    const Tensor& input, ExpandingArrayWithOptionalElem<2> output_size) {
  return torchlite::adaptive_max_pool2d(input, adaptive_size(input, output_size));
}

Tensor interpolate(const Tensor& input, const InterpolateOptions& options) {
  return torchlite::interpolate(input, options);
}

}  // namespace torchlite::nn::functional
