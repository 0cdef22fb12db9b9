// Activation ops: each forward and backward is one elementwise loop (src/kernels/elementwise.h)
// over a formula written as PyTorch's CPU kernels write it, so that the kinks get its gradient.
#include "torchlite/ops/activation.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "autograd/inplace.h"
#include "core/dispatch.h"
#include "core/tensor_util.h"
#include "kernels/elementwise.h"
#include "torchlite/autograd/function.h"

namespace torchlite {

using autograd::record;
using autograd::SavedTensor;
using detail::view_of;

namespace {

/// f(x) of every element, as a new contiguous tensor; f is a generic lambda over float/double.
template <class F>
Tensor map(const char* op, const Tensor& x, F f) {
  TL_CHECK(x.defined(), op, ": called on an undefined tensor");
  Tensor out = detail::make_empty(x.sizes(), x.dtype());
  detail::dispatch_float(x.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    kernels::unary<T, T>(view_of(out), view_of(x), [&](T v) { return static_cast<T>(f(v)); });
  });
  return out;
}

/// df(s, g) of every element: a backward from the saved tensor s and the output gradient g.
template <class DF>
Tensor map_grad(const char* op, const Tensor& s, const Tensor& g, DF df) {
  Tensor out = detail::make_empty(g.sizes(), g.dtype());
  detail::dispatch_float(g.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    kernels::binary<T, T>(view_of(out), view_of(s), view_of(g),
                          [&](T v, T gv) { return static_cast<T>(df(v, gv)); });
  });
  return out;
}

/// An out-of-place activation whose backward, backward(input, grad_output), reads its input.
template <class F, class B>
Tensor activation_with(const char* op, const char* node, const Tensor& input, F f, B backward) {
  Tensor y = map(op, input, f);
  return record(y, node, {input}, [s = SavedTensor(input), backward](const Tensor& g) {
    return std::array{backward(s.unpack(), g)};
  });
}

/// The same with an elementwise backward df(x, g).
template <class F, class DF>
Tensor activation(const char* op, const char* node, const Tensor& input, F f, DF df) {
  return activation_with(op, node, input, f, [op, df](const Tensor& s, const Tensor& g) {
    return map_grad(op, s, g, df);
  });
}

/// Writes `values` into self as an in-place op does (one version bump).
void write(Tensor& self, const Tensor& values) {
  detail::copy_kernel(self, values);
  self.bump_version();
}

/// An in-place activation whose backward, backward(input, grad_output), reads the original
/// input (saved as a copy).
template <class F, class B>
Tensor& inplace_reading_input_with(Tensor& self, const char* op, const char* node, F f,
                                   B backward) {
  detail::check_inplace(self, op);
  if (!is_grad_enabled() || !self.requires_grad()) {
    write(self, map(op, self, f));
    return self;
  }
  Tensor old = self.detach().clone();
  write(self, map(op, old, f));
  record(self, node, {self}, [s = SavedTensor(old), backward](const Tensor& g) {
    return std::array{backward(s.unpack(), g)};
  });
  return self;
}

/// The same with an elementwise backward df(x, g).
template <class F, class DF>
Tensor& inplace_reading_input(Tensor& self, const char* op, const char* node, F f, DF df) {
  return inplace_reading_input_with(self, op, node, f, [op, df](const Tensor& s, const Tensor& g) {
    return map_grad(op, s, g, df);
  });
}

/// An in-place activation whose backward reads the result (self after the write).
template <class F, class DF>
Tensor& inplace_reading_result(Tensor& self, const char* op, const char* node, F f, DF df) {
  detail::check_inplace(self, op);
  write(self, map(op, self, f));
  if (!is_grad_enabled() || !self.requires_grad()) return self;
  record(self, node, {self}, [s = SavedTensor(self, true), op, df](const Tensor& g) {
    return std::array{map_grad(op, s.unpack(), g, df)};
  });
  return self;
}

auto leaky_fn(double slope) {
  return [slope](auto x) {
    using T = decltype(x);
    return x > T(0) ? x : x * static_cast<T>(slope);
  };
}
// x > 0 and result > 0 select the same elements, so one backward serves both forms.
auto leaky_grad(double slope) {
  return [slope](auto x, auto g) {
    using T = decltype(x);
    return x > T(0) ? g : g * static_cast<T>(slope);
  };
}

auto elu_fn(double alpha) {
  return [alpha](auto x) {
    using T = decltype(x);
    return x <= T(0) ? static_cast<T>(std::expm1(x) * static_cast<T>(alpha)) : x;
  };
}

