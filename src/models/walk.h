// Pre-order walk over a module tree, for the models' torchvision-style init loops.
#pragma once

#include <functional>

#include "torchlite/nn/module.h"

namespace torchlite::models::detail {

/// Calls fn on `m` and then on its submodules, pre-order (Python's self.modules()); usable in a
/// constructor, where named_modules() cannot take shared_from_this().
inline void for_each_module(nn::Module& m, const std::function<void(nn::Module&)>& fn) {
  fn(m);
  for (const auto& [name, child] : m.named_children()) for_each_module(*child, fn);
}

}  // namespace torchlite::models::detail
