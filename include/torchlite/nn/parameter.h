// nn::Parameter: a tensor marked as a module parameter.
// Mirrors https://pytorch.org/docs/stable/generated/torch.nn.parameter.Parameter.html
#pragma once

#include "torchlite/tensor.h"

namespace torchlite::nn {

/// A leaf tensor sharing `data`'s storage (detached from its history) that prints
/// "Parameter containing:" and that Module::register_parameter keeps with its requires_grad.
/// No data gives an empty tensor, as PyTorch's Parameter().
Tensor Parameter(const Tensor& data = Tensor(), bool requires_grad = true);

}  // namespace torchlite::nn
