// Tensor: a strided view of shared storage, with PyTorch's methods and autograd metadata.
// Mirrors https://pytorch.org/docs/stable/tensors.html
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "torchlite/dtype.h"
#include "torchlite/error.h"
#include "torchlite/generator.h"
#include "torchlite/int_vector.h"
#include "torchlite/scalar.h"

namespace torchlite {

namespace autograd {
class Node;
}

/// A shape; prints as PyTorch's `torch.Size([2, 3])`.
class Sizes : public IntVector {
 public:
  using IntVector::IntVector;
  Sizes(const IntVector& v) : IntVector(v) {}  // NOLINT
  Sizes(IntVector&& v) : IntVector(std::move(v)) {}  // NOLINT
};
std::ostream& operator<<(std::ostream& os, const Sizes& sizes);

/// Bytes that tensors view. Owns them (or not, for from_blob) through the deleter of `data`.
struct Storage {
  std::shared_ptr<void> data;
  size_t nbytes = 0;
  /// Bumped by every in-place write; autograd compares it with the value at save time.
  uint32_t version = 0;
};

/// What a Tensor handle points to. Views share `storage`.
struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Dtype dtype = kFloat32;
  Sizes sizes;
  IntVector strides;  // in elements
  int64_t offset = 0;            // in elements
  bool requires_grad = false;
  bool is_parameter = false;     // nn::Parameter: prints "Parameter containing:"
  std::shared_ptr<TensorImpl> grad;
  std::shared_ptr<autograd::Node> grad_fn;
  uint32_t output_nr = 0;
  /// A leaf's gradient accumulator, made on first use and reused by every graph after.
  std::shared_ptr<autograd::Node> grad_accumulator;
};

/// Nested initializer lists for tl::tensor({{1., 2.}, {3., 4.}}).
class TensorInit {
 public:
  TensorInit(Scalar v) : scalar_(v), is_scalar_(true) {}  // NOLINT
  TensorInit(bool v) : TensorInit(Scalar(v)) {}            // NOLINT
  TensorInit(int v) : TensorInit(Scalar(v)) {}             // NOLINT
  TensorInit(int64_t v) : TensorInit(Scalar(v)) {}         // NOLINT
  TensorInit(float v) : TensorInit(Scalar(v)) {}           // NOLINT
  TensorInit(double v) : TensorInit(Scalar(v)) {}          // NOLINT
  TensorInit(std::initializer_list<TensorInit> list) : children_(list) {}
  bool is_scalar() const { return is_scalar_; }
  const Scalar& scalar() const { return scalar_; }
  const std::vector<TensorInit>& children() const { return children_; }

 private:
  Scalar scalar_;
  bool is_scalar_ = false;
  std::vector<TensorInit> children_;
};

namespace detail {
[[noreturn]] void throw_undefined_tensor();
}

