// Activation layers (ReLU, Sigmoid, Tanh, Softmax, LogSoftmax, LeakyReLU, GELU, SiLU, ELU, ReLU6,
// Hardtanh, Hardswish, Softplus) and the reshaping Identity, Flatten, Unflatten.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "torchlite/nn/module.h"
#include "torchlite/scalar.h"

namespace torchlite::nn {

/// max(x, 0). https://pytorch.org/docs/stable/generated/torch.nn.ReLU.html
class ReLUImpl : public Module {
 public:
  explicit ReLUImpl(bool inplace = false) : inplace(inplace) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "ReLU"; }
  std::string extra_repr() const override { return inplace ? "inplace=True" : ""; }
  bool inplace;
};
using ReLU = ModuleHolder<ReLUImpl>;

/// 1 / (1 + exp(-x)). https://pytorch.org/docs/stable/generated/torch.nn.Sigmoid.html
class SigmoidImpl : public Module {
 public:
  Tensor forward(const Tensor& input) override { return input.sigmoid(); }
  std::string name() const override { return "Sigmoid"; }
};
using Sigmoid = ModuleHolder<SigmoidImpl>;

/// tanh(x). https://pytorch.org/docs/stable/generated/torch.nn.Tanh.html
class TanhImpl : public Module {
 public:
  Tensor forward(const Tensor& input) override { return input.tanh(); }
  std::string name() const override { return "Tanh"; }
};
using Tanh = ModuleHolder<TanhImpl>;

/// softmax along `dim`. https://pytorch.org/docs/stable/generated/torch.nn.Softmax.html
class SoftmaxImpl : public Module {
 public:
  /// Without a dim, PyTorch's legacy choice applies: 0 for 0-, 1- and 3-D input, else 1.
  explicit SoftmaxImpl(std::optional<int64_t> dim = std::nullopt) : dim(dim) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Softmax"; }
  std::string extra_repr() const override {
    return dim ? "dim=" + std::to_string(*dim) : "dim=None";
  }
  std::optional<int64_t> dim;
};
using Softmax = ModuleHolder<SoftmaxImpl>;

/// log_softmax along `dim`. https://pytorch.org/docs/stable/generated/torch.nn.LogSoftmax.html
class LogSoftmaxImpl : public Module {
 public:
  /// Without a dim, PyTorch's legacy choice applies: 0 for 0-, 1- and 3-D input, else 1.
  explicit LogSoftmaxImpl(std::optional<int64_t> dim = std::nullopt) : dim(dim) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "LogSoftmax"; }
  std::string extra_repr() const override {
    return dim ? "dim=" + std::to_string(*dim) : "dim=None";
  }
  std::optional<int64_t> dim;
};
using LogSoftmax = ModuleHolder<LogSoftmaxImpl>;

/// Returns its input. https://pytorch.org/docs/stable/generated/torch.nn.Identity.html
class IdentityImpl : public Module {
 public:
  Tensor forward(const Tensor& input) override { return input; }
  std::string name() const override { return "Identity"; }
};
using Identity = ModuleHolder<IdentityImpl>;

/// Flattens dims start_dim..end_dim.
/// https://pytorch.org/docs/stable/generated/torch.nn.Flatten.html
class FlattenImpl : public Module {
 public:
  explicit FlattenImpl(int64_t start_dim = 1, int64_t end_dim = -1)
      : start_dim(start_dim), end_dim(end_dim) {}
  Tensor forward(const Tensor& input) override { return input.flatten(start_dim, end_dim); }
  std::string name() const override { return "Flatten"; }
  std::string extra_repr() const override;
  int64_t start_dim;
  int64_t end_dim;
};
using Flatten = ModuleHolder<FlattenImpl>;

/// Splits dim `dim` into unflattened_size (one entry may be -1).
/// https://pytorch.org/docs/stable/generated/torch.nn.Unflatten.html
class UnflattenImpl : public Module {
 public:
  UnflattenImpl(int64_t dim, std::vector<int64_t> unflattened_size)
      : dim(dim), unflattened_size(std::move(unflattened_size)) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Unflatten"; }
  /// The size prints as a Python tuple: `Unflatten(dim=1, unflattened_size=(16, 5, 5))`.
  std::string extra_repr() const override;
  int64_t dim;
  std::vector<int64_t> unflattened_size;
};
using Unflatten = ModuleHolder<UnflattenImpl>;

