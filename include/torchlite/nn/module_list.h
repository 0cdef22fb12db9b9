// nn::ModuleList: modules held in a list, registered as "0", "1", ...
// Mirrors https://pytorch.org/docs/stable/generated/torch.nn.ModuleList.html
#pragma once

#include <initializer_list>
#include <memory>
#include <vector>

#include "torchlite/nn/module.h"

namespace torchlite::nn {

/// A list of submodules; it has no forward of its own (the owner calls its elements).
class ModuleListImpl : public Module {
 public:
  ModuleListImpl() = default;
  /// ModuleList(Linear(2, 3), ReLU()): the new modules get PyTorch's initial values whatever
  /// order C++ built them in (see init_in_argument_order).
  template <class... Ms>
    requires(sizeof...(Ms) > 0 && (std::is_convertible_v<Ms, std::shared_ptr<Module>> && ...))
  explicit ModuleListImpl(Ms&&... modules)
      : ModuleListImpl(
            std::vector<ModuleArg>{ModuleArg::forwarded(std::forward<Ms>(modules))...}) {}
  /// ModuleList{Linear(2, 3), ReLU()}: braces build the modules left to right.
  explicit ModuleListImpl(std::initializer_list<ModuleArg> modules)
      : ModuleListImpl(std::vector<ModuleArg>(modules)) {}
  /// From modules built beforehand, e.g. in a loop (Python's list comprehension).
  template <class M>
  explicit ModuleListImpl(const std::vector<M>& modules) {
    for (const auto& m : modules) append(m);
  }

  /// Appends a module under the next index.
  void append(std::shared_ptr<Module> module);
  /// Appends every module of `other`.
  void extend(const ModuleListImpl& other);
  /// Inserts before `index` (negative counts from the end), renumbering the rest.
  void insert(int64_t index, std::shared_ptr<Module> module);
  /// Removes and returns the module at `index`, renumbering the rest.
  std::shared_ptr<Module> pop(int64_t index = -1);
  std::string name() const override { return "ModuleList"; }
  size_t size() const { return named_children().size(); }
  bool empty() const { return named_children().empty(); }
  /// The i-th module (negative counts from the end).
  const std::shared_ptr<Module>& operator[](int64_t index) const;

  /// Iterates the modules in order.
  class Iterator {
   public:
    using value_type = std::shared_ptr<Module>;
    using difference_type = std::ptrdiff_t;
    Iterator() = default;
    explicit Iterator(NamedModules::const_iterator it) : it_(it) {}
    const std::shared_ptr<Module>& operator*() const { return it_->second; }
    Iterator& operator++() {
      ++it_;
      return *this;
    }
    Iterator operator++(int) {
      Iterator old = *this;
      ++it_;
      return old;
    }
    bool operator==(const Iterator& other) const { return it_ == other.it_; }

   private:
    NamedModules::const_iterator it_;
  };
  Iterator begin() const { return Iterator(named_children().begin()); }
  Iterator end() const { return Iterator(named_children().end()); }

 private:
  explicit ModuleListImpl(const std::vector<ModuleArg>& modules);
  size_t checked_index(int64_t index, int64_t size) const;
};
using ModuleList = ModuleHolder<ModuleListImpl>;

}  // namespace torchlite::nn
