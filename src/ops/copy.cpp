// Copies, conversions and fills: contiguous, clone, to, copy_, fill_ and zero_, each with its
// backward. The loops are src/kernels/elementwise.h's copy and fill.
#include <array>

#include "autograd/inplace.h"
#include "core/tensor_util.h"
#include "torchlite/autograd/function.h"
#include "torchlite/tensor.h"

namespace torchlite {

using autograd::record;
using autograd::sum_to;

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
  return record(out, "ToCopyBackward0", {*this},
                [src = dtype()](const Tensor& g) { return std::array{g.to(src)}; });
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

Tensor& Tensor::fill_(Scalar value) {
  detail::check_inplace(*this, "fill_");
  detail::fill_kernel(*this, value);
  detail::cut_history(*this, "FillBackward2");
  return *this;
}

Tensor& Tensor::zero_() {
  detail::check_inplace(*this, "zero_");
  detail::fill_kernel(*this, 0);
  detail::cut_history(*this, "ZeroBackward0");
  return *this;
}

}  // namespace torchlite
