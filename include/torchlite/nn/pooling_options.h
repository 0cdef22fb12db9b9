// The arguments of the pooling layers and functions: stride=None, adaptive sizes with None
// entries, and the keyword options taken by designated initializers.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

#include "torchlite/error.h"
#include "torchlite/nn/expanding_array.h"

namespace torchlite::nn {

/// A size argument that may be None (a pool's stride, which then copies kernel_size): `.stride =
/// 2`, `.stride = {2, 1}`, or left out.
template <size_t D>
class OptionalExpandingArray {
 public:
  OptionalExpandingArray() = default;
  OptionalExpandingArray(std::nullopt_t) {}                                    // NOLINT
  OptionalExpandingArray(int64_t value) : value_(ExpandingArray<D>(value)) {}  // NOLINT
  OptionalExpandingArray(std::initializer_list<int64_t> values)                // NOLINT
      : value_(ExpandingArray<D>(values)) {}
  OptionalExpandingArray(const ExpandingArray<D>& value) : value_(value) {}  // NOLINT

  bool has_value() const { return value_.has_value(); }
  /// The value, or `fallback` (as given, scalar or not) for None.
  ExpandingArray<D> value_or(const ExpandingArray<D>& fallback) const {
    return value_ ? *value_ : fallback;
  }

 private:
  std::optional<ExpandingArray<D>> value_;
};

/// An adaptive pool's output size: one int for every dim, or one per dim where None keeps that
/// input size (`{std::nullopt, 7}`). Remembers the form for repr, as PyTorch prints it as given.
template <size_t D>
class ExpandingArrayWithOptionalElem {
 public:
  ExpandingArrayWithOptionalElem(int64_t value) : scalar_(true) {  // NOLINT
    values_.fill(value);
  }
  ExpandingArrayWithOptionalElem(std::initializer_list<std::optional<int64_t>> values) {  // NOLINT
    TL_CHECK(values.size() == D, "expected ", D, " values, got ", values.size());
    size_t i = 0;
    for (const auto& v : values) values_[i++] = v;
  }
  ExpandingArrayWithOptionalElem(const ExpandingArray<D>& values)  // NOLINT
      : scalar_(values.is_scalar()) {
    for (size_t i = 0; i < D; ++i) values_[i] = values[i];
  }

  const std::optional<int64_t>& operator[](size_t i) const { return values_[i]; }
  /// Given as one int.
  bool is_scalar() const { return scalar_; }
  /// The text as given: "1", "(1, 1)", "(None, 7)".
  std::string repr() const {
    auto one = [](const std::optional<int64_t>& v) {
      return v ? std::to_string(*v) : std::string("None");
    };
    if (scalar_) return one(values_[0]);
    std::string s = "(";
    for (size_t i = 0; i < D; ++i) s += (i ? ", " : "") + one(values_[i]);
    return s + (D == 1 ? ",)" : ")");
  }

 private:
  std::array<std::optional<int64_t>, D> values_{};
  bool scalar_ = false;
};

/// Keyword options of max_pool1d/2d and MaxPool1d/2d, in F.max_pool2d's order (the indices come
/// from the *_with_indices forms instead of return_indices).
template <size_t D>
struct MaxPoolOptions {
  OptionalExpandingArray<D> stride = std::nullopt;  // None: kernel_size
  ExpandingArray<D> padding = 0;                    // implicit -inf on both sides
  ExpandingArray<D> dilation = 1;
  bool ceil_mode = false;  // ceil instead of floor for the output size
};
using MaxPool1dOptions = MaxPoolOptions<1>;
using MaxPool2dOptions = MaxPoolOptions<2>;

/// Keyword options of avg_pool1d and AvgPool1d.
struct AvgPool1dOptions {
  OptionalExpandingArray<1> stride = std::nullopt;  // None: kernel_size
  ExpandingArray<1> padding = 0;                    // implicit zeros on both sides
  bool ceil_mode = false;
  bool count_include_pad = true;  // padded zeros count in the divisor
};

/// Keyword options of avg_pool2d and AvgPool2d.
struct AvgPool2dOptions {
  OptionalExpandingArray<2> stride = std::nullopt;  // None: kernel_size
  ExpandingArray<2> padding = 0;                    // implicit zeros on both sides
  bool ceil_mode = false;
  bool count_include_pad = true;                           // padded zeros count in the divisor
  std::optional<int64_t> divisor_override = std::nullopt;  // divide every window sum by this
};

}  // namespace torchlite::nn
