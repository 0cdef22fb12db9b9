// torch.nn.functional: softmax, losses, convolutions, padding, pooling, interpolation,
// normalisation and activations (keyword-argument forms of torchlite/ops/) and dropout.
// Mirrors https://pytorch.org/docs/stable/nn.functional.html
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "torchlite/nn/expanding_array.h"
#include "torchlite/nn/padding.h"
#include "torchlite/nn/pooling_options.h"
#include "torchlite/ops/interpolate.h"
#include "torchlite/tensor.h"

namespace torchlite::nn::functional {

/// softmax along `dim` (any shape);
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.softmax.html
Tensor softmax(const Tensor& input, int64_t dim);
/// log(softmax) along `dim`, computed stably (x - max - log(sum(exp(x - max)))).
Tensor log_softmax(const Tensor& input, int64_t dim);

/// Options of cross_entropy, in PyTorch's keyword order.
struct CrossEntropyOptions {
  Tensor weight = {};              // [C] class weights, or undefined
  int64_t ignore_index = -100;     // targets equal to this add nothing (class-index targets)
  std::string reduction = "mean";  // "mean", "sum" or "none"
  double label_smoothing = 0.0;    // in [0, 1]
};
/// Cross entropy of logits input [N, C] / [N, C, d...] / [C] against class indices (int64
/// [N] / [N, d...] / []) or class probabilities (same shape as input), as a fused
/// log-softmax + NLL;
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.cross_entropy.html
Tensor cross_entropy(const Tensor& input, const Tensor& target,
                     const CrossEntropyOptions& options = {});

/// Options of nll_loss, in PyTorch's keyword order.
struct NllLossOptions {
  Tensor weight = {};
  int64_t ignore_index = -100;
  std::string reduction = "mean";
};
/// Negative log likelihood of log-probabilities input [N, C] / [N, C, d...] / [C] at the class
/// indices target; https://pytorch.org/docs/stable/generated/torch.nn.functional.nll_loss.html
Tensor nll_loss(const Tensor& input, const Tensor& target, const NllLossOptions& options = {});

/// Mean squared error (broadcasting);
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.mse_loss.html
Tensor mse_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean");
/// Mean absolute error (broadcasting);
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.l1_loss.html
Tensor l1_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean");

/// Options of binary_cross_entropy_with_logits, in PyTorch's keyword order.
struct BceWithLogitsOptions {
  Tensor weight = {};  // broadcast to input's shape
  std::string reduction = "mean";
  Tensor pos_weight = {};  // weight of positive examples, broadcast along the last dim
};
/// Sigmoid + binary cross entropy of logits, stably; target has input's shape;
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.binary_cross_entropy_with_logits.html
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BceWithLogitsOptions& options = {});

/// Zeroes elements with probability p (bernoulli_ draws) and scales the rest by 1/(1-p) when
/// training (in `input` itself with `inplace`);
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.dropout.html
Tensor dropout(const Tensor& input, double p = 0.5, bool training = true, bool inplace = false);

// ---- convolution ----

/// Options of conv1d / conv2d, in PyTorch's keyword order: `{.bias = b, .padding = "same"}`.
template <size_t D>
struct ConvFuncOptions {
  Tensor bias = {};  // [out_channels], or undefined
  ExpandingArray<D> stride = 1;
  ConvPadding<D> padding = 0;  // ints, or "same" (stride 1 only) / "valid"
  ExpandingArray<D> dilation = 1;
  int64_t groups = 1;
};
using Conv1dFuncOptions = ConvFuncOptions<1>;
using Conv2dFuncOptions = ConvFuncOptions<2>;
/// 1-D convolution of [N, C, L] (or [C, L]) with weight [O, C / groups, k];
/// https://pytorch.org/docs/1.13/generated/torch.nn.functional.conv1d.html
Tensor conv1d(const Tensor& input, const Tensor& weight, const Conv1dFuncOptions& options = {});
/// 2-D convolution of [N, C, H, W] (or [C, H, W]) with weight [O, C / groups, kh, kw];
/// https://pytorch.org/docs/1.13/generated/torch.nn.functional.conv2d.html
Tensor conv2d(const Tensor& input, const Tensor& weight, const Conv2dFuncOptions& options = {});

/// Options of conv_transpose2d, in PyTorch's keyword order.
struct ConvTranspose2dFuncOptions {
  Tensor bias = {};  // [out_channels], or undefined
  ExpandingArray<2> stride = 1;
  ExpandingArray<2> padding = 0;
  ExpandingArray<2> output_padding = 0;
  int64_t groups = 1;
  ExpandingArray<2> dilation = 1;
};
/// Transposed 2-D convolution of [N, C, H, W] (or [C, H, W]) with weight [C, O / groups, kh, kw];
/// https://pytorch.org/docs/1.13/generated/torch.nn.functional.conv_transpose2d.html
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight,
                        const ConvTranspose2dFuncOptions& options = {});

