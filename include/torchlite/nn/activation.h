// Parameter-free layers: ReLU, Sigmoid, Tanh, Softmax, LogSoftmax, Identity, Flatten.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "torchlite/nn/module.h"

namespace torchlite::nn {

/// max(x, 0). https://pytorch.org/docs/stable/generated/torch.nn.ReLU.html
class ReLUImpl : public Module {
 public:
  explicit ReLUImpl(bool inplace = false) : inplace(inplace) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "ReLU"; }
  std::string extra_repr() const override { return inplace ? "inplace=True" : ""; }
  bool inplace;
};
using ReLU = ModuleHolder<ReLUImpl>;

/// 1 / (1 + exp(-x)). https://pytorch.org/docs/stable/generated/torch.nn.Sigmoid.html
class SigmoidImpl : public Module {
 public:
  Tensor forward(const Tensor& input) override { return input.sigmoid(); }
  std::string name() const override { return "Sigmoid"; }
};
using Sigmoid = ModuleHolder<SigmoidImpl>;

/// tanh(x). https://pytorch.org/docs/stable/generated/torch.nn.Tanh.html
class TanhImpl : public Module {
 public:
  Tensor forward(const Tensor& input) override { return input.tanh(); }
  std::string name() const override { return "Tanh"; }
};
using Tanh = ModuleHolder<TanhImpl>;

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

/// Returns its input. https://pytorch.org/docs/stable/generated/torch.nn.Identity.html
class IdentityImpl : public Module {
 public:
  Tensor forward(const Tensor& input) override { return input; }
  std::string name() const override { return "Identity"; }
};
using Identity = ModuleHolder<IdentityImpl>;

/// Flattens dims start_dim..end_dim.
/// https://pytorch.org/docs/stable/generated/torch.nn.Flatten.html
class FlattenImpl : public Module {
 public:
  explicit FlattenImpl(int64_t start_dim = 1, int64_t end_dim = -1)
      : start_dim(start_dim), end_dim(end_dim) {}
  Tensor forward(const Tensor& input) override { return input.flatten(start_dim, end_dim); }
  std::string name() const override { return "Flatten"; }
  std::string extra_repr() const override;
  int64_t start_dim;
  int64_t end_dim;
};
using Flatten = ModuleHolder<FlattenImpl>;

}  // namespace torchlite::nn
