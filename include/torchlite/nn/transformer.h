// nn::TransformerEncoderLayer, TransformerEncoder, TransformerDecoderLayer, TransformerDecoder
// and Transformer. Mirrors https://pytorch.org/docs/1.13/nn.html#transformer-layers
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "torchlite/nn/attention.h"
#include "torchlite/nn/dropout.h"
#include "torchlite/nn/linear.h"
#include "torchlite/nn/module.h"
#include "torchlite/nn/module_list.h"
#include "torchlite/nn/normalization.h"

namespace torchlite::nn {

/// TransformerEncoderLayer's keyword arguments after d_model and nhead, in PyTorch's order.
struct TransformerEncoderLayerOptions {
  int64_t dim_feedforward = 2048;
  double dropout = 0.1;
  std::string activation = "relu";  // "relu" or "gelu"
  double layer_norm_eps = 1e-5;
  bool batch_first = false;
  bool norm_first = false;  // LayerNorm before attention and feed-forward instead of after
};
using TransformerDecoderLayerOptions = TransformerEncoderLayerOptions;

/// The masks of TransformerEncoderLayer::forward.
struct TransformerEncoderLayerForwardOptions {
  Tensor src_mask = {};              // [S, S] or [N * nhead, S, S], bool (true = masked) or float
  Tensor src_key_padding_mask = {};  // [N, S] (or [S]), bool (true = padding) or float
};

/// Self-attention and a feed-forward block, each with a residual connection and LayerNorm.
/// Children as PyTorch's: self_attn, linear1, dropout, linear2, norm1, norm2, dropout1, dropout2.
/// https://pytorch.org/docs/1.13/generated/torch.nn.TransformerEncoderLayer.html
class TransformerEncoderLayerImpl : public Module {
 public:
  using Options = TransformerEncoderLayerOptions;
  TransformerEncoderLayerImpl(int64_t d_model, int64_t nhead,
                              const TransformerEncoderLayerOptions& options = {});
  /// src [S, N, E] ([N, S, E] with batch_first, [S, E] unbatched) -> the same shape.
  Tensor forward(const Tensor& src) override;
  Tensor forward(const Tensor& src, const TransformerEncoderLayerForwardOptions& options);
  std::string name() const override { return "TransformerEncoderLayer"; }
  /// A deep copy (copy.deepcopy): same values, no draws from the generator.
  std::shared_ptr<TransformerEncoderLayerImpl> clone() const;

  TransformerEncoderLayerOptions options;
  int64_t d_model;
  int64_t nhead;
  MultiheadAttention self_attn;
  Linear linear1;
  Dropout dropout;
  Linear linear2;
  LayerNorm norm1;
  LayerNorm norm2;
  Dropout dropout1;
  Dropout dropout2;
};
using TransformerEncoderLayer = ModuleHolder<TransformerEncoderLayerImpl>;

/// The masks of TransformerDecoderLayer::forward and TransformerDecoder::forward.
struct TransformerDecoderForwardOptions {
  Tensor tgt_mask = {};
  Tensor memory_mask = {};
  Tensor tgt_key_padding_mask = {};
  Tensor memory_key_padding_mask = {};
};

/// Self-attention, attention over the encoder's memory and a feed-forward block. Children:
/// self_attn, multihead_attn, linear1, dropout, linear2, norm1..3, dropout1..3.
/// https://pytorch.org/docs/1.13/generated/torch.nn.TransformerDecoderLayer.html
class TransformerDecoderLayerImpl : public Module {
 public:
  using Options = TransformerDecoderLayerOptions;
  TransformerDecoderLayerImpl(int64_t d_model, int64_t nhead,
                              const TransformerDecoderLayerOptions& options = {});
  /// tgt [T, N, E] and memory [S, N, E] ([N, T, E] / [N, S, E] with batch_first) -> like tgt.
  Tensor forward(const Tensor& tgt, const Tensor& memory,
                 const TransformerDecoderForwardOptions& options = {});
  std::string name() const override { return "TransformerDecoderLayer"; }
  /// A deep copy (copy.deepcopy): same values, no draws from the generator.
  std::shared_ptr<TransformerDecoderLayerImpl> clone() const;

