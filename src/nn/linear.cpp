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

Tensor LinearImpl::forward(const Tensor& input) {
  if (input.dim() == 2) return linear(input, weight, bias);  // linear() checks the shapes
  // Other ranks go through matmul; name a mismatch as linear() would for the folded input.
  TL_CHECK(input.dim() >= 1 && input.size(-1) == in_features,
           "mat1 and mat2 shapes cannot be multiplied (",
           input.dim() >= 1 ? input.numel() / std::max<int64_t>(input.size(-1), 1) : 1, "x",
           input.dim() >= 1 ? input.size(-1) : 0, " and ", in_features, "x", out_features, ")");
  Tensor out = input.matmul(weight.t());
  return bias.defined() ? out + bias : out;
}

std::string LinearImpl::extra_repr() const {
  return "in_features=" + std::to_string(in_features) +
         ", out_features=" + std::to_string(out_features) +
         ", bias=" + (bias.defined() ? "True" : "False");
}

}  // namespace torchlite::nn
