// StateDict: insertion-ordered tensor map and its Python dict / OrderedDict repr.
#include "torchlite/nn/state_dict.h"

#include <ostream>

#include "torchlite/error.h"
#include "torchlite/printing.h"

namespace torchlite::nn {

void StateDict::insert(const std::string& key, Tensor tensor) {
  auto it = index_.find(key);
  if (it != index_.end()) {
    items_[it->second].second = std::move(tensor);
    return;
  }
  index_.emplace(key, items_.size());
  items_.emplace_back(key, std::move(tensor));
}

Tensor& StateDict::at(const std::string& key) {
  auto it = index_.find(key);
  TL_CHECK(it != index_.end(), "KeyError: ", python_string_repr(key));
  return items_[it->second].second;
}

const Tensor& StateDict::at(const std::string& key) const {
  auto it = index_.find(key);
  TL_CHECK(it != index_.end(), "KeyError: ", python_string_repr(key));
  return items_[it->second].second;
}

bool StateDict::erase(const std::string& key) {
  auto it = index_.find(key);
  if (it == index_.end()) return false;
  const size_t pos = it->second;
  index_.erase(it);
  items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(pos));
  for (size_t i = pos; i < items_.size(); ++i) index_[items_[i].first] = i;
  return true;
}

std::vector<std::string> StateDict::keys() const {
  std::vector<std::string> out;
  out.reserve(items_.size());
  for (const auto& item : items_) out.push_back(item.first);
  return out;
}

std::string repr(const StateDict& state_dict) {
  // Tensor reprs are embedded verbatim: continuation lines keep their own indentation and the
  // dict never wraps lines, exactly as Python prints it.
  std::string s;
  if (state_dict.ordered) {
    if (state_dict.empty()) return "OrderedDict()";
    s = "OrderedDict([";
    bool first = true;
    for (const auto& [key, tensor] : state_dict) {
      s += (first ? "(" : ", (") + python_string_repr(key) + ", " + repr(tensor) + ")";
      first = false;
    }
    return s + "])";
  }
  s = "{";
  bool first = true;
  for (const auto& [key, tensor] : state_dict) {
    s += (first ? "" : ", ") + python_string_repr(key) + ": " + repr(tensor);
    first = false;
  }
  return s + "}";
}

std::ostream& operator<<(std::ostream& os, const StateDict& state_dict) {
  return os << repr(state_dict);
}

}  // namespace torchlite::nn