/// Options of pad, in PyTorch's keyword order.
struct PadFuncOptions {
  /// "constant", "reflect", "replicate" or "circular".
  std::string mode = "constant";
  /// The fill of "constant" (default 0).
  std::optional<double> value = std::nullopt;
};
/// Pads the trailing dims: pad = {left, right} of the last dim, then of the one before, ...;
/// https://pytorch.org/docs/1.13/generated/torch.nn.functional.pad.html
Tensor pad(const Tensor& input, const std::vector<int64_t>& pad,
           const PadFuncOptions& options = {});

// ---- pooling and interpolation ----

/// Max over windows of input [N, C, L] or [C, L]; stride defaults to kernel_size;
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.max_pool1d.html
Tensor max_pool1d(const Tensor& input, ExpandingArray<1> kernel_size,
                  const MaxPool1dOptions& options = {});
/// max_pool1d and the index of each maximum (return_indices=True).
std::pair<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input,
                                                  ExpandingArray<1> kernel_size,
                                                  const MaxPool1dOptions& options = {});
/// Max over windows of input [N, C, H, W] or [C, H, W]; the gradient goes to each window's first
/// maximum; https://pytorch.org/docs/stable/generated/torch.nn.functional.max_pool2d.html
Tensor max_pool2d(const Tensor& input, ExpandingArray<2> kernel_size,
                  const MaxPool2dOptions& options = {});
/// max_pool2d and the flat in-plane index (h * W + w) of each maximum (return_indices=True).
std::pair<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input,
                                                  ExpandingArray<2> kernel_size,
                                                  const MaxPool2dOptions& options = {});
/// Mean over windows of input [N, C, L] or [C, L];
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.avg_pool1d.html
Tensor avg_pool1d(const Tensor& input, ExpandingArray<1> kernel_size,
                  const AvgPool1dOptions& options = {});
/// Mean over windows of input [N, C, H, W] or [C, H, W];
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.avg_pool2d.html
Tensor avg_pool2d(const Tensor& input, ExpandingArray<2> kernel_size,
                  const AvgPool2dOptions& options = {});
/// Mean over adaptive windows of input [N, C, L] or [C, L] to [..., output_size];
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.adaptive_avg_pool1d.html
Tensor adaptive_avg_pool1d(const Tensor& input, ExpandingArray<1> output_size);
/// Mean over adaptive windows of input [N, C, H, W] or [C, H, W]; a None entry keeps that input
/// size; https://pytorch.org/docs/stable/generated/torch.nn.functional.adaptive_avg_pool2d.html
Tensor adaptive_avg_pool2d(const Tensor& input, ExpandingArrayWithOptionalElem<2> output_size);
/// Max over adaptive windows of input [N, C, H, W] or [C, H, W];
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.adaptive_max_pool2d.html
Tensor adaptive_max_pool2d(const Tensor& input, ExpandingArrayWithOptionalElem<2> output_size);
/// adaptive_max_pool2d and the flat in-plane index of each maximum (return_indices=True).
std::pair<Tensor, Tensor> adaptive_max_pool2d_with_indices(
    const Tensor& input, ExpandingArrayWithOptionalElem<2> output_size);
/// Resamples input [N, C, W] / [N, C, H, W] to `.size` or by `.scale_factor` ("nearest",
/// "linear", "bilinear" with align_corners, "area");
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.interpolate.html
Tensor interpolate(const Tensor& input, const InterpolateOptions& options = {});

// ---- normalisation and activations ----

/// Keyword arguments of batch_norm, in PyTorch's order.
struct BatchNormFuncOptions {
  Tensor weight = {};  // [C] or undefined
  Tensor bias = {};    // [C] or undefined
  bool training = false;
  double momentum = 0.1;
  double eps = 1e-5;
};
/// Batch norm of input [N, C, *] per channel; in training, batch statistics (and an update of
/// running_mean / running_var where defined), else the running statistics;
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.batch_norm.html
Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const BatchNormFuncOptions& options = {});

/// Keyword arguments of layer_norm.
struct LayerNormFuncOptions {
  Tensor weight = {};  // normalized_shape or undefined
  Tensor bias = {};
  double eps = 1e-5;
};
/// Layer norm over the trailing dims normalized_shape;
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.layer_norm.html
Tensor layer_norm(const Tensor& input, const std::vector<int64_t>& normalized_shape,
                  const LayerNormFuncOptions& options = {});

/// Keyword arguments of group_norm.
struct GroupNormFuncOptions {
  Tensor weight = {};  // [C] or undefined
  Tensor bias = {};
  double eps = 1e-5;
};
/// Group norm of input [N, C, *] over num_groups groups of channels;
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.group_norm.html
Tensor group_norm(const Tensor& input, int64_t num_groups,
                  const GroupNormFuncOptions& options = {});

/// Zeroes whole channels (input[n, c]) of input [N, C, *] with probability p, scaling the rest by
/// 1/(1-p), when training (PyTorch 1.13's feature dropout: a 3-D input is [N, C, L]);
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.dropout2d.html
Tensor dropout2d(const Tensor& input, double p = 0.5, bool training = true, bool inplace = false);

