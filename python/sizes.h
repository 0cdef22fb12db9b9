// Python size arguments (an int or a tuple, as PyTorch's _single/_pair) for the conv and pooling
// bindings.
#pragma once

#include <string>

#include "bindings.h"
#include "torchlite/nn/expanding_array.h"
#include "torchlite/nn/padding.h"
#include "torchlite/nn/pooling_options.h"

namespace torchlite::python {

/// kernel_size=5 or kernel_size=(5, 3).
template <size_t D>
nn::ExpandingArray<D> expanding(py::handle value, const char* name) {
  if (py::isinstance<py::int_>(value)) return nn::ExpandingArray<D>(value.cast<int64_t>());
  if (!py::isinstance<py::tuple>(value) && !py::isinstance<py::list>(value))
    throw py::type_error(std::string(name) + " must be an int or a tuple of ints");
  const auto items = value.cast<std::vector<int64_t>>();
  if (items.size() != D)
    throw py::value_error(std::string(name) + " must have " + std::to_string(D) + " elements");
  std::array<int64_t, D> a{};
  for (size_t i = 0; i < D; ++i) a[i] = items[i];
  return nn::ExpandingArray<D>(a);
}

/// stride=None (the kernel size) or a size.
template <size_t D>
nn::OptionalExpandingArray<D> optional_expanding(py::handle value, const char* name) {
  if (value.is_none()) return std::nullopt;
  return expanding<D>(value, name);
}

/// padding=1, (1, 2), 'same' or 'valid' of a convolution.
template <size_t D>
nn::ConvPadding<D> conv_padding(py::handle value) {
  if (py::isinstance<py::str>(value)) return nn::ConvPadding<D>(value.cast<std::string>());
  return nn::ConvPadding<D>(expanding<D>(value, "padding"));
}

/// An adaptive pool's output_size=7, (7, 7) or (None, 7).
inline nn::ExpandingArrayWithOptionalElem<2> adaptive_size(py::handle value) {
  if (py::isinstance<py::int_>(value))
    return nn::ExpandingArrayWithOptionalElem<2>(value.cast<int64_t>());
  const auto items = value.cast<std::vector<std::optional<int64_t>>>();
  if (items.size() != 2) throw py::value_error("output_size must have 2 elements");
  return nn::ExpandingArrayWithOptionalElem<2>({items[0], items[1]});
}

}  // namespace torchlite::python
