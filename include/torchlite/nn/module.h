// nn::Module: ordered parameters, buffers and submodules, state_dict, apply, train/eval.
// Mirrors https://pytorch.org/docs/stable/generated/torch.nn.Module.html
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "torchlite/nn/named.h"
#include "torchlite/nn/state_dict.h"
#include "torchlite/tensor.h"

namespace torchlite::nn {

class Module;
template <class M>
class ModuleHolder;

namespace detail {
template <class T>
struct ContainedModule { using type = T; };
template <class M>
struct ContainedModule<ModuleHolder<M>> { using type = M; };
}  // namespace detail

/// Keys that load_state_dict did not find / did not expect (PyTorch's _IncompatibleKeys).
struct IncompatibleKeys {
  std::vector<std::string> missing_keys;
  std::vector<std::string> unexpected_keys;
};

using NamedModules = std::vector<std::pair<std::string, std::shared_ptr<Module>>>;

/// Base of every layer. User modules derive from it and are held by std::shared_ptr;
/// the registration name is the state-dict key, as in PyTorch.
class Module : public std::enable_shared_from_this<Module> {
 public:
  Module() = default;
  /// `name` is the class name printed by repr; empty means the C++ class name.
  explicit Module(std::string name) : name_(std::move(name)) {}
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  /// The computation; modules with other signatures (losses) define their own forward.
  virtual Tensor forward(const Tensor& input);
  /// The text inside the parentheses of repr, e.g. "in_features=2, out_features=2, bias=True".
  virtual std::string extra_repr() const { return {}; }
  /// The class name shown by repr.
  virtual std::string name() const;

  /// Registers (or replaces) a parameter; returns the handle to keep as a member. Without
  /// `requires_grad`, an nn::Parameter keeps its own flag and any other tensor gets true.
  Tensor& register_parameter(const std::string& name, Tensor tensor,
                             std::optional<bool> requires_grad = std::nullopt);
  /// Registers a buffer; non-persistent buffers stay out of state_dict.
  Tensor& register_buffer(const std::string& name, Tensor tensor, bool persistent = true);
  /// Registers a submodule under `name` (its prefix in state-dict keys).
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, const ModuleHolder<M>& module) {
    return register_module(name, module.ptr());
  }

  /// (name, parameter) pairs in registration order, children after own, dotted names.
  NamedTensors named_parameters(bool recurse = true) const;
  std::vector<Tensor> parameters(bool recurse = true) const;
  NamedTensors named_buffers(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  const NamedModules& named_children() const { return children_; }
  std::vector<std::shared_ptr<Module>> children() const;
  /// Pre-order list including this module under "" (the module must be held by a shared_ptr).
  NamedModules named_modules(const std::string& prefix = "");
  /// Detached parameters and persistent buffers, sharing storage, PyTorch's key order.
  StateDict state_dict() const;
  /// Copies values in; throws on a shape mismatch; with strict, throws on missing/unexpected keys.
  IncompatibleKeys load_state_dict(const StateDict& state_dict, bool strict = true);

  /// Calls fn on every submodule (children first), then on this module.
  Module& apply(const std::function<void(Module&)>& fn);
  Module& train(bool on = true);
  Module& eval() { return train(false); }
  bool is_training() const { return training_; }
  /// Clears every parameter's grad (set_to_none, as PyTorch 2.x's default).
  void zero_grad(bool set_to_none = true);
  Module& requires_grad_(bool requires_grad = true);
  /// Converts floating-point parameters and buffers in place (parameters keep their identity).
  Module& to(Dtype dtype);

  /// This module as T (a module class or its handle type), or nullptr.
  template <class T>
  typename detail::ContainedModule<T>::type* as() {
    return dynamic_cast<typename detail::ContainedModule<T>::type*>(this);
  }
  template <class T>
  const typename detail::ContainedModule<T>::type* as() const {
    return dynamic_cast<const typename detail::ContainedModule<T>::type*>(this);
  }

 protected:
  void add_child(const std::string& name, std::shared_ptr<Module> module);

 private:
  struct Buffer {
    std::string name;
    Tensor tensor;
    bool persistent = true;
  };
  void collect_state(const std::string& prefix, StateDict& out) const;
  void collect(const std::string& prefix, bool recurse, bool buffers, NamedTensors& out) const;

  std::string name_;
  std::vector<std::pair<std::string, Tensor>> parameters_;
  std::vector<Buffer> buffers_;
  NamedModules children_;
  bool training_ = true;
};

/// A shared handle to a built-in module: nn::Linear(2, 2) makes one, `net->weight` reads through
/// it, copies share the module (like Python references).
template <class M>
class ModuleHolder {
 public:
  using element_type = M;
  template <class... Args>
    requires(std::constructible_from<M, Args...> &&
             !(sizeof...(Args) == 1 && (std::is_base_of_v<ModuleHolder, std::remove_cvref_t<Args>> && ...)))
  ModuleHolder(Args&&... args)  // NOLINT: nn::Flatten() / nn::Linear(2, 2) build in place
      : ptr_(std::make_shared<M>(std::forward<Args>(args)...)) {}
  ModuleHolder(std::shared_ptr<M> ptr) : ptr_(std::move(ptr)) {}  // NOLINT

  M* operator->() const { return ptr_.get(); }
  M& operator*() const { return *ptr_; }
  M* get() const { return ptr_.get(); }
  const std::shared_ptr<M>& ptr() const { return ptr_; }
  operator std::shared_ptr<Module>() const { return ptr_; }  // NOLINT
  /// Indexes the module (Sequential's seq[i]).
  template <class Arg>
  decltype(auto) operator[](Arg&& arg) const {
    return (*ptr_)[std::forward<Arg>(arg)];
  }
  /// Calls forward, like calling a module in Python.
  template <class... Args>
  decltype(auto) operator()(Args&&... args) const {
    return ptr_->forward(std::forward<Args>(args)...);
  }

 private:
  std::shared_ptr<M> ptr_;
};

/// PyTorch's module tree text: `Sequential(\n  (0): Linear(...)\n)`.
std::string repr(const Module& module);
std::ostream& operator<<(std::ostream& os, const Module& module);
template <class M>
std::ostream& operator<<(std::ostream& os, const ModuleHolder<M>& module) {
  return os << *module;
}
std::ostream& operator<<(std::ostream& os, const std::shared_ptr<Module>& module);

}  // namespace torchlite::nn