auto hardtanh_fn(double lo, double hi) {
  return [lo, hi](auto x) {
    using T = decltype(x);
    if (std::isnan(x)) return x;
    // max with lo, then min with hi: min_val > max_val gives max_val everywhere, as PyTorch.
    const T y = x < static_cast<T>(lo) ? static_cast<T>(lo) : x;
    return y > static_cast<T>(hi) ? static_cast<T>(hi) : y;
  };
}
// Zero at the bounds themselves, as PyTorch's hardtanh_backward.
auto hardtanh_grad(double lo, double hi) {
  return [lo, hi](auto x, auto g) {
    using T = decltype(x);
    return x <= static_cast<T>(lo) || x >= static_cast<T>(hi) ? T(0) : g;
  };
}

constexpr auto silu_fn = [](auto x) {
  using T = decltype(x);
  return x / (T(1) + std::exp(-x));
};
constexpr auto silu_grad = [](auto x, auto g) {
  using T = decltype(x);
  const T s = T(1) / (T(1) + std::exp(-x));
  return g * s * (T(1) + x * (T(1) - s));
};

constexpr auto hardswish_fn = [](auto x) {
  using T = decltype(x);
  return x * std::min(std::max(x + T(3), T(0)), T(6)) / T(6);
};
// At x = -3 the middle piece's slope (-0.5); at x = 3 the identity's (1), as PyTorch 1.13's
// vectorised CPU loop (see hardswish_scalar_loop_fix for the elements its scalar loop takes).
constexpr auto hardswish_grad = [](auto x, auto g) {
  using T = decltype(x);
  return x < T(-3) ? T(0) : x < T(3) ? g * (x / T(3) + T(0.5)) : g;
};

/// PyTorch 1.13's hardswish backward runs AVX2 vectors over blocks of 64 bytes and a scalar loop
/// over the elements after the last whole block, or over all of them when an operand is strided
/// (a gradient broadcast from a scalar still takes the vectors). The scalar loop gives x = 3 the
/// middle piece's slope (1.5); this applies it where that loop runs. PyTorch also splits tensors
/// of over 32768 elements between threads, which this does not follow.
void hardswish_scalar_loop_fix(const Tensor& s, const Tensor& g, Tensor& grad) {
  const bool broadcast_scalar = std::all_of(g.strides().begin(), g.strides().end(),
                                            [](int64_t st) { return st == 0; });
  const bool vectorised = s.is_contiguous() && (g.is_contiguous() || broadcast_scalar);
  // The vectorised case reads s and g in place (only its tail is looked at); copies are left to
  // the strided case, which PyTorch runs element by element anyway.
  const Tensor x_c = vectorised ? s : s.contiguous();
  const Tensor g_c = vectorised ? g : g.contiguous();
  detail::dispatch_float(g.dtype(), "hardswish_backward", [&](auto tag) {
    using T = decltype(tag);
    const int64_t n = g.numel();
    const int64_t block = 64 / static_cast<int64_t>(sizeof(T));
    const T* x = x_c.data_ptr<T>();
    const T* gv = g_c.data_ptr<T>();
    const int64_t g_step = vectorised && broadcast_scalar ? 0 : 1;
    T* out = grad.data_ptr<T>();
    for (int64_t i = vectorised ? n - n % block : 0; i < n; ++i) {
      if (x[i] == T(3)) out[i] = gv[i * g_step] * (x[i] / T(3) + T(0.5));
    }
  });
}

Tensor hardswish_backward(const Tensor& s, const Tensor& g) {
  Tensor grad = map_grad("hardswish_backward", s, g, hardswish_grad);
  if (s.sizes() == g.sizes()) hardswish_scalar_loop_fix(s, g, grad);
  return grad;
}

}  // namespace

Tensor leaky_relu(const Tensor& input, double negative_slope) {
  return activation("leaky_relu", "LeakyReluBackward0", input, leaky_fn(negative_slope),
                    leaky_grad(negative_slope));
}

Tensor& leaky_relu_(Tensor& input, double negative_slope) {
  return inplace_reading_result(input, "leaky_relu_", "LeakyReluBackward1",
                                leaky_fn(negative_slope), leaky_grad(negative_slope));
}

