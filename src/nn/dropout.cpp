// The Dropout and Dropout2d modules over nn::functional::dropout / dropout2d.
#include "torchlite/nn/dropout.h"

#include "torchlite/nn/functional.h"
#include "torchlite/printing.h"

namespace torchlite::nn {

DropoutImpl::DropoutImpl(double p, bool inplace) : p(p), inplace(inplace) {
  TL_CHECK(p >= 0.0 && p <= 1.0, "dropout probability has to be between 0 and 1, but got ",
           format_python_float(p));
}

Tensor DropoutImpl::forward(const Tensor& input) {
  return functional::dropout(input, p, is_training(), inplace);
}

std::string DropoutImpl::extra_repr() const {
  return "p=" + format_python_float(p) + ", inplace=" + (inplace ? "True" : "False");
}

Dropout2dImpl::Dropout2dImpl(double p, bool inplace) : p(p), inplace(inplace) {
  TL_CHECK(p >= 0.0 && p <= 1.0, "dropout probability has to be between 0 and 1, but got ",
           format_python_float(p));
}

Tensor Dropout2dImpl::forward(const Tensor& input) {
  return functional::dropout2d(input, p, is_training(), inplace);
}

std::string Dropout2dImpl::extra_repr() const {
  return "p=" + format_python_float(p) + ", inplace=" + (inplace ? "True" : "False");
}

}  // namespace torchlite::nn