  TransformerDecoderLayerOptions options;
  int64_t d_model;
  int64_t nhead;
  MultiheadAttention self_attn;
  MultiheadAttention multihead_attn;
  Linear linear1;
  Dropout dropout;
  Linear linear2;
  LayerNorm norm1;
  LayerNorm norm2;
  LayerNorm norm3;
  Dropout dropout1;
  Dropout dropout2;
  Dropout dropout3;
};
using TransformerDecoderLayer = ModuleHolder<TransformerDecoderLayerImpl>;

/// TransformerEncoder's keyword arguments after encoder_layer and num_layers.
struct TransformerEncoderOptions {
  std::shared_ptr<Module> norm = nullptr;  // applied to the output, e.g. an nn::LayerNorm
  bool enable_nested_tensor = true;        // PyTorch's sparsity fast path; no effect here
  bool mask_check = true;                  // no effect here
};

/// The masks of TransformerEncoder::forward.
struct TransformerEncoderForwardOptions {
  Tensor mask = {};
  Tensor src_key_padding_mask = {};
};

/// num_layers deep copies of encoder_layer (as PyTorch's _get_clones: the layer's values,
/// copied, not redrawn), then the optional norm.
/// https://pytorch.org/docs/1.13/generated/torch.nn.TransformerEncoder.html
class TransformerEncoderImpl : public Module {
 public:
  using Options = TransformerEncoderOptions;
  TransformerEncoderImpl(const TransformerEncoderLayer& encoder_layer, int64_t num_layers,
                         const TransformerEncoderOptions& options = {});
  Tensor forward(const Tensor& src) override;
  Tensor forward(const Tensor& src, const TransformerEncoderForwardOptions& options);
  std::string name() const override { return "TransformerEncoder"; }

  ModuleList layers;
  int64_t num_layers;
  std::shared_ptr<Module> norm;  // nullptr when none
  bool enable_nested_tensor;
  bool mask_check;

 private:
  std::vector<std::shared_ptr<TransformerEncoderLayerImpl>> typed_layers_;
};
using TransformerEncoder = ModuleHolder<TransformerEncoderImpl>;

/// TransformerDecoder's keyword arguments after decoder_layer and num_layers.
struct TransformerDecoderOptions {
  std::shared_ptr<Module> norm = nullptr;
};

/// num_layers deep copies of decoder_layer, then the optional norm.
/// https://pytorch.org/docs/1.13/generated/torch.nn.TransformerDecoder.html
class TransformerDecoderImpl : public Module {
 public:
  using Options = TransformerDecoderOptions;
  TransformerDecoderImpl(const TransformerDecoderLayer& decoder_layer, int64_t num_layers,
                         const TransformerDecoderOptions& options = {});
  Tensor forward(const Tensor& tgt, const Tensor& memory,
                 const TransformerDecoderForwardOptions& options = {});
  std::string name() const override { return "TransformerDecoder"; }

  ModuleList layers;
  int64_t num_layers;
  std::shared_ptr<Module> norm;

 private:
  std::vector<std::shared_ptr<TransformerDecoderLayerImpl>> typed_layers_;
};
using TransformerDecoder = ModuleHolder<TransformerDecoderImpl>;

/// Transformer's keyword arguments after d_model and nhead, in PyTorch's order.
struct TransformerOptions {
  int64_t num_encoder_layers = 6;
  int64_t num_decoder_layers = 6;
  int64_t dim_feedforward = 2048;
  double dropout = 0.1;
  std::string activation = "relu";
  std::shared_ptr<TransformerEncoderImpl> custom_encoder = nullptr;
  std::shared_ptr<TransformerDecoderImpl> custom_decoder = nullptr;
  double layer_norm_eps = 1e-5;
  bool batch_first = false;
  bool norm_first = false;
};

/// The masks of Transformer::forward.
struct TransformerForwardOptions {
  Tensor src_mask = {};
  Tensor tgt_mask = {};
  Tensor memory_mask = {};
  Tensor src_key_padding_mask = {};
  Tensor tgt_key_padding_mask = {};
  Tensor memory_key_padding_mask = {};
};

/// Encoder (with a final LayerNorm) and decoder (likewise); every parameter with more than one
/// dim is redrawn with xavier_uniform_ after construction, as PyTorch's _reset_parameters.
/// https://pytorch.org/docs/1.13/generated/torch.nn.Transformer.html
class TransformerImpl : public Module {
 public:
  using Options = TransformerOptions;
  explicit TransformerImpl(int64_t d_model = 512, int64_t nhead = 8,
                           const TransformerOptions& options = {});
  /// src [S, N, E], tgt [T, N, E] (batch first: [N, S, E], [N, T, E]) -> [T, N, E].
  Tensor forward(const Tensor& src, const Tensor& tgt,
                 const TransformerForwardOptions& options = {});
  std::string name() const override { return "Transformer"; }
  /// [sz, sz] float32: -inf above the diagonal, 0 elsewhere (a causal mask).
  static Tensor generate_square_subsequent_mask(int64_t sz);

  std::shared_ptr<TransformerEncoderImpl> encoder;
  std::shared_ptr<TransformerDecoderImpl> decoder;
  int64_t d_model;
  int64_t nhead;
  bool batch_first;
};
using Transformer = ModuleHolder<TransformerImpl>;

}  // namespace torchlite::nn
