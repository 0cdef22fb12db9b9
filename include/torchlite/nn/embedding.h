// nn::Embedding and nn::EmbeddingBag.
// Mirrors https://pytorch.org/docs/1.13/nn.html#sparse-layers
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "torchlite/nn/module.h"

namespace torchlite::nn {

/// Embedding's keyword arguments, in PyTorch's order.
struct EmbeddingOptions {
  std::optional<int64_t> padding_idx = std::nullopt;  // may be negative (counts from the end)
  std::optional<double> max_norm = std::nullopt;      // rows looked up are renormalised to it
  double norm_type = 2.0;
  bool scale_grad_by_freq = false;
  bool sparse = false;  // only false: torchlite has no sparse gradients
};

/// Embedding::from_pretrained's keyword arguments, in PyTorch's order.
struct EmbeddingFromPretrainedOptions {
  bool freeze = true;  // the weight does not require grad
  std::optional<int64_t> padding_idx = std::nullopt;
  std::optional<double> max_norm = std::nullopt;
  double norm_type = 2.0;
  bool scale_grad_by_freq = false;
  bool sparse = false;
};

/// A lookup table weight [num_embeddings, embedding_dim] drawn from N(0, 1) with row padding_idx
/// zeroed; https://pytorch.org/docs/1.13/generated/torch.nn.Embedding.html
class EmbeddingImpl : public Module {
 public:
  using Options = EmbeddingOptions;
  EmbeddingImpl(int64_t num_embeddings, int64_t embedding_dim,
                const EmbeddingOptions& options = {});
  /// Wraps `weight` [V, D] (sharing its storage, no draws), as PyTorch's `_weight` argument.
  EmbeddingImpl(const Tensor& weight, const EmbeddingOptions& options);
  /// indices (int64/int32, any shape) -> [*indices.shape, embedding_dim].
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Embedding"; }
  std::string extra_repr() const override;
  /// weight ~ N(0, 1), then row padding_idx to zeros.
  void reset_parameters() override;

  int64_t num_embeddings;
  int64_t embedding_dim;
  std::optional<int64_t> padding_idx;  // made non-negative
  std::optional<double> max_norm;
  double norm_type;
  bool scale_grad_by_freq;
  bool sparse;
  Tensor weight;
};

/// Handle to an EmbeddingImpl: `nn::Embedding(100, 16, {.padding_idx = 0})`.
class Embedding : public ModuleHolder<EmbeddingImpl> {
 public:
  Embedding(int64_t num_embeddings, int64_t embedding_dim, EmbeddingOptions options = {})
      : ModuleHolder(std::make_shared<EmbeddingImpl>(num_embeddings, embedding_dim, options)) {}
  Embedding(std::shared_ptr<EmbeddingImpl> module) : ModuleHolder(std::move(module)) {}  // NOLINT
  /// An Embedding over `embeddings` [V, D] (shared, not copied; no draws), frozen by default;
  /// https://pytorch.org/docs/1.13/generated/torch.nn.Embedding.html#torch.nn.Embedding.from_pretrained
  static Embedding from_pretrained(const Tensor& embeddings,
                                   const EmbeddingFromPretrainedOptions& options = {});
};

/// EmbeddingBag's keyword arguments, in PyTorch's order.
struct EmbeddingBagOptions {
  std::optional<double> max_norm = std::nullopt;
  double norm_type = 2.0;
  bool scale_grad_by_freq = false;
  std::string mode = "mean";  // "sum", "mean" or "max"
  bool sparse = false;
  bool include_last_offset = false;
  std::optional<int64_t> padding_idx = std::nullopt;
};

/// EmbeddingBag::from_pretrained's keyword arguments, in PyTorch's order.
struct EmbeddingBagFromPretrainedOptions {
  bool freeze = true;
  std::optional<double> max_norm = std::nullopt;
  double norm_type = 2.0;
  bool scale_grad_by_freq = false;
  std::string mode = "mean";
  bool sparse = false;
  bool include_last_offset = false;
  std::optional<int64_t> padding_idx = std::nullopt;
};

/// Sums, averages or takes the max of bags of embeddings without building the [*, D]
/// intermediate; https://pytorch.org/docs/1.13/generated/torch.nn.EmbeddingBag.html
class EmbeddingBagImpl : public Module {
 public:
  using Options = EmbeddingBagOptions;
  EmbeddingBagImpl(int64_t num_embeddings, int64_t embedding_dim,
                   const EmbeddingBagOptions& options = {});
  /// Wraps `weight` [V, D] (sharing its storage, no draws).
  EmbeddingBagImpl(const Tensor& weight, const EmbeddingBagOptions& options);
  /// input [B, L] (fixed-length bags; offsets undefined) or 1-D with offsets [B] -> [B, D].
  Tensor forward(const Tensor& input, const Tensor& offsets = {},
                 const Tensor& per_sample_weights = {});
  std::string name() const override { return "EmbeddingBag"; }
  std::string extra_repr() const override;
  /// weight ~ N(0, 1), then row padding_idx to zeros.
  void reset_parameters() override;

  int64_t num_embeddings;
  int64_t embedding_dim;
  std::optional<double> max_norm;
  double norm_type;
  bool scale_grad_by_freq;
  std::string mode;
  bool sparse;
  bool include_last_offset;
  std::optional<int64_t> padding_idx;  // made non-negative
  Tensor weight;
};

/// Handle to an EmbeddingBagImpl: `nn::EmbeddingBag(100, 16, {.mode = "sum"})`.
class EmbeddingBag : public ModuleHolder<EmbeddingBagImpl> {
 public:
  EmbeddingBag(int64_t num_embeddings, int64_t embedding_dim, EmbeddingBagOptions options = {})
      : ModuleHolder(std::make_shared<EmbeddingBagImpl>(num_embeddings, embedding_dim, options)) {}
  EmbeddingBag(std::shared_ptr<EmbeddingBagImpl> module)  // NOLINT
      : ModuleHolder(std::move(module)) {}
  /// An EmbeddingBag over `embeddings` [V, D] (shared; no draws), frozen by default.
  static EmbeddingBag from_pretrained(const Tensor& embeddings,
                                      const EmbeddingBagFromPretrainedOptions& options = {});
};

}  // namespace torchlite::nn
