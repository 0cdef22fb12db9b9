// nn::functional: PyTorch's keyword-argument forms over the ops in src/ops, and dropout.
#include "torchlite/nn/functional.h"

#include <cmath>
#include <limits>
#include <sstream>

#include "core/tensor_util.h"
#include "nn/attention_impl.h"
#include "torchlite/ops/activation.h"
#include "torchlite/ops/attention.h"
#include "torchlite/ops/conv.h"
#include "torchlite/ops/embedding.h"
#include "torchlite/ops/interpolate.h"
#include "torchlite/ops/loss.h"
#include "torchlite/ops/normalization.h"
#include "torchlite/ops/pad.h"
#include "torchlite/ops/pooling.h"
#include "torchlite/ops/softmax.h"
#include "torchlite/printing.h"

namespace torchlite::nn::functional {
namespace {

/// ATen's _dropout_impl after its early returns: input * noise, where noise (input's shape, or
/// [N, C, 1, ...] for feature dropout; undefined when p = 1) is drawn from bernoulli(1 - p) and
/// scaled by 1 / (1 - p); p = 1 multiplies by zero.
Tensor scale_by_noise(const Tensor& input, double p, Tensor noise, bool inplace) {
  if (p == 1.0) {
    noise = zeros(Sizes{}, input.dtype());
  } else {
    noise.bernoulli_(1.0 - p);
    noise.div_(1.0 - p);
  }
  if (!inplace) return input * noise;
  Tensor out = input;
  out.mul_(noise);
  return out;
}

/// F._verify_batch_size: a channel needs more than one value to have a batch variance. `shown`
/// is the size as PyTorch prints it in the message.
void verify_batch_size(const Sizes& s, const std::string& shown) {
  int64_t values = s.empty() ? 1 : s[0];
  for (size_t i = 2; i < s.size(); ++i) values *= s[i];
  TL_CHECK(values != 1, "Expected more than 1 value per channel when training, got input size ",
           shown);
}

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
  return scale_by_noise(input, p, p < 1.0 ? empty_like(input) : Tensor(), inplace);
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
}

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

// ---- normalisation and activations ----

Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const BatchNormFuncOptions& options) {
  if (options.training) {
    std::ostringstream shown;  // torch.Size([...])
    shown << input.sizes();
    verify_batch_size(input.sizes(), shown.str());
  }
  return torchlite::batch_norm(input, options.weight, options.bias, running_mean, running_var,
                               options.training, options.momentum, options.eps);
}

Tensor layer_norm(const Tensor& input, const std::vector<int64_t>& normalized_shape,
                  const LayerNormFuncOptions& options) {
  return torchlite::layer_norm(input, Sizes(normalized_shape.begin(), normalized_shape.end()),
                               options.weight, options.bias, options.eps);
}

Tensor group_norm(const Tensor& input, int64_t num_groups, const GroupNormFuncOptions& options) {
  TL_CHECK(input.defined(), "group_norm: input is an undefined tensor");
  // Verified over [N * C // G, G, *], printed as a Python list.
  const int64_t n = input.size(detail::wrap_dim(0, input.dim()));
  const int64_t c = input.size(detail::wrap_dim(1, input.dim()));
  TL_CHECK(num_groups != 0, "integer division or modulo by zero");
  Sizes s{n * c / num_groups, num_groups};
  for (int64_t d = 2; d < input.dim(); ++d) s.push_back(input.sizes()[d]);
  verify_batch_size(s, detail::shape_str(s));
  return torchlite::group_norm(input, num_groups, options.weight, options.bias, options.eps);
}

Tensor dropout2d(const Tensor& input, double p, bool training, bool inplace) {
  TL_CHECK(p >= 0.0 && p <= 1.0, "dropout probability has to be between 0 and 1, but got ",
           format_python_float(p));
  // ATen's feature dropout: the early returns come before the rank check.
  if (p == 0.0 || !training || input.numel() == 0) return input;
  if (p == 1.0) return scale_by_noise(input, p, Tensor(), inplace);
  TL_CHECK(input.dim() >= 2, "Feature dropout requires at least 2 dimensions in the input");
  Sizes shape(input.dim(), 1);
  shape[0] = input.sizes()[0];
  shape[1] = input.sizes()[1];
  return scale_by_noise(input, p, empty(shape, input.dtype()), inplace);
}

