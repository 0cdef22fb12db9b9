// StateDict: the ordered name -> tensor map of Module::state_dict(), printed like PyTorch's.
// Mirrors https://pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.state_dict
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "torchlite/tensor.h"

namespace torchlite::nn {

/// An insertion-ordered map from key to tensor with O(1) lookup. Iteration yields
/// `const std::pair<std::string, Tensor>&` in order: `for (const auto& [key, t] : sd)`.
class StateDict {
 public:
  using value_type = std::pair<std::string, Tensor>;
  using const_iterator = std::vector<value_type>::const_iterator;

  /// true (the default): prints as Python's `OrderedDict([('k', tensor(...))])`, like
  /// module.state_dict(); false: as a plain dict `{'k': tensor(...)}`, like a torch.load result.
  bool ordered = true;

  StateDict() = default;
  explicit StateDict(bool ordered_repr) : ordered(ordered_repr) {}

  /// Adds `key`, or replaces its value in place (keeping its position), like `d[key] = t`.
  void insert(const std::string& key, Tensor tensor);
  /// The value of `key`; throws torchlite::Error "KeyError: 'key'" when it is missing.
  Tensor& at(const std::string& key);
  const Tensor& at(const std::string& key) const;
  Tensor& operator[](const std::string& key) { return at(key); }
  const Tensor& operator[](const std::string& key) const { return at(key); }
  bool contains(const std::string& key) const { return index_.count(key) != 0; }
  /// Removes `key`; returns whether it was present.
  bool erase(const std::string& key);
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  /// Keys in insertion order.
  std::vector<std::string> keys() const;

  const_iterator begin() const { return items_.begin(); }
  const_iterator end() const { return items_.end(); }

 private:
  std::vector<value_type> items_;
  std::unordered_map<std::string, size_t> index_;
};

/// Python's repr of the dict: `OrderedDict([('weight', tensor(...)), ...])` / `OrderedDict()`
/// (Python <= 3.11, as PyTorch 1.13 runs), or `{'weight': tensor(...)}` / `{}` when not ordered.
std::string repr(const StateDict& state_dict);
std::ostream& operator<<(std::ostream& os, const StateDict& state_dict);

}  // namespace torchlite::nn