/// A handle to a TensorImpl. Copies share it (like Python references); `defined()` is false
/// for the empty handle, which prints as `None` (e.g. a grad before backward()).
class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  bool defined() const { return impl_ != nullptr; }
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  /// True when both handles point to the same tensor (Python's `is`).
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }

  // ---- metadata ----
  Dtype dtype() const;
  const Sizes& sizes() const;
  Sizes shape() const { return sizes(); }
  const IntVector& strides() const;
  /// Size of one dimension; negative dims count from the end.
  int64_t size(int64_t dim) const;
  int64_t stride(int64_t dim) const;
  int64_t dim() const;
  int64_t numel() const;
  int64_t storage_offset() const;
  bool is_contiguous() const;
  bool is_floating_point() const { return torchlite::is_floating_point(dtype()); }
  size_t element_size() const { return torchlite::element_size(dtype()); }
  size_t nbytes() const { return static_cast<size_t>(numel()) * element_size(); }

  /// Address of element 0 (after the offset), typed; throws if T is not the dtype.
  template <typename T>
  T* data_ptr() const;
  void* raw_data() const;
  /// The single value of a one-element tensor.
  template <typename T>
  T item() const;
  /// The value converted to double (any dtype).
  double item_double() const;

  // ---- views (share storage) ----
  Tensor view(Sizes sizes) const;
  Tensor reshape(Sizes sizes) const;
  Tensor t() const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor permute(std::vector<int64_t> dims) const;
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor unflatten(int64_t dim, Sizes sizes) const;
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor slice(int64_t dim, std::optional<int64_t> start = std::nullopt,
               std::optional<int64_t> end = std::nullopt, int64_t step = 1) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  /// x[i]: selects along dim 0, like Python indexing.
  Tensor operator[](int64_t index) const;
  Tensor expand(Sizes sizes) const;
  Tensor expand_as(const Tensor& other) const { return expand(other.sizes()); }
  Tensor as_strided(Sizes sizes, std::vector<int64_t> strides, int64_t offset) const;

  // ---- copies ----
  Tensor contiguous() const;
  Tensor index_select(int64_t dim, const Tensor& index) const;
  Tensor to(Dtype dtype) const;
  Tensor clone() const;
  Tensor& copy_(const Tensor& src);
  Tensor& fill_(Scalar value);
  Tensor& zero_();
  /// In-place U(from, to), PyTorch's draws (rng.md).
  Tensor& uniform_(double from = 0.0, double to = 1.0, std::optional<Generator> gen = std::nullopt);
  /// In-place N(mean, std), PyTorch's three paths (rng.md).
  Tensor& normal_(double mean = 0.0, double std = 1.0, std::optional<Generator> gen = std::nullopt);
  /// In-place integers in [from, to), as Tensor.random_.
  Tensor& random_(int64_t from, int64_t to, std::optional<Generator> gen = std::nullopt);
  /// In-place Bernoulli(p) draws (0/1).
  Tensor& bernoulli_(double p = 0.5, std::optional<Generator> gen = std::nullopt);

  // ---- arithmetic (broadcasting) ----
  Tensor add(const Tensor& other, Scalar alpha = 1) const;
  Tensor add(Scalar other) const;
  Tensor sub(const Tensor& other, Scalar alpha = 1) const;
  Tensor sub(Scalar other) const;
  Tensor mul(const Tensor& other) const;
  Tensor mul(Scalar other) const;
  Tensor div(const Tensor& other) const;
  Tensor div(Scalar other) const;
  Tensor& add_(const Tensor& other, Scalar alpha = 1);
  Tensor& add_(Scalar other);
  Tensor& sub_(const Tensor& other, Scalar alpha = 1);
  Tensor& mul_(const Tensor& other);
  Tensor& mul_(Scalar other);
  Tensor& div_(const Tensor& other);
  Tensor& div_(Scalar other);
  Tensor maximum(const Tensor& other) const;
  Tensor minimum(const Tensor& other) const;
  Tensor clamp(std::optional<double> min, std::optional<double> max = std::nullopt) const;
  Tensor& clamp_(std::optional<double> min, std::optional<double> max = std::nullopt);

  // ---- comparisons (bool results) ----
  Tensor eq(const Tensor& other) const;
  Tensor eq(Scalar other) const;
  Tensor ne(const Tensor& other) const;
  Tensor ne(Scalar other) const;
  Tensor lt(const Tensor& other) const;
  Tensor lt(Scalar other) const;
  Tensor le(const Tensor& other) const;
  Tensor le(Scalar other) const;
  Tensor gt(const Tensor& other) const;
  Tensor gt(Scalar other) const;
  Tensor ge(const Tensor& other) const;
  Tensor ge(Scalar other) const;
  /// True when shapes and all values are equal.
  bool equal(const Tensor& other) const;
  bool allclose(const Tensor& other, double rtol = 1e-5, double atol = 1e-8) const;

  // ---- unary math ----
  Tensor neg() const;
  Tensor abs() const;
  Tensor exp() const;
  Tensor log() const;
  Tensor sqrt() const;
  Tensor pow(Scalar exponent) const;
  Tensor pow(const Tensor& exponent) const;
  Tensor relu() const;
  Tensor& relu_();
  Tensor sigmoid() const;
  Tensor tanh() const;
  Tensor sign() const;

  // ---- reductions ----
  Tensor sum() const;
  Tensor sum(std::vector<int64_t> dims, bool keepdim = false) const;
  Tensor sum(int64_t dim, bool keepdim = false) const { return sum(std::vector<int64_t>{dim}, keepdim); }
  Tensor mean() const;
  Tensor mean(std::vector<int64_t> dims, bool keepdim = false) const;
  Tensor mean(int64_t dim, bool keepdim = false) const { return mean(std::vector<int64_t>{dim}, keepdim); }
  Tensor max() const;
  /// (values, indices) along `dim`, as torch.max(x, dim).
  std::pair<Tensor, Tensor> max(int64_t dim, bool keepdim = false) const;
  Tensor min() const;
  std::pair<Tensor, Tensor> min(int64_t dim, bool keepdim = false) const;
  Tensor argmax() const;
  Tensor argmax(int64_t dim, bool keepdim = false) const;

  // ---- linear algebra ----
  Tensor matmul(const Tensor& other) const;
  Tensor mm(const Tensor& other) const;

  // ---- autograd ----
  bool requires_grad() const;
  Tensor& requires_grad_(bool requires_grad = true);
  /// The accumulated gradient; undefined (prints `None`) until backward() reaches this leaf.
  Tensor grad() const;
  /// Replaces the gradient (an undefined tensor clears it).
  void set_grad(const Tensor& grad);
  /// The node that made this tensor, or nullptr for leaves.
  const std::shared_ptr<autograd::Node>& grad_fn() const;
  bool is_leaf() const;
  /// Calls `hook(leaf)` each time backward() has accumulated a gradient into this leaf's .grad
  /// (PyTorch 2.1's register_post_accumulate_grad_hook); returns an id for removal.
  /// https://pytorch.org/docs/stable/generated/torch.Tensor.register_post_accumulate_grad_hook.html
  size_t register_post_accumulate_grad_hook(std::function<void(const Tensor&)> hook) const;
  /// Removes a hook registered above (an unknown id is ignored).
  void remove_post_accumulate_grad_hook(size_t id) const;
  /// Backpropagates from this tensor; `gradient` may be omitted for one-element tensors.
  void backward(const Tensor& gradient = Tensor(), bool retain_graph = false) const;
  /// A tensor sharing storage and version counter, outside the graph.
  Tensor detach() const;
  Tensor& detach_();
  /// Like Python's `.data`: shares storage, no grad, not tracked.
  Tensor data() const;
  /// Bumps the version counter (after an in-place write to the storage).
  void bump_version() const;
  uint32_t version() const;

 private:
  /// The impl; throws for the undefined tensor (the accessors below are inline: every kernel
  /// and every autograd step calls them).
  const TensorImpl& checked() const {
    if (!impl_) [[unlikely]] detail::throw_undefined_tensor();
    return *impl_;
  }

  std::shared_ptr<TensorImpl> impl_;
};

