// Gradient clipping as torch/nn/utils/clip_grad.py of PyTorch 1.13: per-parameter norms in the
// gradients' dtype, their norm, one coefficient clamped to 1.
#include "torchlite/nn/utils/clip_grad.h"

#include <cmath>
#include <limits>

#include "torchlite/printing.h"

namespace torchlite::nn::utils {
namespace {

/// The norm_type-norm of g's elements, accumulated in float64.
double norm_of(const Tensor& g, double norm_type) {
  Tensor d = g.detach().to(kFloat64).contiguous();
  const double* p = d.data_ptr<double>();
  const int64_t n = d.numel();
  if (std::isinf(norm_type)) {
    double m = 0;
    for (int64_t i = 0; i < n; ++i) m = std::isnan(p[i]) ? p[i] : std::max(m, std::abs(p[i]));
    return m;
  }
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += std::pow(std::abs(p[i]), norm_type);
  return std::pow(s, 1.0 / norm_type);
}

}  // namespace

Tensor clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  std::vector<Tensor> grads;
  for (const Tensor& p : parameters)
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return scalar_tensor(0.0, kFloat32);
  const Dtype dtype = grads.front().dtype();
  // Each parameter's norm is rounded to the gradients' dtype, as torch.norm returns it.
  Tensor norms = empty({static_cast<int64_t>(grads.size())}, kFloat64);
  for (size_t i = 0; i < grads.size(); ++i)
    norms.data_ptr<double>()[i] = scalar_tensor(norm_of(grads[i], norm_type), dtype).item_double();
  Tensor total = scalar_tensor(norm_of(norms, norm_type), dtype);
  const double t = total.item_double();
  TL_CHECK(!(error_if_nonfinite && !std::isfinite(t)), "The total norm of order ",
           format_python_float(norm_type),
           " for gradients from `parameters` is non-finite, so it cannot be clipped. To disable "
           "this error and scale the gradients by the non-finite norm anyway, set "
           "`error_if_nonfinite=False`");
  NoGradGuard no_grad;
  // clip_coef = max_norm / (total + 1e-6), clamped to 1, in the gradients' dtype.
  Tensor coef = scalar_tensor(max_norm, dtype) / (total + 1e-6);
  coef = coef.clamp(std::nullopt, 1.0);
  for (Tensor& g : grads) g.mul_(coef);
  return total;
}

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value) {
  NoGradGuard no_grad;
  for (const Tensor& p : parameters) {
    Tensor g = p.grad();
    if (g.defined()) g.clamp_(-clip_value, clip_value);
  }
}

}  // namespace torchlite::nn::utils
