// nn::Linear: y = x W^T + b. Mirrors https://pytorch.org/docs/stable/generated/torch.nn.Linear.html
#pragma once

#include "torchlite/nn/module.h"

namespace torchlite::nn {

/// Affine layer with weight [out_features, in_features] and bias [out_features].
class LinearImpl : public Module {
 public:
  /// Initialised as PyTorch does: kaiming_uniform_(a=sqrt(5)), then bias U(-1/sqrt(in), 1/sqrt(in)).
  LinearImpl(int64_t in_features, int64_t out_features, bool bias = true);
  /// x [*, in_features] -> [*, out_features].
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Linear"; }
  std::string extra_repr() const override;
  /// Redraws weight and bias with the default initialisation.
  void reset_parameters() override;

  int64_t in_features;
  int64_t out_features;
  Tensor weight;
  Tensor bias;  // undefined when bias=false
};
using Linear = ModuleHolder<LinearImpl>;

}  // namespace torchlite::nn

namespace torchlite::nn {

/// A Linear that PyTorch's dynamic quantisation leaves alone: MultiheadAttention's out_proj.
/// Same parameters, initialisation and forward; only its repr name differs.
class NonDynamicallyQuantizableLinearImpl : public LinearImpl {
 public:
  using LinearImpl::LinearImpl;
  std::string name() const override { return "NonDynamicallyQuantizableLinear"; }
};
using NonDynamicallyQuantizableLinear = ModuleHolder<NonDynamicallyQuantizableLinearImpl>;

}  // namespace torchlite::nn
