// Tensor basics: storage, metadata, element access, factories, whole-tensor comparisons,
// autograd metadata accessors and grad mode; the internal helpers of core/tensor_util.h.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "core/allocator.h"
#include "core/dispatch.h"
#include "core/tensor_util.h"
#include "kernels/elementwise.h"
#include "torchlite/autograd/node.h"
#include "torchlite/tensor.h"

namespace torchlite {

namespace detail {

void contiguous_strides(const Sizes& sizes, IntVector& strides) {
  strides.resize(sizes.size());
  int64_t s = 1;
  for (size_t d = sizes.size(); d-- > 0;) {
    strides[d] = s;
    s *= std::max<int64_t>(sizes[d], 1);
  }
}

int64_t checked_numel(const Sizes& sizes, const char* op) {
  int64_t n = 1;
  for (int64_t s : sizes) {
    TL_CHECK(s >= 0, op, ": Trying to create tensor with negative dimension ", s, ": ",
             shape_str(sizes));
    TL_CHECK(!__builtin_mul_overflow(n, s, &n), op, ": size ", shape_str(sizes),
             " is too large");
  }
  return n;
}

namespace {

/// Storage whose bytes live in the same allocation: a tiny tensor (a scalar loss, a bias
/// gradient) costs one allocation for its bytes instead of three, and no allocator lock.
struct InlineStorage : Storage {
  static constexpr size_t kBytes = 64;
  alignas(16) unsigned char bytes[kBytes];
};

std::shared_ptr<Storage> make_storage(size_t nbytes) {
  if (nbytes <= InlineStorage::kBytes) {
    auto s = std::allocate_shared_for_overwrite<InlineStorage>(PoolAllocator<InlineStorage>());
    // Aliasing an empty owner: a pointer into the block that owns no reference to it.
    s->data = std::shared_ptr<void>(std::shared_ptr<void>(), s->bytes);
    s->nbytes = nbytes;
    return s;
  }
  auto s = std::make_shared<Storage>();
  s->data = allocate(nbytes);
  s->nbytes = nbytes;
  return s;
}

}  // namespace

std::shared_ptr<TensorImpl> new_impl() {
  return std::allocate_shared<TensorImpl>(PoolAllocator<TensorImpl>());
}

Tensor make_empty(const Sizes& sizes, Dtype dtype) {
  int64_t n = checked_numel(sizes, "empty");
  size_t nbytes = static_cast<size_t>(n) * element_size(dtype);
  auto impl = detail::new_impl();
  impl->storage = make_storage(nbytes);
  impl->dtype = dtype;
  impl->sizes = sizes;
  contiguous_strides(sizes, impl->strides);
  return Tensor(std::move(impl));
}

Tensor make_view(const Tensor& base, Sizes sizes, IntVector strides, int64_t offset) {
  auto impl = detail::new_impl();
  impl->storage = base.impl()->storage;
  impl->dtype = base.dtype();
  impl->sizes = std::move(sizes);
  impl->strides = std::move(strides);
  impl->offset = offset;
  return Tensor(std::move(impl));
}

int64_t wrap_dim(int64_t dim, int64_t ndim) {
  int64_t n = std::max<int64_t>(ndim, 1);
  TL_CHECK(dim >= -n && dim < n, "Dimension out of range (expected to be in range of [", -n,
           ", ", n - 1, "], but got ", dim, ")");
  return dim < 0 ? dim + n : dim;
}

std::string shape_str(const Sizes& sizes) {
  std::string s = "[";
  for (size_t i = 0; i < sizes.size(); ++i) s += (i ? ", " : "") + std::to_string(sizes[i]);
  return s + "]";
}

std::string legacy_type_name(Dtype dtype) {
  switch (dtype) {
    case kFloat32: return "torch.FloatTensor";
    case kFloat64: return "torch.DoubleTensor";
    case kInt64: return "torch.LongTensor";
    case kInt32: return "torch.IntTensor";
    case kInt16: return "torch.ShortTensor";
    case kInt8: return "torch.CharTensor";
    case kUInt8: return "torch.ByteTensor";
    case kBool: return "torch.BoolTensor";
    case kFloat16: return "torch.HalfTensor";
    case kBFloat16: return "torch.BFloat16Tensor";
  }
  return "torch.Tensor";
}

void fill_kernel(const Tensor& t, Scalar value) {
  kernels::fill(view_of(t), value);
  t.bump_version();
}

void copy_kernel(const Tensor& dst, const Tensor& src) {
  kernels::copy(view_of(dst), view_of(src));
}

}  // namespace detail

using detail::make_empty;

// ---- metadata ----

void detail::throw_undefined_tensor() { throw Error("Tensor is undefined (None)"); }

int64_t Tensor::size(int64_t d) const { return sizes()[detail::wrap_dim(d, dim())]; }
int64_t Tensor::stride(int64_t d) const { return strides()[detail::wrap_dim(d, dim())]; }

bool Tensor::is_contiguous() const {
  const auto& sz = sizes();
  const auto& st = strides();
  int64_t expected = 1;
  for (int64_t d = dim() - 1; d >= 0; --d) {
    if (sz[d] == 0) return true;
    if (sz[d] != 1 && st[d] != expected) return false;
    expected *= sz[d];
  }
  return true;
}


template <typename T>
T* Tensor::data_ptr() const {
  TL_CHECK(dtype() == DtypeOf<std::remove_const_t<T>>::value, "expected scalar type ",
           dtype_name(DtypeOf<std::remove_const_t<T>>::value).substr(6), " but found ",
           dtype_name(dtype()).substr(6));
  return static_cast<T*>(raw_data());
}

template <typename T>
T Tensor::item() const {
  TL_CHECK(numel() == 1, "only one element tensors can be converted to Python scalars (got ",
           numel(), " elements)");
  return detail::dispatch_all(dtype(), [&](auto tag) {
    using S = decltype(tag);
    return detail::convert<T>(*static_cast<const S*>(raw_data()));
  });
}

double Tensor::item_double() const { return item<double>(); }

#define TL_INSTANTIATE(T)                      \
  template T* Tensor::data_ptr<T>() const;     \
  template const T* Tensor::data_ptr<const T>() const; \
  template T Tensor::item<T>() const;
TL_INSTANTIATE(float)
TL_INSTANTIATE(double)
TL_INSTANTIATE(int64_t)
TL_INSTANTIATE(int32_t)
TL_INSTANTIATE(int16_t)
TL_INSTANTIATE(int8_t)
TL_INSTANTIATE(uint8_t)
TL_INSTANTIATE(bool)
TL_INSTANTIATE(Half)
TL_INSTANTIATE(BFloat16)
#undef TL_INSTANTIATE

// ---- factories ----

Tensor empty(Sizes sizes, Dtype dtype) { return make_empty(sizes, dtype); }

Tensor zeros(Sizes sizes, Dtype dtype) {
  Tensor t = make_empty(sizes, dtype);
  std::memset(t.raw_data(), 0, t.nbytes());
  return t;
}

Tensor ones(Sizes sizes, Dtype dtype) { return full(std::move(sizes), 1, dtype); }

Tensor full(Sizes sizes, Scalar value, std::optional<Dtype> dtype) {
  Tensor t = make_empty(sizes, dtype.value_or(value.default_dtype()));
  detail::fill_kernel(t, value);
  return t;
}

Tensor empty_like(const Tensor& t) { return make_empty(t.sizes(), t.dtype()); }
Tensor zeros_like(const Tensor& t) { return zeros(t.sizes(), t.dtype()); }
Tensor ones_like(const Tensor& t) { return ones(t.sizes(), t.dtype()); }
Tensor full_like(const Tensor& t, Scalar value) { return full(t.sizes(), value, t.dtype()); }

Tensor arange(Scalar end) { return arange(0, end); }

Tensor arange(Scalar start, Scalar end, Scalar step, std::optional<Dtype> dtype) {
  bool integral = !start.is_floating_point() && !end.is_floating_point() &&
                  !step.is_floating_point();
  Dtype dt = dtype.value_or(integral ? kInt64 : kFloat32);
  double s = start.to_double(), e = end.to_double(), st = step.to_double();
  TL_CHECK(st != 0, "step must be nonzero");
  TL_CHECK((st > 0 && e >= s) || (st < 0 && e <= s),
           "upper bound and larger bound inconsistent with step sign");
  int64_t n = static_cast<int64_t>(std::ceil((e - s) / st));
  Tensor t = make_empty({n}, dt);
  detail::dispatch_arith(dt, "arange", [&](auto tag) {
    using T = decltype(tag);
    T* p = static_cast<T*>(t.raw_data());
    if (integral) {
      for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(start.to_int64() + i * step.to_int64());
    } else {
      for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(s + static_cast<double>(i) * st);
    }
  });
  return t;
}

Tensor from_blob(void* data, Sizes sizes, Dtype dtype) {
  int64_t n = detail::checked_numel(sizes, "from_blob");
  auto storage = std::make_shared<Storage>();
  storage->data = std::shared_ptr<void>(std::shared_ptr<void>(), data);
  storage->nbytes = static_cast<size_t>(n) * element_size(dtype);
  auto impl = detail::new_impl();
  impl->storage = std::move(storage);
  impl->dtype = dtype;
  detail::contiguous_strides(sizes, impl->strides);
  impl->sizes = std::move(sizes);
  return Tensor(std::move(impl));
}

namespace {
void infer_shape(const TensorInit& init, size_t depth, Sizes& shape, Dtype& dtype, bool& first) {
  if (init.is_scalar()) {
    TL_CHECK(depth == shape.size() || first, "tensor: expected sequence of length ",
             depth < shape.size() ? shape[depth] : 0, " at dim ", depth, " (got a number)");
    if (first) first = false;
    dtype = promote_types(dtype, init.scalar().default_dtype());
    return;
  }
  const auto& ch = init.children();
  if (first) {
    shape.push_back(static_cast<int64_t>(ch.size()));
    if (ch.empty()) first = false;
  } else {
    TL_CHECK(depth < shape.size() && shape[depth] == static_cast<int64_t>(ch.size()),
             "tensor: expected sequence of length ", depth < shape.size() ? shape[depth] : 0,
             " at dim ", depth, " (got ", ch.size(), ")");
  }
  for (const auto& c : ch) infer_shape(c, depth + 1, shape, dtype, first);
}

template <class T>
void write_init(const TensorInit& init, T*& out) {
  if (init.is_scalar()) {
    const Scalar& s = init.scalar();
    *out++ = s.is_floating_point() ? detail::convert<T>(s.to_double())
                                   : detail::convert<T>(s.to_int64());
    return;
  }
  for (const auto& c : init.children()) write_init(c, out);
}
}  // namespace

Tensor tensor(TensorInit data, std::optional<Dtype> dtype) {
  Sizes shape;
  Dtype inferred = kBool;
  bool first = true;
  infer_shape(data, 0, shape, inferred, first);
  if (!data.is_scalar() && shape.size() == 1 && shape[0] == 0) inferred = kFloat32;
  Tensor t = make_empty(shape, dtype.value_or(inferred));
  detail::dispatch_all(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* p = static_cast<T*>(t.raw_data());
    write_init(data, p);
  });
  return t;
}

