// nn::Module: ordered parameters, buffers and submodules, state_dict, apply, train/eval.
// Mirrors https://pytorch.org/docs/stable/generated/torch.nn.Module.html
#pragma once

#include <concepts>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "torchlite/generator.h"
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
/// A handle (ModuleHolder or a layer's handle class deriving from it) stands for its module.
template <class T>
  requires requires { typename T::element_type; } &&
           std::derived_from<T, ModuleHolder<typename T::element_type>>
struct ContainedModule<T> { using type = typename T::element_type; };
template <class T>
struct IsSharedPtr : std::false_type {};
template <class T>
struct IsSharedPtr<std::shared_ptr<T>> : std::true_type {};
}  // namespace detail

/// A module given to a container's constructor, and whether that call built it. A handle taken
/// by value tells how it came: built in place (a temporary such as nn::Linear(2, 2)) is new, a
/// copy of an lvalue is an existing module, a moved one (std::move, a returned local that was not
/// elided) is unknown. A std::shared_ptr is new when it is an rvalue owned by nobody else.
class ModuleArg {
 public:
  enum class Origin : uint8_t { kNew, kExisting, kUnknown };

  /// From a handle, taken by value: an element of nn::Sequential{...}. A layer's own handle
  /// class (deriving from ModuleHolder, as nn::Conv2d) is taken whole, so its origin is kept.
  template <class H>
    requires std::derived_from<H, ModuleHolder<typename H::element_type>>
  ModuleArg(H module);  // NOLINT
  /// From a std::shared_ptr to a module (e.g. std::make_shared<MyNet>()).
  template <class P>
    requires(detail::IsSharedPtr<std::remove_cvref_t<P>>::value &&
             std::is_convertible_v<P, std::shared_ptr<Module>>)
  ModuleArg(P&& module)  // NOLINT
      : module_(std::forward<P>(module)),
        origin_(std::is_lvalue_reference_v<P> || module_.use_count() > 1 ? Origin::kExisting
                                                                          : Origin::kNew) {}
  /// An argument as a variadic container constructor forwards it (reached through ModuleHolder,
  /// which took handles by value; a constructor called directly sees std::move(h) as new).
  template <class A>
  static ModuleArg forwarded(A&& module);

  /// The module.
  const std::shared_ptr<Module>& module() const { return module_; }
  /// New (built by the call), existing (kept as it is) or unknown.
  Origin origin() const { return origin_; }

 private:
  ModuleArg(std::shared_ptr<Module> module, Origin origin)
      : module_(std::move(module)), origin_(origin) {}
  template <class M>
  static ModuleArg from_handle(const ModuleHolder<M>& module, bool lvalue);
  std::shared_ptr<Module> module_;
  Origin origin_;
};

/// A (name, module) element of a container built from named modules, as PyTorch's
/// `Sequential(OrderedDict(...))` or `ModuleDict({...})`: `{"conv1", nn::Conv2d(1, 6, 5)}`.
struct NamedModuleArg {
  /// A handle taken by value, so that the module's origin is known (see ModuleArg).
  template <class H>
    requires std::derived_from<H, ModuleHolder<typename H::element_type>>
  NamedModuleArg(std::string name, H module);
  /// A std::shared_ptr to a module.
  template <class P>
    requires(detail::IsSharedPtr<std::remove_cvref_t<P>>::value &&
             std::is_convertible_v<P, std::shared_ptr<Module>>)
  NamedModuleArg(std::string name, P&& module)
      : name(std::move(name)), module(ModuleArg::forwarded(std::forward<P>(module))) {}

