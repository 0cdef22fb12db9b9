// interpolate: PyTorch 1.13's Python argument handling (torch.nn.functional.interpolate), the
// upsample ops' checks, and their forward and backward over kernels/pooling.
#include "torchlite/ops/interpolate.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "core/dispatch.h"
#include "core/tensor_util.h"
#include "kernels/pooling.h"
#include "torchlite/autograd/function.h"
#include "torchlite/ops/pooling.h"
#include "torchlite/printing.h"

namespace torchlite {
namespace {

enum class Resample { kNearest, kLinear };

/// Resamples the last two dims (ih x iw) of contiguous-able `input` to oh x ow; a 1-d op passes
/// ih = oh = 1 and no height scale.
Tensor resample(const Tensor& input, Sizes out_sizes, kernels::PoolGeometry g, Resample mode,
                bool align_corners, std::optional<double> sh, std::optional<double> sw,
                const char* op, const char* backward_name) {
  const Tensor x = input.contiguous();
  Tensor y = empty(out_sizes, input.dtype());
  const int64_t planes = g.ih * g.iw == 0 ? 0 : x.numel() / (g.ih * g.iw);
  detail::dispatch_float(input.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    if (mode == Resample::kNearest)
      kernels::upsample_nearest2d<T>(x.data_ptr<T>(), y.data_ptr<T>(), planes, g, sh, sw);
    else
      kernels::upsample_bilinear2d<T>(x.data_ptr<T>(), y.data_ptr<T>(), planes, g, align_corners,
                                      sh, sw);
  });
  return autograd::record(
      std::move(y), backward_name, {input},
      [g, planes, mode, align_corners, sh, sw, op, in_sizes = input.sizes()](const Tensor& grad) {
        const Tensor gy = grad.contiguous();
        Tensor gx = empty(in_sizes, gy.dtype());
        detail::dispatch_float(gy.dtype(), op, [&](auto tag) {
          using T = decltype(tag);
          if (mode == Resample::kNearest)
            kernels::upsample_nearest2d_backward<T>(gy.data_ptr<T>(), gx.data_ptr<T>(), planes, g,
                                                    sh, sw);
          else
            kernels::upsample_bilinear2d_backward<T>(gy.data_ptr<T>(), gx.data_ptr<T>(), planes, g,
                                                     align_corners, sh, sw);
        });
        return std::array{gx};
      });
}

/// PyTorch's upsample_1d_common_check and the 3-D meta check; returns the geometry.
kernels::PoolGeometry check_1d(const Tensor& input, int64_t output_size) {
  TL_CHECK(input.dim() == 3, "It is expected input_size equals to 3, but got size ", input.dim());
  const int64_t w = input.size(2);
  TL_CHECK(w > 0 && output_size > 0,
           "Input and output sizes should be greater than 0, but got input (W: ", w,
           ") and output (W: ", output_size, ")");
  TL_CHECK(input.size(1) != 0 && input.size(2) != 0,
           "Non-empty 3D data tensor expected but got a tensor with sizes ",
           detail::shape_str(input.sizes()));
  kernels::PoolGeometry g;
  g.ih = g.oh = 1;
  g.iw = w;
  g.ow = output_size;
  return g;
}

/// PyTorch's upsample_2d_common_check and the 4-D meta check; returns the geometry.
kernels::PoolGeometry check_2d(const Tensor& input, std::array<int64_t, 2> output_size) {
  TL_CHECK(input.dim() == 4, "It is expected input_size equals to 4, but got size ", input.dim());
  const int64_t h = input.size(2), w = input.size(3);
  TL_CHECK(h > 0 && w > 0 && output_size[0] > 0 && output_size[1] > 0,
           "Input and output sizes should be greater than 0, but got input (H: ", h, ", W: ", w,
           ") output (H: ", output_size[0], ", W: ", output_size[1], ")");
  TL_CHECK(input.numel() != 0 || input.size(1) * h * w != 0,
           "Non-empty 4D data tensor expected but got a tensor with sizes ",
           detail::shape_str(input.sizes()));
  kernels::PoolGeometry g;
  g.ih = h;
  g.iw = w;
  g.oh = output_size[0];
  g.ow = output_size[1];
  return g;
}

/// Python's repr of a tuple of ints or floats: "(3,)", "(2.0, 1.5)".
template <class T>
std::string tuple_repr(const std::vector<T>& values) {
  std::string s = "(";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) s += ", ";
    if constexpr (std::is_floating_point_v<T>)
      s += format_python_float(values[i]);
    else
      s += std::to_string(values[i]);
  }
  return s + (values.size() == 1 ? ",)" : ")");
}

