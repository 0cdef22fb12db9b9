// Recording a differentiable op: the backward is a lambda written right beside the forward.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "torchlite/autograd/node.h"

namespace torchlite::autograd {

/// True when grad mode is on and any of `inputs` requires grad.
bool any_requires_grad(std::initializer_list<const Tensor*> inputs);
bool any_requires_grad(const std::vector<Tensor>& inputs);

/// The edge a gradient for `t` should flow into (its grad_fn, or its leaf accumulator).
Edge gradient_edge(const Tensor& t);

/// A node whose backward is `fn(grad_output) -> one grad per input` (undefined = no grad).
template <class F>
class LambdaNode final : public Node {
 public:
  LambdaNode(const char* name, F fn) : name_(name), fn_(std::move(fn)) {}
  std::string name() const override { return name_; }
  std::vector<Tensor> apply(std::vector<Tensor>&& grad_outputs) override {
    return (*fn_)(grad_outputs[0]);
  }
  void release() override { fn_.reset(); }

 private:
  const char* name_;
  std::optional<F> fn_;
};

/// Makes `output` the result of a recorded op named `name` (e.g. "MulBackward0") over `inputs`,
/// when any input requires grad. `fn(grad)` returns the gradient of each input, in order.
/// Capture inputs as SavedTensor to get PyTorch's in-place-modification check.
template <class F>
Tensor record(Tensor output, const char* name, const std::vector<Tensor>& inputs, F&& fn) {
  if (!any_requires_grad(inputs)) return output;
  auto node = std::make_shared<LambdaNode<std::decay_t<F>>>(name, std::forward<F>(fn));
  node->next_edges.reserve(inputs.size());
  for (const auto& in : inputs) node->next_edges.push_back(gradient_edge(in));
  TensorImpl* impl = output.impl();
  impl->grad_fn = std::move(node);
  impl->requires_grad = true;
  impl->output_nr = 0;
  return output;
}

/// Sums `grad` down to `shape` (undoing broadcasting), for the backward of broadcasting ops.
Tensor sum_to(const Tensor& grad, const Sizes& shape);

}  // namespace torchlite::autograd
