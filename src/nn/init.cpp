// torch.nn.init: every bound computed in double exactly as init.py writes it, then the core
// draws (rng.md §7), so that initial weights match PyTorch 1.13 bit for bit.
#include "torchlite/nn/init.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <vector>

#include "core/random_kernels.h"
#include "kernels/qr.h"

namespace torchlite::nn::init {
namespace {

double correct_fan(const Tensor& tensor, std::string mode) {
  std::transform(mode.begin(), mode.end(), mode.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  TL_CHECK(mode == "fan_in" || mode == "fan_out", "Mode ", mode,
           " not supported, please use one of ['fan_in', 'fan_out']");
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  return static_cast<double>(mode == "fan_in" ? fan_in : fan_out);
}

// PyTorch's Python float division raises on a zero divisor instead of giving inf.
double divide(double num, double den) {
  TL_CHECK(den != 0.0, "float division by zero");
  return num / den;
}

// Applies f to every element (order does not matter: no draws here).
template <typename T, typename F>
void map_inplace(Tensor& tensor, F f) {
  Tensor dense = tensor.is_contiguous() ? tensor : tensor.contiguous();
  T* p = dense.data_ptr<T>();
  for (int64_t i = 0; i < dense.numel(); ++i) p[i] = f(p[i]);
  if (dense.is_same(tensor)) {
    tensor.bump_version();
  } else {
    tensor.copy_(dense);
  }
}

template <typename T>
void trunc_transform(Tensor& tensor, double mean, double std, double a, double b) {
  // erfinv_, mul_(std * sqrt(2)), add_(mean), clamp_(a, b): each in T, each rounded.
  const auto scale = static_cast<T>(std * std::sqrt(2.));
  const auto shift = static_cast<T>(mean);
  const auto lo = static_cast<T>(a);
  const auto hi = static_cast<T>(b);
  map_inplace<T>(tensor, [&](T x) {
    x = rng::erfinv(x);
    x = x * scale;
    x = x + shift;
    return std::min(std::max(x, lo), hi);
  });
}

template <typename T>
Tensor orthogonal_matrix(int64_t rows, int64_t cols, std::optional<Generator> gen) {
  Tensor flat = empty({rows, cols}, DtypeOf<T>::value);
  flat.normal_(0, 1, std::move(gen));
  const auto m = static_cast<int>(std::max(rows, cols));
  const auto n = static_cast<int>(std::min(rows, cols));
  T* data = flat.data_ptr<T>();
  if (rows < cols) {
    // Row-major [rows, cols] is column-major flat^T (cols x rows): QR of the transpose, and
    // the row-major result is again Q^T.
    kernels::signed_householder_q(data, m, n);
    return flat;
  }
  std::vector<T> a(static_cast<size_t>(rows * cols));
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) a[i + j * rows] = data[i * cols + j];
  }
  kernels::signed_householder_q(a.data(), m, n);
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) data[i * cols + j] = a[i + j * rows];
  }
  return flat;
}

}  // namespace

double calculate_gain(const std::string& nonlinearity, std::optional<double> param) {
  static const char* const kLinear[] = {"linear",           "conv1d",           "conv2d",
                                        "conv3d",           "conv_transpose1d", "conv_transpose2d",
                                        "conv_transpose3d", "sigmoid"};
  for (const char* name : kLinear) {
    if (nonlinearity == name) return 1.0;
  }
  if (nonlinearity == "tanh") return 5.0 / 3;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") {
    const double slope = param.value_or(0.01);
    return std::sqrt(2.0 / (1 + slope * slope));
  }
  if (nonlinearity == "selu") return 3.0 / 4;
  throw Error("Unsupported nonlinearity " + nonlinearity);
}

