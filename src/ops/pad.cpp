// pad: PyTorch's checks and messages per mode, one index map per padded dim, and the backward
// that adds the gradient back through the maps.
#include "torchlite/ops/pad.h"

#include <algorithm>

#include "core/dispatch.h"
#include "core/tensor_util.h"
#include "kernels/pad.h"
#include "torchlite/autograd/function.h"

namespace torchlite {
namespace {

using detail::shape_str;
using kernels::PadMap;

enum class Mode { kConstant, kReflect, kReplicate, kCircular };

Mode parse_mode(const std::string& mode) {
  if (mode == "constant") return Mode::kConstant;
  if (mode == "reflect") return Mode::kReflect;
  if (mode == "replicate") return Mode::kReplicate;
  if (mode == "circular") return Mode::kCircular;
  throw Error("Unrecognised padding mode " + mode);
}

/// Output index i of a dim of size `in` padded by `before` and `after` reads this input index
/// (-1: the fill). Circular padding crops first and wraps around what is left, as PyTorch.
int64_t source(Mode mode, int64_t i, int64_t before, int64_t after, int64_t in) {
  const int64_t j = i - before;
  switch (mode) {
    case Mode::kConstant:
      return j >= 0 && j < in ? j : -1;
    case Mode::kReflect: {
      const int64_t r = j < 0 ? -j : j;
      return r < in ? r : 2 * (in - 1) - r;
    }
    case Mode::kReplicate:
      return std::clamp<int64_t>(j, 0, in - 1);
    case Mode::kCircular: {
      const int64_t crop = std::max<int64_t>(-before, 0);
      const int64_t core = in - crop - std::max<int64_t>(-after, 0);
      const int64_t r = (i - std::max<int64_t>(before, 0)) % core;
      return crop + (r < 0 ? r + core : r);
    }
  }
  return -1;
}

/// PyTorch's constant_pad_nd checks: negative pads first crop (narrow) each padded dim, outer
/// to inner, then, unless no pad is positive, every padded size must stay positive.
void check_constant(const Tensor& input, const std::vector<int64_t>& pad) {
  const int64_t ndim = input.dim();
  const int64_t k = static_cast<int64_t>(pad.size()) / 2;
  for (int64_t i = 0; i < k; ++i) {
    const int64_t before = pad[2 * (k - 1 - i)], after = pad[2 * (k - 1 - i) + 1];
    int64_t cur = input.size(ndim - k + i);
    if (before < 0) {
      TL_CHECK(-before <= cur, "Dimension out of range (expected to be in range of [", -cur, ", ",
               cur - 1, "], but got ", -before, ")");
      TL_CHECK(cur + before >= 0, "start (", -before, ") + length (", cur + before,
               ") exceeds dimension size (", cur, ").");
      cur += before;
    }
    if (after < 0)
      TL_CHECK(cur + after >= 0, "start (0) + length (", cur + after, ") exceeds dimension size (",
               cur, ").");
  }
  // Pads that only crop return the narrowed input, whatever its size.
  if (std::none_of(pad.begin(), pad.end(), [](int64_t p) { return p > 0; })) return;
  for (int64_t i = 0; i < k; ++i) {
    const int64_t dim = ndim - k + i;
    const int64_t before = pad[2 * (k - 1 - i)], after = pad[2 * (k - 1 - i) + 1];
    const int64_t in = input.size(dim);
    TL_CHECK(in + before + after > 0, "The input size ", in, ", plus negative padding ", before,
             " and ", after,
             " resulted in a negative output size, which is invalid. Check "
             "dimension ",
             dim, " of your input.");
  }
}

/// The checks of PyTorch's reflection and circular pads for padded dim `dim` of `input`, the
/// `from_last`-th of the k padded dims counted from the last (0). reflection_pad1d names the
/// input's shape, the 2-D one its rank.
void check_mode(Mode mode, const Tensor& input, int64_t dim, int64_t before, int64_t after,
                int64_t from_last, int64_t k) {
  const int64_t in = input.size(dim);
  if (mode == Mode::kReflect) {
    TL_CHECK(before < in && after < in, "Argument #", 4 + 2 * from_last,
             ": Padding size should be less than the corresponding input "
             "dimension, but got: padding (",
             before, ", ", after, ") at dimension ", dim, " of input ",
             k == 1 ? shape_str(input.sizes()) : std::to_string(input.dim()));
  } else if (mode == Mode::kCircular) {
    // Also refused (with the same words): cropping away everything there is to wrap around.
    TL_CHECK(before <= in && after <= in &&
                 in + std::min<int64_t>(before, 0) + std::min<int64_t>(after, 0) > 0,
             "Padding value causes wrapping around more than once.");
  }
}

}  // namespace

Tensor pad(const Tensor& input, const std::vector<int64_t>& pad, const std::string& mode_name,
           std::optional<double> value) {
  const Mode mode = parse_mode(mode_name);
  const int64_t ndim = input.dim();
  const int64_t npad = static_cast<int64_t>(pad.size());
  TL_CHECK(npad % 2 == 0, "Padding length must be divisible by 2");
  TL_CHECK(npad <= ndim * 2, "Padding length too large");
  const int64_t k = npad / 2;  // padded trailing dims
  if (mode != Mode::kConstant) {
    TL_CHECK(!value.has_value() || *value == 0, "Padding mode \"", mode_name,
             "\" doesn't take in value argument");
    TL_CHECK(k >= 1 && k <= 3 && (ndim == k + 1 || ndim == k + 2),
             "Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now");
  }
  if (mode == Mode::kConstant) check_constant(input, pad);
  for (int64_t i = k - 1; mode != Mode::kConstant && i >= 0; --i)  // last dim first, as PyTorch
    check_mode(mode, input, ndim - k + i, pad[2 * (k - 1 - i)], pad[2 * (k - 1 - i) + 1], k - 1 - i,
               k);
  Sizes out_sizes = input.sizes();
  std::vector<int64_t> in_sizes;
  std::vector<PadMap> maps;
  for (int64_t i = 0; i < k; ++i) {
    const int64_t dim = ndim - k + i;
    const int64_t before = pad[2 * (k - 1 - i)], after = pad[2 * (k - 1 - i) + 1];
    const int64_t in = input.size(dim);
    const int64_t out = in + before + after;
    if (mode != Mode::kConstant) {
      TL_CHECK(in > 0 && out > 0, "input (", shape_str(input.sizes()), ") is too small. ",
               "Calculated output size: ", out, " at dimension ", dim);
    }
    out_sizes[dim] = out;
    in_sizes.push_back(in);
    PadMap map(out);
    for (int64_t o = 0; o < out; ++o) map[o] = source(mode, o, before, after, in);
    maps.push_back(std::move(map));
  }
  if (k == 0) return input.clone();
  int64_t outer = 1;
  for (int64_t d = 0; d < ndim - k; ++d) outer *= input.size(d);
  const Tensor x = input.contiguous();
  Tensor out = detail::make_empty(out_sizes, input.dtype());
  detail::dispatch_arith(x.dtype(), "pad", [&](auto tag) {
    using T = decltype(tag);
    kernels::pad_forward<T>(x.data_ptr<T>(), out.data_ptr<T>(), outer, in_sizes, maps,
                            static_cast<T>(value.value_or(0.0)));
  });
  static const char* const kNames[4][3] = {
      {"ConstantPadNdBackward0", "ConstantPadNdBackward0", "ConstantPadNdBackward0"},
      {"ReflectionPad1DBackward0", "ReflectionPad2DBackward0", "ReflectionPad3DBackward0"},
      {"ReplicationPad1DBackward0", "ReplicationPad2DBackward0", "ReplicationPad3DBackward0"},
      {"CopySlices", "CopySlices", "CopySlices"}};
  const char* name = kNames[static_cast<int>(mode)][std::clamp<int64_t>(k, 1, 3) - 1];
  return autograd::record(
      out, name, {input},
      [maps = std::move(maps), in_sizes, outer, x_sizes = input.sizes()](const Tensor& grad) {
        const Tensor g = grad.contiguous();
        Tensor gin = detail::make_empty(x_sizes, g.dtype());
        detail::dispatch_float(g.dtype(), "pad_backward", [&](auto tag) {
          using T = decltype(tag);
          kernels::pad_backward<T>(g.data_ptr<T>(), gin.data_ptr<T>(), outer, in_sizes, maps);
        });
        return std::vector<Tensor>{gin};
      });
}

}  // namespace torchlite
