// autograd::Node: one recorded operation of the graph; its apply() maps the output's gradient to
// gradients of its inputs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "torchlite/tensor.h"

namespace torchlite::autograd {

class Node;

/// Where a gradient flows: input `input_nr` of `node`.
struct Edge {
  std::shared_ptr<Node> node;
  uint32_t input_nr = 0;
};

/// A node's edges: up to three inline (every op but cat and stack), so that recording an op
/// costs one allocation, the node's.
class EdgeList {
 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Edge* begin() { return data(); }
  Edge* end() { return data() + size_; }
  const Edge* begin() const { return data(); }
  const Edge* end() const { return data() + size_; }
  Edge& operator[](size_t i) { return data()[i]; }
  const Edge& operator[](size_t i) const { return data()[i]; }
  void push_back(Edge e) {
    if (heap_.empty() && size_ < kInline) {
      inline_[size_++] = std::move(e);
      return;
    }
    if (heap_.empty())  // the fourth edge: move the three inline ones to the heap first
      for (size_t i = 0; i < size_; ++i) heap_.push_back(std::move(inline_[i]));
    heap_.push_back(std::move(e));
    ++size_;
  }

 private:
  static constexpr size_t kInline = 3;
  Edge* data() { return heap_.empty() ? inline_ : heap_.data(); }
  const Edge* data() const { return heap_.empty() ? inline_ : heap_.data(); }

  Edge inline_[kInline];
  std::vector<Edge> heap_;
  size_t size_ = 0;
};

/// A tensor saved for backward, with the version it had, so that later in-place changes are caught.
class SavedTensor {
 public:
  SavedTensor() = default;
  /// `is_output`: `t` is the output of the op that saves it (kept without its grad_fn).
  SavedTensor(const Tensor& t, bool is_output = false);  // NOLINT
  /// The saved tensor; throws PyTorch's in-place modification error if it changed since
  /// (naming the node the engine is running).
  Tensor unpack() const;
  void reset() { tensor_ = Tensor(); }

 private:
  Tensor tensor_;
  uint32_t version_ = 0;
  bool saved_ = false;
  bool is_output_ = false;
};

/// Base of every backward function (MulBackward0, AddmmBackward0, ...). Every op torchlite
/// records has one differentiable output, so a node receives one gradient.
class Node {
 public:
  virtual ~Node() = default;
  /// PyTorch's class name, printed as grad_fn=<...>.
  virtual std::string name() const = 0;
  /// Given the gradient w.r.t. the output (undefined = zero), hands each input its gradient
  /// through pass().
  virtual void apply(Tensor&& grad_output) = 0;
  /// Frees saved tensors once backward has used them (unless retain_graph).
  virtual void release() {}

  EdgeList next_edges;
  bool released = false;

  // Bookkeeping of the engine during one backward pass (no hash maps on the hot path).
  uint64_t visit_epoch = 0;
  int dependencies = 0;
  /// The gradient w.r.t. this node's output, summed over the uses of the output.
  Tensor input_grad;

 protected:
  /// Adds `grad` (if defined) to the pending gradient of next_edges[i]'s node.
  void pass(size_t i, Tensor&& grad);
};

/// A node with a fixed name whose backward is never called: lets tests and loaders reproduce a
/// tensor's printed grad_fn (e.g. from a PyTorch fixture).
std::shared_ptr<Node> make_named_node(std::string name);

}  // namespace torchlite::autograd
