// Pooling layers: forward through nn::functional, and PyTorch's extra_repr text.
#include "torchlite/nn/pooling.h"

#include "torchlite/nn/functional.h"

namespace torchlite::nn {

template <size_t D>
Tensor MaxPoolImpl<D>::forward(const Tensor& input) {
  if constexpr (D == 1)
    return functional::max_pool1d(input, kernel_size, options());
  else
    return functional::max_pool2d(input, kernel_size, options());
}

template <size_t D>
std::pair<Tensor, Tensor> MaxPoolImpl<D>::forward_with_indices(const Tensor& input) {
  if constexpr (D == 1)
    return functional::max_pool1d_with_indices(input, kernel_size, options());
  else
    return functional::max_pool2d_with_indices(input, kernel_size, options());
}

template <size_t D>
std::string MaxPoolImpl<D>::extra_repr() const {
  return "kernel_size=" + kernel_size.repr() + ", stride=" + stride.repr() +
         ", padding=" + padding.repr() + ", dilation=" + dilation.repr() +
         ", ceil_mode=" + (ceil_mode ? "True" : "False");
}

template class MaxPoolImpl<1>;
template class MaxPoolImpl<2>;

Tensor AvgPool1dImpl::forward(const Tensor& input) {
  return functional::avg_pool1d(input, kernel_size,
                                {stride, padding, ceil_mode, count_include_pad});
}

// AvgPool1d stores its sizes through _single, so they print as tuples.
std::string AvgPool1dImpl::extra_repr() const {
  return "kernel_size=" + kernel_size.tuple_repr() + ", stride=" + stride.tuple_repr() +
         ", padding=" + padding.tuple_repr();
}

Tensor AvgPool2dImpl::forward(const Tensor& input) {
  return functional::avg_pool2d(input, kernel_size,
                                {stride, padding, ceil_mode, count_include_pad, divisor_override});
}

std::string AvgPool2dImpl::extra_repr() const {
  return "kernel_size=" + kernel_size.repr() + ", stride=" + stride.repr() +
         ", padding=" + padding.repr();
}

Tensor AdaptiveAvgPool1dImpl::forward(const Tensor& input) {
  return functional::adaptive_avg_pool1d(input, output_size);
}

Tensor AdaptiveAvgPool2dImpl::forward(const Tensor& input) {
  return functional::adaptive_avg_pool2d(input, output_size);
}

Tensor AdaptiveMaxPool2dImpl::forward(const Tensor& input) {
  return functional::adaptive_max_pool2d(input, output_size);
}

std::pair<Tensor, Tensor> AdaptiveMaxPool2dImpl::forward_with_indices(const Tensor& input) {
  return functional::adaptive_max_pool2d_with_indices(input, output_size);
}

}  // namespace torchlite::nn
