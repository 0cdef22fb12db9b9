// Dropout, Softmax and LogSoftmax modules.
// Mirrors https://pytorch.org/docs/stable/generated/torch.nn.Dropout.html
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "torchlite/nn/module.h"

namespace torchlite::nn {

/// Zeroes elements with probability p while training (scaling the rest by 1/(1-p)); identity
/// in eval mode. Prints `Dropout(p=0.5, inplace=False)`.
class DropoutImpl : public Module {
 public:
  explicit DropoutImpl(double p = 0.5, bool inplace = false);
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Dropout"; }
  std::string extra_repr() const override;
  double p;
  bool inplace;
};
using Dropout = ModuleHolder<DropoutImpl>;

/// softmax along `dim`. https://pytorch.org/docs/stable/generated/torch.nn.Softmax.html
class SoftmaxImpl : public Module {
 public:
  /// Without a dim, PyTorch's legacy choice applies: 0 for 0-, 1- and 3-D input, else 1.
  explicit SoftmaxImpl(std::optional<int64_t> dim = std::nullopt) : dim(dim) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Softmax"; }
  std::string extra_repr() const override {
    return dim ? "dim=" + std::to_string(*dim) : "dim=None";
  }
  std::optional<int64_t> dim;
};
using Softmax = ModuleHolder<SoftmaxImpl>;

/// log_softmax along `dim`. https://pytorch.org/docs/stable/generated/torch.nn.LogSoftmax.html
class LogSoftmaxImpl : public Module {
 public:
  /// Without a dim, PyTorch's legacy choice applies: 0 for 0-, 1- and 3-D input, else 1.
  explicit LogSoftmaxImpl(std::optional<int64_t> dim = std::nullopt) : dim(dim) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "LogSoftmax"; }
  std::string extra_repr() const override {
    return dim ? "dim=" + std::to_string(*dim) : "dim=None";
  }
  std::optional<int64_t> dim;
};
using LogSoftmax = ModuleHolder<LogSoftmaxImpl>;

}  // namespace torchlite::nn
