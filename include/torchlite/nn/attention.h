// nn::MultiheadAttention and its functional form.
// Mirrors https://pytorch.org/docs/1.13/generated/torch.nn.MultiheadAttention.html
#pragma once

#include <cstdint>
#include <optional>
#include <utility>

#include "torchlite/nn/linear.h"
#include "torchlite/nn/module.h"

namespace torchlite::nn {

/// MultiheadAttention's keyword arguments, in PyTorch's order.
struct MultiheadAttentionOptions {
  double dropout = 0.0;  // on the attention weights, in training
  bool bias = true;      // in_proj_bias and out_proj.bias
  bool add_bias_kv = false;
  bool add_zero_attn = false;
  std::optional<int64_t> kdim = std::nullopt;  // key features (default embed_dim)
  std::optional<int64_t> vdim = std::nullopt;  // value features (default embed_dim)
  bool batch_first = false;
};

/// The keyword arguments of MultiheadAttention::forward.
struct MultiheadAttentionForwardOptions {
  /// [N, S] (or [S] unbatched): bool, true = ignore that key; or float, added.
  Tensor key_padding_mask = {};
  bool need_weights = true;
  /// [L, S] or [N * num_heads, L, S]: bool, true = may not attend; or float, added.
  Tensor attn_mask = {};
  bool average_attn_weights = true;
};

/// Attention over num_heads heads of embed_dim / num_heads features. Parameters, in PyTorch's
/// state-dict order: in_proj_weight [3E, E] (or q/k/v_proj_weight when kdim or vdim differ from
/// embed_dim), in_proj_bias [3E], bias_k and bias_v [1, 1, E], out_proj.weight, out_proj.bias.
class MultiheadAttentionImpl : public Module {
 public:
  using Options = MultiheadAttentionOptions;
  /// Initialised as PyTorch 1.13: out_proj as a Linear, then xavier_uniform_ in-projections,
  /// zero biases, xavier_normal_ bias_k and bias_v.
  MultiheadAttentionImpl(int64_t embed_dim, int64_t num_heads,
                         const MultiheadAttentionOptions& options = {});
  /// query [L, N, E] ([N, L, E] with batch_first, [L, E] unbatched), key [S, N, kdim], value
  /// [S, N, vdim] -> (attn_output like query, attn_weights [N, L, S] averaged over heads or
  /// [N, num_heads, L, S]; undefined unless need_weights).
  std::pair<Tensor, Tensor> forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                    const MultiheadAttentionForwardOptions& options = {});
  std::string name() const override { return "MultiheadAttention"; }
  /// Redraws as the constructor did (out_proj's Linear init, then _reset_parameters).
  void reset_parameters() override;

  int64_t embed_dim;
  int64_t kdim;
  int64_t vdim;
  int64_t num_heads;
  int64_t head_dim;
  double dropout;
  bool batch_first;
  bool add_zero_attn;
  Tensor in_proj_weight;  // undefined when kdim or vdim differ from embed_dim
  Tensor q_proj_weight;   // defined only then
  Tensor k_proj_weight;
  Tensor v_proj_weight;
  Tensor in_proj_bias;  // undefined without bias
  Tensor bias_k;        // undefined without add_bias_kv
  Tensor bias_v;
  NonDynamicallyQuantizableLinear out_proj;

 private:
  void reset_attention_parameters();
};
using MultiheadAttention = ModuleHolder<MultiheadAttentionImpl>;

}  // namespace torchlite::nn