/// https://pytorch.org/docs/stable/generated/torch.nn.functional.leaky_relu.html
Tensor leaky_relu(const Tensor& input, double negative_slope = 0.01, bool inplace = false);
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.gelu.html ("none" or "tanh")
Tensor gelu(const Tensor& input, const std::string& approximate = "none");
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.silu.html
Tensor silu(const Tensor& input, bool inplace = false);
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.elu.html
Tensor elu(const Tensor& input, double alpha = 1.0, bool inplace = false);
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.relu6.html
Tensor relu6(const Tensor& input, bool inplace = false);
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.hardtanh.html
Tensor hardtanh(const Tensor& input, double min_val = -1.0, double max_val = 1.0,
                bool inplace = false);
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.hardswish.html
Tensor hardswish(const Tensor& input, bool inplace = false);
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.softplus.html
Tensor softplus(const Tensor& input, double beta = 1.0, double threshold = 20.0);

// Attention

/// The arguments of multi_head_attention_forward after embed_dim_to_check and num_heads, in
/// PyTorch's order (static_k / static_v are not supported).
struct MultiheadAttentionForwardFuncOptions {
  Tensor in_proj_weight = {};  // [3E, E], unless use_separate_proj_weight
  Tensor in_proj_bias = {};    // [3E] or undefined
  Tensor bias_k = {};          // [1, 1, E] or undefined
  Tensor bias_v = {};
  bool add_zero_attn = false;
  double dropout_p = 0.0;
  Tensor out_proj_weight = {};  // [E, E]
  Tensor out_proj_bias = {};    // [E] or undefined
  bool training = true;
  Tensor key_padding_mask = {};  // [N, S] / [S]: bool (true = ignore) or float (added)
  bool need_weights = true;
  Tensor attn_mask = {};  // [L, S] / [N * num_heads, L, S]: bool (true = masked) or float
  bool use_separate_proj_weight = false;
  Tensor q_proj_weight = {};  // [E, E]
  Tensor k_proj_weight = {};  // [E, kdim]
  Tensor v_proj_weight = {};  // [E, vdim]
  bool average_attn_weights = true;
};
/// Multi-head attention of query [L, N, E] (or [L, E]) over key [S, N, kdim] and value
/// [S, N, vdim]: (output [L, N, E], weights [N, L, S] / [N, num_heads, L, S], undefined unless
/// need_weights). PyTorch 1.13's F.multi_head_attention_forward.
std::pair<Tensor, Tensor> multi_head_attention_forward(
    const Tensor& query, const Tensor& key, const Tensor& value, int64_t embed_dim_to_check,
    int64_t num_heads, const MultiheadAttentionForwardFuncOptions& options);

/// Options of scaled_dot_product_attention, in PyTorch 2.0's keyword order.
struct ScaledDotProductAttentionFuncOptions {
  /// Broadcasts to [N..., L, S]: bool (true = takes part) or float (added to the scores).
  Tensor attn_mask = {};
  double dropout_p = 0.0;  // applied whenever > 0, as in PyTorch 2.0
  bool is_causal = false;  // mask out keys after each query (with no attn_mask)
};
/// softmax(q k^T / sqrt(E) + mask) v of query [N..., L, E], key [N..., S, E], value
/// [N..., S, Ev] -> [N..., L, Ev]. PyTorch 1.13 has no public form; this follows 2.0's
/// https://pytorch.org/docs/2.0/generated/torch.nn.functional.scaled_dot_product_attention.html
Tensor scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                    const ScaledDotProductAttentionFuncOptions& options = {});

// Embedding and recurrent

/// Keyword arguments of embedding, in PyTorch's order.
struct EmbeddingFuncOptions {
  std::optional<int64_t> padding_idx = std::nullopt;  // may be negative
  std::optional<double> max_norm = std::nullopt;      // renormalises the rows looked up, in place
  double norm_type = 2.0;
  bool scale_grad_by_freq = false;
  bool sparse = false;  // only false
};
/// Rows of weight [V, D] at input (int64/int32, any shape) -> [*input, D];
/// https://pytorch.org/docs/1.13/generated/torch.nn.functional.embedding.html
Tensor embedding(const Tensor& input, const Tensor& weight, const EmbeddingFuncOptions& options = {});

/// Keyword arguments of embedding_bag, in PyTorch's order.
struct EmbeddingBagFuncOptions {
  Tensor offsets = {};  // 1-D input: where each bag starts; 2-D input: undefined
  std::optional<double> max_norm = std::nullopt;
  double norm_type = 2.0;
  bool scale_grad_by_freq = false;
  std::string mode = "mean";  // "sum", "mean" or "max"
  bool sparse = false;
  Tensor per_sample_weights = {};  // input's shape, mode "sum" only
  bool include_last_offset = false;
  std::optional<int64_t> padding_idx = std::nullopt;
};
/// Sum, mean or max of bags of rows of weight [V, D]: input [B, L] (fixed-length bags) or 1-D
/// with offsets -> [B, D]; https://pytorch.org/docs/1.13/generated/torch.nn.functional.embedding_bag.html
Tensor embedding_bag(const Tensor& input, const Tensor& weight,
                     const EmbeddingBagFuncOptions& options = {});

}  // namespace torchlite::nn::functional

namespace torchlite {
namespace F = nn::functional;
}  // namespace torchlite
