// Activation layers over nn::functional, their reprs (numbers as Python prints them), Flatten's
// and Unflatten's repr, Softmax's legacy default dim.
#include "torchlite/nn/activation.h"

#include "torchlite/nn/functional.h"
#include "torchlite/printing.h"

namespace torchlite::nn {

namespace {
// torch.nn.functional._get_softmax_dim: the dim used when none was given.
int64_t legacy_softmax_dim(const std::optional<int64_t>& dim, const Tensor& input) {
  if (dim) return *dim;
  const int64_t n = input.dim();
  return n == 0 || n == 1 || n == 3 ? 0 : 1;
}

/// A number as Python's str() prints it: 2, -1.0, 0.01.
std::string py_number(const Scalar& s) {
  return s.is_floating_point() ? format_python_float(s.to_double()) : std::to_string(s.to_int64());
}

std::string inplace_suffix(bool inplace) { return inplace ? ", inplace=True" : ""; }
}  // namespace

Tensor ReLUImpl::forward(const Tensor& input) {
  if (!inplace) return input.relu();
  Tensor self = input;
  return self.relu_();
}

std::string FlattenImpl::extra_repr() const {
  return "start_dim=" + std::to_string(start_dim) + ", end_dim=" + std::to_string(end_dim);
}

Tensor SoftmaxImpl::forward(const Tensor& input) {
  return functional::softmax(input, legacy_softmax_dim(dim, input));
}

Tensor LogSoftmaxImpl::forward(const Tensor& input) {
  return functional::log_softmax(input, legacy_softmax_dim(dim, input));
}

Tensor UnflattenImpl::forward(const Tensor& input) {
  return input.unflatten(dim, Sizes(unflattened_size.begin(), unflattened_size.end()));
}

std::string UnflattenImpl::extra_repr() const {
  std::string size = "(";
  for (size_t i = 0; i < unflattened_size.size(); ++i)
    size += (i ? ", " : "") + std::to_string(unflattened_size[i]);
  size += unflattened_size.size() == 1 ? ",)" : ")";
  return "dim=" + std::to_string(dim) + ", unflattened_size=" + size;
}

Tensor LeakyReLUImpl::forward(const Tensor& input) {
  return functional::leaky_relu(input, negative_slope.to_double(), inplace);
}

std::string LeakyReLUImpl::extra_repr() const {
  return "negative_slope=" + py_number(negative_slope) + inplace_suffix(inplace);
}

Tensor GELUImpl::forward(const Tensor& input) { return functional::gelu(input, approximate); }

Tensor SiLUImpl::forward(const Tensor& input) { return functional::silu(input, inplace); }

Tensor ELUImpl::forward(const Tensor& input) {
  return functional::elu(input, alpha.to_double(), inplace);
}

std::string ELUImpl::extra_repr() const {
  return "alpha=" + py_number(alpha) + inplace_suffix(inplace);
}

HardtanhImpl::HardtanhImpl(Scalar min_val, Scalar max_val, bool inplace)
    : min_val(min_val), max_val(max_val), inplace(inplace) {
  TL_CHECK(max_val.to_double() > min_val.to_double(), "max_val must be larger than min_val");
}

Tensor HardtanhImpl::forward(const Tensor& input) {
  return functional::hardtanh(input, min_val.to_double(), max_val.to_double(), inplace);
}

std::string HardtanhImpl::extra_repr() const {
  return "min_val=" + py_number(min_val) + ", max_val=" + py_number(max_val) +
         inplace_suffix(inplace);
}

Tensor ReLU6Impl::forward(const Tensor& input) { return functional::relu6(input, inplace); }

Tensor HardswishImpl::forward(const Tensor& input) { return functional::hardswish(input, inplace); }

Tensor SoftplusImpl::forward(const Tensor& input) {
  return functional::softplus(input, beta.to_double(), threshold.to_double());
}

std::string SoftplusImpl::extra_repr() const {
  return "beta=" + py_number(beta) + ", threshold=" + py_number(threshold);
}

}  // namespace torchlite::nn
