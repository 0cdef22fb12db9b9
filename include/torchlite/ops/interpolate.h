// Up/down-sampling: interpolate (nearest, linear, bilinear, area) and the upsample ops under it,
// with their backward. Mirrors
// https://pytorch.org/docs/stable/generated/torch.nn.functional.interpolate.html
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "torchlite/tensor.h"

namespace torchlite {

/// interpolate's size or scale_factor: None (the default), one value for every spatial dim
/// (`.size = 4`) or one per spatial dim (`.size = {4, 6}`).
template <class T>
class SpatialArg {
 public:
  SpatialArg() = default;
  SpatialArg(std::nullopt_t) {}                                                  // NOLINT
  SpatialArg(T value) : values_{value}, set_(true), scalar_(true) {}             // NOLINT
  SpatialArg(std::initializer_list<T> values) : values_(values), set_(true) {}   // NOLINT
  SpatialArg(std::vector<T> values) : values_(std::move(values)), set_(true) {}  // NOLINT

  /// Given at all (not None).
  bool has_value() const { return set_; }
  /// Given as one value for every dim.
  bool is_scalar() const { return scalar_; }
  /// The values as given (one for a scalar).
  const std::vector<T>& values() const { return values_; }

 private:
  std::vector<T> values_;
  bool set_ = false;
  bool scalar_ = false;
};

/// interpolate's keyword arguments, in PyTorch's order.
struct InterpolateOptions {
  SpatialArg<int64_t> size = {};
  SpatialArg<double> scale_factor = {};
  /// "nearest", "linear" (3-D input), "bilinear" (4-D input) or "area".
  std::string mode = "nearest";
  /// Only for linear/bilinear; None means false there.
  std::optional<bool> align_corners = std::nullopt;
  /// True: the output size is floor(input size * scale_factor) and the sampling uses
  /// input / output size instead of 1 / scale_factor.
  std::optional<bool> recompute_scale_factor = std::nullopt;
};

/// Resamples the spatial dims of input [N, C, W] or [N, C, H, W] to `size` or by `scale_factor`,
/// as torch.nn.functional.interpolate in PyTorch 1.13 (same argument checks and messages).
Tensor interpolate(const Tensor& input, const InterpolateOptions& options = {});

/// Nearest neighbour of input [N, C, W] to [N, C, output_size]; `scale` (when given, > 0) is the
/// factor the sampling divides by, as torch._C._nn.upsample_nearest1d.
Tensor upsample_nearest1d(const Tensor& input, int64_t output_size,
                          std::optional<double> scale = std::nullopt);
/// Nearest neighbour of input [N, C, H, W] to [N, C, output_size[0], output_size[1]].
Tensor upsample_nearest2d(const Tensor& input, std::array<int64_t, 2> output_size,
                          std::optional<double> scale_h = std::nullopt,
                          std::optional<double> scale_w = std::nullopt);
/// Linear interpolation of input [N, C, W] to [N, C, output_size].
Tensor upsample_linear1d(const Tensor& input, int64_t output_size, bool align_corners,
                         std::optional<double> scale = std::nullopt);
/// Bilinear interpolation of input [N, C, H, W] to [N, C, output_size[0], output_size[1]].
Tensor upsample_bilinear2d(const Tensor& input, std::array<int64_t, 2> output_size,
                           bool align_corners, std::optional<double> scale_h = std::nullopt,
                           std::optional<double> scale_w = std::nullopt);

}  // namespace torchlite
