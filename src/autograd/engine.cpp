// The backward engine: leaf accumulation, saved-tensor version checks, and a dependency-ordered
// walk of the graph from the root.
#include <array>

#include "core/tensor_util.h"
#include "torchlite/autograd/function.h"
#include "torchlite/autograd/node.h"

namespace torchlite::autograd {

namespace {

thread_local const Node* running_node = nullptr;

/// Adds incoming gradients into a leaf's .grad. The leaf owns its accumulator (so that every
/// graph reuses it) and the accumulator only watches the leaf: no cycle, and a leaf nobody can
/// see any more receives nothing.
class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(const std::shared_ptr<TensorImpl>& leaf) : leaf_(leaf) {}
  std::string name() const override { return "AccumulateGrad"; }
  void apply(Tensor&& g) override {
    if (!g.defined()) return;
    std::shared_ptr<TensorImpl> impl = leaf_.lock();
    if (!impl) return;
    if (g.sizes() != impl->sizes) g = sum_to(g, impl->sizes);
    if (g.dtype() != impl->dtype) g = g.to(impl->dtype);
    if (!impl->grad) {
      // Steal the buffer when nothing else can see it; otherwise keep a private copy.
      bool owned = g.impl_ptr().use_count() == 1 && g.impl()->storage.use_count() == 1 &&
                   g.is_contiguous() && g.storage_offset() == 0;
      impl->grad = owned ? g.impl_ptr() : g.clone().impl_ptr();
      impl->grad->grad_fn.reset();
      impl->grad->requires_grad = false;
    } else {
      Tensor(impl->grad).add_(g);
    }
    if (!hooks_.empty()) {
      const Tensor leaf(impl);
      for (size_t i = 0; i < hooks_.size(); ++i) hooks_[i].second(leaf);
    }
  }
  size_t add_hook(std::function<void(const Tensor&)> hook) {
    hooks_.emplace_back(++last_id_, std::move(hook));
    return last_id_;
  }
  void remove_hook(size_t id) {
    std::erase_if(hooks_, [id](const auto& h) { return h.first == id; });
  }

 private:
  std::weak_ptr<TensorImpl> leaf_;
  // Post-accumulate-grad hooks with their ids; empty (no cost) unless someone registers one.
  std::vector<std::pair<size_t, std::function<void(const Tensor&)>>> hooks_;
  size_t last_id_ = 0;
};

class NamedNode final : public Node {
 public:
  explicit NamedNode(std::string name) : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  void apply(Tensor&&) override {
    throw Error("backward through " + name_ + " is not supported (a named placeholder node)");
  }

 private:
  std::string name_;
};

}  // namespace

std::shared_ptr<Node> make_named_node(std::string name) {
  return std::make_shared<NamedNode>(std::move(name));
}

SavedTensor::SavedTensor(const Tensor& t, bool is_output)
    // An op's own output is kept without its grad_fn: the node saving it would otherwise own
    // itself through it, and a graph never run backward would never be freed.
    : tensor_(is_output && t.defined() ? t.detach() : t),
      version_(t.defined() ? t.version() : 0),
      saved_(true),
      is_output_(is_output) {}

Tensor SavedTensor::unpack() const {
  if (!saved_ || !tensor_.defined()) return tensor_;
  if (tensor_.version() != version_) {
    std::string what = detail::legacy_type_name(tensor_.dtype()) + " " +
                       detail::shape_str(tensor_.sizes());
    const Node* producer = is_output_ ? running_node : tensor_.grad_fn().get();
    std::string origin = producer ? ", which is output 0 of " + producer->name() + "," : "";
    throw Error(detail::str_cat(
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [", what, "]", origin, " is at version ", tensor_.version(),
        "; expected version ", version_, " instead.",
        running_node ? " (while computing " + running_node->name() + ")" : std::string()));
  }
  return tensor_;
}

