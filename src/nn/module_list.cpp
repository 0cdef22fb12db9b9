// nn::ModuleList: registration under consecutive indices, kept consecutive by insert and pop.
#include "torchlite/nn/module_list.h"

#include <cstddef>
#include <string>

namespace torchlite::nn {

ModuleListImpl::ModuleListImpl(const std::vector<ModuleArg>& modules) {
  for (const ModuleArg& m : modules) append(m.module());
  init_in_argument_order(modules);
}

void ModuleListImpl::append(std::shared_ptr<Module> module) {
  add_child(std::to_string(size()), std::move(module));
}

void ModuleListImpl::extend(const ModuleListImpl& other) {
  // Copied first: `list->extend(*list)` appends each module once, as Python does.
  const std::vector<std::shared_ptr<Module>> modules = other.children();
  for (const auto& m : modules) append(m);
}

size_t ModuleListImpl::checked_index(int64_t index, int64_t size) const {
  TL_CHECK(index >= -size && index < size, "index ", index, " is out of range");
  return static_cast<size_t>(index < 0 ? index + size : index);
}

void ModuleListImpl::insert(int64_t index, std::shared_ptr<Module> module) {
  const int64_t n = static_cast<int64_t>(size());
  if (index < 0) index += n;
  TL_CHECK(index >= 0 && index <= n, "ModuleList.insert: index ", index, " is out of range for ",
           n, " modules");
  std::vector<std::shared_ptr<Module>> modules = children();
  modules.insert(modules.begin() + index, std::move(module));
  for (size_t i = 0; i < modules.size(); ++i) add_child(std::to_string(i), modules[i]);
}

std::shared_ptr<Module> ModuleListImpl::pop(int64_t index) {
  std::vector<std::shared_ptr<Module>> modules = children();
  const size_t at = checked_index(index, static_cast<int64_t>(modules.size()));
  std::shared_ptr<Module> popped = modules[at];
  modules.erase(modules.begin() + static_cast<std::ptrdiff_t>(at));
  unregister_module(std::to_string(modules.size()));
  for (size_t i = 0; i < modules.size(); ++i) add_child(std::to_string(i), modules[i]);
  return popped;
}

const std::shared_ptr<Module>& ModuleListImpl::operator[](int64_t index) const {
  return named_children()[checked_index(index, static_cast<int64_t>(size()))].second;
}

}  // namespace torchlite::nn
