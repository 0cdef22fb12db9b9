// Parameter-free layers: ReLU's in-place form, Flatten's repr, Softmax's legacy default dim.
#include "torchlite/nn/activation.h"

#include "torchlite/nn/functional.h"

namespace torchlite::nn {

namespace {
// torch.nn.functional._get_softmax_dim: the dim used when none was given.
int64_t legacy_softmax_dim(const std::optional<int64_t>& dim, const Tensor& input) {
  if (dim) return *dim;
  const int64_t n = input.dim();
  return n == 0 || n == 1 || n == 3 ? 0 : 1;
}
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

}  // namespace torchlite::nn
