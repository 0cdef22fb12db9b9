// NamedTensors: the (name, tensor) list that named_parameters()/named_buffers() return.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "torchlite/tensor.h"

namespace torchlite::nn {

using NamedTensorList = std::vector<std::pair<std::string, Tensor>>;

/// An ordered list of (name, tensor) pairs, iterable with structured bindings:
/// `for (const auto& [name, p] : net->named_parameters())`. Prints like Python's
/// `list(net.named_parameters())`.
struct NamedTensors {
  NamedTensorList items;

  NamedTensors() = default;
  NamedTensors(NamedTensorList list) : items(std::move(list)) {}  // NOLINT: a list is one

  size_t size() const { return items.size(); }
  bool empty() const { return items.empty(); }
  /// The i-th pair; throws torchlite::Error when out of range.
  std::pair<std::string, Tensor>& operator[](size_t i);
  const std::pair<std::string, Tensor>& operator[](size_t i) const;
  void push_back(std::pair<std::string, Tensor> item) { items.push_back(std::move(item)); }
  void emplace_back(std::string name, Tensor tensor) {
    items.emplace_back(std::move(name), std::move(tensor));
  }
  NamedTensorList::iterator begin() { return items.begin(); }
  NamedTensorList::iterator end() { return items.end(); }
  NamedTensorList::const_iterator begin() const { return items.begin(); }
  NamedTensorList::const_iterator end() const { return items.end(); }
};

/// Python's list repr: `[('weight', Parameter containing:\ntensor(...)), ('bias', ...)]`, `[]`.
std::string repr(const NamedTensors& list);
std::ostream& operator<<(std::ostream& os, const NamedTensors& list);

}  // namespace torchlite::nn
