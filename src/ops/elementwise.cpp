// Elementwise ops: broadcasting binary arithmetic, comparisons, unary math, and their in-place
// forms. Each op's backward is recorded right after its forward; the loops are src/kernels/.
#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

#include "autograd/inplace.h"
#include "core/dispatch.h"
#include "core/tensor_util.h"
#include "kernels/elementwise.h"
#include "torchlite/autograd/function.h"
#include "torchlite/tensor.h"

namespace torchlite {

using autograd::record;
using autograd::SavedTensor;
using autograd::sum_to;

namespace {

using detail::view_of;

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
  const kernels::View vo = view_of(out), va = view_of(ca), vb = view_of(cb);
  detail::dispatch_arith(compute, op, [&](auto tag) {
    using T = decltype(tag);
    if (out_dtype == kBool) {
      kernels::binary<T, bool>(vo, va, vb, [&](T x, T y) { return static_cast<bool>(f(x, y)); });
    } else {
      kernels::binary<T, T>(vo, va, vb, [&](T x, T y) { return static_cast<T>(f(x, y)); });
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
    kernels::unary<T, T>(view_of(out), view_of(ca), [&](T x) { return static_cast<T>(f(x)); });
  });
  return out;
}

// The arithmetic of the ops that have an in-place form, shared by both forms so that they
// compute the same bits.
constexpr auto add_fn = [](auto x, auto y) { return x + y; };
auto add_scaled_fn(double al) {
  return [al](auto x, auto y) {
    using T = decltype(x);
    return static_cast<T>(x + static_cast<T>(al) * y);
  };
}
auto sub_scaled_fn(double al) {
  return [al](auto x, auto y) {
    using T = decltype(x);
    return static_cast<T>(x - static_cast<T>(al) * y);
  };
}
constexpr auto mul_fn = [](auto x, auto y) { return x * y; };
constexpr auto div_fn = [](auto x, auto y) { return x / y; };
constexpr auto relu_fn = [](auto x) {
  using T = decltype(x);
  return x > T(0) ? x : T(0);
};
/// relu's backward, reading the saved result `out`; in place in the output gradient where
/// nothing else holds it.
auto relu_backward(const Tensor& out) {
  return [r = SavedTensor(out, true)](const Tensor& g) {
    constexpr auto mask = [](auto gv, auto rv) { return rv > 0 ? gv : decltype(gv)(0); };
    const Tensor result = r.unpack();
    if (!autograd::grad_is_reusable(g, result) || !result.is_contiguous())
      return std::array{binary("threshold_backward", g, result, g.dtype(), g.dtype(), mask)};
    Tensor gx = g;
    const kernels::View vg = view_of(gx), vr = view_of(result);
    detail::dispatch_float(gx.dtype(), "threshold_backward", [&](auto tag) {
      using T = decltype(tag);
      kernels::binary<T, T>(vg, vg, vr, [&](T gv, T rv) { return static_cast<T>(mask(gv, rv)); });
    });
    return std::array{gx};
  };
}
auto clamp_fn(double l, double h) {
  return [l, h](auto x) {
    using T = decltype(x);
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(x)) return x;
    }
    double v = static_cast<double>(x);
    return static_cast<T>(std::min(std::max(v, l), h));
  };
}

void check_sub(const Tensor& a, const Tensor& b) {
  TL_CHECK(a.dtype() != kBool || b.dtype() != kBool,
           "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
           "or `logical_xor()` operator instead.");
}

Dtype clamp_dtype(Dtype d) { return d == kBool ? kInt64 : d; }

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

namespace {

/// add's backward for operands of sizes sa and sb.
auto add_backward(const Sizes& sa, const Sizes& sb, Scalar alpha) {
  return [sa, sb, alpha](const Tensor& g) {
    Tensor gb = alpha.to_double() == 1.0 ? g : g * alpha;
    return std::array{sum_to(g, sa), sum_to(gb, sb)};
  };
}

}  // namespace

Tensor Tensor::add(const Tensor& other, Scalar alpha) const {
  Tensor out;
  if (alpha.to_double() == 1.0) {
    out = arith("add", *this, other, add_fn);
  } else {
    out = arith("add", *this, other, add_scaled_fn(alpha.to_double()));
  }
  return record(out, "AddBackward0", {*this, other}, add_backward(sizes(), other.sizes(), alpha));
}

