// batch_norm, layer_norm and group_norm, with their backward.
// Mirrors https://pytorch.org/docs/stable/nn.html#normalization-layers
#pragma once

#include <cstdint>

#include "torchlite/tensor.h"

namespace torchlite {

/// Batch norm of input [N, C, *] per channel (torch.batch_norm). Training: normalises with the
/// batch mean and biased variance and, where running_mean / running_var are defined, updates
/// them in place (running = (1 - momentum) * running + momentum * batch, the variance unbiased).
/// Eval: normalises with running_mean / running_var (required). weight, bias [C] may be
/// undefined; https://pytorch.org/docs/stable/generated/torch.nn.functional.batch_norm.html
Tensor batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias,
                  const Tensor& running_mean, const Tensor& running_var, bool training,
                  double momentum, double eps);

/// Layer norm over the trailing dims `normalized_shape` of input [*, normalized_shape]; weight
/// and bias have normalized_shape (or are undefined);
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.layer_norm.html
Tensor layer_norm(const Tensor& input, const Sizes& normalized_shape, const Tensor& weight,
                  const Tensor& bias, double eps);

/// Group norm of input [N, C, *] over num_groups groups of C / num_groups channels; weight and
/// bias [C] (or undefined);
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.group_norm.html
Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight, const Tensor& bias,
                  double eps);

}  // namespace torchlite
