// nn::ExpandingArray<D>: a size argument given as one int or as D ints (PyTorch's _single/_pair).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "torchlite/error.h"

namespace torchlite::nn {

/// kernel_size=5 or kernel_size={5, 3}: one value for every dim or one per dim. Remembers which
/// form it was given in, since PyTorch's repr prints pooling sizes as given ("kernel_size=2").
template <size_t D>
class ExpandingArray {
 public:
  /// The same value in every dim.
  ExpandingArray(int64_t value) : scalar_(true) { values_.fill(value); }  // NOLINT
  /// One value per dim; exactly D of them.
  ExpandingArray(std::initializer_list<int64_t> values) {  // NOLINT
    TL_CHECK(values.size() == D, "expected ", D, " values, got ", values.size());
    size_t i = 0;
    for (int64_t v : values) values_[i++] = v;
  }
  ExpandingArray(const std::array<int64_t, D>& values) : values_(values) {}  // NOLINT

  int64_t operator[](size_t i) const { return values_[i]; }
  const std::array<int64_t, D>& values() const { return values_; }
  static constexpr size_t size() { return D; }
  /// Given as one int.
  bool is_scalar() const { return scalar_; }
  bool operator==(const ExpandingArray& other) const { return values_ == other.values_; }

  /// Python's text of the tuple: "(5, 5)", "(3,)".
  std::string tuple_repr() const {
    std::string s = "(";
    for (size_t i = 0; i < D; ++i) s += (i ? ", " : "") + std::to_string(values_[i]);
    return s + (D == 1 ? ",)" : ")");
  }
  /// The text as given: "2" when built from one int, else the tuple.
  std::string repr() const { return scalar_ ? std::to_string(values_[0]) : tuple_repr(); }

 private:
  std::array<int64_t, D> values_{};
  bool scalar_ = false;
};

}  // namespace torchlite::nn