Tensor Tensor::add(Scalar other) const { return add(wrap(other, result_type(*this, other))); }

Tensor Tensor::sub(const Tensor& other, Scalar alpha) const {
  check_sub(*this, other);
  double al = alpha.to_double();
  Tensor out = arith("sub", *this, other, sub_scaled_fn(al));
  return record(out, "SubBackward0", {*this, other},
                [sa = sizes(), sb = other.sizes(), al](const Tensor& g) {
                  return std::array{sum_to(g, sa), sum_to(g * (-al), sb)};
                });
}

Tensor Tensor::sub(Scalar other) const { return sub(wrap(other, result_type(*this, other))); }

Tensor Tensor::mul(const Tensor& other) const {
  Tensor out = arith("mul", *this, other, mul_fn);
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
  Tensor out = binary("div", *this, other, d, d, div_fn);
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
  Tensor out = unary("clamp", *this, clamp_dtype(dtype()), clamp_fn(l, h));
  return record(out, "ClampBackward1", {*this}, [a = SavedTensor(*this), l, h](const Tensor& g) {
    Tensor x = a.unpack();
    Tensor mask = x.ge(l).mul(x.le(h)).to(g.dtype());
    return std::array{g * mask};
  });
}

// ---- in-place forms ----

namespace {

/// PyTorch's canCast: whether an in-place op may write a result of dtype `from` into `to`.
bool can_cast(Dtype from, Dtype to) {
  if (is_floating_point(from) && !is_floating_point(to)) return false;
  return from == kBool || to != kBool;
}

/// PyTorch's is_non_overlapping_and_dense: the elements fill a block of memory exactly once.
bool non_overlapping_and_dense(const Tensor& t) {
  if (t.is_contiguous()) return true;
  const Sizes& sz = t.sizes();
  const IntVector& st = t.strides();
  std::vector<int64_t> perm(sz.size());
  std::iota(perm.begin(), perm.end(), 0);
  // Size-1 dims last, the rest by increasing stride.
  std::stable_sort(perm.begin(), perm.end(), [&](int64_t a, int64_t b) {
    if (sz[a] < 2 || sz[b] < 2) return sz[a] >= 2 && sz[b] < 2;
    return st[a] < st[b];
  });
  int64_t expected = 1;
  for (int64_t d : perm) {
    if (sz[d] < 2) return true;
    if (st[d] != expected) return false;
    expected *= sz[d];
  }
  return true;
}

enum class Overlap { kNone, kFull, kPartial, kTooHard };

/// PyTorch's get_overlap_status of two tensors' memory.
Overlap overlap(const Tensor& a, const Tensor& b) {
  if (a.impl() == b.impl()) return Overlap::kFull;
  if (a.impl()->storage != b.impl()->storage || a.numel() == 0 || b.numel() == 0)
    return Overlap::kNone;
  if (!non_overlapping_and_dense(a) || !non_overlapping_and_dense(b)) return Overlap::kTooHard;
  const char* a_begin = static_cast<const char*>(a.raw_data());
  const char* b_begin = static_cast<const char*>(b.raw_data());
  const char* a_end = a_begin + a.nbytes();
  const char* b_end = b_begin + b.nbytes();
  if (a_begin == b_begin && a_end == b_end)
    return a.strides() == b.strides() ? Overlap::kFull : Overlap::kPartial;
  return a_begin < b_end && b_begin < a_end ? Overlap::kPartial : Overlap::kNone;
}

/// PyTorch's checks, in its order, before an in-place op `op` (out-of-place name `base`) writes
/// `self`, reading `other` (when `binary`); the result dtype is checked by check_cast().
void check_inplace_write(const Tensor& self, const Tensor& other, bool binary, const char* op,
                         const char* base) {
  detail::check_inplace(self, op);
  TL_CHECK(!binary || other.defined(), base, ": an operand is an undefined tensor");
  for (int64_t d = 0; d < self.dim(); ++d)
    TL_CHECK(self.sizes()[d] < 2 || self.strides()[d] != 0,
             "unsupported operation: more than one element of the written-to tensor refers to a "
             "single memory location. Please clone() the tensor before performing the operation.");
  if (binary) {
    TL_CHECK(overlap(self, other) != Overlap::kPartial,
             "unsupported operation: some elements of the input tensor and the written-to tensor "
             "refer to a single memory location. Please clone() the tensor before performing the "
             "operation.");
    Sizes shape = broadcast_shapes(self.sizes(), other.sizes(), base);
    TL_CHECK(shape == self.sizes(), "output with shape ", detail::shape_str(self.sizes()),
             " doesn't match the broadcast shape ", detail::shape_str(shape));
  }
}

void check_cast(const Tensor& self, Dtype result) {
  TL_CHECK(can_cast(result, self.dtype()), "result type ", scalar_type_name(result),
           " can't be cast to the desired output type ", scalar_type_name(self.dtype()));
}

/// Whether an in-place op over `self` and `other` records a node.
bool recorded(const Tensor& self, const Tensor& other) {
  return is_grad_enabled() && (self.requires_grad() || (other.defined() && other.requires_grad()));
}

/// Writes the out-of-place `result` into `self` and moves its history onto self (rebase). When
/// the graph is recorded, the op ran on a copy of self's old values, as PyTorch saves the
/// original self for an in-place op's backward: the write leaves what the node saved intact.
Tensor& assign_result(Tensor& self, const Tensor& result) {
  detail::copy_kernel(self, result);
  self.bump_version();
  if (result.grad_fn()) {
    self.impl()->grad_fn = result.grad_fn();
    self.impl()->requires_grad = true;
  }
  return self;
}

/// self <- f(self, other) in place, f computing in the op's result dtype `result(self, other)`.
/// When nothing is recorded and the result has self's dtype, the kernel writes self directly;
/// otherwise `op(self, or a copy of it when recorded)` runs out of place and is written back.
template <class Result, class Op, class F>
Tensor& inplace_binary(Tensor& self, const char* name, const char* base, const Tensor& other,
                       Result result, Op op, F f) {
  check_inplace_write(self, other, true, name, base);
  const Dtype compute = result(self, other);
  check_cast(self, compute);
  const bool rec = recorded(self, other);
  if (rec || compute != self.dtype()) return assign_result(self, op(rec ? self.clone() : self));
  Tensor o = as_dtype(other, compute);
  // Memory shared in a way PyTorch does not rule on: read a copy, as the out-of-place op would.
  if (overlap(self, o) == Overlap::kTooHard) o = o.clone();
  const kernels::View vs = view_of(self), vo = view_of(o);
  detail::dispatch_arith(compute, base, [&](auto tag) {
    using T = decltype(tag);
    kernels::binary<T, T>(vs, vs, vo, [&](T x, T y) { return static_cast<T>(f(x, y)); });
  });
  self.bump_version();
  return self;
}

/// self <- f(self) in place, f computing in the op's result dtype `compute`; as inplace_binary().
template <class Op, class F>
Tensor& inplace_unary(Tensor& self, const char* name, const char* base, Dtype compute, Op op, F f) {
  check_inplace_write(self, Tensor(), false, name, base);
  check_cast(self, compute);
  const bool rec = recorded(self, Tensor());
  if (rec || compute != self.dtype()) return assign_result(self, op(rec ? self.clone() : self));
  const kernels::View vs = view_of(self);
  detail::dispatch_arith(compute, base, [&](auto tag) {
    using T = decltype(tag);
    kernels::unary<T, T>(vs, vs, [&](T x) { return static_cast<T>(f(x)); });
  });
  self.bump_version();
  return self;
}

}  // namespace

