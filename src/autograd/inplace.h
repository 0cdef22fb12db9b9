// Autograd rules of in-place ops: the leaf check before the write, and self's history after it.
#pragma once

#include "torchlite/tensor.h"

namespace torchlite::detail {

/// Raises PyTorch's error for in-place ops on leaves that require grad (when grad mode is on).
void check_inplace(const Tensor& self, const char* op);

/// After an in-place op overwrote every element of `self`: when the graph is recorded, self's
/// history gets a node `name` that passes a zero gradient on (PyTorch's FillBackward2,
/// NormalBackward0, ...).
void cut_history(Tensor& self, const char* name);

}  // namespace torchlite::detail