Tensor gelu(const Tensor& input, const std::string& approximate) {
  TL_CHECK(approximate == "none" || approximate == "tanh",
           "approximate argument must be either none or tanh.");
  if (approximate == "none") {
    return activation(
        "gelu", "GeluBackward0", input,
        [](auto x) {
          using T = decltype(x);
          return x * T(0.5) * (T(1) + std::erf(x * static_cast<T>(M_SQRT1_2)));
        },
        [](auto x, auto g) {
          using T = decltype(x);
          const T beta = static_cast<T>(M_2_SQRTPI * M_SQRT1_2 * 0.5);
          const T cdf = T(0.5) * (T(1) + std::erf(x * static_cast<T>(M_SQRT1_2)));
          const T pdf = std::exp(T(-0.5) * x * x) * beta;
          return g * (cdf + x * pdf);
        });
  }
  return activation(
      "gelu", "GeluBackward0", input,
      [](auto x) {
        using T = decltype(x);
        const T beta = static_cast<T>(M_SQRT2 * M_2_SQRTPI * 0.5), kappa = T(0.044715);
        return T(0.5) * x * (T(1) + std::tanh(beta * (x + kappa * x * x * x)));
      },
      [](auto x, auto g) {
        using T = decltype(x);
        const T beta = static_cast<T>(M_SQRT2 * M_2_SQRTPI * 0.5), kappa = T(0.044715);
        const T x_sq = x * x;
        const T t = std::tanh(beta * (x + kappa * x_sq * x));
        const T left_derivative = T(0.5) * (T(1) + t);
        const T right_derivative =
            T(0.5) * x * (T(1) - t * t) * beta * (T(1) + T(3) * kappa * x_sq);
        return g * (left_derivative + right_derivative);
      });
}

Tensor silu(const Tensor& input) {
  return activation("silu", "SiluBackward0", input, silu_fn, silu_grad);
}

Tensor& silu_(Tensor& input) {
  return inplace_reading_input(input, "silu_", "SiluBackward0", silu_fn, silu_grad);
}

Tensor elu(const Tensor& input, double alpha) {
  return activation("elu", "EluBackward0", input, elu_fn(alpha), [alpha](auto x, auto g) {
    using T = decltype(x);
    return x <= T(0) ? g * static_cast<T>(alpha) * std::exp(x) : g;
  });
}

Tensor& elu_(Tensor& input, double alpha) {
  // From the result y: exp(x) * alpha = y + alpha where x <= 0 (y <= 0 there).
  return inplace_reading_result(input, "elu_", "EluBackward1", elu_fn(alpha),
                                [alpha](auto y, auto g) {
                                  using T = decltype(y);
                                  return y <= T(0) ? g * (y + static_cast<T>(alpha)) : g;
                                });
}

Tensor hardtanh(const Tensor& input, double min_val, double max_val) {
  return activation("hardtanh", "HardtanhBackward0", input, hardtanh_fn(min_val, max_val),
                    hardtanh_grad(min_val, max_val));
}

Tensor& hardtanh_(Tensor& input, double min_val, double max_val) {
  // The result is at a bound exactly where the input was at or beyond it: the same mask.
  return inplace_reading_result(input, "hardtanh_", "HardtanhBackward0",
                                hardtanh_fn(min_val, max_val), hardtanh_grad(min_val, max_val));
}

Tensor relu6(const Tensor& input) { return hardtanh(input, 0.0, 6.0); }

Tensor& relu6_(Tensor& input) { return hardtanh_(input, 0.0, 6.0); }

Tensor hardswish(const Tensor& input) {
  return activation_with("hardswish", "HardswishBackward0", input, hardswish_fn,
                         hardswish_backward);
}

Tensor& hardswish_(Tensor& input) {
  return inplace_reading_input_with(input, "hardswish_", "HardswishBackward0", hardswish_fn,
                                    hardswish_backward);
}

Tensor softplus(const Tensor& input, double beta, double threshold) {
  return activation(
      "softplus", "SoftplusBackward0", input,
      [beta, threshold](auto x) {
        using T = decltype(x);
        const T bx = x * static_cast<T>(beta);
        return bx > static_cast<T>(threshold)
                   ? x
                   : static_cast<T>(std::log1p(std::exp(bx)) / static_cast<T>(beta));
      },
      [beta, threshold](auto x, auto g) {
        using T = decltype(x);
        const T bx = x * static_cast<T>(beta);
        const T z = std::exp(bx);
        return bx > static_cast<T>(threshold) ? g : g * z / (z + T(1));
      });
}

}  // namespace torchlite
