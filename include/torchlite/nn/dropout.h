// The Dropout module.
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

}  // namespace torchlite::nn
