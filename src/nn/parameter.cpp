// nn::Parameter.
#include "torchlite/nn/parameter.h"

namespace torchlite::nn {

Tensor Parameter(const Tensor& data, bool requires_grad) {
  Tensor p = data.defined() ? data.detach() : empty({0});
  p.requires_grad_(requires_grad);
  p.impl()->is_parameter = true;
  return p;
}

}  // namespace torchlite::nn
