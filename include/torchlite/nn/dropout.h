// The Dropout and Dropout2d modules.
// Mirrors https://pytorch.org/docs/stable/generated/torch.nn.Dropout.html
#pragma once

#include <cstdint>
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

/// Zeroes whole channels of [N, C, H, W] input with probability p while training (PyTorch 1.13:
/// any input of 2 or more dims is [N, C, *]; a 3-D one is [N, C, L]); identity in eval mode.
/// Prints `Dropout2d(p=0.5, inplace=False)`.
/// https://pytorch.org/docs/stable/generated/torch.nn.Dropout2d.html
class Dropout2dImpl : public Module {
 public:
  explicit Dropout2dImpl(double p = 0.5, bool inplace = false);
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Dropout2d"; }
  std::string extra_repr() const override;
  double p;
  bool inplace;
};
using Dropout2d = ModuleHolder<Dropout2dImpl>;

}  // namespace torchlite::nn