inline Dtype Tensor::dtype() const { return checked().dtype; }
inline const Sizes& Tensor::sizes() const { return checked().sizes; }
inline const IntVector& Tensor::strides() const { return checked().strides; }
inline int64_t Tensor::dim() const { return static_cast<int64_t>(sizes().size()); }
inline int64_t Tensor::storage_offset() const { return checked().offset; }
inline int64_t Tensor::numel() const {
  int64_t n = 1;
  for (int64_t s : sizes()) n *= s;
  return n;
}
inline void* Tensor::raw_data() const {
  const TensorImpl& impl = checked();
  return static_cast<char*>(impl.storage->data.get()) +
         impl.offset * static_cast<int64_t>(torchlite::element_size(impl.dtype));
}
inline bool Tensor::requires_grad() const { return checked().requires_grad; }
inline const std::shared_ptr<autograd::Node>& Tensor::grad_fn() const { return checked().grad_fn; }
inline bool Tensor::is_leaf() const { return checked().grad_fn == nullptr; }
inline uint32_t Tensor::version() const { return checked().storage->version; }

// ---- operators, as in Python ----
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, Scalar b);
Tensor operator-(const Tensor& a, Scalar b);
Tensor operator*(const Tensor& a, Scalar b);
Tensor operator/(const Tensor& a, Scalar b);
Tensor operator+(Scalar a, const Tensor& b);
Tensor operator-(Scalar a, const Tensor& b);
Tensor operator*(Scalar a, const Tensor& b);
Tensor operator/(Scalar a, const Tensor& b);
Tensor operator-(const Tensor& a);
Tensor& operator+=(Tensor& a, const Tensor& b);
Tensor& operator-=(Tensor& a, const Tensor& b);
Tensor& operator*=(Tensor& a, const Tensor& b);
Tensor& operator/=(Tensor& a, const Tensor& b);
Tensor& operator+=(Tensor& a, Scalar b);
Tensor& operator*=(Tensor& a, Scalar b);