std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& tensor) {
  TL_CHECK(tensor.dim() >= 2,
           "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
  int64_t receptive_field = 1;
  for (int64_t d = 2; d < tensor.dim(); ++d) receptive_field *= tensor.size(d);
  return {tensor.size(1) * receptive_field, tensor.size(0) * receptive_field};
}

Tensor& uniform_(Tensor& tensor, double a, double b, std::optional<Generator> gen) {
  NoGradGuard no_grad;
  tensor.uniform_(a, b, std::move(gen));
  return tensor;
}

Tensor& normal_(Tensor& tensor, double mean, double std, std::optional<Generator> gen) {
  NoGradGuard no_grad;
  tensor.normal_(mean, std, std::move(gen));
  return tensor;
}

Tensor& trunc_normal_(Tensor& tensor, double mean, double std, double a, double b,
                      std::optional<Generator> gen) {
  NoGradGuard no_grad;
  auto norm_cdf = [](double x) { return (1. + std::erf(x / std::sqrt(2.))) / 2.; };
  const double l = norm_cdf(divide(a - mean, std));
  const double u = norm_cdf(divide(b - mean, std));
  tensor.uniform_(2 * l - 1, 2 * u - 1, std::move(gen));  // float32 or float64 from here
  if (tensor.dtype() == kFloat32) {
    trunc_transform<float>(tensor, mean, std, a, b);
  } else {
    trunc_transform<double>(tensor, mean, std, a, b);
  }
  return tensor;
}

Tensor& constant_(Tensor& tensor, double val) {
  NoGradGuard no_grad;
  tensor.fill_(val);
  return tensor;
}

Tensor& ones_(Tensor& tensor) { return constant_(tensor, 1.0); }

Tensor& zeros_(Tensor& tensor) {
  NoGradGuard no_grad;
  tensor.zero_();
  return tensor;
}

Tensor& eye_(Tensor& tensor) {
  TL_CHECK(tensor.dim() == 2, "Only tensors with 2 dimensions are supported");
  NoGradGuard no_grad;
  tensor.zero_();
  const int64_t n = std::min(tensor.size(0), tensor.size(1));
  for (int64_t i = 0; i < n; ++i) tensor.select(0, i).select(0, i).fill_(1);
  return tensor;
}

Tensor& dirac_(Tensor& tensor, int64_t groups) {
  const int64_t dims = tensor.dim();
  TL_CHECK(dims >= 3 && dims <= 5, "Only tensors with 3, 4, or 5 dimensions are supported");
  TL_CHECK(groups > 0 && tensor.size(0) % groups == 0, "dim 0 must be divisible by groups");
  NoGradGuard no_grad;
  const int64_t out_per_group = tensor.size(0) / groups;
  const int64_t min_dim = std::min(out_per_group, tensor.size(1));
  tensor.zero_();
  for (int64_t g = 0; g < groups; ++g) {
    for (int64_t d = 0; d < min_dim; ++d) {
      Tensor elem = tensor.select(0, g * out_per_group + d).select(0, d);
      for (int64_t k = 2; k < dims; ++k) elem = elem.select(0, tensor.size(k) / 2);
      elem.fill_(1);
    }
  }
  return tensor;
}

Tensor& xavier_uniform_(Tensor& tensor, double gain, std::optional<Generator> gen) {
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  const double std = gain * std::sqrt(divide(2.0, static_cast<double>(fan_in + fan_out)));
  const double a = std::sqrt(3.0) * std;
  return uniform_(tensor, -a, a, std::move(gen));
}

Tensor& xavier_normal_(Tensor& tensor, double gain, std::optional<Generator> gen) {
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  const double std = gain * std::sqrt(divide(2.0, static_cast<double>(fan_in + fan_out)));
  return normal_(tensor, 0.0, std, std::move(gen));
}

Tensor& kaiming_uniform_(Tensor& tensor, double a, const std::string& mode,
                         const std::string& nonlinearity, std::optional<Generator> gen) {
  if (tensor.numel() == 0) return tensor;  // PyTorch warns "no-op" and draws nothing
  const double fan = correct_fan(tensor, mode);
  const double gain = calculate_gain(nonlinearity, a);
  const double std = divide(gain, std::sqrt(fan));
  const double bound = std::sqrt(3.0) * std;
  return uniform_(tensor, -bound, bound, std::move(gen));
}

Tensor& kaiming_normal_(Tensor& tensor, double a, const std::string& mode,
                        const std::string& nonlinearity, std::optional<Generator> gen) {
  if (tensor.numel() == 0) return tensor;
  const double fan = correct_fan(tensor, mode);
  const double gain = calculate_gain(nonlinearity, a);
  const double std = divide(gain, std::sqrt(fan));
  return normal_(tensor, 0.0, std, std::move(gen));
}

Tensor& orthogonal_(Tensor& tensor, double gain, std::optional<Generator> gen) {
  TL_CHECK(tensor.dim() >= 2, "Only tensors with 2 or more dimensions are supported");
  if (tensor.numel() == 0) return tensor;
  TL_CHECK(tensor.dtype() == kFloat32 || tensor.dtype() == kFloat64,
           "orthogonal_ supports float32 and float64 tensors, got ", tensor.dtype());
  NoGradGuard no_grad;
  const int64_t rows = tensor.size(0);
  const int64_t cols = tensor.numel() / rows;
  const Tensor q = tensor.dtype() == kFloat32 ? orthogonal_matrix<float>(rows, cols, gen)
                                              : orthogonal_matrix<double>(rows, cols, gen);
  tensor.copy_(q.view(tensor.sizes()));
  tensor.mul_(gain);
  return tensor;
}

void reset_linear_parameters_(Tensor& weight, Tensor& bias, std::optional<Generator> gen) {
  kaiming_uniform_(weight, std::sqrt(5.0), "fan_in", "leaky_relu", gen);
  if (!bias.defined()) return;
  const int64_t fan_in = calculate_fan_in_and_fan_out(weight).first;
  const double bound = fan_in > 0 ? 1 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
  uniform_(bias, -bound, bound, std::move(gen));
}

}  // namespace torchlite::nn::init