Tensor leaky_relu(const Tensor& input, double negative_slope, bool inplace) {
  if (!inplace) return torchlite::leaky_relu(input, negative_slope);
  Tensor self = input;
  return torchlite::leaky_relu_(self, negative_slope);
}

Tensor gelu(const Tensor& input, const std::string& approximate) {
  return torchlite::gelu(input, approximate);
}

Tensor silu(const Tensor& input, bool inplace) {
  if (!inplace) return torchlite::silu(input);
  Tensor self = input;
  return torchlite::silu_(self);
}

Tensor elu(const Tensor& input, double alpha, bool inplace) {
  if (!inplace) return torchlite::elu(input, alpha);
  Tensor self = input;
  return torchlite::elu_(self, alpha);
}

Tensor relu6(const Tensor& input, bool inplace) {
  if (!inplace) return torchlite::relu6(input);
  Tensor self = input;
  return torchlite::relu6_(self);
}

Tensor hardtanh(const Tensor& input, double min_val, double max_val, bool inplace) {
  if (!inplace) return torchlite::hardtanh(input, min_val, max_val);
  Tensor self = input;
  return torchlite::hardtanh_(self, min_val, max_val);
}

Tensor hardswish(const Tensor& input, bool inplace) {
  if (!inplace) return torchlite::hardswish(input);
  Tensor self = input;
  return torchlite::hardswish_(self);
}

Tensor softplus(const Tensor& input, double beta, double threshold) {
  return torchlite::softplus(input, beta, threshold);
}

// Attention

std::pair<Tensor, Tensor> multi_head_attention_forward(
    const Tensor& query, const Tensor& key, const Tensor& value, int64_t embed_dim_to_check,
    int64_t num_heads, const MultiheadAttentionForwardFuncOptions& options) {
  return attention_impl::multi_head_attention(query, key, value, embed_dim_to_check, num_heads, options,
                                      false);
}

Tensor scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                    const ScaledDotProductAttentionFuncOptions& options) {
  TL_CHECK(query.dim() >= 2 && key.dim() == query.dim() && value.dim() == query.dim(),
           "scaled_dot_product_attention: expected query, key and value of the same rank >= 2, "
           "got ", query.dim(), "-D, ", key.dim(), "-D and ", value.dim(), "-D");
  const int64_t L = query.size(-2), E = query.size(-1), S = key.size(-2), Ev = value.size(-1);
  const Sizes batch(query.sizes().begin(), query.sizes().end() - 2);
  TL_CHECK(Sizes(key.sizes().begin(), key.sizes().end() - 2) == batch &&
               Sizes(value.sizes().begin(), value.sizes().end() - 2) == batch &&
               key.size(-1) == E && value.size(-2) == S,
           "scaled_dot_product_attention: key ", key.sizes(), " and value ", value.sizes(),
           " do not fit query ", query.sizes());
  TL_CHECK(!(options.is_causal && options.attn_mask.defined()),
           "_scaled_dot_product_attention: Explicit attn_mask should not be set when "
           "is_causal=True");
  TL_CHECK(options.dropout_p >= 0.0 && options.dropout_p <= 1.0,
           "dropout probability has to be between 0 and 1, but got ",
           format_python_float(options.dropout_p));
  int64_t B = 1;
  for (int64_t s : batch) B *= s;
  std::vector<Tensor> masks;
  if (options.attn_mask.defined()) {
    const Tensor& m = options.attn_mask;
    TL_CHECK(m.dtype() == kBool || m.is_floating_point(),
             "scaled_dot_product_attention: expected a bool or float attn_mask, got ",
             dtype_name(m.dtype()));
    Tensor add = m.dtype() == kBool
                     ? where(m, zeros(Sizes{}, query.dtype()),
                             full(Sizes{}, -std::numeric_limits<double>::infinity(), query.dtype()))
                     : m.detach().to(query.dtype());
    Sizes full_shape = batch;
    full_shape.insert(full_shape.end(), {L, S});
    masks.push_back(add.expand(full_shape).reshape({B, 1, L, S}));
  }
  // Written against the math of PyTorch 2.0's reference implementation (no public form in 1.13).
  Tensor probs = attention_probs(query.reshape({B, 1, L, E}), key.reshape({B, 1, S, E}),
                                 1.0 / std::sqrt(static_cast<double>(E)), masks,
                                 options.is_causal, options.dropout_p);
  Sizes out_shape = batch;
  out_shape.insert(out_shape.end(), {L, Ev});
  return attention_values(probs, value.reshape({B, 1, S, Ev}), false).view(out_shape);
}