/// PyTorch's repr of the tensor (`tensor([...])`, `Parameter containing:`, `None`).
std::string repr(const Tensor& t);
std::ostream& operator<<(std::ostream& os, const Tensor& t);

// ---- factories; sizes first, dtype last: tl::rand({5, 3}, tl::kFloat64) ----
Tensor empty(Sizes sizes, Dtype dtype = kFloat32);
Tensor zeros(Sizes sizes, Dtype dtype = kFloat32);
Tensor ones(Sizes sizes, Dtype dtype = kFloat32);
Tensor full(Sizes sizes, Scalar value, std::optional<Dtype> dtype = std::nullopt);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor empty_like(const Tensor& t);
Tensor full_like(const Tensor& t, Scalar value);
/// Values end-exclusive, like torch.arange; int64 for integral arguments, else float32.
Tensor arange(Scalar end);
Tensor arange(Scalar start, Scalar end, Scalar step = 1, std::optional<Dtype> dtype = std::nullopt);
/// A non-owning tensor over `data` (contiguous); the caller keeps the memory alive.
Tensor from_blob(void* data, Sizes sizes, Dtype dtype = kFloat32);
/// A tensor from nested lists; dtype inferred like torch.tensor (float32, int64 or bool).
Tensor tensor(TensorInit data, std::optional<Dtype> dtype = std::nullopt);
/// A 0-dim tensor holding `value`.
Tensor scalar_tensor(Scalar value, std::optional<Dtype> dtype = std::nullopt);
Tensor eye(int64_t n, std::optional<int64_t> m = std::nullopt, Dtype dtype = kFloat32);

Tensor rand(Sizes sizes, Dtype dtype = kFloat32);
Tensor rand(Sizes sizes, Generator gen, Dtype dtype = kFloat32);
Tensor randn(Sizes sizes, Dtype dtype = kFloat32);
Tensor randn(Sizes sizes, Generator gen, Dtype dtype = kFloat32);
/// Integers in [low, high), int64 by default.
Tensor randint(int64_t low, int64_t high, Sizes sizes, Dtype dtype = kInt64);
Tensor randint(int64_t low, int64_t high, Sizes sizes, Generator gen, Dtype dtype = kInt64);
/// A random permutation of 0..n-1 (int64).
Tensor randperm(int64_t n, Dtype dtype = kInt64);
Tensor randperm(int64_t n, Generator gen, Dtype dtype = kInt64);

// ---- free-function forms ----
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor mm(const Tensor& a, const Tensor& b);
/// bias + a @ b for a [n, k], b [k, m], bias broadcastable to [n, m] (one fused GEMM).
Tensor addmm(const Tensor& bias, const Tensor& a, const Tensor& b);
/// input [*, in] @ weight[out, in]^T + bias [out], as torch.nn.functional.linear. 2-D input is
/// one GEMM forward and one node (AddmmBackward0, or MmBackward0 without bias); other ranks go
/// through matmul.
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor());
/// Concatenates along an existing dim / stacks along a new one.
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);
/// cond ? a : b, broadcasting.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
/// Shape that `a` and `b` broadcast to; throws naming `op` when they cannot.
Sizes broadcast_shapes(const Sizes& a, const Sizes& b, const char* op = "broadcast");

/// Disables graph recording in its scope, like `with torch.no_grad():`.
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool prev_;
};
/// Whether operations currently record the graph.
bool is_grad_enabled();
void set_grad_enabled(bool enabled);

}  // namespace torchlite
