// View ops (share storage): each computes new sizes/strides and records its backward beside it.
#include <algorithm>
#include <array>
#include <numeric>

#include "core/tensor_util.h"
#include "torchlite/autograd/function.h"
#include "torchlite/tensor.h"

namespace torchlite {

using autograd::record;
using detail::make_view;
using detail::shape_str;
using detail::wrap_dim;

namespace {

/// Resolves one -1 in `shape` against `numel` (PyTorch's infer_size).
Sizes infer_size(Sizes shape, int64_t numel) {
  int64_t known = 1;
  std::optional<size_t> infer;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      TL_CHECK(!infer, "only one dimension can be inferred");
      infer = i;
    } else {
      TL_CHECK(shape[i] >= 0, "invalid shape dimension ", shape[i]);
      known *= shape[i];
    }
  }
  if (infer) {
    TL_CHECK(known != 0 && numel % known == 0, "shape '", shape_str(shape),
             "' is invalid for input of size ", numel);
    shape[*infer] = numel / known;
  }
  TL_CHECK(!infer ? known == numel : true, "shape '", shape_str(shape),
           "' is invalid for input of size ", numel);
  return shape;
}

/// Strides for viewing (old sizes, old strides) as `shape` without copying, if possible
/// (the algorithm of ATen's computeStride).
std::optional<IntVector> view_strides(const Sizes& old_sizes, const IntVector& old_strides,
                                                 const Sizes& shape) {
  IntVector out(shape.size());
  int64_t numel = 1;
  for (int64_t s : old_sizes) numel *= s;
  if (numel == 0) {
    if (old_sizes == shape) return old_strides;
    return detail::contiguous_strides(shape);
  }
  int64_t view_d = static_cast<int64_t>(shape.size()) - 1;
  int64_t chunk_base_stride = old_strides.empty() ? 1 : old_strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t d = static_cast<int64_t>(old_sizes.size()) - 1; d >= 0; --d) {
    tensor_numel *= old_sizes[d];
    if (d == 0 || (old_sizes[d - 1] != 1 && old_strides[d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
        out[view_d] = view_numel * chunk_base_stride;
        view_numel *= shape[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (d > 0) {
        chunk_base_stride = old_strides[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return out;
}

/// Records a view's backward: the grad reshaped back to the input's sizes.
Tensor record_reshape_back(Tensor out, const char* name, const Tensor& self) {
  return record(std::move(out), name, {self}, [sizes = self.sizes()](const Tensor& g) {
    return std::array{g.reshape(sizes)};
  });
}

}  // namespace

Tensor detail::named_reshape(const Tensor& t, Sizes shape, const char* name) {
  TL_CHECK(t.is_contiguous(), "named_reshape: expects a contiguous tensor");
  shape = infer_size(std::move(shape), t.numel());
  return record_reshape_back(make_view(t, shape, detail::contiguous_strides(shape), t.storage_offset()),
                             name, t);
}

Tensor Tensor::view(Sizes shape) const {
  shape = infer_size(std::move(shape), numel());
  auto st = view_strides(sizes(), strides(), shape);
  TL_CHECK(st.has_value(),
           "view size is not compatible with input tensor's size and stride (at least one "
           "dimension spans across two contiguous subspaces). Use .reshape(...) instead.");
  return record_reshape_back(make_view(*this, shape, *st, storage_offset()), "ViewBackward0",
                             *this);
}

Tensor Tensor::reshape(Sizes shape) const {
  shape = infer_size(std::move(shape), numel());
  if (auto st = view_strides(sizes(), strides(), shape)) {
    return record_reshape_back(make_view(*this, shape, *st, storage_offset()),
                               "ReshapeAliasBackward0", *this);
  }
  Tensor c = contiguous().detach();
  return record_reshape_back(make_view(c, shape, detail::contiguous_strides(shape), 0),
                             "UnsafeViewBackward0", *this);
}

Tensor Tensor::transpose(int64_t dim0, int64_t dim1) const {
  int64_t n = dim();
  if (n == 0) return detach();
  dim0 = wrap_dim(dim0, n);
  dim1 = wrap_dim(dim1, n);
  Sizes sz = sizes();
  auto st = strides();
  std::swap(sz[dim0], sz[dim1]);
  std::swap(st[dim0], st[dim1]);
  return record(make_view(*this, sz, st, storage_offset()), "TransposeBackward0", {*this},
                [dim0, dim1](const Tensor& g) { return std::array{g.transpose(dim0, dim1)}; });
}

Tensor Tensor::t() const {
  TL_CHECK(dim() <= 2, "t() expects a tensor with <= 2 dimensions, but self is ", dim(), "D");
  if (dim() < 2) {
    return record(detach(), "TBackward0", {*this},
                  [](const Tensor& g) { return std::array{g}; });
  }
  Sizes sz{sizes()[1], sizes()[0]};
  IntVector st{strides()[1], strides()[0]};
  return record(make_view(*this, sz, st, storage_offset()), "TBackward0", {*this},
                [](const Tensor& g) { return std::array{g.t()}; });
}

Tensor Tensor::permute(std::vector<int64_t> dims) const {
  int64_t n = dim();
  TL_CHECK(static_cast<int64_t>(dims.size()) == n,
           "permute(sparse_coo): number of dimensions in the tensor input does not match the "
           "length of the desired ordering of dimensions i.e. input.dim() = ", n,
           " is not equal to len(dims) = ", dims.size());
  std::vector<bool> seen(n, false);
  Sizes sz(n);
  IntVector st(n);
  std::vector<int64_t> inverse(n);
  for (int64_t i = 0; i < n; ++i) {
    int64_t d = wrap_dim(dims[i], n);
    TL_CHECK(!seen[d], "permute(): duplicate dims are not allowed.");
    seen[d] = true;
    sz[i] = sizes()[d];
    st[i] = strides()[d];
    inverse[d] = i;
  }
  return record(make_view(*this, sz, st, storage_offset()), "PermuteBackward0", {*this},
                [inverse](const Tensor& g) { return std::array{g.permute(inverse)}; });
}

Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const {
  int64_t n = dim();
  if (n == 0) return reshape({1});
  start_dim = wrap_dim(start_dim, n);
  end_dim = wrap_dim(end_dim, n);
  TL_CHECK(start_dim <= end_dim, "flatten() has invalid args: start_dim cannot come after end_dim");
  if (start_dim == end_dim) return *this;
  Sizes shape(sizes().begin(), sizes().begin() + start_dim);
  int64_t prod = 1;
  for (int64_t d = start_dim; d <= end_dim; ++d) prod *= sizes()[d];
  shape.push_back(prod);
  shape.insert(shape.end(), sizes().begin() + end_dim + 1, sizes().end());
  return reshape(shape);
}

Tensor Tensor::unflatten(int64_t d, Sizes shape) const {
  d = wrap_dim(d, dim());
  const int64_t size = sizes()[d];
  try {
    const Sizes inferred = infer_size(shape, size);
    shape = inferred;
  } catch (const Error& e) {
    // PyTorch names the sizes that do not fit the dim, or passes infer_size's own error on.
    const std::string what = e.what();
    if (what.find("only one dimension") != std::string::npos)
      throw Error("unflatten got an unexpected error:\n" + what);
    throw Error(detail::str_cat("unflatten: Provided sizes ", shape_str(shape),
                                " don't multiply up to the size of dim ", d, " (", size,
                                ") in the input tensor"));
  }
  Sizes out(sizes().begin(), sizes().begin() + d);
  out.insert(out.end(), shape.begin(), shape.end());
  out.insert(out.end(), sizes().begin() + d + 1, sizes().end());
  return view(out);
}

Tensor Tensor::squeeze(int64_t d) const {
  if (dim() == 0) return *this;
  d = wrap_dim(d, dim());
  if (sizes()[d] != 1) return *this;
  Sizes sz = sizes();
  auto st = strides();
  sz.erase(sz.begin() + d);
  st.erase(st.begin() + d);
  return record(make_view(*this, sz, st, storage_offset()), "SqueezeBackward1", {*this},
                [d](const Tensor& g) { return std::array{g.unsqueeze(d)}; });
}

Tensor Tensor::unsqueeze(int64_t d) const {
  d = wrap_dim(d, dim() + 1);
  Sizes sz = sizes();
  auto st = strides();
  int64_t stride = d < dim() ? sizes()[d] * strides()[d] : 1;
  sz.insert(sz.begin() + d, 1);
  st.insert(st.begin() + d, stride);
  return record(make_view(*this, sz, st, storage_offset()), "UnsqueezeBackward0", {*this},
                [d](const Tensor& g) { return std::array{g.squeeze(d)}; });
}

Tensor Tensor::select(int64_t d, int64_t index) const {
  TL_CHECK(dim() > 0, "select() cannot be applied to a 0-dim tensor.");
  d = wrap_dim(d, dim());
  int64_t size = sizes()[d];
  TL_CHECK(index >= -size && index < size, "select(): index ", index,
           " out of range for tensor of size ", shape_str(sizes()), " at dimension ", d);
  if (index < 0) index += size;
  Sizes sz = sizes();
  auto st = strides();
  int64_t offset = storage_offset() + index * st[d];
  sz.erase(sz.begin() + d);
  st.erase(st.begin() + d);
  return record(make_view(*this, sz, st, offset), "SelectBackward0", {*this},
                [sizes = sizes(), d, index](const Tensor& g) {
                  Tensor out = zeros(sizes, g.dtype());
                  out.select(d, index).copy_(g);
                  return std::array{out};
                });
}

Tensor Tensor::operator[](int64_t index) const {
  TL_CHECK(dim() > 0, "invalid index of a 0-dim tensor.");
  const int64_t size = sizes()[0];
  TL_CHECK(index >= -size && index < size, "index ", index, " is out of bounds for dimension 0 with size ",
           size);
  return select(0, index);
}

Tensor Tensor::slice(int64_t d, std::optional<int64_t> start, std::optional<int64_t> end,
                     int64_t step) const {
  TL_CHECK(dim() > 0, "slice() cannot be applied to a 0-dim tensor.");
  TL_CHECK(step > 0, "slice step must be positive");
  d = wrap_dim(d, dim());
  int64_t size = sizes()[d];
  int64_t s = start.value_or(0), e = end.value_or(size);
  if (s < 0) s += size;
  if (e < 0) e += size;
  s = std::clamp<int64_t>(s, 0, size);
  e = std::clamp<int64_t>(e, s, size);
  Sizes sz = sizes();
  auto st = strides();
  int64_t offset = storage_offset() + s * st[d];
  sz[d] = (e - s + step - 1) / step;
  st[d] *= step;
  return record(make_view(*this, sz, st, offset), "SliceBackward0", {*this},
                [sizes = sizes(), d, s, e, step](const Tensor& g) {
                  Tensor out = zeros(sizes, g.dtype());
                  out.slice(d, s, e, step).copy_(g);
                  return std::array{out};
                });
}

Tensor Tensor::narrow(int64_t d, int64_t start, int64_t length) const {
  d = wrap_dim(d, dim());
  int64_t size = sizes()[d];
  TL_CHECK(start >= -size && start <= size, "start out of range (expected to be in range of [",
           -size, ", ", size, "], but got ", start, ")");
  if (start < 0) start += size;
  TL_CHECK(length >= 0 && start + length <= size, "start (", start, ") + length (", length,
           ") exceeds dimension size (", size, ").");
  return slice(d, start, start + length);
}

Tensor Tensor::expand(Sizes shape) const {
  int64_t n = static_cast<int64_t>(shape.size());
  TL_CHECK(n >= dim(), "expand(", detail::legacy_type_name(dtype()), "{", shape_str(sizes()),
           "}, size=", shape_str(shape),
           "): the number of sizes provided (", n,
           ") must be greater or equal to the number of dimensions in the tensor (", dim(), ")");
  IntVector st(n);
  for (int64_t i = n - 1; i >= 0; --i) {
    int64_t j = i - (n - dim());
    if (j < 0) {
      TL_CHECK(shape[i] >= 0, "The expanded size of the tensor (", shape[i],
               ") isn't allowed in a leading, non-existing dimension ", i);
      st[i] = 0;
      continue;
    }
    int64_t size = sizes()[j];
    if (shape[i] == -1) shape[i] = size;
    if (size == shape[i]) {
      st[i] = strides()[j];
    } else {
      TL_CHECK(size == 1, "The expanded size of the tensor (", shape[i],
               ") must match the existing size (", size, ") at non-singleton dimension ", i,
               ".  Target sizes: ", shape_str(shape), ".  Tensor sizes: ", shape_str(sizes()));
      st[i] = 0;
    }
  }
  if (shape == sizes()) return *this;
  return record(make_view(*this, shape, st, storage_offset()), "ExpandBackward0", {*this},
                [sizes = sizes()](const Tensor& g) {
                  return std::array{autograd::sum_to(g, sizes)};
                });
}

Tensor Tensor::as_strided(Sizes shape, std::vector<int64_t> st, int64_t offset) const {
  TL_CHECK(shape.size() == st.size(), "mismatch in length of strides and shape");
  int64_t max_index = offset;
  for (size_t i = 0; i < shape.size(); ++i) {
    TL_CHECK(shape[i] >= 0 && st[i] >= 0, "as_strided: negative sizes or strides are not supported");
    if (shape[i] == 0) max_index = -1;
    if (max_index >= 0) max_index += (shape[i] - 1) * st[i];
  }
  const int64_t capacity =
      static_cast<int64_t>(impl()->storage->nbytes / element_size());
  TL_CHECK(max_index < capacity, "setStorage: sizes ", shape_str(shape), ", strides ",
           shape_str(Sizes(st)), ", storage offset ", offset,
           " requiring a storage size of ", (max_index + 1) * static_cast<int64_t>(element_size()),
           " are out of bounds for storage of size ", impl()->storage->nbytes);
  TL_CHECK(!requires_grad() || !is_grad_enabled(),
           "as_strided: autograd through as_strided is not supported");
  return make_view(*this, std::move(shape), std::move(st), offset);
}

}  // namespace torchlite
