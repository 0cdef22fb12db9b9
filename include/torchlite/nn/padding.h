// nn::ConvPadding<D>: a convolution's padding, given as one int, one per dim, or "same"/"valid".
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>

#include "torchlite/nn/expanding_array.h"

namespace torchlite::nn {

/// padding=2, padding={1, 2} or padding="same" (PyTorch's int, tuple or string). Strings are
/// kept as given; the layer or op that uses them checks them with PyTorch's message.
template <size_t D>
class ConvPadding {
 public:
  ConvPadding(int value) : sizes_(static_cast<int64_t>(value)) {}              // NOLINT
  ConvPadding(int64_t value) : sizes_(value) {}                                // NOLINT
  ConvPadding(std::initializer_list<int64_t> values) : sizes_(values) {}       // NOLINT
  ConvPadding(const ExpandingArray<D>& sizes) : sizes_(sizes) {}               // NOLINT
  ConvPadding(const char* mode) : mode_(mode), is_string_(true) {}             // NOLINT
  ConvPadding(std::string mode) : mode_(std::move(mode)), is_string_(true) {}  // NOLINT

  /// Given as "same"/"valid" (or any other string).
  bool is_string() const { return is_string_; }
  /// The string given; empty for sizes.
  const std::string& mode() const { return mode_; }
  /// The sizes given; zeros for a string.
  const ExpandingArray<D>& sizes() const { return sizes_; }

 private:
  ExpandingArray<D> sizes_ = ExpandingArray<D>(int64_t{0});
  std::string mode_;
  bool is_string_ = false;
};

}  // namespace torchlite::nn
