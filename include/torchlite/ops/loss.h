// Loss ops with fused, stable kernels and their backward (ATen's loss functions); the
// keyword-argument forms are in nn/functional.h.
#pragma once

#include <cstdint>

#include "torchlite/tensor.h"

namespace torchlite {

/// How a loss reduces its per-element values (ATen's at::Reduction).
enum class Reduction { None, Mean, Sum };

/// Cross entropy of logits input [N, C] / [N, C, d...] / [C] against class indices (int64
/// [N] / [N, d...] / []) or class probabilities (same shape as input), as a fused
/// log-softmax + NLL; `weight` [C] or undefined, `label_smoothing` in [0, 1];
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.cross_entropy.html
Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight,
                     Reduction reduction, int64_t ignore_index, double label_smoothing);
/// Negative log likelihood of log-probabilities input [N, C] / [N, C, d...] / [C] at the class
/// indices target; https://pytorch.org/docs/stable/generated/torch.nn.functional.nll_loss.html
Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight,
                Reduction reduction, int64_t ignore_index);
/// Mean squared error of input and target broadcast together;
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.mse_loss.html
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction);
/// Mean absolute error of input and target broadcast together;
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.l1_loss.html
Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction);
/// Sigmoid + binary cross entropy of logits, stably; target has input's shape, `weight` and
/// `pos_weight` (or undefined) broadcast to it;
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.binary_cross_entropy_with_logits.html
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const Tensor& weight, const Tensor& pos_weight,
                                        Reduction reduction);

}  // namespace torchlite
