// nn::Sequential: children named 0, 1, ... called in order.
// Mirrors https://pytorch.org/docs/stable/generated/torch.nn.Sequential.html
#pragma once

#include <initializer_list>
#include <memory>
#include <vector>

#include "torchlite/nn/module.h"

namespace torchlite::nn {

/// A chain of modules; forward feeds each output to the next.
class SequentialImpl : public Module {
 public:
  SequentialImpl() = default;
  /// Sequential(Flatten(), Linear(784, 10)): handles or shared_ptrs of modules. The new ones get
  /// PyTorch's initial values whatever order C++ built them in (see init_in_argument_order).
  template <class... Ms>
    requires(sizeof...(Ms) > 0 && (std::is_convertible_v<Ms, std::shared_ptr<Module>> && ...))
  explicit SequentialImpl(Ms&&... modules)
      : SequentialImpl(
            std::vector<ModuleArg>{ModuleArg::forwarded(std::forward<Ms>(modules))...}) {}
  /// Sequential{Flatten(), Linear(784, 10)}: braces build the modules left to right.
  explicit SequentialImpl(std::initializer_list<ModuleArg> modules)
      : SequentialImpl(std::vector<ModuleArg>(modules)) {}
  /// Sequential({{"conv1", Conv2d(1, 6, 5)}, {"relu", ReLU()}}): named children, PyTorch's
  /// `Sequential(OrderedDict([...]))`.
  explicit SequentialImpl(std::initializer_list<NamedModuleArg> modules);

  /// Appends a module under the next index.
  void push_back(std::shared_ptr<Module> module);
  /// Appends a module under `name`, like Sequential(OrderedDict([(name, module), ...])).
  void push_back(const std::string& name, std::shared_ptr<Module> module);
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Sequential"; }
  size_t size() const { return modules_.size(); }
  /// The i-th module (negative counts from the end).
  const std::shared_ptr<Module>& operator[](int64_t index) const;
  std::vector<std::shared_ptr<Module>>::const_iterator begin() const { return modules_.begin(); }
  std::vector<std::shared_ptr<Module>>::const_iterator end() const { return modules_.end(); }

 private:
  explicit SequentialImpl(const std::vector<ModuleArg>& modules);

  std::vector<std::shared_ptr<Module>> modules_;
};
using Sequential = ModuleHolder<SequentialImpl>;

}  // namespace torchlite::nn