/// The spatial dims of `input` as Python prints list(input.shape[2:]).
std::string spatial_repr(const Tensor& input) {
  Sizes s;
  for (int64_t d = 2; d < input.dim(); ++d) s.push_back(input.size(d));
  return detail::shape_str(s);
}

}  // namespace

Tensor upsample_nearest1d(const Tensor& input, int64_t output_size, std::optional<double> scale) {
  const kernels::PoolGeometry g = check_1d(input, output_size);
  return resample(input, {input.size(0), input.size(1), output_size}, g, Resample::kNearest, false,
                  std::nullopt, scale, "upsample_nearest1d", "UpsampleNearest1DBackward0");
}

Tensor upsample_nearest2d(const Tensor& input, std::array<int64_t, 2> output_size,
                          std::optional<double> scale_h, std::optional<double> scale_w) {
  const kernels::PoolGeometry g = check_2d(input, output_size);
  return resample(input, {input.size(0), input.size(1), output_size[0], output_size[1]}, g,
                  Resample::kNearest, false, scale_h, scale_w, "upsample_nearest2d",
                  "UpsampleNearest2DBackward0");
}

Tensor upsample_linear1d(const Tensor& input, int64_t output_size, bool align_corners,
                         std::optional<double> scale) {
  const kernels::PoolGeometry g = check_1d(input, output_size);
  return resample(input, {input.size(0), input.size(1), output_size}, g, Resample::kLinear,
                  align_corners, std::nullopt, scale, "upsample_linear1d",
                  "UpsampleLinear1DBackward0");
}

Tensor upsample_bilinear2d(const Tensor& input, std::array<int64_t, 2> output_size,
                           bool align_corners, std::optional<double> scale_h,
                           std::optional<double> scale_w) {
  const kernels::PoolGeometry g = check_2d(input, output_size);
  return resample(input, {input.size(0), input.size(1), output_size[0], output_size[1]}, g,
                  Resample::kLinear, align_corners, scale_h, scale_w, "upsample_bilinear2d",
                  "UpsampleBilinear2DBackward0");
}