Tensor scalar_tensor(Scalar value, std::optional<Dtype> dtype) {
  return full({}, value, dtype.value_or(value.default_dtype()));
}

Tensor eye(int64_t n, std::optional<int64_t> m, Dtype dtype) {
  int64_t cols = m.value_or(n);
  Tensor t = zeros({n, cols}, dtype);
  detail::dispatch_all(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* p = static_cast<T*>(t.raw_data());
    for (int64_t i = 0; i < std::min(n, cols); ++i) p[i * cols + i] = detail::convert<T>(1);
  });
  return t;
}

// ---- comparisons of whole tensors ----

bool Tensor::equal(const Tensor& other) const {
  if (sizes() != other.sizes()) return false;
  Tensor a = contiguous().to(kFloat64), b = other.contiguous().to(kFloat64);
  const double* pa = a.data_ptr<double>();
  const double* pb = b.data_ptr<double>();
  for (int64_t i = 0; i < a.numel(); ++i)
    if (!(pa[i] == pb[i])) return false;
  return true;
}

bool Tensor::allclose(const Tensor& other, double rtol, double atol) const {
  Sizes shape = broadcast_shapes(sizes(), other.sizes(), "allclose");
  Tensor a = expand(shape).contiguous().to(kFloat64);
  Tensor b = other.expand(shape).contiguous().to(kFloat64);
  const double* pa = a.data_ptr<double>();
  const double* pb = b.data_ptr<double>();
  for (int64_t i = 0; i < a.numel(); ++i) {
    if (std::isnan(pa[i]) || std::isnan(pb[i])) return false;
    if (pa[i] == pb[i]) continue;
    if (!(std::abs(pa[i] - pb[i]) <= atol + rtol * std::abs(pb[i]))) return false;
  }
  return true;
}

