// nn::Conv1d/Conv2d/ConvTranspose2d: PyTorch's argument checks, draws and repr around the ops
// of torchlite/ops/conv.h.
#include "torchlite/nn/conv.h"

#include <cmath>

#include "torchlite/nn/init.h"
#include "torchlite/ops/conv.h"
#include "torchlite/ops/pad.h"

namespace torchlite::nn {
namespace {

/// _ConvNd.__init__'s checks, in its order and words (Python's set order under PYTHONHASHSEED=0,
/// as tools/gen_conv_fixtures.py records it).
template <size_t D>
void check_conv_args(int64_t in_channels, int64_t out_channels, int64_t groups,
                     const ConvPadding<D>& padding, const ExpandingArray<D>& stride,
                     const std::string& padding_mode) {
  TL_CHECK(groups > 0, "groups must be a positive integer");
  TL_CHECK(in_channels % groups == 0, "in_channels must be divisible by groups");
  TL_CHECK(out_channels % groups == 0, "out_channels must be divisible by groups");
  if (padding.is_string()) {
    TL_CHECK(padding.mode() == "same" || padding.mode() == "valid", "Invalid padding string '",
             padding.mode(), "', should be one of {'same', 'valid'}");
    bool unit = true;
    for (size_t d = 0; d < D; ++d) unit = unit && stride[d] == 1;
    TL_CHECK(padding.mode() != "same" || unit,
             "padding='same' is not supported for strided convolutions");
  }
  TL_CHECK(padding_mode == "zeros" || padding_mode == "reflect" || padding_mode == "replicate" ||
               padding_mode == "circular",
           "padding_mode must be one of {'replicate', 'reflect', 'zeros', 'circular'}, but got "
           "padding_mode='",
           padding_mode, "'");
}

/// _ConvNd.reset_parameters: kaiming_uniform_(a = sqrt(5)), then the bias from the weight's
/// fan_in, skipped (no draws) when fan_in is 0.
void reset_conv_parameters(Tensor& weight, Tensor& bias) {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (!bias.defined()) return;
  const int64_t fan_in = init::calculate_fan_in_and_fan_out(weight).first;
  if (fan_in == 0) return;
  const double bound = 1 / std::sqrt(static_cast<double>(fan_in));
  init::uniform_(bias, -bound, bound);
}

/// _ConvNd.extra_repr: sizes as tuples; defaults left out; a string padding printed bare.
template <size_t D>
std::string conv_repr(int64_t in, int64_t out, const ExpandingArray<D>& kernel,
                      const ExpandingArray<D>& stride, const std::string& padding,
                      const ExpandingArray<D>& dilation, const ExpandingArray<D>* output_padding,
                      int64_t groups, bool bias, const std::string& padding_mode) {
  auto is_all = [](const ExpandingArray<D>& a, int64_t v) {
    for (size_t d = 0; d < D; ++d)
      if (a[d] != v) return false;
    return true;
  };
  std::string s = std::to_string(in) + ", " + std::to_string(out) +
                  ", kernel_size=" + kernel.tuple_repr() + ", stride=" + stride.tuple_repr();
  if (!padding.empty()) s += ", padding=" + padding;
  if (!is_all(dilation, 1)) s += ", dilation=" + dilation.tuple_repr();
  if (output_padding && !is_all(*output_padding, 0))
    s += ", output_padding=" + output_padding->tuple_repr();
  if (groups != 1) s += ", groups=" + std::to_string(groups);
  if (!bias) s += ", bias=False";
  if (padding_mode != "zeros") s += ", padding_mode=" + padding_mode;
  return s;
}

template <size_t D>
Sizes weight_sizes(int64_t first, int64_t second, const ExpandingArray<D>& kernel) {
  Sizes s{first, second};
  for (size_t d = 0; d < D; ++d) s.push_back(kernel[d]);
  return s;
}

}  // namespace

template <size_t D>
ConvImpl<D>::ConvImpl(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size,
                      ConvOptions<D> options)
    : in_channels(in_channels),
      out_channels(out_channels),
      kernel_size(kernel_size),
      stride(options.stride),
      padding(std::move(options.padding)),
      dilation(options.dilation),
      groups(options.groups),
      padding_mode(std::move(options.padding_mode)) {
  check_conv_args<D>(in_channels, out_channels, groups, padding, stride, padding_mode);
  // PyTorch's _reversed_padding_repeated_twice: 'same' splits d * (k - 1), the extra zero after.
  reversed_padding_repeated_twice_.assign(2 * D, 0);
  for (size_t d = 0; d < D; ++d) {
    const size_t i = D - 1 - d;
    if (padding.is_string()) {
      if (padding.mode() != "same") continue;
      const int64_t total = dilation[d] * (kernel_size[d] - 1);
      reversed_padding_repeated_twice_[2 * i] = total / 2;
      reversed_padding_repeated_twice_[2 * i + 1] = total - total / 2;
    } else {
      reversed_padding_repeated_twice_[2 * i] = padding.sizes()[d];
      reversed_padding_repeated_twice_[2 * i + 1] = padding.sizes()[d];
    }
  }
  weight = register_parameter(
      "weight", empty(weight_sizes<D>(out_channels, in_channels / groups, kernel_size)));
  if (options.bias) bias = register_parameter("bias", empty({out_channels}));
  reset_parameters();
}

template <size_t D>
void ConvImpl<D>::reset_parameters() {
  reset_conv_parameters(weight, bias);
}

template <size_t D>
Tensor ConvImpl<D>::forward(const Tensor& input) {
  std::array<int64_t, D> s, p{}, dl;
  for (size_t d = 0; d < D; ++d) {
    s[d] = stride[d];
    dl[d] = dilation[d];
    if (!padding.is_string()) p[d] = padding.sizes()[d];
  }
  auto conv = [&](const Tensor& x, const std::array<int64_t, D>& pad) {
    if constexpr (D == 1)
      return conv1d(x, weight, bias, s, pad, dl, groups);
    else
      return conv2d(x, weight, bias, s, pad, dl, groups);
  };
  if (padding_mode != "zeros")
    return conv(torchlite::pad(input, reversed_padding_repeated_twice_, padding_mode),
                std::array<int64_t, D>{});
  if (padding.is_string()) {
    if constexpr (D == 1)
      return conv1d(input, weight, bias, s, padding.mode(), dl, groups);
    else
      return conv2d(input, weight, bias, s, padding.mode(), dl, groups);
  }
  return conv(input, p);
}

template <size_t D>
std::string ConvImpl<D>::extra_repr() const {
  bool zero = !padding.is_string();
  for (size_t d = 0; d < D && zero; ++d) zero = padding.sizes()[d] == 0;
  const std::string pad = zero                  ? ""
                          : padding.is_string() ? padding.mode()
                                                : padding.sizes().tuple_repr();
  return conv_repr<D>(in_channels, out_channels, kernel_size, stride, pad, dilation, nullptr,
                      groups, bias.defined(), padding_mode);
}

template class ConvImpl<1>;
template class ConvImpl<2>;

ConvTranspose2dImpl::ConvTranspose2dImpl(int64_t in_channels, int64_t out_channels,
                                         ExpandingArray<2> kernel_size,
                                         ConvTranspose2dOptions options)
    : in_channels(in_channels),
      out_channels(out_channels),
      kernel_size(kernel_size),
      stride(options.stride),
      padding(options.padding),
      output_padding(options.output_padding),
      groups(options.groups),
      dilation(options.dilation),
      padding_mode(std::move(options.padding_mode)) {
  TL_CHECK(padding_mode == "zeros", "Only \"zeros\" padding mode is supported for ConvTranspose2d");
  check_conv_args<2>(in_channels, out_channels, groups, padding, stride, padding_mode);
  weight = register_parameter(
      "weight", empty(weight_sizes<2>(in_channels, out_channels / groups, kernel_size)));
  if (options.bias) bias = register_parameter("bias", empty({out_channels}));
  reset_parameters();
}

void ConvTranspose2dImpl::reset_parameters() { reset_conv_parameters(weight, bias); }

Tensor ConvTranspose2dImpl::forward(const Tensor& input) {
  return conv_transpose2d(input, weight, bias, stride.values(), padding.values(),
                          output_padding.values(), groups, dilation.values());
}

std::string ConvTranspose2dImpl::extra_repr() const {
  const bool zero = padding[0] == 0 && padding[1] == 0;
  return conv_repr<2>(in_channels, out_channels, kernel_size, stride,
                      zero ? "" : padding.tuple_repr(), dilation, &output_padding, groups,
                      bias.defined(), padding_mode);
}

}  // namespace torchlite::nn
