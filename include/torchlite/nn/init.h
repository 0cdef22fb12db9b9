// torch.nn.init: in-place parameter initialisers drawing exactly PyTorch 1.13's values.
// Mirrors https://pytorch.org/docs/1.13/nn.init.html
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "torchlite/generator.h"
#include "torchlite/tensor.h"

namespace torchlite::nn::init {

/// Recommended gain for a nonlinearity ("linear", "conv*", "sigmoid", "tanh", "relu",
/// "leaky_relu" with negative slope `param` (default 0.01), "selu"), as nn.init.calculate_gain.
double calculate_gain(const std::string& nonlinearity, std::optional<double> param = std::nullopt);

/// (fan_in, fan_out) of a weight [out, in, *kernel]: in * prod(kernel), out * prod(kernel).
std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& tensor);

/// Fills with U(a, b) (Tensor.uniform_ draws).
Tensor& uniform_(Tensor& tensor, double a = 0.0, double b = 1.0,
                 std::optional<Generator> gen = std::nullopt);
/// Fills with N(mean, std^2) (Tensor.normal_ draws).
Tensor& normal_(Tensor& tensor, double mean = 0.0, double std = 1.0,
                std::optional<Generator> gen = std::nullopt);
/// Fills with N(mean, std^2) truncated to [a, b] by inverse CDF (uniform_, erfinv, scale, clamp).
Tensor& trunc_normal_(Tensor& tensor, double mean = 0.0, double std = 1.0, double a = -2.0,
                      double b = 2.0, std::optional<Generator> gen = std::nullopt);
/// Fills with `val`.
Tensor& constant_(Tensor& tensor, double val);
Tensor& ones_(Tensor& tensor);
Tensor& zeros_(Tensor& tensor);
/// Identity matrix; `tensor` must be 2-D.
Tensor& eye_(Tensor& tensor);
/// Dirac delta for 3/4/5-D conv weights [out, in, *kernel]: identity at the kernel centre.
Tensor& dirac_(Tensor& tensor, int64_t groups = 1);
/// U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)) (Glorot).
Tensor& xavier_uniform_(Tensor& tensor, double gain = 1.0,
                        std::optional<Generator> gen = std::nullopt);
/// N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)).
Tensor& xavier_normal_(Tensor& tensor, double gain = 1.0,
                       std::optional<Generator> gen = std::nullopt);
/// U(-bound, bound), bound = sqrt(3) * gain / sqrt(fan) (He); `a` is leaky_relu's slope,
/// `mode` "fan_in" or "fan_out". A tensor with no elements is left as is (no draws).
Tensor& kaiming_uniform_(Tensor& tensor, double a = 0.0, const std::string& mode = "fan_in",
                         const std::string& nonlinearity = "leaky_relu",
                         std::optional<Generator> gen = std::nullopt);
/// N(0, std^2), std = gain / sqrt(fan); arguments as kaiming_uniform_.
Tensor& kaiming_normal_(Tensor& tensor, double a = 0.0, const std::string& mode = "fan_in",
                        const std::string& nonlinearity = "leaky_relu",
                        std::optional<Generator> gen = std::nullopt);

/// A (semi-)orthogonal matrix times `gain`: normal_ draws of [size(0), numel/size(0)], QR by
/// LAPACK geqrf/orgqr as PyTorch (the same draws; the QR within a few ulps, since LAPACK's last
/// bits follow the CPU's kernels), columns sign-fixed by diag(R). Needs >= 2 dims; float32/float64.
Tensor& orthogonal_(Tensor& tensor, double gain = 1.0, std::optional<Generator> gen = std::nullopt);

/// nn.Linear's reset_parameters: kaiming_uniform_(weight, a = sqrt(5)), then, when `bias` is
/// defined, bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (bound 0, still drawn, if fan_in is 0).
/// nn.ConvNd does the same except that it skips the bias when fan_in is 0.
void reset_linear_parameters_(Tensor& weight, Tensor& bias,
                              std::optional<Generator> gen = std::nullopt);

}  // namespace torchlite::nn::init
