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

}  // namespace torchlite::python