// The numeric arguments below are Scalars so that repr prints them as PyTorch prints the Python
// number given: Hardtanh(-2, 3) shows `min_val=-2`, Hardtanh(-2.0, 3.0) `min_val=-2.0`.

/// x if x > 0 else negative_slope * x.
/// https://pytorch.org/docs/stable/generated/torch.nn.LeakyReLU.html
class LeakyReLUImpl : public Module {
 public:
  explicit LeakyReLUImpl(Scalar negative_slope = 0.01, bool inplace = false)
      : negative_slope(negative_slope), inplace(inplace) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "LeakyReLU"; }
  std::string extra_repr() const override;
  Scalar negative_slope;
  bool inplace;
};
using LeakyReLU = ModuleHolder<LeakyReLUImpl>;

/// x * Phi(x), exact ("none") or tanh-approximated ("tanh").
/// https://pytorch.org/docs/stable/generated/torch.nn.GELU.html
class GELUImpl : public Module {
 public:
  explicit GELUImpl(std::string approximate = "none") : approximate(std::move(approximate)) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "GELU"; }
  std::string extra_repr() const override { return "approximate='" + approximate + "'"; }
  std::string approximate;
};
using GELU = ModuleHolder<GELUImpl>;

/// x * sigmoid(x). https://pytorch.org/docs/stable/generated/torch.nn.SiLU.html
class SiLUImpl : public Module {
 public:
  explicit SiLUImpl(bool inplace = false) : inplace(inplace) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "SiLU"; }
  std::string extra_repr() const override { return inplace ? "inplace=True" : ""; }
  bool inplace;
};
using SiLU = ModuleHolder<SiLUImpl>;

/// x if x > 0 else alpha * (exp(x) - 1).
/// https://pytorch.org/docs/stable/generated/torch.nn.ELU.html
class ELUImpl : public Module {
 public:
  explicit ELUImpl(Scalar alpha = 1.0, bool inplace = false) : alpha(alpha), inplace(inplace) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "ELU"; }
  std::string extra_repr() const override;
  Scalar alpha;
  bool inplace;
};
using ELU = ModuleHolder<ELUImpl>;

/// x clamped to [min_val, max_val].
/// https://pytorch.org/docs/stable/generated/torch.nn.Hardtanh.html
class HardtanhImpl : public Module {
 public:
  explicit HardtanhImpl(Scalar min_val = -1.0, Scalar max_val = 1.0, bool inplace = false);
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Hardtanh"; }
  std::string extra_repr() const override;
  Scalar min_val;
  Scalar max_val;
  bool inplace;
};
using Hardtanh = ModuleHolder<HardtanhImpl>;

/// min(max(x, 0), 6). https://pytorch.org/docs/stable/generated/torch.nn.ReLU6.html
class ReLU6Impl : public Module {
 public:
  explicit ReLU6Impl(bool inplace = false) : inplace(inplace) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "ReLU6"; }
  std::string extra_repr() const override { return inplace ? "inplace=True" : ""; }
  bool inplace;
};
using ReLU6 = ModuleHolder<ReLU6Impl>;

/// x * relu6(x + 3) / 6; PyTorch's repr omits inplace (`Hardswish()`).
/// https://pytorch.org/docs/stable/generated/torch.nn.Hardswish.html
class HardswishImpl : public Module {
 public:
  explicit HardswishImpl(bool inplace = false) : inplace(inplace) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Hardswish"; }
  bool inplace;
};
using Hardswish = ModuleHolder<HardswishImpl>;

/// log(1 + exp(beta * x)) / beta, linear above threshold.
/// https://pytorch.org/docs/stable/generated/torch.nn.Softplus.html
class SoftplusImpl : public Module {
 public:
  explicit SoftplusImpl(Scalar beta = 1, Scalar threshold = 20)
      : beta(beta), threshold(threshold) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Softplus"; }
  std::string extra_repr() const override;
  Scalar beta;
  Scalar threshold;
};
using Softplus = ModuleHolder<SoftplusImpl>;

}  // namespace torchlite::nn
