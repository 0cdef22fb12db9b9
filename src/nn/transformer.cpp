// Transformer layers as PyTorch 1.13 builds and runs them (the slow path's math; 1.13's eval
// fast path computes the same).
#include "torchlite/nn/transformer.h"

#include <limits>

#include "torchlite/nn/functional.h"
#include "torchlite/nn/init.h"

namespace torchlite::nn {
namespace {

void check_activation(const std::string& activation) {
  TL_CHECK(activation == "relu" || activation == "gelu", "activation should be relu/gelu, not ",
           activation);
}

/// A Linear over the last dim of x through one 2-D GEMM with the bias fused.
Tensor apply_linear(const LinearImpl& l, const Tensor& x) {
  Sizes shape = x.sizes();
  shape.back() = l.out_features;
  return linear(x.reshape({-1, x.size(-1)}), l.weight, l.bias).view(shape);
}

Tensor activate(const std::string& activation, const Tensor& x) {
  return activation == "gelu" ? functional::gelu(x) : x.relu();
}

/// linear2(dropout(activation(linear1(x)))).
Tensor feed_forward(const std::string& activation, const Linear& linear1, const Dropout& dropout,
                    const Linear& linear2, const Tensor& x) {
  return apply_linear(*linear2, dropout->forward(activate(activation, apply_linear(*linear1, x))));
}

/// PyTorch's _sa_block / _mha_block: attention of q over kv without weights, then dropout.
Tensor attention_block(const MultiheadAttention& mha, const Dropout& dropout, const Tensor& q,
                       const Tensor& kv, const Tensor& key_padding_mask, const Tensor& attn_mask) {
  MultiheadAttentionForwardOptions a;
  a.key_padding_mask = key_padding_mask;
  a.need_weights = false;
  a.attn_mask = attn_mask;
  return dropout->forward(mha->forward(q, kv, kv, a).first);
}

/// copy.deepcopy of a module built by `build`: the same values and flags, and the default
/// generator where it stood (building draws, a deep copy does not).
template <class M, class Build>
std::shared_ptr<M> deep_copy(const M& source, Build build) {
  Generator& gen = default_generator();
  const Generator::Position position = gen.position();
  std::shared_ptr<M> copy = build();
  gen.set_position(position);
  {
    NoGradGuard no_grad;
    const NamedTensors from = source.named_parameters(), to = copy->named_parameters();
    for (size_t i = 0; i < from.size(); ++i) {
      Tensor dst = to[i].second;
      dst.copy_(from[i].second);
      dst.requires_grad_(from[i].second.requires_grad());
    }
  }
  auto src_modules = const_cast<M&>(source).named_modules();
  auto dst_modules = copy->named_modules();
  for (size_t i = 0; i < src_modules.size(); ++i)
    dst_modules[i].second->train(src_modules[i].second->is_training());
  return copy;
}

}  // namespace

// ---- TransformerEncoderLayer ----

TransformerEncoderLayerImpl::TransformerEncoderLayerImpl(
    int64_t d_model, int64_t nhead, const TransformerEncoderLayerOptions& options)
    : options(options),
      d_model(d_model),
      nhead(nhead),
      self_attn(d_model, nhead,
                MultiheadAttentionOptions{.dropout = options.dropout,
                                          .batch_first = options.batch_first}),
      linear1(d_model, options.dim_feedforward),
      dropout(options.dropout),
      linear2(options.dim_feedforward, d_model),
      norm1(d_model, LayerNormOptions{.eps = options.layer_norm_eps}),
      norm2(d_model, LayerNormOptions{.eps = options.layer_norm_eps}),
      dropout1(options.dropout),
      dropout2(options.dropout) {
  check_activation(options.activation);
  register_module("self_attn", self_attn);
  register_module("linear1", linear1);
  register_module("dropout", dropout);
  register_module("linear2", linear2);
  register_module("norm1", norm1);
  register_module("norm2", norm2);
  register_module("dropout1", dropout1);
  register_module("dropout2", dropout2);
}

Tensor TransformerEncoderLayerImpl::forward(const Tensor& src) { return forward(src, {}); }

Tensor TransformerEncoderLayerImpl::forward(const Tensor& src,
                                            const TransformerEncoderLayerForwardOptions& o) {
  auto sa_block = [&](const Tensor& x) {
    return attention_block(self_attn, dropout1, x, x, o.src_key_padding_mask, o.src_mask);
  };
  auto ff_block = [&](const Tensor& x) {
    return dropout2->forward(feed_forward(options.activation, linear1, dropout, linear2, x));
  };
  Tensor x = src;
  if (options.norm_first) {
    x = x + sa_block(norm1->forward(x));
    x = x + ff_block(norm2->forward(x));
  } else {
    x = norm1->forward(x + sa_block(x));
    x = norm2->forward(x + ff_block(x));
  }
  return x;
}

std::shared_ptr<TransformerEncoderLayerImpl> TransformerEncoderLayerImpl::clone() const {
  return deep_copy(*this, [&] {
    return std::make_shared<TransformerEncoderLayerImpl>(d_model, nhead, options);
  });
}

// ---- TransformerDecoderLayer ----

TransformerDecoderLayerImpl::TransformerDecoderLayerImpl(
    int64_t d_model, int64_t nhead, const TransformerDecoderLayerOptions& options)
    : options(options),
      d_model(d_model),
      nhead(nhead),
      self_attn(d_model, nhead,
                MultiheadAttentionOptions{.dropout = options.dropout,
                                          .batch_first = options.batch_first}),
      multihead_attn(d_model, nhead,
                     MultiheadAttentionOptions{.dropout = options.dropout,
                                               .batch_first = options.batch_first}),
      linear1(d_model, options.dim_feedforward),
      dropout(options.dropout),
      linear2(options.dim_feedforward, d_model),
      norm1(d_model, LayerNormOptions{.eps = options.layer_norm_eps}),
      norm2(d_model, LayerNormOptions{.eps = options.layer_norm_eps}),
      norm3(d_model, LayerNormOptions{.eps = options.layer_norm_eps}),
      dropout1(options.dropout),
      dropout2(options.dropout),
      dropout3(options.dropout) {
  check_activation(options.activation);
  register_module("self_attn", self_attn);
  register_module("multihead_attn", multihead_attn);
  register_module("linear1", linear1);
  register_module("dropout", dropout);
  register_module("linear2", linear2);
  register_module("norm1", norm1);
  register_module("norm2", norm2);
  register_module("norm3", norm3);
  register_module("dropout1", dropout1);
  register_module("dropout2", dropout2);
  register_module("dropout3", dropout3);
}

Tensor TransformerDecoderLayerImpl::forward(const Tensor& tgt, const Tensor& memory,
                                            const TransformerDecoderForwardOptions& o) {
  auto sa_block = [&](const Tensor& x) {
    return attention_block(self_attn, dropout1, x, x, o.tgt_key_padding_mask, o.tgt_mask);
  };
  auto mha_block = [&](const Tensor& x) {
    return attention_block(multihead_attn, dropout2, x, memory, o.memory_key_padding_mask,
                           o.memory_mask);
  };
  auto ff_block = [&](const Tensor& x) {
    return dropout3->forward(feed_forward(options.activation, linear1, dropout, linear2, x));
  };
  Tensor x = tgt;
  if (options.norm_first) {
    x = x + sa_block(norm1->forward(x));
    x = x + mha_block(norm2->forward(x));
    x = x + ff_block(norm3->forward(x));
  } else {
    x = norm1->forward(x + sa_block(x));
    x = norm2->forward(x + mha_block(x));
    x = norm3->forward(x + ff_block(x));
  }
  return x;
}

std::shared_ptr<TransformerDecoderLayerImpl> TransformerDecoderLayerImpl::clone() const {
  return deep_copy(*this, [&] {
    return std::make_shared<TransformerDecoderLayerImpl>(d_model, nhead, options);
  });
}

// ---- TransformerEncoder / TransformerDecoder ----

TransformerEncoderImpl::TransformerEncoderImpl(const TransformerEncoderLayer& encoder_layer,
                                               int64_t num_layers,
                                               const TransformerEncoderOptions& options)
    : num_layers(num_layers),
      norm(options.norm),
      enable_nested_tensor(options.enable_nested_tensor),
      mask_check(options.mask_check) {
  TL_CHECK(num_layers >= 0, "TransformerEncoder: num_layers must be non-negative, got ",
           num_layers);
  for (int64_t i = 0; i < num_layers; ++i) {
    typed_layers_.push_back(encoder_layer->clone());
    layers->append(typed_layers_.back());
  }
  register_module("layers", layers);
  if (norm) register_module("norm", norm);
}

Tensor TransformerEncoderImpl::forward(const Tensor& src) { return forward(src, {}); }

Tensor TransformerEncoderImpl::forward(const Tensor& src,
                                       const TransformerEncoderForwardOptions& options) {
  if (options.src_key_padding_mask.defined())
    TL_CHECK(options.src_key_padding_mask.dtype() == kBool ||
                 options.src_key_padding_mask.is_floating_point(),
             "only bool and floating types of key_padding_mask are supported");
  Tensor out = src;
  for (const auto& layer : typed_layers_)
    out = layer->forward(
        out, {.src_mask = options.mask, .src_key_padding_mask = options.src_key_padding_mask});
  if (uses_nested_fast_path(src, options)) {
    // PyTorch 1.13 runs this case on nested tensors and pads the result back with zeros: padded
    // positions come out as 0 (before the final norm); the others are the same math.
    NoGradGuard no_grad;
    out = out * options.src_key_padding_mask.eq(false).unsqueeze(-1).to(out.dtype());
  }
  return norm ? norm->forward(out) : out;
}

bool TransformerEncoderImpl::uses_nested_fast_path(
    const Tensor& src, const TransformerEncoderForwardOptions& options) const {
  const Tensor& kpm = options.src_key_padding_mask;
  if (typed_layers_.empty() || !kpm.defined() || kpm.dtype() != kBool || kpm.dim() != 2 ||
      options.mask.defined() || src.dim() != 3 || !enable_nested_tensor)
    return false;
  const TransformerEncoderLayerImpl& first = *typed_layers_.front();
  if (first.options.norm_first || first.is_training() || !first.options.batch_first ||
      first.nhead % 2 == 1 || first.norm1->eps != first.norm2->eps)
    return false;
  if (is_grad_enabled()) {
    if (src.requires_grad()) return false;
    for (const Tensor& p : first.parameters())
      if (p.requires_grad()) return false;
  }
  // mask_check: the kept positions of each sequence come first (left-aligned).
  if (mask_check) {
    Tensor m = kpm.contiguous();
    const bool* pm = m.data_ptr<bool>();
    const int64_t n = m.size(0), s = m.size(1);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 1; j < s; ++j)
        if (pm[i * s + j - 1] && !pm[i * s + j]) return false;
  }
  return true;
}

