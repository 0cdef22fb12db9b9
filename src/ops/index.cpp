// Gathering and joining: index_select, cat, stack, with their backward.
#include <array>
#include <cstring>

#include "core/dispatch.h"
#include "core/tensor_util.h"
#include "torchlite/autograd/function.h"
#include "torchlite/tensor.h"

namespace torchlite {

using autograd::record;
using detail::shape_str;

Tensor Tensor::index_select(int64_t d, const Tensor& index) const {
  TL_CHECK(index.dtype() == kInt64 || index.dtype() == kInt32,
           "index_select(): Expected dtype int32/int64 for index");
  TL_CHECK(index.dim() <= 1, "index_select(): Index is supposed to be a vector");
  d = detail::wrap_dim(d, dim());
  const int64_t size = dim() == 0 ? 1 : sizes()[d];
  Tensor idx = index.to(kInt64).contiguous().reshape({-1});
  const int64_t* pi = idx.data_ptr<int64_t>();
  for (int64_t i = 0; i < idx.numel(); ++i)
    TL_CHECK(pi[i] >= 0 && pi[i] < size, "index out of range in self (index ", pi[i],
             " for dimension ", d, " with size ", size, ")");
  if (dim() == 0) return detach().clone();
  Sizes shape = sizes();
  shape[d] = idx.numel();
  Tensor out = detail::make_empty(shape, dtype());
  Tensor src = detach();
  for (int64_t i = 0; i < idx.numel(); ++i) out.select(d, i).copy_(src.select(d, pi[i]));
  return record(out, "IndexSelectBackward0", {*this}, [in = sizes(), d, idx](const Tensor& g) {
    Tensor gi = zeros(in, g.dtype());
    const int64_t* p = idx.data_ptr<int64_t>();
    for (int64_t i = 0; i < idx.numel(); ++i) {
      Tensor slot = gi.select(d, p[i]);
      slot.copy_(slot + g.select(d, i));
    }
    return std::array{gi};
  });
}

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  TL_CHECK(!tensors.empty(), "torch.cat(): expected a non-empty list of Tensors");
  const Tensor& first = tensors[0];
  TL_CHECK(first.dim() > 0, "zero-dimensional tensor (at position 0) cannot be concatenated");
  dim = detail::wrap_dim(dim, first.dim());
  Sizes shape = first.sizes();
  Dtype dt = first.dtype();
  int64_t total = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    TL_CHECK(t.dim() == first.dim(), "Tensors must have same number of dimensions: got ",
             first.dim(), " and ", t.dim());
    for (int64_t d = 0; d < t.dim(); ++d)
      TL_CHECK(d == dim || t.sizes()[d] == shape[d], "Sizes of tensors must match except in dimension ",
               dim, ". Expected size ", shape[d], " but got size ", t.sizes()[d], " for tensor number ",
               i, " in the list.");
    dt = promote_types(dt, t.dtype());
    total += t.sizes()[dim];
  }
  shape[dim] = total;
  Tensor out = detail::make_empty(shape, dt);
  std::vector<int64_t> lengths;
  int64_t offset = 0;
  for (const Tensor& t : tensors) {
    int64_t len = t.sizes()[dim];
    out.narrow(dim, offset, len).copy_(t.detach());
    lengths.push_back(len);
    offset += len;
  }
  return record(out, "CatBackward0", tensors, [dim, lengths](const Tensor& g) {
    std::vector<Tensor> grads;
    int64_t off = 0;
    for (int64_t len : lengths) {
      grads.push_back(g.narrow(dim, off, len));
      off += len;
    }
    return grads;
  });
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  TL_CHECK(!tensors.empty(), "stack expects a non-empty TensorList");
  dim = detail::wrap_dim(dim, tensors[0].dim() + 1);
  for (size_t i = 1; i < tensors.size(); ++i)
    TL_CHECK(tensors[i].sizes() == tensors[0].sizes(),
             "stack expects each tensor to be equal size, but got ", shape_str(tensors[0].sizes()),
             " at entry 0 and ", shape_str(tensors[i].sizes()), " at entry ", i);
  std::vector<Tensor> parts;
  {
    NoGradGuard no_grad;
    for (const Tensor& t : tensors) parts.push_back(t.unsqueeze(dim));
  }
  Tensor out = cat(parts, dim).detach();
  return record(out, "StackBackward0", tensors, [dim, n = tensors.size()](const Tensor& g) {
    std::vector<Tensor> grads;
    for (size_t i = 0; i < n; ++i) grads.push_back(g.select(dim, static_cast<int64_t>(i)));
    return grads;
  });
}

}  // namespace torchlite
