// Normalisation layers: BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm.
// Mirrors https://pytorch.org/docs/stable/nn.html#normalization-layers
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "torchlite/nn/module.h"

namespace torchlite::nn {

/// BatchNorm1d/2d's keyword arguments, in PyTorch's order.
struct BatchNormOptions {
  double eps = 1e-5;
  /// std::nullopt: a cumulative moving average (factor 1 / num_batches_tracked).
  std::optional<double> momentum = 0.1;
  bool affine = true;  // learnable weight (ones) and bias (zeros)
  /// Keep running_mean / running_var / num_batches_tracked buffers; without them the batch
  /// statistics are used in eval mode too.
  bool track_running_stats = true;
};

/// What BatchNorm1d and BatchNorm2d share (PyTorch's _BatchNorm): parameters weight and bias,
/// buffers running_mean (zeros), running_var (ones) and num_batches_tracked (int64 tensor(0)),
/// in that order, as in PyTorch's state dict.
class BatchNormImplBase : public Module {
 public:
  using Options = BatchNormOptions;
  BatchNormImplBase(int64_t num_features, const BatchNormOptions& options);
  /// Training: normalises with the batch statistics and updates the running ones; eval: uses
  /// the running statistics (the batch's when they are not tracked).
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  /// Running statistics back to zeros / ones / 0, weight to ones and bias to zeros.
  void reset_parameters() override;
  /// running_mean to zeros, running_var to ones, num_batches_tracked to 0.
  void reset_running_stats();

  int64_t num_features;
  double eps;
  std::optional<double> momentum;
  bool affine;
  bool track_running_stats;
  Tensor weight;               // [num_features], undefined unless affine
  Tensor bias;                 // [num_features], undefined unless affine
  Tensor running_mean;         // [num_features], undefined unless track_running_stats
  Tensor running_var;          // [num_features], undefined unless track_running_stats
  Tensor num_batches_tracked;  // int64 scalar, undefined unless track_running_stats

 protected:
  /// Throws PyTorch's error for an input of the wrong rank.
  virtual void check_input_dim(const Tensor& input) const = 0;
};

/// Batch norm over [N, C] or [N, C, L] input.
/// https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm1d.html
class BatchNorm1dImpl : public BatchNormImplBase {
 public:
  explicit BatchNorm1dImpl(int64_t num_features, const BatchNormOptions& options = {})
      : BatchNormImplBase(num_features, options) {}
  std::string name() const override { return "BatchNorm1d"; }

 protected:
  void check_input_dim(const Tensor& input) const override;
};
using BatchNorm1d = ModuleHolder<BatchNorm1dImpl>;

/// Batch norm over [N, C, H, W] input.
/// https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm2d.html
class BatchNorm2dImpl : public BatchNormImplBase {
 public:
  explicit BatchNorm2dImpl(int64_t num_features, const BatchNormOptions& options = {})
      : BatchNormImplBase(num_features, options) {}
  std::string name() const override { return "BatchNorm2d"; }

 protected:
  void check_input_dim(const Tensor& input) const override;
};
using BatchNorm2d = ModuleHolder<BatchNorm2dImpl>;

/// LayerNorm's keyword arguments.
struct LayerNormOptions {
  double eps = 1e-5;
  bool elementwise_affine = true;  // learnable weight (ones) and bias (zeros) of normalized_shape
};

/// Normalises over the trailing dims normalized_shape.
/// https://pytorch.org/docs/stable/generated/torch.nn.LayerNorm.html
class LayerNormImpl : public Module {
 public:
  using Options = LayerNormOptions;
  explicit LayerNormImpl(std::vector<int64_t> normalized_shape,
                         const LayerNormOptions& options = {});
  /// One trailing dim of this size (PyTorch's int form).
  explicit LayerNormImpl(int64_t normalized_shape, const LayerNormOptions& options = {})
      : LayerNormImpl(std::vector<int64_t>{normalized_shape}, options) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "LayerNorm"; }
  std::string extra_repr() const override;
  /// weight to ones, bias to zeros.
  void reset_parameters() override;

  std::vector<int64_t> normalized_shape;
  double eps;
  bool elementwise_affine;
  Tensor weight;  // normalized_shape, undefined unless elementwise_affine
  Tensor bias;
};
using LayerNorm = ModuleHolder<LayerNormImpl>;

/// GroupNorm's keyword arguments.
struct GroupNormOptions {
  double eps = 1e-5;
  bool affine = true;  // learnable per-channel weight (ones) and bias (zeros)
};

/// Normalises [N, C, *] input over groups of C / num_groups channels.
/// https://pytorch.org/docs/stable/generated/torch.nn.GroupNorm.html
class GroupNormImpl : public Module {
 public:
  using Options = GroupNormOptions;
  GroupNormImpl(int64_t num_groups, int64_t num_channels, const GroupNormOptions& options = {});
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "GroupNorm"; }
  std::string extra_repr() const override;
  /// weight to ones, bias to zeros.
  void reset_parameters() override;

  int64_t num_groups;
  int64_t num_channels;
  double eps;
  bool affine;
  Tensor weight;  // [num_channels], undefined unless affine
  Tensor bias;
};
using GroupNorm = ModuleHolder<GroupNormImpl>;

}  // namespace torchlite::nn