Tensor interpolate(const Tensor& input, const InterpolateOptions& options) {
  const std::string& mode = options.mode;
  std::optional<bool> align_corners = options.align_corners;
  if (mode == "nearest" || mode == "area" || mode == "nearest-exact") {
    TL_CHECK(!align_corners,
             "align_corners option can only be set with the interpolating modes: linear | "
             "bilinear | bicubic | trilinear");
  } else if (!align_corners) {
    align_corners = false;
  }
  const int64_t dim = input.dim() - 2;
  const SpatialArg<int64_t>& size = options.size;
  const SpatialArg<double>& scale = options.scale_factor;
  std::vector<int64_t> output_size;
  std::vector<double> scales;
  bool have_scales = false;
  TL_CHECK(!(size.has_value() && scale.has_value()),
           "only one of size or scale_factor should be defined");
  if (size.has_value()) {
    if (!size.is_scalar()) {
      TL_CHECK(static_cast<int64_t>(size.values().size()) == dim,
               "Input and output must have the same number of spatial dimensions, but got input "
               "with spatial dimensions of ",
               spatial_repr(input), " and output size of ", tuple_repr(size.values()),
               ". Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size "
               "in (o1, o2, ...,oK) format.");
      output_size = size.values();
    } else {
      output_size.assign(static_cast<size_t>(std::max<int64_t>(dim, 0)), size.values()[0]);
    }
  } else if (scale.has_value()) {
    if (!scale.is_scalar()) {
      TL_CHECK(static_cast<int64_t>(scale.values().size()) == dim,
               "Input and scale_factor must have the same number of spatial dimensions, but got "
               "input with spatial dimensions of ",
               spatial_repr(input), " and scale_factor of shape ", tuple_repr(scale.values()),
               ". Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor "
               "in (s1, s2, ...,sK) format.");
      scales = scale.values();
    } else {
      scales.assign(static_cast<size_t>(std::max<int64_t>(dim, 0)), scale.values()[0]);
    }
    have_scales = true;
  } else {
    throw Error("either size or scale_factor should be defined");
  }
  bool recompute = options.recompute_scale_factor.value_or(false);
  TL_CHECK(!(recompute && size.has_value()),
           "recompute_scale_factor is not meaningful with an explicit size.");
  if (mode == "area" && !size.has_value()) recompute = true;
  if (recompute) {
    // Python computes the size in double and floors it; the op then samples by in / out.
    output_size.clear();
    for (int64_t i = 0; i < dim; ++i)
      output_size.push_back(static_cast<int64_t>(
          std::floor(static_cast<double>(input.size(i + 2)) * scales[static_cast<size_t>(i)])));
    have_scales = false;
  }
  // The upsample ops' compute_output_size: a scale gives trunc(in * scale) and is passed on.
  auto out_at = [&](int64_t i) {
    return have_scales ? static_cast<int64_t>(static_cast<double>(input.size(i + 2)) *
                                              scales[static_cast<size_t>(i)])
                       : output_size[static_cast<size_t>(i)];
  };
  auto scale_at = [&](int64_t i) -> std::optional<double> {
    if (!have_scales) return std::nullopt;
    return scales[static_cast<size_t>(i)];
  };
  const int64_t nd = input.dim();
  if (nd == 3 && mode == "nearest") return upsample_nearest1d(input, out_at(0), scale_at(0));
  if (nd == 4 && mode == "nearest")
    return upsample_nearest2d(input, {out_at(0), out_at(1)}, scale_at(0), scale_at(1));
  if (nd == 3 && mode == "area") return adaptive_avg_pool1d(input, output_size[0]);
  if (nd == 4 && mode == "area")
    return adaptive_avg_pool2d(input, {output_size[0], output_size[1]});
  if (nd == 3 && mode == "linear")
    return upsample_linear1d(input, out_at(0), *align_corners, scale_at(0));
  if (nd == 4 && mode == "bilinear")
    return upsample_bilinear2d(input, {out_at(0), out_at(1)}, *align_corners, scale_at(0),
                               scale_at(1));
  const bool known = mode == "nearest" || mode == "linear" || mode == "bilinear" ||
                     mode == "bicubic" || mode == "trilinear" || mode == "area" ||
                     mode == "nearest-exact";
  using detail::str_cat;
  auto needs = [&](const char* m, int64_t want) {
    return str_cat("Got ", nd, "D input, but ", m, " mode needs ", want, "D input");
  };
  if (nd == 3 && mode == "bilinear") throw Error(needs("bilinear", 4));
  if (nd == 3 && mode == "trilinear") throw Error(needs("trilinear", 5));
  if (nd == 4 && mode == "linear") throw Error(needs("linear", 3));
  if (nd == 4 && mode == "trilinear") throw Error(needs("trilinear", 5));
  if (nd == 5 && mode == "linear") throw Error(needs("linear", 3));
  if (nd == 5 && mode == "bilinear") throw Error(needs("bilinear", 4));
  TL_CHECK(!known || nd < 3 || nd > 5, "interpolate: mode '", mode, "' on ", nd,
           "D input is not implemented in torchlite (nearest and area on 3-D/4-D, linear on "
           "3-D and bilinear on 4-D input are)");
  throw Error(str_cat("Input Error: Only 3D, 4D and 5D input Tensors supported (got ", nd,
                      "D) for the modes: nearest | linear | bilinear | bicubic | trilinear | "
                      "area | nearest-exact (got ",
                      mode, ")"));
}

}  // namespace torchlite
