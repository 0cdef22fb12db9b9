// Autograd rules of in-place ops: the leaf check and the history cut of whole overwrites.
#include "autograd/inplace.h"

#include <array>

#include "torchlite/autograd/function.h"

namespace torchlite::detail {

void check_inplace(const Tensor& self, const char* op) {
  TL_CHECK(self.defined(), op, ": called on an undefined tensor");
  if (is_grad_enabled() && self.is_leaf() && self.requires_grad())
    throw Error(
        str_cat("a leaf Variable that requires grad is being used in an in-place "
                "operation. (",
                op, ")"));
}

void cut_history(Tensor& self, const char* name) {
  if (!is_grad_enabled() || !self.requires_grad()) return;
  Tensor carrier = autograd::record(self.detach(), name, {self},
                                    [](const Tensor& g) { return std::array{zeros_like(g)}; });
  self.impl()->grad_fn = carrier.grad_fn();
}

}  // namespace torchlite::detail
