// Internal helpers of the tensor core: allocation, strides, dim wrapping, raw views.
#pragma once

#include <string>
#include <vector>

#include "kernels/loops.h"
#include "torchlite/tensor.h"

namespace torchlite::detail {

/// Row-major strides (in elements) of a contiguous tensor of `sizes`, written into `strides`
/// (no allocation when it already has room: every new tensor takes this path).
void contiguous_strides(const Sizes& sizes, IntVector& strides);
inline IntVector contiguous_strides(const Sizes& sizes) {
  IntVector strides;
  contiguous_strides(sizes, strides);
  return strides;
}
/// Product of sizes; throws on overflow or negative sizes, naming `op`.
int64_t checked_numel(const Sizes& sizes, const char* op);
/// A fresh TensorImpl from the per-thread pool (every op makes one).
std::shared_ptr<TensorImpl> new_impl();
/// A new contiguous, uninitialised tensor (storage 64-byte aligned beyond 64 bytes, else 16).
Tensor make_empty(const Sizes& sizes, Dtype dtype);
/// A tensor viewing `base`'s storage with new geometry (no autograd).
Tensor make_view(const Tensor& base, Sizes sizes, IntVector strides, int64_t offset);
/// `dim` in [-ndim, ndim) made non-negative; PyTorch's IndexError text otherwise.
int64_t wrap_dim(int64_t dim, int64_t ndim);
/// "[2, 3]": a shape as PyTorch writes it in error messages.
std::string shape_str(const Sizes& sizes);
/// "(2, 3)", "(2,)": sizes as a Python tuple (printing's size= suffix, some error messages).
std::string py_tuple(const Sizes& sizes);
/// "torch.FloatTensor": the legacy type name used in autograd errors.
std::string legacy_type_name(Dtype dtype);
/// A view of contiguous `t` with `shape` whose backward is named `name` (PyTorch's internal
/// reshapes such as matmul's UnsafeViewBackward0).
Tensor named_reshape(const Tensor& t, Sizes shape, const char* name);
/// Every element of `t` set to `value` (converted to t's dtype); bumps the version, no autograd.
void fill_kernel(const Tensor& t, Scalar value);
/// dst[i] = src[i] converted to dst's dtype, with src broadcast to dst's shape (no autograd).
void copy_kernel(const Tensor& dst, const Tensor& src);
/// `t` as the kernels see it (data, dtype, sizes, strides); valid while `t` lives unchanged.
inline kernels::View view_of(const Tensor& t) {
  return {static_cast<char*>(t.raw_data()), t.dtype(), t.sizes(), t.strides(), t.numel(),
          t.is_contiguous()};
}

}  // namespace torchlite::detail
