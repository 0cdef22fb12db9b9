// Activation functions beyond Tensor's relu/sigmoid/tanh, with their backward and in-place forms.
// Mirrors https://pytorch.org/docs/stable/nn.html#non-linear-activations-weighted-sum-nonlinearity
#pragma once

#include <string>

#include "torchlite/tensor.h"

namespace torchlite {

/// x if x > 0 else negative_slope * x (float tensors, any shape);
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.leaky_relu.html
Tensor leaky_relu(const Tensor& input, double negative_slope = 0.01);
/// leaky_relu in place (its backward reads the result: LeakyReluBackward1).
Tensor& leaky_relu_(Tensor& input, double negative_slope = 0.01);

/// x * Phi(x), exactly ("none") or with the tanh approximation ("tanh");
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.gelu.html
Tensor gelu(const Tensor& input, const std::string& approximate = "none");

/// x * sigmoid(x); https://pytorch.org/docs/stable/generated/torch.nn.functional.silu.html
Tensor silu(const Tensor& input);
/// silu in place.
Tensor& silu_(Tensor& input);

/// x if x > 0 else alpha * (exp(x) - 1);
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.elu.html
Tensor elu(const Tensor& input, double alpha = 1.0);
/// elu in place (its backward reads the result: EluBackward1).
Tensor& elu_(Tensor& input, double alpha = 1.0);

/// x clamped to [min_val, max_val], with a zero gradient at and beyond the bounds;
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.hardtanh.html
Tensor hardtanh(const Tensor& input, double min_val = -1.0, double max_val = 1.0);
/// hardtanh in place.
Tensor& hardtanh_(Tensor& input, double min_val = -1.0, double max_val = 1.0);

/// hardtanh(x, 0, 6), as PyTorch computes it;
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.relu6.html
Tensor relu6(const Tensor& input);
/// relu6 in place.
Tensor& relu6_(Tensor& input);

/// x * relu6(x + 3) / 6;
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.hardswish.html
Tensor hardswish(const Tensor& input);
/// hardswish in place.
Tensor& hardswish_(Tensor& input);

/// log(1 + exp(beta * x)) / beta, or x where beta * x > threshold;
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.softplus.html
Tensor softplus(const Tensor& input, double beta = 1.0, double threshold = 20.0);

}  // namespace torchlite
