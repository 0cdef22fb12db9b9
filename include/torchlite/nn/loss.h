// Loss modules with forward(input, target): CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, ...
// Mirrors https://pytorch.org/docs/stable/nn.html#loss-functions
#pragma once

#include <memory>
#include <string>

#include "torchlite/nn/functional.h"
#include "torchlite/nn/module.h"

namespace torchlite::nn {

/// Cross entropy of logits against class indices or probabilities; `weight` becomes a buffer.
/// https://pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html
class CrossEntropyLossImpl : public Module {
 public:
  explicit CrossEntropyLossImpl(functional::CrossEntropyOptions options = {});
  /// input [N, C] (or [N, C, d...]) logits, target int64 [N] (or probabilities [N, C]).
  Tensor forward(const Tensor& input, const Tensor& target);
  std::string name() const override { return "CrossEntropyLoss"; }
  functional::CrossEntropyOptions options;
};
/// Handle to a CrossEntropyLossImpl: `nn::CrossEntropyLoss loss({.label_smoothing = 0.1});`.
class CrossEntropyLoss : public ModuleHolder<CrossEntropyLossImpl> {
 public:
  CrossEntropyLoss(functional::CrossEntropyOptions options = {})  // NOLINT: braces build it
      : ModuleHolder(std::make_shared<CrossEntropyLossImpl>(std::move(options))) {}
};

/// Negative log likelihood of log-probabilities.
/// https://pytorch.org/docs/stable/generated/torch.nn.NLLLoss.html
class NLLLossImpl : public Module {
 public:
  explicit NLLLossImpl(functional::NllLossOptions options = {});
  /// input [N, C] log-probabilities, target int64 [N].
  Tensor forward(const Tensor& input, const Tensor& target);
  std::string name() const override { return "NLLLoss"; }
  functional::NllLossOptions options;
};
/// Handle to an NLLLossImpl.
class NLLLoss : public ModuleHolder<NLLLossImpl> {
 public:
  NLLLoss(functional::NllLossOptions options = {})  // NOLINT
      : ModuleHolder(std::make_shared<NLLLossImpl>(std::move(options))) {}
};

/// Mean squared error. https://pytorch.org/docs/stable/generated/torch.nn.MSELoss.html
class MSELossImpl : public Module {
 public:
  explicit MSELossImpl(std::string reduction = "mean") : reduction(std::move(reduction)) {}
  Tensor forward(const Tensor& input, const Tensor& target);
  std::string name() const override { return "MSELoss"; }
  std::string reduction;
};
using MSELoss = ModuleHolder<MSELossImpl>;

/// Mean absolute error. https://pytorch.org/docs/stable/generated/torch.nn.L1Loss.html
class L1LossImpl : public Module {
 public:
  explicit L1LossImpl(std::string reduction = "mean") : reduction(std::move(reduction)) {}
  Tensor forward(const Tensor& input, const Tensor& target);
  std::string name() const override { return "L1Loss"; }
  std::string reduction;
};
using L1Loss = ModuleHolder<L1LossImpl>;

/// Sigmoid + binary cross entropy; `weight` and `pos_weight` become buffers.
/// https://pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html
class BCEWithLogitsLossImpl : public Module {
 public:
  explicit BCEWithLogitsLossImpl(functional::BceWithLogitsOptions options = {});
  Tensor forward(const Tensor& input, const Tensor& target);
  std::string name() const override { return "BCEWithLogitsLoss"; }
  functional::BceWithLogitsOptions options;
};
/// Handle to a BCEWithLogitsLossImpl.
class BCEWithLogitsLoss : public ModuleHolder<BCEWithLogitsLossImpl> {
 public:
  BCEWithLogitsLoss(functional::BceWithLogitsOptions options = {})  // NOLINT
      : ModuleHolder(std::make_shared<BCEWithLogitsLossImpl>(std::move(options))) {}
};

}  // namespace torchlite::nn