Tensor& Tensor::clamp_(std::optional<double> lo, std::optional<double> hi) {
  detail::check_inplace(*this, "clamp_");
  TL_CHECK(lo || hi, "torch.clamp: At least one of 'min' or 'max' must not be None");
  return inplace_unary(
      *this, "clamp_", "clamp", clamp_dtype(dtype()),
      [&](const Tensor& s) { return s.clamp(lo, hi); },
      clamp_fn(lo.value_or(-INFINITY), hi.value_or(INFINITY)));
}
Tensor& Tensor::relu_() {
  detail::check_inplace(*this, "relu_");
  if (!recorded(*this, Tensor()))
    return inplace_unary(
        *this, "relu_", "relu", dtype(), [](const Tensor& s) { return s.relu(); }, relu_fn);
  // Its backward reads only the result, so a recorded relu_ writes self in place too and saves
  // self, as PyTorch's does: no copy of the input, no second copy of the activation (a ResNet's
  // in-place ReLUs kept both).
  check_inplace_write(*this, Tensor(), false, "relu_", "relu");
  const kernels::View v = view_of(*this);
  detail::dispatch_arith(dtype(), "relu", [&](auto tag) {
    using T = decltype(tag);
    kernels::unary<T, T>(v, v, [](T x) { return static_cast<T>(relu_fn(x)); });
  });
  bump_version();
  record(*this, "ReluBackward0", {*this}, relu_backward(*this));
  return *this;
}
Tensor& Tensor::add_(const Tensor& other, Scalar alpha) {
  auto op = [&](const Tensor& s) { return s.add(other, alpha); };
  auto result = [](const Tensor& a, const Tensor& b) { return result_type(a, b); };
  auto in_place = [&]() -> Tensor& {
    if (alpha.to_double() == 1.0)
      return inplace_binary(*this, "add_", "add", other, result, op, add_fn);
    return inplace_binary(*this, "add_", "add", other, result, op,
                          add_scaled_fn(alpha.to_double()));
  };
  if (!recorded(*this, other) || !other.defined() || result_type(*this, other) != dtype())
    return in_place();
  // add's backward reads neither operand: the sum goes straight into self (no copy of self, no
  // new tensor: a ResNet's residual adds) and the node is recorded on self, over its old history.
  detail::check_inplace(*this, "add_");
  {
    NoGradGuard no_grad;
    in_place();
  }
  record(*this, "AddBackward0", {*this, other}, add_backward(sizes(), other.sizes(), alpha));
  return *this;
}
Tensor& Tensor::add_(Scalar other) {
  detail::check_inplace(*this, "add_");
  Tensor o = wrap(other, result_type(*this, other));
  return inplace_binary(
      *this, "add_", "add", o, [&](const Tensor&, const Tensor&) { return o.dtype(); },
      [&](const Tensor& s) { return s.add(other); }, add_fn);
}
Tensor& Tensor::sub_(const Tensor& other, Scalar alpha) {
  auto result = [](const Tensor& a, const Tensor& b) {
    check_sub(a, b);
    return result_type(a, b);
  };
  return inplace_binary(
      *this, "sub_", "sub", other, result, [&](const Tensor& s) { return s.sub(other, alpha); },
      sub_scaled_fn(alpha.to_double()));
}
Tensor& Tensor::mul_(const Tensor& other) {
  auto result = [](const Tensor& a, const Tensor& b) { return result_type(a, b); };
  return inplace_binary(
      *this, "mul_", "mul", other, result, [&](const Tensor& s) { return s.mul(other); }, mul_fn);
}
Tensor& Tensor::mul_(Scalar other) {
  detail::check_inplace(*this, "mul_");
  Tensor o = wrap(other, result_type(*this, other));
  return inplace_binary(
      *this, "mul_", "mul", o, [&](const Tensor&, const Tensor&) { return o.dtype(); },
      [&](const Tensor& s) { return s.mul(other); }, mul_fn);
}
Tensor& Tensor::div_(const Tensor& other) {
  auto result = [](const Tensor& a, const Tensor& b) { return float_result(result_type(a, b)); };
  return inplace_binary(
      *this, "div_", "div", other, result, [&](const Tensor& s) { return s.div(other); }, div_fn);
}
Tensor& Tensor::div_(Scalar other) {
  detail::check_inplace(*this, "div_");
  Tensor o = wrap(other, float_result(result_type(*this, other)));
  return inplace_binary(
      *this, "div_", "div", o, [&](const Tensor&, const Tensor&) { return o.dtype(); },
      [&](const Tensor& s) { return s.div(other); }, div_fn);
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
  std::array<IntVector, 4> st{kernels::broadcast_byte_strides(detail::view_of(out), shape),
                              kernels::broadcast_byte_strides(detail::view_of(c), shape),
                              kernels::broadcast_byte_strides(detail::view_of(x), shape),
                              kernels::broadcast_byte_strides(detail::view_of(y), shape)};
  detail::dispatch_arith(d, "where", [&](auto tag) {
    using T = decltype(tag);
    kernels::for_each_row<4>(
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
  Tensor out = unary("relu", *this, dtype(), relu_fn);
  return record(out, "ReluBackward0", {*this}, relu_backward(out));
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

}  // namespace torchlite