  std::string name;
  ModuleArg module;
};

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
  /// Redraws the parameters with the module's default initialisation, as its constructor drew
  /// them. The default resets each child in registration order; a module that draws in its own
  /// constructor overrides it (Linear does).
  virtual void reset_parameters();

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
  /// Removes the submodule registered under `name` (Python's `del self.name`); returns it, or
  /// nullptr when there is none.
  std::shared_ptr<Module> unregister_module(const std::string& name);
  /// For constructors that take several modules, after registering them; build `args` with
  /// ModuleArg::forwarded from forwarding-reference parameters (as Sequential does). C++
  /// evaluates function arguments in an unspecified order (GCC: the last first), PyTorch left to
  /// right; when the new modules among `args` drew their initial values in another order than
  /// written, this rewinds the default generator and redraws them in argument order, so that
  /// their values and the generator's state afterwards are PyTorch's. Throws torchlite::Error
  /// (changing nothing) when that cannot be reproduced: a module whose reset_parameters() does
  /// not redraw what its constructor drew, or one that was moved in and may be older than the
  /// call.
  void init_in_argument_order(const std::vector<ModuleArg>& args);

 private:
  /// Where the default generator stood when construction began (this base constructor runs before
  /// any draw of the derived class) and a construction count that orders modules.
  struct InitMark {
    uint64_t sequence = 0;
    Generator::Position position;
    bool unsure = false;  // contains a drawing module that was moved in
  };
  static InitMark init_mark_now();

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
  InitMark init_mark_ = init_mark_now();
};

/// A shared handle to a built-in module: nn::Linear(2, 2) makes one, `net->weight` reads through
/// it, copies share the module (like Python references).
template <class M>
class ModuleHolder {
 public:
  using element_type = M;
  /// Builds the module in place. Arguments are taken by value, so that a handle argument tells a
  /// container whether it was built for this call (see ModuleArg).
  template <class... Args>
    requires(std::constructible_from<M, Args...> &&
             !(sizeof...(Args) == 1 && (std::is_base_of_v<ModuleHolder, Args> && ...)))
  ModuleHolder(Args... args)  // NOLINT: nn::Flatten() / nn::Linear(2, 2) build in place
      : ptr_(std::make_shared<M>(std::move(args)...)) {}
  /// nn::Sequential{a, b}: a container from a braced list, built left to right. A single handle of
  /// this type that was copied or moved in is copied or moved, as any handle (nn::Sequential{s}).
  ModuleHolder(std::initializer_list<ModuleArg> modules)  // NOLINT
    requires std::constructible_from<M, std::initializer_list<ModuleArg>>
  {
    if (modules.size() == 1 && modules.begin()->origin() != ModuleArg::Origin::kNew) {
      if (auto same = std::dynamic_pointer_cast<M>(modules.begin()->module())) {
        ptr_ = std::move(same);
        origin_ = modules.begin()->origin() == ModuleArg::Origin::kExisting ? Origin::kCopied
                                                                            : Origin::kMoved;
        return;
      }
    }
    ptr_ = std::make_shared<M>(modules);
  }
  /// nn::Sequential({{"conv", nn::Conv2d(1, 6, 5)}, {"act", nn::ReLU()}}): a container from named
  /// modules, built left to right.
  ModuleHolder(std::initializer_list<NamedModuleArg> modules)  // NOLINT
    requires std::constructible_from<M, std::initializer_list<NamedModuleArg>>
      : ptr_(std::make_shared<M>(modules)) {}

