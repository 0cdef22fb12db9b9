// Recording a differentiable op: the backward is a lambda written right beside the forward.
#pragma once

#include <initializer_list>
#include <optional>
#include <utility>
#include <vector>

#include "torchlite/autograd/node.h"
#include "torchlite/pool_allocator.h"

namespace torchlite::autograd {

/// An op's input as record() sees it: a reference, so that listing inputs copies no handle.
struct TensorRef {
  TensorRef(const Tensor& t) : tensor(t) {}  // NOLINT
  operator const Tensor&() const { return tensor; }  // NOLINT
  const Tensor& tensor;
};

/// True when grad mode is on and any of `inputs` requires grad.
bool any_requires_grad(std::initializer_list<TensorRef> inputs);
bool any_requires_grad(const std::vector<Tensor>& inputs);

/// The edge a gradient for `t` should flow into (its grad_fn, or its leaf accumulator).
Edge gradient_edge(const Tensor& t);

/// A node whose backward is `fn(grad_output) -> one grad per input` (undefined = no grad); `fn`
/// may return a std::vector or, allocation-free, a std::array of tensors.
template <class F>
class LambdaNode final : public Node {
 public:
  LambdaNode(const char* name, F fn) : name_(name), fn_(std::move(fn)) {}
  std::string name() const override { return name_; }
  void apply(Tensor&& grad_output) override {
    auto grads = (*fn_)(grad_output);
    for (size_t i = 0; i < grads.size() && i < next_edges.size(); ++i) pass(i, std::move(grads[i]));
  }
  void release() override { fn_.reset(); }

 private:
  const char* name_;
  std::optional<F> fn_;
};

/// record()'s second half: makes the node and its edges unconditionally.
template <class F, class Inputs>
Tensor attach_node(Tensor output, const char* name, const Inputs& inputs, F&& fn) {
  using NodeType = LambdaNode<std::decay_t<F>>;
  auto node = std::allocate_shared<NodeType>(torchlite::detail::PoolAllocator<NodeType>(), name,
                                             std::forward<F>(fn));
  for (const Tensor& in : inputs) node->next_edges.push_back(gradient_edge(in));
  TensorImpl* impl = output.impl();
  impl->grad_fn = std::move(node);
  impl->requires_grad = true;
  impl->output_nr = 0;
  return output;
}

/// Makes `output` the result of a recorded op named `name` (e.g. "MulBackward0") over `inputs`,
/// when any input requires grad. `fn(grad)` returns the gradient of each input, in order.
/// Capture inputs as SavedTensor to get PyTorch's in-place-modification check.
template <class F>
Tensor record(Tensor output, const char* name,
              std::initializer_list<TensorRef> inputs, F&& fn) {
  if (!any_requires_grad(inputs)) return output;
  return attach_node(std::move(output), name, inputs, std::forward<F>(fn));
}

template <class F>
Tensor record(Tensor output, const char* name, const std::vector<Tensor>& inputs, F&& fn) {
  if (!any_requires_grad(inputs)) return output;
  return attach_node(std::move(output), name, inputs, std::forward<F>(fn));
}

/// Whether a backward may write its input gradient into `grad`, the output gradient it was
/// given: the only handle to its storage, contiguous, of `like`'s shape and dtype, outside the
/// graph. The engine hands each node a gradient nothing else holds unless a hook kept it, so
/// elementwise backwards (ReLU, BatchNorm) then need no new activation-sized buffer.
bool grad_is_reusable(const Tensor& grad, const Tensor& like);

/// Sums `grad` down to `shape` (undoing broadcasting), for the backward of broadcasting ops.
Tensor sum_to(const Tensor& grad, const Sizes& shape);

}  // namespace torchlite::autograd
