// Parameter-free layers: ReLU, Sigmoid, Tanh, Identity, Flatten.
#pragma once

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

/// Returns its input. https://pytorch.org/docs/stable/generated/torch.nn.Identity.html
class IdentityImpl : public Module {
 public:
  Tensor forward(const Tensor& input) override { return input; }
  std::string name() const override { return "Identity"; }
};
using Identity = ModuleHolder<IdentityImpl>;

/// Flattens dims start_dim..end_dim. https://pytorch.org/docs/stable/generated/torch.nn.Flatten.html
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
