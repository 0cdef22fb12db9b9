// Scalar: a number of any dtype, as accepted by fill_, full and tensor-scalar arithmetic.
#pragma once

#include <cstdint>
#include <type_traits>

#include "torchlite/dtype.h"

namespace torchlite {

/// A Python-like number: floating, integral or bool; remembers which.
class Scalar {
 public:
  Scalar() = default;
  Scalar(bool v) : kind_(Kind::Bool), i_(v) {}  // NOLINT: implicit, like Python numbers
  template <typename T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  Scalar(T v) : kind_(Kind::Int), i_(static_cast<int64_t>(v)) {}  // NOLINT
  template <typename T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
  Scalar(T v) : kind_(Kind::Float), d_(static_cast<double>(v)) {}  // NOLINT

  bool is_floating_point() const { return kind_ == Kind::Float; }
  bool is_integral() const { return kind_ == Kind::Int; }
  bool is_bool() const { return kind_ == Kind::Bool; }
  double to_double() const { return kind_ == Kind::Float ? d_ : static_cast<double>(i_); }
  int64_t to_int64() const { return kind_ == Kind::Float ? static_cast<int64_t>(d_) : i_; }
  /// The dtype a tensor made from this scalar gets (float32, int64 or bool).
  Dtype default_dtype() const {
    return kind_ == Kind::Float ? kFloat32 : kind_ == Kind::Int ? kInt64 : kBool;
  }

 private:
  enum class Kind : uint8_t { Float, Int, Bool };
  Kind kind_ = Kind::Int;
  int64_t i_ = 0;
  double d_ = 0.0;
};

}  // namespace torchlite