bool any_requires_grad(std::initializer_list<TensorRef> inputs) {
  if (!is_grad_enabled()) return false;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

bool any_requires_grad(const std::vector<Tensor>& inputs) {
  if (!is_grad_enabled()) return false;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

Edge gradient_edge(const Tensor& t) {
  if (!t.defined() || !t.requires_grad()) return {};
  if (t.grad_fn()) return {t.grad_fn(), t.impl()->output_nr};
  TensorImpl* impl = t.impl();
  if (!impl->grad_accumulator)
    impl->grad_accumulator = std::make_shared<AccumulateGrad>(t.impl_ptr());
  return {impl->grad_accumulator, 0};
}

void Node::pass(size_t i, Tensor&& grad) {
  if (!grad.defined()) return;
  Node* next = next_edges[i].node.get();
  if (!next) return;
  Tensor& acc = next->input_grad;
  if (!acc.defined()) {
    acc = std::move(grad);
  } else if (grad_is_reusable(acc, grad)) {
    acc.add_(grad);  // a residual junction: the sum in place, no new activation-sized buffer
  } else {
    acc = acc + grad;
  }
}

bool grad_is_reusable(const Tensor& grad, const Tensor& like) {
  return grad.defined() && like.defined() && grad.impl_ptr().use_count() == 1 &&
         grad.impl()->storage.use_count() == 1 && !grad.requires_grad() &&
         grad.dtype() == like.dtype() && grad.sizes() == like.sizes() && grad.is_contiguous();
}

Tensor sum_to(const Tensor& grad, const Sizes& shape) {
  if (grad.sizes() == shape) return grad;
  const int64_t lead = grad.dim() - static_cast<int64_t>(shape.size());
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < grad.dim(); ++d) {
    if (d < lead || (shape[d - lead] == 1 && grad.sizes()[d] != 1)) dims.push_back(d);
  }
  Tensor r = dims.empty() ? grad : grad.sum(dims, /*keepdim=*/true);
  return lead > 0 || r.sizes() != shape ? r.reshape(shape) : r;
}

namespace {

/// Scratch lists of the engine, kept per thread so that a backward pass allocates none.
struct EngineScratch {
  std::vector<Node*> stack;
  std::vector<Node*> ready;
};
thread_local EngineScratch scratch;
thread_local uint64_t epoch = 0;

void run_backward(const Tensor& root, Tensor grad, bool retain_graph) {
  NoGradGuard no_grad;
  ++epoch;
  // Taken, not borrowed: a backward started from inside a node would get fresh lists.
  std::vector<Node*> stack = std::move(scratch.stack), ready = std::move(scratch.ready);
  stack.clear();
  ready.clear();
  // The root tensor keeps the whole graph alive, so plain pointers to its nodes are safe.
  Edge root_edge = gradient_edge(root);
  Node* root_node = root_edge.node.get();
  // Count, for every node reachable from the root, how many edges lead into it.
  root_node->visit_epoch = epoch;
  root_node->dependencies = 0;
  stack.push_back(root_node);
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    TL_CHECK(!n->released,
             "Trying to backward through the graph a second time (or directly access saved "
             "tensors after they have already been freed). Saved intermediate values of the "
             "graph are freed when you call .backward() or autograd.grad(). Specify "
             "retain_graph=True if you need to backward through the graph a second time or if "
             "you need to access saved tensors after calling backward.");
    n->input_grad = Tensor();
    for (const Edge& e : n->next_edges) {
      Node* next = e.node.get();
      if (!next) continue;
      if (next->visit_epoch != epoch) {
        next->visit_epoch = epoch;
        next->dependencies = 0;
        stack.push_back(next);
      }
      ++next->dependencies;
    }
  }
  root_node->input_grad = std::move(grad);
  ready.push_back(root_node);
  while (!ready.empty()) {
    Node* node = ready.back();
    ready.pop_back();
    running_node = node;
    try {
      node->apply(std::move(node->input_grad));
    } catch (...) {
      running_node = nullptr;
      throw;
    }
    running_node = nullptr;
    node->input_grad = Tensor();
    if (!retain_graph) {
      node->release();
      node->released = !node->next_edges.empty();
    }
    for (const Edge& e : node->next_edges)
      if (e.node && --e.node->dependencies == 0) ready.push_back(e.node.get());
  }
  scratch.stack = std::move(stack);
  scratch.ready = std::move(ready);
}

}  // namespace

}  // namespace torchlite::autograd

namespace torchlite {

size_t Tensor::register_post_accumulate_grad_hook(std::function<void(const Tensor&)> hook) const {
  TL_CHECK(defined(), "register_post_accumulate_grad_hook: called on an undefined tensor");
  TL_CHECK(is_leaf(), "post accumulate grad hooks cannot be registered on non-leaf tensors");
  TL_CHECK(requires_grad(),
           "cannot register a hook on a tensor that doesn't require gradient");
  autograd::gradient_edge(*this);  // makes the accumulator
  return static_cast<autograd::AccumulateGrad&>(*impl()->grad_accumulator).add_hook(std::move(hook));
}

void Tensor::remove_post_accumulate_grad_hook(size_t id) const {
  TL_CHECK(defined(), "remove_post_accumulate_grad_hook: called on an undefined tensor");
  if (auto* acc = dynamic_cast<autograd::AccumulateGrad*>(impl()->grad_accumulator.get()))
    acc->remove_hook(id);
}

void Tensor::backward(const Tensor& gradient, bool retain_graph) const {
  TL_CHECK(defined(), "backward: called on an undefined tensor");
  TL_CHECK(requires_grad(),
           "element 0 of tensors does not require grad and does not have a grad_fn");
  Tensor g = gradient;
  if (!g.defined()) {
    TL_CHECK(numel() == 1, "grad can be implicitly created only for scalar outputs");
    g = ones_like(*this);
  } else {
    TL_CHECK(g.sizes() == sizes(), "Mismatch in shape: grad_output[0] has a shape of ",
             g.sizes(), " and output[0] has a shape of ", sizes(), ".");
    g = g.detach();
  }
  autograd::run_backward(*this, std::move(g), retain_graph);
}

}  // namespace torchlite
