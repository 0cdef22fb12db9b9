// Parameter-free layers.
#include "torchlite/nn/activation.h"

namespace torchlite::nn {

Tensor ReLUImpl::forward(const Tensor& input) {
  if (!inplace) return input.relu();
  Tensor self = input;
  return self.relu_();
}

std::string FlattenImpl::extra_repr() const {
  return "start_dim=" + std::to_string(start_dim) + ", end_dim=" + std::to_string(end_dim);
}

}  // namespace torchlite::nn
