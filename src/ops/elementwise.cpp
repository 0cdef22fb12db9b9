// Elementwise ops: broadcasting binary arithmetic, comparisons, unary math, conversions.
// Each op's backward is recorded right after its forward.
#include <array>
#include <cmath>
#include <cstring>

#include "core/dispatch.h"
#include "core/loops.h"
#include "core/tensor_util.h"
#include "torchlite/autograd/function.h"
#include "torchlite/tensor.h"

namespace torchlite {

using autograd::record;
using autograd::SavedTensor;
using autograd::sum_to;

namespace {

// Below this many elements a loop stays on one thread: OpenMP workers that spin after a short
// region steal the cores OpenBLAS needs (measured: 64% of an MLP epoch in libgomp at 32K).
constexpr int64_t kGrain = int64_t{1} << 20;

int category(Dtype d) { return d == kBool ? 0 : is_floating_point(d) ? 2 : 1; }

/// PyTorch's result_type for two tensors: zero-dim tensors only count when they raise the category.
Dtype result_type(const Tensor& a, const Tensor& b) {
  bool za = a.dim() == 0, zb = b.dim() == 0;
  if (za != zb) {
    const Tensor& dimmed = za ? b : a;
    const Tensor& zero = za ? a : b;
    if (category(zero.dtype()) <= category(dimmed.dtype())) return dimmed.dtype();
    return category(zero.dtype()) == 2 && !is_floating_point(dimmed.dtype())
               ? zero.dtype()
               : promote_types(dimmed.dtype(), zero.dtype());
  }
  return promote_types(a.dtype(), b.dtype());
}

/// Result type of tensor op Python-number: the number only raises the category.
Dtype result_type(const Tensor& a, const Scalar& s) {
  int cs = s.is_floating_point() ? 2 : s.is_integral() ? 1 : 0;
  if (cs <= category(a.dtype())) return a.dtype();
  return cs == 2 ? kFloat32 : kInt64;
}

Dtype float_result(Dtype d) { return is_floating_point(d) ? d : kFloat32; }

/// out[i] = f(a[i], b[i]) over the broadcast shape; a and b already have dtype T.
template <class T, class R, class F>
void binary_kernel(const Tensor& out, const Tensor& a, const Tensor& b, F f) {
  R* o = static_cast<R*>(out.raw_data());
  const int64_t n = out.numel();
  if (a.is_contiguous() && b.is_contiguous()) {
    const T* pa = static_cast<const T*>(a.raw_data());
    const T* pb = static_cast<const T*>(b.raw_data());
    if (a.numel() == n && b.numel() == n) {
#pragma omp parallel for if (n > kGrain)
      for (int64_t i = 0; i < n; ++i) o[i] = f(pa[i], pb[i]);
      return;
    }
    if (b.numel() == 1 && a.numel() == n) {
      const T vb = pb[0];
#pragma omp parallel for if (n > kGrain)
      for (int64_t i = 0; i < n; ++i) o[i] = f(pa[i], vb);
      return;
    }
    if (a.numel() == 1 && b.numel() == n) {
      const T va = pa[0];
#pragma omp parallel for if (n > kGrain)
      for (int64_t i = 0; i < n; ++i) o[i] = f(va, pb[i]);
      return;
    }
  }
  const Sizes& shape = out.sizes();
  std::array<IntVector, 3> st{detail::broadcast_byte_strides(out, shape),
                                         detail::broadcast_byte_strides(a, shape),
                                         detail::broadcast_byte_strides(b, shape)};
  detail::for_each_row<3>(
      shape,
      {static_cast<char*>(out.raw_data()), static_cast<char*>(a.raw_data()),
       static_cast<char*>(b.raw_data())},
      st, [&](std::array<char*, 3> p, std::array<int64_t, 3> s, int64_t m) {
        for (int64_t i = 0; i < m; ++i)
          *reinterpret_cast<R*>(p[0] + i * s[0]) = f(*reinterpret_cast<const T*>(p[1] + i * s[1]),
                                                     *reinterpret_cast<const T*>(p[2] + i * s[2]));
      });
}

/// out[i] = f(a[i]); a has dtype T.
template <class T, class R, class F>
void unary_kernel(const Tensor& out, const Tensor& a, F f) {
  R* o = static_cast<R*>(out.raw_data());
  const int64_t n = out.numel();
  if (a.is_contiguous()) {
    const T* pa = static_cast<const T*>(a.raw_data());
#pragma omp parallel for if (n > kGrain)
    for (int64_t i = 0; i < n; ++i) o[i] = f(pa[i]);
    return;
  }
  const Sizes& shape = out.sizes();
  std::array<IntVector, 2> st{detail::broadcast_byte_strides(out, shape),
                                         detail::broadcast_byte_strides(a, shape)};
  detail::for_each_row<2>(shape, {static_cast<char*>(out.raw_data()), static_cast<char*>(a.raw_data())},
                          st, [&](std::array<char*, 2> p, std::array<int64_t, 2> s, int64_t m) {
                            for (int64_t i = 0; i < m; ++i)
                              *reinterpret_cast<R*>(p[0] + i * s[0]) =
                                  f(*reinterpret_cast<const T*>(p[1] + i * s[1]));
                          });
}

Tensor as_dtype(const Tensor& t, Dtype d) { return t.dtype() == d ? t : t.detach().to(d); }

/// Broadcasting binary op computed in `compute` dtype with result dtype `out_dtype`;
/// `f` is a generic lambda over the compute type.
template <class F>
Tensor binary(const char* op, const Tensor& a, const Tensor& b, Dtype compute, Dtype out_dtype,
              F f) {
  TL_CHECK(a.defined() && b.defined(), op, ": an operand is an undefined tensor");
  Sizes shape = broadcast_shapes(a.sizes(), b.sizes(), op);
  Tensor out = detail::make_empty(shape, out_dtype);
  Tensor ca = as_dtype(a, compute), cb = as_dtype(b, compute);
  detail::dispatch_arith(compute, op, [&](auto tag) {
    using T = decltype(tag);
    if (out_dtype == kBool) {
      binary_kernel<T, bool>(out, ca, cb, [&](T x, T y) { return static_cast<bool>(f(x, y)); });
    } else {
      binary_kernel<T, T>(out, ca, cb, [&](T x, T y) { return static_cast<T>(f(x, y)); });
    }
  });
  return out;
}

template <class F>
Tensor arith(const char* op, const Tensor& a, const Tensor& b, F f) {
  Dtype d = result_type(a, b);
  return binary(op, a, b, d, d, f);
}

Tensor wrap(Scalar s, Dtype d) { return scalar_tensor(s, d); }

template <class F>
Tensor unary(const char* op, const Tensor& a, Dtype out_dtype, F f) {
  TL_CHECK(a.defined(), op, ": called on an undefined tensor");
  Tensor out = detail::make_empty(a.sizes(), out_dtype);
  Tensor ca = as_dtype(a, out_dtype);
  detail::dispatch_arith(out_dtype, op, [&](auto tag) {
    using T = decltype(tag);
    unary_kernel<T, T>(out, ca, [&](T x) { return static_cast<T>(f(x)); });
  });
  return out;
}

/// Writes `result` into `self` in place and moves its history onto `self` (rebase); the caller
/// has run check_inplace.
Tensor& assign_inplace(Tensor& self, const Tensor& result, const char* op) {
  TL_CHECK(broadcast_shapes(self.sizes(), result.sizes(), op) == self.sizes(), "output with shape ",
           detail::shape_str(self.sizes()), " doesn't match the broadcast shape ",
           detail::shape_str(broadcast_shapes(self.sizes(), result.sizes(), op)));
  detail::copy_kernel(self, result);
  self.bump_version();
  if (result.grad_fn()) {
    self.impl()->grad_fn = result.grad_fn();
    self.impl()->requires_grad = true;
  }
  return self;
}

}  // namespace

Sizes broadcast_shapes(const Sizes& a, const Sizes& b, const char* op) {
  size_t n = std::max(a.size(), b.size());
  Sizes out(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    TL_CHECK(da == db || da == 1 || db == 1, op, ": The size of tensor a (", da,
             ") must match the size of tensor b (", db, ") at non-singleton dimension ", i,
             " (shapes ", detail::shape_str(a), " and ", detail::shape_str(b), ")");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

// ---- arithmetic ----

Tensor Tensor::add(const Tensor& other, Scalar alpha) const {
  Tensor out;
  if (alpha.to_double() == 1.0) {
    out = arith("add", *this, other, [](auto x, auto y) { return x + y; });
  } else {
    double al = alpha.to_double();
    out = arith("add", *this, other, [al](auto x, auto y) {
      using T = decltype(x);
      return static_cast<T>(x + static_cast<T>(al) * y);
    });
  }
  return record(out, "AddBackward0", {*this, other},
                [sa = sizes(), sb = other.sizes(), alpha](const Tensor& g) {
                  Tensor gb = alpha.to_double() == 1.0 ? g : g * alpha;
                  return std::array{sum_to(g, sa), sum_to(gb, sb)};
                });
}

Tensor Tensor::add(Scalar other) const { return add(wrap(other, result_type(*this, other))); }

Tensor Tensor::sub(const Tensor& other, Scalar alpha) const {
  TL_CHECK(dtype() != kBool || other.dtype() != kBool,
           "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
           "or `logical_xor()` operator instead.");
  double al = alpha.to_double();
  Tensor out = arith("sub", *this, other, [al](auto x, auto y) {
    using T = decltype(x);
    return static_cast<T>(x - static_cast<T>(al) * y);
  });
  return record(out, "SubBackward0", {*this, other},
                [sa = sizes(), sb = other.sizes(), al](const Tensor& g) {
                  return std::array{sum_to(g, sa), sum_to(g * (-al), sb)};
                });
}

Tensor Tensor::sub(Scalar other) const { return sub(wrap(other, result_type(*this, other))); }

Tensor Tensor::mul(const Tensor& other) const {
  Tensor out = arith("mul", *this, other, [](auto x, auto y) { return x * y; });
  bool need_a = other.defined() && requires_grad(), need_b = other.requires_grad();
  return record(out, "MulBackward0", {*this, other},
                [a = SavedTensor(need_b ? *this : Tensor()), b = SavedTensor(need_a ? other : Tensor()),
                 sa = sizes(), sb = other.sizes()](const Tensor& g) {
                  Tensor ta = a.unpack(), tb = b.unpack();
                  return std::array{tb.defined() ? sum_to(g * tb, sa) : Tensor(),
                                             ta.defined() ? sum_to(g * ta, sb) : Tensor()};
                });
}

Tensor Tensor::mul(Scalar other) const { return mul(wrap(other, result_type(*this, other))); }

Tensor Tensor::div(const Tensor& other) const {
  Dtype d = float_result(result_type(*this, other));
  Tensor out = binary("div", *this, other, d, d, [](auto x, auto y) { return x / y; });
  return record(out, "DivBackward0", {*this, other},
                [a = SavedTensor(other.requires_grad() ? *this : Tensor()), b = SavedTensor(other),
                 sa = sizes(), sb = other.sizes()](const Tensor& g) {
                  Tensor ta = a.unpack(), tb = b.unpack();
                  Tensor ga = sum_to(g / tb, sa);
                  Tensor gb = ta.defined() ? sum_to(-g * ta / (tb * tb), sb) : Tensor();
                  return std::array{ga, gb};
                });
}

Tensor Tensor::div(Scalar other) const {
  return div(wrap(other, float_result(result_type(*this, other))));
}

Tensor Tensor::maximum(const Tensor& other) const {
  Tensor out = arith("maximum", *this, other, [](auto x, auto y) {
    if constexpr (std::is_floating_point_v<decltype(x)>) {
      if (std::isnan(x) || std::isnan(y)) return x + y;
    }
    return x > y ? x : y;
  });
  return record(out, "MaximumBackward0", {*this, other},
                [a = SavedTensor(*this), b = SavedTensor(other)](const Tensor& g) {
                  Tensor ta = a.unpack(), tb = b.unpack();
                  Tensor half = ta.eq(tb).to(g.dtype()) * 0.5;
                  Tensor ma = ta.gt(tb).to(g.dtype()) + half, mb = tb.gt(ta).to(g.dtype()) + half;
                  return std::array{sum_to(g * ma, ta.sizes()), sum_to(g * mb, tb.sizes())};
                });
}

Tensor Tensor::minimum(const Tensor& other) const {
  Tensor out = arith("minimum", *this, other, [](auto x, auto y) {
    if constexpr (std::is_floating_point_v<decltype(x)>) {
      if (std::isnan(x) || std::isnan(y)) return x + y;
    }
    return x < y ? x : y;
  });
  return record(out, "MinimumBackward0", {*this, other},
                [a = SavedTensor(*this), b = SavedTensor(other)](const Tensor& g) {
                  Tensor ta = a.unpack(), tb = b.unpack();
                  Tensor half = ta.eq(tb).to(g.dtype()) * 0.5;
                  Tensor ma = ta.lt(tb).to(g.dtype()) + half, mb = tb.lt(ta).to(g.dtype()) + half;
                  return std::array{sum_to(g * ma, ta.sizes()), sum_to(g * mb, tb.sizes())};
                });
}

Tensor Tensor::clamp(std::optional<double> lo, std::optional<double> hi) const {
  TL_CHECK(lo || hi, "torch.clamp: At least one of 'min' or 'max' must not be None");
  double l = lo.value_or(-INFINITY), h = hi.value_or(INFINITY);
  Dtype d = dtype() == kBool ? kInt64 : dtype();
  Tensor out = unary("clamp", *this, d, [l, h](auto x) {
    using T = decltype(x);
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(x)) return x;
    }
    double v = static_cast<double>(x);
    return static_cast<T>(std::min(std::max(v, l), h));
  });
  return record(out, "ClampBackward1", {*this}, [a = SavedTensor(*this), l, h](const Tensor& g) {
    Tensor x = a.unpack();
    Tensor mask = x.ge(l).mul(x.le(h)).to(g.dtype());
    return std::array{g * mask};
  });
}

namespace {

/// self <- op(self) in place, for an op whose other operand (if any) is `other`. When the graph
/// is recorded, op runs on a copy of self's old values, as PyTorch saves the original self for
/// an in-place op's backward: writing into self then leaves what the node saved intact.
template <class Op>
Tensor& inplace(Tensor& self, const char* name, const Tensor& other, Op op) {
  detail::check_inplace(self, name);
  const bool recorded =
      is_grad_enabled() && (self.requires_grad() || (other.defined() && other.requires_grad()));
  return assign_inplace(self, op(recorded ? self.clone() : self), name);
}

}  // namespace

Tensor& Tensor::clamp_(std::optional<double> lo, std::optional<double> hi) {
  return inplace(*this, "clamp_", Tensor(), [&](const Tensor& s) { return s.clamp(lo, hi); });
}
Tensor& Tensor::relu_() {
  return inplace(*this, "relu_", Tensor(), [](const Tensor& s) { return s.relu(); });
}
Tensor& Tensor::add_(const Tensor& other, Scalar alpha) {
  return inplace(*this, "add_", other, [&](const Tensor& s) { return s.add(other, alpha); });
}
Tensor& Tensor::add_(Scalar other) {
  return inplace(*this, "add_", Tensor(), [&](const Tensor& s) { return s.add(other); });
}
Tensor& Tensor::sub_(const Tensor& other, Scalar alpha) {
  return inplace(*this, "sub_", other, [&](const Tensor& s) { return s.sub(other, alpha); });
}
Tensor& Tensor::mul_(const Tensor& other) {
  return inplace(*this, "mul_", other, [&](const Tensor& s) { return s.mul(other); });
}
Tensor& Tensor::mul_(Scalar other) {
  return inplace(*this, "mul_", Tensor(), [&](const Tensor& s) { return s.mul(other); });
}
Tensor& Tensor::div_(const Tensor& other) {
  return inplace(*this, "div_", other, [&](const Tensor& s) { return s.div(other); });
}
Tensor& Tensor::div_(Scalar other) {
  return inplace(*this, "div_", Tensor(), [&](const Tensor& s) { return s.div(other); });
}

Tensor operator+(const Tensor& a, const Tensor& b) { return a.add(b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return a.sub(b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return a.mul(b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return a.div(b); }
Tensor operator+(const Tensor& a, Scalar b) { return a.add(b); }
Tensor operator-(const Tensor& a, Scalar b) { return a.sub(b); }
Tensor operator*(const Tensor& a, Scalar b) { return a.mul(b); }
Tensor operator/(const Tensor& a, Scalar b) { return a.div(b); }
Tensor operator+(Scalar a, const Tensor& b) { return b.add(a); }
Tensor operator*(Scalar a, const Tensor& b) { return b.mul(a); }
Tensor operator-(Scalar a, const Tensor& b) {
  Tensor out = wrap(a, result_type(b, a)).sub(b.detach());
  return record(out, "RsubBackward1", {b}, [](const Tensor& g) { return std::array{-g}; });
}
Tensor operator/(Scalar a, const Tensor& b) { return b.pow(-1) * a; }
Tensor operator-(const Tensor& a) { return a.neg(); }
Tensor& operator+=(Tensor& a, const Tensor& b) { return a.add_(b); }
Tensor& operator-=(Tensor& a, const Tensor& b) { return a.sub_(b); }
Tensor& operator*=(Tensor& a, const Tensor& b) { return a.mul_(b); }
Tensor& operator/=(Tensor& a, const Tensor& b) { return a.div_(b); }
Tensor& operator+=(Tensor& a, Scalar b) { return a.add_(b); }
Tensor& operator*=(Tensor& a, Scalar b) { return a.mul_(b); }

// ---- comparisons ----

#define TL_COMPARISON(name, expr)                                                        \
  Tensor Tensor::name(const Tensor& other) const {                                      \
    Dtype d = result_type(*this, other);                                                \
    return binary(#name, *this, other, d, kBool, [](auto x, auto y) { return expr; });  \
  }                                                                                     \
  Tensor Tensor::name(Scalar other) const { return name(wrap(other, result_type(*this, other))); }
TL_COMPARISON(eq, x == y)
TL_COMPARISON(ne, x != y)
TL_COMPARISON(lt, x < y)
TL_COMPARISON(le, x <= y)
TL_COMPARISON(gt, x > y)
TL_COMPARISON(ge, x >= y)
#undef TL_COMPARISON

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  TL_CHECK(cond.dtype() == kBool || cond.dtype() == kUInt8,
           "where expected condition to be a boolean tensor, but got a tensor with dtype ",
           dtype_name(cond.dtype()).substr(6));
  Sizes shape = broadcast_shapes(broadcast_shapes(cond.sizes(), a.sizes(), "where"), b.sizes(), "where");
  Dtype d = result_type(a, b);
  // The operands are read in place through their broadcast strides; only a dtype change copies.
  Tensor c = cond.to(kBool), x = as_dtype(a, d), y = as_dtype(b, d);
  Tensor out = detail::make_empty(shape, d);
  std::array<IntVector, 4> st{detail::broadcast_byte_strides(out, shape),
                              detail::broadcast_byte_strides(c, shape),
                              detail::broadcast_byte_strides(x, shape),
                              detail::broadcast_byte_strides(y, shape)};
  detail::dispatch_arith(d, "where", [&](auto tag) {
    using T = decltype(tag);
    detail::for_each_row<4>(
        shape,
        {static_cast<char*>(out.raw_data()), static_cast<char*>(c.raw_data()),
         static_cast<char*>(x.raw_data()), static_cast<char*>(y.raw_data())},
        st, [](std::array<char*, 4> p, std::array<int64_t, 4> s, int64_t m) {
          for (int64_t i = 0; i < m; ++i)
            *reinterpret_cast<T*>(p[0] + i * s[0]) =
                *reinterpret_cast<const bool*>(p[1] + i * s[1])
                    ? *reinterpret_cast<const T*>(p[2] + i * s[2])
                    : *reinterpret_cast<const T*>(p[3] + i * s[3]);
        });
  });
  return record(out, "WhereBackward0", {a, b},
                [c = cond.detach(), sa = a.sizes(), sb = b.sizes()](const Tensor& g) {
                  const Tensor z = zeros(Sizes{}, g.dtype());  // broadcast, never materialised
                  return std::array{sum_to(where(c, g, z), sa), sum_to(where(c, z, g), sb)};
                });
}

// ---- unary math ----

Tensor Tensor::neg() const {
  TL_CHECK(dtype() != kBool,
           "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
           "invert a mask, use the `~` or `logical_not()` operator instead.");
  Tensor out = unary("neg", *this, dtype(), [](auto x) { return -x; });
  return record(out, "NegBackward0", {*this}, [](const Tensor& g) { return std::array{-g}; });
}

Tensor Tensor::abs() const {
  Tensor out = unary("abs", *this, dtype(), [](auto x) {
    using T = decltype(x);
    if constexpr (std::is_unsigned_v<T> || std::is_same_v<T, bool>) return x;
    else return x < 0 ? static_cast<T>(-x) : x;
  });
  return record(out, "AbsBackward0", {*this}, [a = SavedTensor(*this)](const Tensor& g) {
    return std::array{g * a.unpack().sign()};
  });
}

Tensor Tensor::sign() const {
  Tensor out = unary("sign", *this, dtype(), [](auto x) {
    using T = decltype(x);
    return static_cast<T>((T(0) < x) - (x < T(0)));
  });
  return record(out, "SignBackward0", {*this},
                [](const Tensor& g) { return std::array{zeros_like(g)}; });
}

Tensor Tensor::exp() const {
  Tensor out = unary("exp", *this, float_result(dtype()), [](auto x) { return std::exp(x); });
  return record(out, "ExpBackward0", {*this}, [r = SavedTensor(out, true)](const Tensor& g) {
    return std::array{g * r.unpack()};
  });
}

Tensor Tensor::log() const {
  Tensor out = unary("log", *this, float_result(dtype()), [](auto x) { return std::log(x); });
  return record(out, "LogBackward0", {*this}, [a = SavedTensor(*this)](const Tensor& g) {
    return std::array{g / a.unpack()};
  });
}

Tensor Tensor::sqrt() const {
  Tensor out = unary("sqrt", *this, float_result(dtype()), [](auto x) { return std::sqrt(x); });
  return record(out, "SqrtBackward0", {*this}, [r = SavedTensor(out, true)](const Tensor& g) {
    return std::array{g / (r.unpack() * 2)};
  });
}

Tensor Tensor::pow(Scalar exponent) const {
  const double e = exponent.to_double();
  Dtype d = result_type(*this, exponent);
  Tensor out;
  if (e == 2.0) {
    out = unary("pow", *this, d, [](auto x) { return x * x; });
  } else if (!torchlite::is_floating_point(d)) {
    TL_CHECK(e >= 0, "Integers to negative integer powers are not allowed.");
    out = unary("pow", *this, d, [e](auto x) {
      using T = decltype(x);
      T r = 1;
      for (int64_t k = 0; k < static_cast<int64_t>(e); ++k) r = static_cast<T>(r * x);
      return r;
    });
  } else {
    out = unary("pow", *this, d, [e](auto x) {
      using T = decltype(x);
      return static_cast<T>(std::pow(x, static_cast<T>(e)));
    });
  }
  return record(out, "PowBackward0", {*this}, [a = SavedTensor(*this), e](const Tensor& g) {
    if (e == 0.0) return std::array{zeros_like(g)};
    Tensor x = a.unpack();
    Tensor dx = e == 2.0 ? x * 2.0 : x.pow(e - 1) * e;
    return std::array{g * dx};
  });
}

Tensor Tensor::pow(const Tensor& exponent) const {
  Dtype d = result_type(*this, exponent);
  Tensor out = binary("pow", *this, exponent, d, d, [](auto x, auto y) {
    using T = decltype(x);
    return static_cast<T>(std::pow(x, y));
  });
  return record(out, "PowBackward1", {*this, exponent},
                [a = SavedTensor(*this), b = SavedTensor(exponent), r = SavedTensor(out, true)](
                    const Tensor& g) {
                  Tensor x = a.unpack(), y = b.unpack(), res = r.unpack();
                  Tensor ga = sum_to(g * y * x.pow(y - 1.0), x.sizes());
                  Tensor gb = sum_to(g * res * x.log(), y.sizes());
                  return std::array{ga, gb};
                });
}

Tensor Tensor::relu() const {
  Tensor out = unary("relu", *this, dtype(), [](auto x) {
    using T = decltype(x);
    return x > T(0) ? x : T(0);
  });
  return record(out, "ReluBackward0", {*this}, [r = SavedTensor(out, true)](const Tensor& g) {
    return std::array{binary("threshold_backward", g, r.unpack(), g.dtype(), g.dtype(),
                                      [](auto gv, auto rv) { return rv > 0 ? gv : decltype(gv)(0); })};
  });
}

Tensor Tensor::sigmoid() const {
  Tensor out = unary("sigmoid", *this, float_result(dtype()), [](auto x) {
    using T = decltype(x);
    return T(1) / (T(1) + std::exp(-x));
  });
  return record(out, "SigmoidBackward0", {*this}, [r = SavedTensor(out, true)](const Tensor& g) {
    Tensor s = r.unpack();
    return std::array{binary("sigmoid_backward", g, s, g.dtype(), g.dtype(),
                                      [](auto gv, auto sv) { return gv * (1 - sv) * sv; })};
  });
}

Tensor Tensor::tanh() const {
  Tensor out = unary("tanh", *this, float_result(dtype()), [](auto x) { return std::tanh(x); });
  return record(out, "TanhBackward0", {*this}, [r = SavedTensor(out, true)](const Tensor& g) {
    Tensor t = r.unpack();
    return std::array{binary("tanh_backward", g, t, g.dtype(), g.dtype(),
                                      [](auto gv, auto tv) { return gv * (1 - tv * tv); })};
  });
}

// ---- copies and conversions ----

Tensor Tensor::contiguous() const {
  if (is_contiguous()) return *this;
  Tensor out = detail::make_empty(sizes(), dtype());
  detail::copy_kernel(out, *this);
  return record(out, "CloneBackward0", {*this}, [](const Tensor& g) { return std::array{g}; });
}

Tensor Tensor::clone() const {
  Tensor out = detail::make_empty(sizes(), dtype());
  detail::copy_kernel(out, *this);
  return record(out, "CloneBackward0", {*this}, [](const Tensor& g) { return std::array{g}; });
}

Tensor Tensor::to(Dtype d) const {
  if (d == dtype()) return *this;
  Tensor out = detail::make_empty(sizes(), d);
  detail::copy_kernel(out, *this);
  if (!torchlite::is_floating_point(d)) return out;
  return record(out, "ToCopyBackward0", {*this}, [src = dtype()](const Tensor& g) {
    return std::array{g.to(src)};
  });
}

Tensor& Tensor::copy_(const Tensor& src) {
  TL_CHECK(src.defined(), "copy_: source is an undefined tensor");
  broadcast_shapes(sizes(), src.sizes(), "copy_");
  detail::check_inplace(*this, "copy_");
  detail::copy_kernel(*this, src.expand(sizes()));
  bump_version();
  if (is_grad_enabled() && (requires_grad() || src.requires_grad())) {
    // The old values get a zero gradient, src the gradient in its dtype summed back to its shape.
    Tensor carrier = record(detach(), "CopyBackwards", {*this, src},
                            [src_sizes = src.sizes(), src_dtype = src.dtype()](const Tensor& g) {
                              return std::array{zeros_like(g), sum_to(g.to(src_dtype), src_sizes)};
                            });
    impl()->grad_fn = carrier.grad_fn();
    impl()->requires_grad = true;
  }
  return *this;
}

}  // namespace torchlite