// ---- autograd metadata ----


Tensor& Tensor::requires_grad_(bool requires_grad) {
  TL_CHECK(is_leaf() || requires_grad,
           "you can only change requires_grad flags of leaf variables. If you want to use a "
           "computed variable in a subgraph that doesn't require differentiation use "
           "var_no_grad = var.detach().");
  TL_CHECK(!requires_grad || is_floating_point(),
           "only Tensors of floating point dtype can require gradients");
  impl_->requires_grad = requires_grad;
  return *this;
}

Tensor Tensor::grad() const {
  const auto& impl = checked();
  return impl.grad ? Tensor(impl.grad) : Tensor();
}

void Tensor::set_grad(const Tensor& grad) {
  checked();
  if (grad.defined()) {
    TL_CHECK(grad.sizes() == sizes(), "assigned grad has data of a different size");
    TL_CHECK(grad.dtype() == dtype(), "assigned grad has data of a different type");
  }
  impl_->grad = grad.impl_ptr();
}


Tensor Tensor::detach() const {
  return detail::make_view(*this, sizes(), strides(), storage_offset());
}

Tensor& Tensor::detach_() {
  checked();
  impl_->grad_fn.reset();
  impl_->requires_grad = false;
  return *this;
}

Tensor Tensor::data() const { return detach(); }

void Tensor::bump_version() const { ++checked().storage->version; }

// ---- grad mode ----

namespace {
thread_local bool grad_enabled = true;
}
bool is_grad_enabled() { return grad_enabled; }
void set_grad_enabled(bool enabled) { grad_enabled = enabled; }
NoGradGuard::NoGradGuard() : prev_(grad_enabled) { grad_enabled = false; }
NoGradGuard::~NoGradGuard() { grad_enabled = prev_; }

}  // namespace torchlite
