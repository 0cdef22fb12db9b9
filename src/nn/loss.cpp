// Loss modules: thin wrappers over nn::functional that keep their options and weight buffers.
#include "torchlite/nn/loss.h"

namespace torchlite::nn {

CrossEntropyLossImpl::CrossEntropyLossImpl(functional::CrossEntropyOptions opts)
    : options(std::move(opts)) {
  if (options.weight.defined()) options.weight = register_buffer("weight", options.weight);
}

Tensor CrossEntropyLossImpl::forward(const Tensor& input, const Tensor& target) {
  return functional::cross_entropy(input, target, options);
}

NLLLossImpl::NLLLossImpl(functional::NllLossOptions opts) : options(std::move(opts)) {
  if (options.weight.defined()) options.weight = register_buffer("weight", options.weight);
}

Tensor NLLLossImpl::forward(const Tensor& input, const Tensor& target) {
  return functional::nll_loss(input, target, options);
}

Tensor MSELossImpl::forward(const Tensor& input, const Tensor& target) {
  return functional::mse_loss(input, target, reduction);
}

Tensor L1LossImpl::forward(const Tensor& input, const Tensor& target) {
  return functional::l1_loss(input, target, reduction);
}

BCEWithLogitsLossImpl::BCEWithLogitsLossImpl(functional::BceWithLogitsOptions opts)
    : options(std::move(opts)) {
  if (options.weight.defined()) options.weight = register_buffer("weight", options.weight);
  if (options.pos_weight.defined())
    options.pos_weight = register_buffer("pos_weight", options.pos_weight);
}

Tensor BCEWithLogitsLossImpl::forward(const Tensor& input, const Tensor& target) {
  return functional::binary_cross_entropy_with_logits(input, target, options);
}

}  // namespace torchlite::nn