TransformerDecoderImpl::TransformerDecoderImpl(const TransformerDecoderLayer& decoder_layer,
                                               int64_t num_layers,
                                               const TransformerDecoderOptions& options)
    : num_layers(num_layers), norm(options.norm) {
  TL_CHECK(num_layers >= 0, "TransformerDecoder: num_layers must be non-negative, got ",
           num_layers);
  for (int64_t i = 0; i < num_layers; ++i) {
    typed_layers_.push_back(decoder_layer->clone());
    layers->append(typed_layers_.back());
  }
  register_module("layers", layers);
  if (norm) register_module("norm", norm);
}

Tensor TransformerDecoderImpl::forward(const Tensor& tgt, const Tensor& memory,
                                       const TransformerDecoderForwardOptions& options) {
  Tensor out = tgt;
  for (const auto& layer : typed_layers_) out = layer->forward(out, memory, options);
  return norm ? norm->forward(out) : out;
}

// ---- Transformer ----

TransformerImpl::TransformerImpl(int64_t d_model, int64_t nhead, const TransformerOptions& o)
    : d_model(d_model), nhead(nhead), batch_first(o.batch_first) {
  const TransformerEncoderLayerOptions layer{.dim_feedforward = o.dim_feedforward,
                                             .dropout = o.dropout,
                                             .activation = o.activation,
                                             .layer_norm_eps = o.layer_norm_eps,
                                             .batch_first = o.batch_first,
                                             .norm_first = o.norm_first};
  if (o.custom_encoder) {
    encoder = o.custom_encoder;
  } else {
    TransformerEncoderLayer encoder_layer(d_model, nhead, layer);
    LayerNorm encoder_norm(d_model, LayerNormOptions{.eps = o.layer_norm_eps});
    encoder = std::make_shared<TransformerEncoderImpl>(
        encoder_layer, o.num_encoder_layers, TransformerEncoderOptions{.norm = encoder_norm});
  }
  if (o.custom_decoder) {
    decoder = o.custom_decoder;
  } else {
    TransformerDecoderLayer decoder_layer(d_model, nhead, layer);
    LayerNorm decoder_norm(d_model, LayerNormOptions{.eps = o.layer_norm_eps});
    decoder = std::make_shared<TransformerDecoderImpl>(
        decoder_layer, o.num_decoder_layers, TransformerDecoderOptions{.norm = decoder_norm});
  }
  register_module("encoder", encoder);
  register_module("decoder", decoder);
  for (Tensor p : parameters())
    if (p.dim() > 1) init::xavier_uniform_(p);
}

