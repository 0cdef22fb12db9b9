// nn::ModuleDict: modules held under string keys, in insertion order.
// Mirrors https://pytorch.org/docs/stable/generated/torch.nn.ModuleDict.html
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "torchlite/nn/module.h"

namespace torchlite::nn {

/// A dictionary of submodules; the key is the registration name (the state-dict prefix). It has
/// no forward of its own.
class ModuleDictImpl : public Module {
 public:
  ModuleDictImpl() = default;
  /// ModuleDict({{"conv", Conv2d(1, 6, 5)}, {"act", ReLU()}}): built left to right.
  explicit ModuleDictImpl(std::initializer_list<NamedModuleArg> modules);
  /// From (key, module) pairs built beforehand.
  explicit ModuleDictImpl(const NamedModules& modules) { update(modules); }

  /// The module under `key`; throws when there is none.
  const std::shared_ptr<Module>& operator[](const std::string& key) const;
  /// Adds `module` under `key`, or replaces the one there (keeping its place), as md[key] = m.
  void insert(const std::string& key, std::shared_ptr<Module> module);
  /// insert() of each pair in order.
  void update(const NamedModules& modules);
  /// Removes and returns the module under `key`; throws when there is none.
  std::shared_ptr<Module> pop(const std::string& key);
  /// Removes every module.
  void clear();
  bool contains(const std::string& key) const;
  std::vector<std::string> keys() const;
  std::vector<std::shared_ptr<Module>> values() const { return children(); }
  /// (key, module) pairs in insertion order.
  const NamedModules& items() const { return named_children(); }
  size_t size() const { return named_children().size(); }
  bool empty() const { return named_children().empty(); }
  NamedModules::const_iterator begin() const { return named_children().begin(); }
  NamedModules::const_iterator end() const { return named_children().end(); }
  std::string name() const override { return "ModuleDict"; }
};
using ModuleDict = ModuleHolder<ModuleDictImpl>;

}  // namespace torchlite::nn
