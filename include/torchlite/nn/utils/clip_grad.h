// nn::utils::clip_grad_norm_ and clip_grad_value_: rescaling or clamping gradients in place.
// Mirrors https://pytorch.org/docs/1.13/generated/torch.nn.utils.clip_grad_norm_.html
#pragma once

#include <vector>

#include "torchlite/tensor.h"

namespace torchlite::nn::utils {

/// Scales the gradients of `parameters` (those that have one) so that their total norm (the
/// norm_type-norm of the per-parameter norms; infinity for the max) is at most max_norm, by
/// max_norm / (total + 1e-6) when above. Returns the total norm before clipping (a 0-dim tensor).
/// With error_if_nonfinite, a NaN or infinite total throws instead.
Tensor clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm,
                       double norm_type = 2.0, bool error_if_nonfinite = false);

/// Clamps every gradient of `parameters` to [-clip_value, clip_value] in place.
/// https://pytorch.org/docs/1.13/generated/torch.nn.utils.clip_grad_value_.html
void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value);

}  // namespace torchlite::nn::utils
