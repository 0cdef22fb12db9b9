// Reductions: sum, mean, max/min (with indices), argmax; each with its backward. The loops are
// src/kernels/reduce.h.
#include <algorithm>
#include <array>
#include <limits>

#include "core/dispatch.h"
#include "core/tensor_util.h"
#include "kernels/reduce.h"
#include "torchlite/autograd/function.h"
#include "torchlite/tensor.h"

namespace torchlite {

using autograd::record;
using autograd::SavedTensor;

namespace {

/// Sorted, unique, wrapped reduction dims; all dims when `dims` is empty.
std::vector<int64_t> reduction_dims(std::vector<int64_t> dims, int64_t ndim) {
  if (dims.empty()) {
    for (int64_t d = 0; d < ndim; ++d) dims.push_back(d);
    return dims;
  }
  for (auto& d : dims) d = detail::wrap_dim(d, ndim);
  std::sort(dims.begin(), dims.end());
  for (size_t i = 1; i < dims.size(); ++i)
    TL_CHECK(dims[i] != dims[i - 1], "dim ", dims[i], " appears multiple times in the list of dims");
  return dims;
}

Sizes reduced_shape(const Sizes& sizes, const std::vector<int64_t>& dims, bool keepdim) {
  Sizes out;
  for (int64_t d = 0; d < static_cast<int64_t>(sizes.size()); ++d) {
    bool reduced = std::find(dims.begin(), dims.end(), d) != dims.end();
    if (!reduced) out.push_back(sizes[d]);
    else if (keepdim) out.push_back(1);
  }
  return out;
}

Dtype sum_dtype(Dtype d) { return is_floating_point(d) ? d : kInt64; }

/// Sum over `dims` into a tensor of the keepdim shape, accumulating in double / int64 (in the
/// input's dtype for the column sums of a contiguous float block, the bias-gradient case).
Tensor sum_kernel(const Tensor& x, const std::vector<int64_t>& dims) {
  Sizes keep = reduced_shape(x.sizes(), dims, true);
  Dtype out_dtype = sum_dtype(x.dtype());
  if (x.is_contiguous() && dims == std::vector<int64_t>{0} && x.is_floating_point() &&
      x.numel() > 0) {
    Tensor out = detail::make_empty(keep, out_dtype);
    const int64_t rows = x.sizes()[0], cols = x.numel() / rows;
    const std::array<int64_t, 2> sizes{rows, cols}, strides{cols, 1};
    const std::array<int64_t, 1> out_sizes{cols}, out_strides{1};
    const kernels::View g{static_cast<char*>(x.raw_data()), x.dtype(), sizes, strides, x.numel(),
                          true};
    const kernels::View o{static_cast<char*>(out.raw_data()), out_dtype, out_sizes, out_strides,
                          cols, true};
    detail::dispatch_float(x.dtype(), "sum", [&](auto tag) {
      kernels::column_sums<decltype(tag)>(o, g);
    });
    return out;
  }
  Dtype acc_dtype = is_floating_point(out_dtype) ? kFloat64 : kInt64;
  Tensor acc = zeros(keep, acc_dtype);
  if (x.numel() == 0) return acc.to(out_dtype);
  detail::dispatch_arith(x.dtype(), "sum", [&](auto tag) {
    kernels::sum_into<decltype(tag)>(detail::view_of(acc), detail::view_of(x));
  });
  return acc.to(out_dtype);
}

/// Backward of a reduction to `keep` shape: the grad broadcast back over the input.
Tensor expand_back(const Tensor& g, const Sizes& keep, const Sizes& in) {
  return g.reshape(keep).expand(in);
}

/// Sum of all elements into a 0-dim tensor (the common loss-reduction case, kept lean).
Tensor sum_all(const Tensor& x) {
  if (!x.is_contiguous()) return sum_kernel(x, reduction_dims({}, x.dim())).reshape({});
  Tensor out = detail::make_empty({}, sum_dtype(x.dtype()));
  detail::dispatch_arith(x.dtype(), "sum", [&](auto tag) {
    using T = decltype(tag);
    const auto s = kernels::sum_contiguous(static_cast<const T*>(x.raw_data()), x.numel());
    if (out.dtype() == kFloat32) *out.data_ptr<float>() = static_cast<float>(s);
    else if (out.dtype() == kFloat64) *out.data_ptr<double>() = static_cast<double>(s);
    else *out.data_ptr<int64_t>() = static_cast<int64_t>(s);
  });
  return out;
}

}  // namespace

Tensor Tensor::sum() const {
  return record(sum_all(*this), "SumBackward0", {*this}, [in = sizes()](const Tensor& g) {
    return std::array{g.expand(in)};
  });
}

Tensor Tensor::sum(std::vector<int64_t> dims, bool keepdim) const {
  TL_CHECK(!dims.empty() || dim() == 0, "sum: expected at least one dim");
  dims = reduction_dims(std::move(dims), dim());
  Sizes keep = reduced_shape(sizes(), dims, true);
  Tensor out = sum_kernel(*this, dims).reshape(reduced_shape(sizes(), dims, keepdim));
  return record(out.detach(), "SumBackward1", {*this}, [keep, in = sizes()](const Tensor& g) {
    return std::array{expand_back(g, keep, in)};
  });
}

Tensor Tensor::mean() const {
  TL_CHECK(is_floating_point(),
           "mean(): could not infer output dtype. Input dtype must be either a floating point or "
           "complex dtype. Got: ", scalar_type_name(dtype()));
  Tensor out = sum_all(*this);
  double n = static_cast<double>(numel());
  out = out.div(n);
  return record(out.detach(), "MeanBackward0", {*this}, [in = sizes(), n](const Tensor& g) {
    return std::array{g.div(n).expand(in)};
  });
}

Tensor Tensor::mean(std::vector<int64_t> dims, bool keepdim) const {
  TL_CHECK(is_floating_point(),
           "mean(): could not infer output dtype. Input dtype must be either a floating point or "
           "complex dtype. Got: ", scalar_type_name(dtype()));
  dims = reduction_dims(std::move(dims), dim());
  double n = 1;
  for (int64_t d : dims) n *= static_cast<double>(sizes()[d]);
  Sizes keep = reduced_shape(sizes(), dims, true);
  Tensor out = sum_kernel(*this, dims).reshape(reduced_shape(sizes(), dims, keepdim)).div(n);
  return record(out.detach(), "MeanBackward1", {*this}, [keep, in = sizes(), n](const Tensor& g) {
    return std::array{expand_back(g.div(n), keep, in)};
  });
}

namespace {

/// Values and first indices of the max (or min) along `dim`; NaN wins, as in PyTorch.
std::pair<Tensor, Tensor> extreme_along(const Tensor& x, int64_t dim, bool keepdim, bool is_max,
                                        const char* op) {
  dim = detail::wrap_dim(dim, x.dim());
  const int64_t n = x.dim() == 0 ? 1 : x.sizes()[dim];
  TL_CHECK(n > 0, op, "(): Expected reduction dim ", dim, " to have non-zero size.");
  std::vector<int64_t> perm;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (d != dim) perm.push_back(d);
  if (x.dim() > 0) perm.push_back(dim);
  Tensor moved = x.dim() == 0 ? x.detach().reshape({1}) : x.detach().permute(perm).contiguous();
  Sizes out_shape = x.dim() == 0 ? Sizes{} : reduced_shape(x.sizes(), {dim}, keepdim);
  Tensor values = detail::make_empty(out_shape, x.dtype());
  Tensor indices = detail::make_empty(out_shape, kInt64);
  detail::dispatch_arith(x.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    kernels::extreme_rows(static_cast<T*>(values.raw_data()), indices.data_ptr<int64_t>(),
                          static_cast<const T*>(moved.raw_data()), values.numel(), n, is_max);
  });
  return {values, indices};
}

std::pair<Tensor, Tensor> extreme_dim(const Tensor& self, int64_t dim, bool keepdim, bool is_max) {
  const char* op = is_max ? "max" : "min";
  auto [values, indices] = extreme_along(self, dim, keepdim, is_max, op);
  int64_t d = detail::wrap_dim(dim, self.dim());
  values = record(values, is_max ? "MaxBackward0" : "MinBackward0", {self},
                  [idx = indices, d, keepdim, in = self.sizes()](const Tensor& g) {
                    Tensor out = zeros(in, g.dtype());
                    if (in.empty()) return std::array{g.reshape({}).clone()};
                    Tensor gi = keepdim ? g : g.unsqueeze(d);
                    Tensor ii = keepdim ? idx : idx.unsqueeze(d);
                    // Scatter along d: walk every output slot and write its grad at the index.
                    Tensor gc = gi.contiguous().to(g.dtype()), ic = ii.contiguous();
                    std::vector<int64_t> perm;
                    for (int64_t k = 0; k < static_cast<int64_t>(in.size()); ++k)
                      if (k != d) perm.push_back(k);
                    perm.push_back(d);
                    Tensor moved = zeros(out.permute(perm).sizes(), g.dtype());
                    const int64_t n = in[d];
                    detail::dispatch_float(g.dtype(), "max_backward", [&](auto tag) {
                      using T = decltype(tag);
                      const T* pg = static_cast<const T*>(gc.raw_data());
                      const int64_t* pidx = ic.data_ptr<int64_t>();
                      T* pm = static_cast<T*>(moved.raw_data());
                      for (int64_t r = 0; r < gc.numel(); ++r) pm[r * n + pidx[r]] = pg[r];
                    });
                    std::vector<int64_t> inverse(perm.size());
                    for (size_t k = 0; k < perm.size(); ++k) inverse[perm[k]] = static_cast<int64_t>(k);
                    return std::array{moved.permute(inverse).contiguous()};
                  });
  return {values, indices};
}

Tensor extreme_all(const Tensor& self, bool is_max) {
  TL_CHECK(self.numel() > 0, is_max ? "max" : "min",
           "(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
           "reduction dim with the 'dim' argument.");
  Tensor flat = self.detach().reshape({-1});
  Tensor value = extreme_along(flat, 0, false, is_max, is_max ? "max" : "min").first;
  return record(value, is_max ? "MaxBackward1" : "MinBackward1", {self},
                [x = SavedTensor(self), v = value](const Tensor& g) {
                  Tensor mask = x.unpack().eq(v).to(g.dtype());
                  return std::array{mask * (g / mask.sum())};
                });
}

}  // namespace

Tensor Tensor::max() const { return extreme_all(*this, true); }
Tensor Tensor::min() const { return extreme_all(*this, false); }
std::pair<Tensor, Tensor> Tensor::max(int64_t dim, bool keepdim) const {
  return extreme_dim(*this, dim, keepdim, true);
}
std::pair<Tensor, Tensor> Tensor::min(int64_t dim, bool keepdim) const {
  return extreme_dim(*this, dim, keepdim, false);
}

Tensor Tensor::argmax() const {
  TL_CHECK(numel() > 0, "argmax(): Expected reduction dim to be specified for input.numel() == 0.");
  return extreme_along(detach().reshape({-1}), 0, false, true, "argmax").second;
}

Tensor Tensor::argmax(int64_t dim, bool keepdim) const {
  return extreme_along(*this, dim, keepdim, true, "argmax").second;
}

}  // namespace torchlite
