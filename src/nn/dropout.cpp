// Dropout, Softmax and LogSoftmax modules over nn::functional.
#include "torchlite/nn/dropout.h"

#include "torchlite/nn/functional.h"
#include "torchlite/printing.h"

namespace torchlite::nn {

DropoutImpl::DropoutImpl(double p, bool inplace) : p(p), inplace(inplace) {
  TL_CHECK(p >= 0.0 && p <= 1.0, "dropout probability has to be between 0 and 1, but got ",
           format_python_float(p));
}

Tensor DropoutImpl::forward(const Tensor& input) {
  return functional::dropout(input, p, is_training(), inplace);
}

std::string DropoutImpl::extra_repr() const {
  return "p=" + format_python_float(p) + ", inplace=" + (inplace ? "True" : "False");
}

namespace {
// torch.nn.functional._get_softmax_dim: the dim used when none was given.
int64_t legacy_softmax_dim(const std::optional<int64_t>& dim, const Tensor& input) {
  if (dim) return *dim;
  const int64_t n = input.dim();
  return n == 0 || n == 1 || n == 3 ? 0 : 1;
}
}  // namespace

Tensor SoftmaxImpl::forward(const Tensor& input) {
  return functional::softmax(input, legacy_softmax_dim(dim, input));
}

Tensor LogSoftmaxImpl::forward(const Tensor& input) {
  return functional::log_softmax(input, legacy_softmax_dim(dim, input));
}

}  // namespace torchlite::nn
