// nn::Sequential.
#include "torchlite/nn/sequential.h"

namespace torchlite::nn {

SequentialImpl::SequentialImpl(const std::vector<ModuleArg>& modules) {
  for (const ModuleArg& m : modules) push_back(m.module());
  init_in_argument_order(modules);
}

SequentialImpl::SequentialImpl(std::initializer_list<NamedModuleArg> modules) {
  std::vector<ModuleArg> args;
  for (const NamedModuleArg& m : modules) {
    push_back(m.name, m.module.module());
    args.push_back(m.module);
  }
  init_in_argument_order(args);
}

void SequentialImpl::push_back(std::shared_ptr<Module> module) {
  push_back(std::to_string(modules_.size()), std::move(module));
}

void SequentialImpl::push_back(const std::string& name, std::shared_ptr<Module> module) {
  for (const auto& [n, m] : named_children())
    TL_CHECK(n != name, "Sequential: a module named \"", name, "\" already exists");
  register_module(name, module);
  modules_.push_back(std::move(module));
}

Tensor SequentialImpl::forward(const Tensor& input) {
  Tensor x = input;
  for (const auto& m : modules_) x = m->forward(x);
  return x;
}

const std::shared_ptr<Module>& SequentialImpl::operator[](int64_t index) const {
  const int64_t n = static_cast<int64_t>(modules_.size());
  TL_CHECK(index >= -n && index < n, "index ", index, " is out of range");
  return modules_[index < 0 ? index + n : index];
}

}  // namespace torchlite::nn
