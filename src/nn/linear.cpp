// nn::Linear: PyTorch's initialisation order and a fused addmm forward.
#include "torchlite/nn/linear.h"

#include "torchlite/nn/init.h"

namespace torchlite::nn {

LinearImpl::LinearImpl(int64_t in_features, int64_t out_features, bool bias)
    : in_features(in_features), out_features(out_features) {
  TL_CHECK(in_features >= 0 && out_features >= 0, "Linear: in_features and out_features must be ",
           "non-negative, got ", in_features, " and ", out_features);
  weight = register_parameter("weight", empty({out_features, in_features}));
  if (bias) this->bias = register_parameter("bias", empty({out_features}));
  reset_parameters();
}

void LinearImpl::reset_parameters() { init::reset_linear_parameters_(weight, bias); }

Tensor LinearImpl::forward(const Tensor& input) { return linear(input, weight, bias); }

std::string LinearImpl::extra_repr() const {
  return "in_features=" + std::to_string(in_features) +
         ", out_features=" + std::to_string(out_features) +
         ", bias=" + (bias.defined() ? "True" : "False");
}

}  // namespace torchlite::nn