Tensor TransformerImpl::forward(const Tensor& src, const Tensor& tgt,
                                const TransformerForwardOptions& o) {
  const bool batched = src.dim() == 3;
  if (batched) {
    const int bdim = batch_first ? 0 : 1;
    TL_CHECK(tgt.dim() == 3 && src.size(bdim) == tgt.size(bdim),
             "the batch number of src and tgt must be equal");
  }
  TL_CHECK(src.size(-1) == d_model && tgt.size(-1) == d_model,
           "the feature number of src and tgt must be equal to d_model");
  Tensor memory =
      encoder->forward(src, {.mask = o.src_mask, .src_key_padding_mask = o.src_key_padding_mask});
  return decoder->forward(tgt, memory,
                          {.tgt_mask = o.tgt_mask,
                           .memory_mask = o.memory_mask,
                           .tgt_key_padding_mask = o.tgt_key_padding_mask,
                           .memory_key_padding_mask = o.memory_key_padding_mask});
}

Tensor TransformerImpl::generate_square_subsequent_mask(int64_t sz) {
  TL_CHECK(sz >= 0, "generate_square_subsequent_mask: sz must be non-negative, got ", sz);
  Tensor mask = zeros({sz, sz});
  float* m = mask.data_ptr<float>();
  for (int64_t i = 0; i < sz; ++i)
    for (int64_t j = i + 1; j < sz; ++j) m[i * sz + j] = -std::numeric_limits<float>::infinity();
  return mask;
}

}  // namespace torchlite::nn
