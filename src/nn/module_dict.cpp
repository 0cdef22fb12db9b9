// nn::ModuleDict: keyed registration in insertion order.
#include "torchlite/nn/module_dict.h"

namespace torchlite::nn {

ModuleDictImpl::ModuleDictImpl(std::initializer_list<NamedModuleArg> modules) {
  std::vector<ModuleArg> args;
  for (const NamedModuleArg& m : modules) {
    insert(m.name, m.module.module());
    args.push_back(m.module);
  }
  init_in_argument_order(args);
}

const std::shared_ptr<Module>& ModuleDictImpl::operator[](const std::string& key) const {
  for (const auto& [name, module] : named_children())
    if (name == key) return module;
  throw Error("ModuleDict has no module \"" + key + "\"");
}

void ModuleDictImpl::insert(const std::string& key, std::shared_ptr<Module> module) {
  add_child(key, std::move(module));
}

void ModuleDictImpl::update(const NamedModules& modules) {
  for (const auto& [key, module] : modules) insert(key, module);
}

std::shared_ptr<Module> ModuleDictImpl::pop(const std::string& key) {
  std::shared_ptr<Module> module = unregister_module(key);
  TL_CHECK(module != nullptr, "ModuleDict has no module \"", key, "\"");
  return module;
}

void ModuleDictImpl::clear() {
  for (const std::string& key : keys()) unregister_module(key);
}

bool ModuleDictImpl::contains(const std::string& key) const {
  for (const auto& [name, module] : named_children())
    if (name == key) return true;
  return false;
}

std::vector<std::string> ModuleDictImpl::keys() const {
  std::vector<std::string> out;
  for (const auto& [name, module] : named_children()) out.push_back(name);
  return out;
}

}  // namespace torchlite::nn
