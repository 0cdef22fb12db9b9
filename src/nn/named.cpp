// NamedTensors: bounds-checked access and Python's list-of-tuples repr.
#include "torchlite/nn/named.h"

#include <ostream>

#include "torchlite/error.h"
#include "torchlite/printing.h"

namespace torchlite::nn {

std::pair<std::string, Tensor>& NamedTensors::operator[](size_t i) {
  TL_CHECK(i < items.size(), "IndexError: list index ", i, " out of range (size ", items.size(),
           ")");
  return items[i];
}

const std::pair<std::string, Tensor>& NamedTensors::operator[](size_t i) const {
  TL_CHECK(i < items.size(), "IndexError: list index ", i, " out of range (size ", items.size(),
           ")");
  return items[i];
}

std::string repr(const NamedTensors& list) {
  std::string s = "[";
  for (size_t i = 0; i < list.size(); ++i) {
    if (i > 0) s += ", ";
    s += "(" + python_string_repr(list.items[i].first) + ", " + repr(list.items[i].second) + ")";
  }
  return s + "]";
}

std::ostream& operator<<(std::ostream& os, const NamedTensors& list) { return os << repr(list); }

}  // namespace torchlite::nn