  /// Positional arguments, then the module's options struct by designated initializers:
  /// nn::BatchNorm2d(64, {.momentum = std::nullopt}) (for modules that declare `Options`).
  template <class A, class MM = M>
    requires std::constructible_from<MM, A, typename MM::Options>
  ModuleHolder(A a, typename MM::Options options)
      : ptr_(std::make_shared<M>(std::move(a), std::move(options))) {}
  template <class A, class B, class MM = M>
    requires std::constructible_from<MM, A, B, typename MM::Options>
  ModuleHolder(A a, B b, typename MM::Options options)
      : ptr_(std::make_shared<M>(std::move(a), std::move(b), std::move(options))) {}
  template <class A, class B, class C, class MM = M>
    requires std::constructible_from<MM, A, B, C, typename MM::Options>
  ModuleHolder(A a, B b, C c, typename MM::Options options)
      : ptr_(std::make_shared<M>(std::move(a), std::move(b), std::move(c), std::move(options))) {}
  /// A list of sizes as the first argument: nn::LayerNorm({3, 4}, {.eps = 1e-6}).
  template <class MM = M>
    requires std::constructible_from<MM, std::vector<int64_t>, typename MM::Options>
  ModuleHolder(std::initializer_list<int64_t> sizes, typename MM::Options options = {})  // NOLINT
      : ptr_(std::make_shared<M>(std::vector<int64_t>(sizes), std::move(options))) {}
  /// A list of sizes as the second argument: nn::Unflatten(1, {16, 5, 5}).
  template <class A, class MM = M>
    requires std::constructible_from<MM, A, std::vector<int64_t>>
  ModuleHolder(A a, std::initializer_list<int64_t> sizes)
      : ptr_(std::make_shared<M>(std::move(a), std::vector<int64_t>(sizes))) {}
  /// Wraps a module; a pointer owned by nobody else counts as new (see ModuleArg).
  ModuleHolder(std::shared_ptr<M> ptr)  // NOLINT
      : ptr_(std::move(ptr)), origin_(ptr_.use_count() == 1 ? Origin::kNew : Origin::kCopied) {}
  ModuleHolder(const ModuleHolder& other) : ptr_(other.ptr_), origin_(Origin::kCopied) {}
  ModuleHolder(ModuleHolder&& other) noexcept
      : ptr_(std::move(other.ptr_)), origin_(Origin::kMoved) {}
  ModuleHolder& operator=(const ModuleHolder& other) {
    ptr_ = other.ptr_;
    origin_ = Origin::kCopied;
    return *this;
  }
  ModuleHolder& operator=(ModuleHolder&& other) noexcept {
    ptr_ = std::move(other.ptr_);
    origin_ = Origin::kMoved;
    return *this;
  }
  ~ModuleHolder() = default;

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
  friend class ModuleArg;
  /// How this handle object came to be: it built the module, or was copied or moved from another.
  enum class Origin : uint8_t { kNew, kCopied, kMoved };
  static ModuleArg::Origin arg_origin(Origin origin) {
    return origin == Origin::kNew      ? ModuleArg::Origin::kNew
           : origin == Origin::kCopied ? ModuleArg::Origin::kExisting
                                       : ModuleArg::Origin::kUnknown;
  }

  std::shared_ptr<M> ptr_;
  Origin origin_ = Origin::kNew;
};

template <class H>
  requires std::derived_from<H, ModuleHolder<typename H::element_type>>
ModuleArg::ModuleArg(H module)
    : module_(std::move(static_cast<ModuleHolder<typename H::element_type>&>(module).ptr_)),
      origin_(ModuleHolder<typename H::element_type>::arg_origin(
          static_cast<ModuleHolder<typename H::element_type>&>(module).origin_)) {}

template <class A>
ModuleArg ModuleArg::forwarded(A&& module) {
  if constexpr (detail::IsSharedPtr<std::remove_cvref_t<A>>::value) {
    return ModuleArg(std::forward<A>(module));
  } else {
    // A handle: an lvalue is an existing module; an rvalue is the by-value copy ModuleHolder made.
    return from_handle(module, std::is_lvalue_reference_v<A>);
  }
}

template <class M>
ModuleArg ModuleArg::from_handle(const ModuleHolder<M>& module, bool lvalue) {
  return ModuleArg(module.ptr_,
                   lvalue ? Origin::kExisting : ModuleHolder<M>::arg_origin(module.origin_));
}

template <class H>
  requires std::derived_from<H, ModuleHolder<typename H::element_type>>
NamedModuleArg::NamedModuleArg(std::string name, H module)
    : name(std::move(name)), module(ModuleArg::forwarded(std::move(module))) {}

/// PyTorch's module tree text: `Sequential(\n  (0): Linear(...)\n)`.
std::string repr(const Module& module);
std::ostream& operator<<(std::ostream& os, const Module& module);
template <class M>
std::ostream& operator<<(std::ostream& os, const ModuleHolder<M>& module) {
  return os << *module;
}
std::ostream& operator<<(std::ostream& os, const std::shared_ptr<Module>& module);

}  // namespace torchlite::nn
