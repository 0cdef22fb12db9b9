// The backward engine: leaf accumulation, saved-tensor version checks, and a dependency-ordered
// walk of the graph from the root.
#include "core/tensor_util.h"
#include "torchlite/autograd/function.h"
#include "torchlite/autograd/node.h"

namespace torchlite::autograd {

namespace {

thread_local const Node* running_node = nullptr;

/// Adds incoming gradients into a leaf's .grad.
class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(std::shared_ptr<TensorImpl> leaf) : leaf_(std::move(leaf)) {}
  std::string name() const override { return "AccumulateGrad"; }
  std::vector<Tensor> apply(std::vector<Tensor>&& grads) override {
    Tensor g = std::move(grads[0]);
    if (!g.defined()) return {};
    Tensor leaf(leaf_);
    if (g.sizes() != leaf.sizes()) g = sum_to(g, leaf.sizes());
    if (g.dtype() != leaf.dtype()) g = g.to(leaf.dtype());
    if (!leaf_->grad) {
      // Steal the buffer when nothing else can see it; otherwise keep a private copy.
      bool owned = g.impl_ptr().use_count() == 1 && g.impl()->storage.use_count() == 1 &&
                   g.is_contiguous() && g.storage_offset() == 0;
      leaf_->grad = owned ? g.impl_ptr() : g.clone().impl_ptr();
      leaf_->grad->grad_fn.reset();
      leaf_->grad->requires_grad = false;
    } else {
      Tensor(leaf_->grad).add_(g);
    }
    return {};
  }

 private:
  std::shared_ptr<TensorImpl> leaf_;
};

class NamedNode final : public Node {
 public:
  explicit NamedNode(std::string name) : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  std::vector<Tensor> apply(std::vector<Tensor>&&) override {
    throw Error("backward through " + name_ + " is not supported (a named placeholder node)");
  }

 private:
  std::string name_;
};

}  // namespace

std::shared_ptr<Node> make_named_node(std::string name) {
  return std::make_shared<NamedNode>(std::move(name));
}

SavedTensor::SavedTensor(const Tensor& t, bool /*is_output*/)
    : tensor_(t), version_(t.defined() ? t.version() : 0), saved_(true) {}

Tensor SavedTensor::unpack() const {
  if (!saved_ || !tensor_.defined()) return tensor_;
  if (tensor_.version() != version_) {
    std::string what = detail::legacy_type_name(tensor_.dtype()) + " " +
                       detail::shape_str(tensor_.sizes());
    std::string origin =
        tensor_.grad_fn() ? ", which is output 0 of " + tensor_.grad_fn()->name() + "," : "";
    throw Error(detail::str_cat(
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [", what, "]", origin, " is at version ", tensor_.version(),
        "; expected version ", version_, " instead.",
        running_node ? " (while computing " + running_node->name() + ")" : std::string()));
  }
  return tensor_;
}

bool any_requires_grad(std::initializer_list<const Tensor*> inputs) {
  if (!is_grad_enabled()) return false;
  for (const Tensor* t : inputs)
    if (t->defined() && t->requires_grad()) return true;
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
  std::shared_ptr<Node> acc = impl->grad_accumulator.lock();
  if (!acc) {
    acc = std::make_shared<AccumulateGrad>(t.impl_ptr());
    impl->grad_accumulator = acc;
  }
  return {std::move(acc), 0};
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

void run_backward(const Tensor& root, Tensor grad, bool retain_graph) {
  NoGradGuard no_grad;
  static uint64_t epoch = 0;
  ++epoch;
  Edge root_edge = gradient_edge(root);
  Node* root_node = root_edge.node.get();
  // Count, for every node reachable from the root, how many edges lead into it.
  root_node->visit_epoch = epoch;
  root_node->dependencies = 0;
  std::vector<Node*> stack{root_node};
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    TL_CHECK(!n->released,
             "Trying to backward through the graph a second time (or directly access saved "
             "tensors after they have already been freed). Saved intermediate values of the "
             "graph are freed when you call .backward() or autograd.grad(). Specify "
             "retain_graph=True if you need to backward through the graph a second time or if "
             "you need to access saved tensors after calling backward.");
    n->input_buffer.assign(n->num_outputs(), Tensor());
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
  root_node->input_buffer[root_edge.input_nr] = std::move(grad);
  std::vector<std::shared_ptr<Node>> ready{root_edge.node};
  while (!ready.empty()) {
    std::shared_ptr<Node> node = std::move(ready.back());
    ready.pop_back();
    std::vector<Tensor> in = std::move(node->input_buffer);
    node->input_buffer.clear();
    running_node = node.get();
    std::vector<Tensor> out;
    try {
      out = node->apply(std::move(in));
    } catch (...) {
      running_node = nullptr;
      throw;
    }
    running_node = nullptr;
    if (!retain_graph) {
      node->release();
      node->released = !node->next_edges.empty();
    }
    for (size_t i = 0; i < node->next_edges.size(); ++i) {
      const Edge& e = node->next_edges[i];
      if (!e.node) continue;
      if (i < out.size() && out[i].defined()) {
        Tensor& acc = e.node->input_buffer[e.input_nr];
        acc = acc.defined() ? acc + out[i] : std::move(out[i]);
      }
      if (--e.node->dependencies == 0) ready.push_back(e.node);
    }
  }
}

}  // namespace

}  // namespace torchlite::autograd

namespace torchlite {

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
