// nn::utils::fuse_conv_bn_weights: a convolution followed by an eval-mode BatchNorm as one
// convolution. Mirrors torch.nn.utils.fusion (PyTorch 1.13).
#pragma once

#include <utility>

#include "torchlite/tensor.h"

namespace torchlite::nn::utils {

/// The weight and bias of conv(x, w, b) followed by batch_norm(eval) with running_mean rm,
/// running_var rv, eps, weight bn_w and bias bn_b, as PyTorch computes them (in the tensors'
/// dtype): w * (bn_w * rsqrt(rv + eps)) per output channel, (b - rm) * rsqrt(rv + eps) * bn_w +
/// bn_b. w [O, ...] (or [C, O, ...] with transpose), the rest [O]; b, bn_w and bn_b may be
/// undefined (0, 1 and 0). Outside any graph.
std::pair<Tensor, Tensor> fuse_conv_bn_weights(const Tensor& conv_w, const Tensor& conv_b,
                                               const Tensor& bn_rm, const Tensor& bn_rv,
                                               double bn_eps, const Tensor& bn_w,
                                               const Tensor& bn_b, bool transpose = false);

}  // namespace torchlite::nn::utils
