// nn::utils::fuse_conv_bn_weights, torch.nn.utils.fusion's formula step by step (same roundings).
#include "torchlite/nn/fusion.h"

#include <vector>

namespace torchlite::nn::utils {

std::pair<Tensor, Tensor> fuse_conv_bn_weights(const Tensor& conv_w, const Tensor& conv_b,
                                               const Tensor& bn_rm, const Tensor& bn_rv,
                                               double bn_eps, const Tensor& bn_w,
                                               const Tensor& bn_b, bool transpose) {
  NoGradGuard no_grad;
  const Tensor b = conv_b.defined() ? conv_b : zeros_like(bn_rm);
  const Tensor gamma = bn_w.defined() ? bn_w : ones_like(bn_rm);
  const Tensor beta = bn_b.defined() ? bn_b : zeros_like(bn_rm);
  // PyTorch's rsqrt kernel is 1 / sqrt(x), two roundings.
  const Tensor var_rsqrt = ones_like(bn_rv) / (bn_rv + bn_eps).sqrt();
  std::vector<int64_t> shape(static_cast<size_t>(conv_w.dim()), 1);
  shape[transpose ? 1 : 0] = -1;
  const Tensor w = conv_w * (gamma * var_rsqrt).reshape(Sizes(shape.begin(), shape.end()));
  const Tensor fused_b = (b - bn_rm) * var_rsqrt * gamma + beta;
  return {w, fused_b};
}

}  // namespace torchlite::nn::utils