// Embedding and recurrent

namespace {
/// F.embedding's padding_idx: checked against the weight's rows, negative made positive, -1 for
/// none.
int64_t embedding_padding_idx(std::optional<int64_t> padding_idx, int64_t rows) {
  if (!padding_idx) return -1;
  TL_CHECK(*padding_idx < rows && *padding_idx >= -rows, "Padding_idx must be within num_embeddings");
  return *padding_idx < 0 ? rows + *padding_idx : *padding_idx;
}
}  // namespace

Tensor embedding(const Tensor& input, const Tensor& weight, const EmbeddingFuncOptions& options) {
  TL_CHECK(!options.sparse, "embedding: sparse gradients are not supported by torchlite");
  const int64_t padding_idx = embedding_padding_idx(options.padding_idx, weight.size(0));
  if (options.max_norm) embedding_renorm_(weight, input, *options.max_norm, options.norm_type);
  return torchlite::embedding(weight, input, padding_idx, options.scale_grad_by_freq);
}

Tensor embedding_bag(const Tensor& input, const Tensor& weight,
                     const EmbeddingBagFuncOptions& options) {
  TL_CHECK(!options.sparse, "embedding_bag: sparse gradients are not supported by torchlite");
  const Tensor& psw = options.per_sample_weights;
  TL_CHECK(!psw.defined() || psw.sizes() == input.sizes(), "embedding_bag: If per_sample_weights (",
           psw.defined() ? psw.sizes() : Sizes{}, ") is not None, then it must have the same shape "
           "as the input (", input.sizes(), ")");
  TL_CHECK(weight.dim() == 2, "weight has to be a 2D Tensor, but got Tensor of dimension ",
           weight.dim());
  Tensor indices = input, offsets = options.offsets, weights = psw;
  if (input.dim() == 2) {
    TL_CHECK(!offsets.defined(), "if input is 2D, then offsets has to be None, as input is treated "
             "is a mini-batch of fixed length sequences. However, found offsets of type "
             "<class 'torch.Tensor'>");
    offsets = arange(0, input.numel(), input.size(1));
    indices = input.reshape({-1});
    if (psw.defined()) weights = psw.reshape({-1});
  } else if (input.dim() == 1) {
    TL_CHECK(offsets.defined(), "offsets has to be a 1D Tensor but got None");
    TL_CHECK(offsets.dim() == 1, "offsets has to be a 1D Tensor");
  } else {
    throw Error("input has to be 1D or 2D Tensor, but got Tensor of dimension " +
                std::to_string(input.dim()));
  }
  EmbeddingBagMode mode;
  if (options.mode == "sum") {
    mode = EmbeddingBagMode::kSum;
  } else if (options.mode == "mean") {
    mode = EmbeddingBagMode::kMean;
  } else if (options.mode == "max") {
    mode = EmbeddingBagMode::kMax;
  } else {
    throw Error("mode has to be one of sum, mean or max");
  }
  TL_CHECK(!(mode == EmbeddingBagMode::kMax && options.scale_grad_by_freq),
           "max mode does not support scaling the gradient by the frequency");
  TL_CHECK(!psw.defined() || mode == EmbeddingBagMode::kSum,
           "embedding_bag: per_sample_weights was not None. per_sample_weights is only supported "
           "for mode='sum' (got mode='", options.mode, "'). Please open a feature request on "
           "GitHub.");
  const int64_t rows = weight.size(0);
  int64_t padding_idx = -1;
  if (options.padding_idx) {
    TL_CHECK(*options.padding_idx < rows && *options.padding_idx >= -rows,
             "padding_idx must be within the number of embeddings, ", -rows, " through ",
             rows - 1, ", but got ", *options.padding_idx);
    padding_idx = *options.padding_idx < 0 ? rows + *options.padding_idx : *options.padding_idx;
  }
  if (options.max_norm) embedding_renorm_(weight, indices, *options.max_norm, options.norm_type);
  return torchlite::embedding_bag(weight, indices, offsets, mode, weights,
                                  options.include_last_offset, padding_idx,
                                  options.scale_grad_by_freq);
}

}  // namespace torchlite::nn::functional
