// nn::Conv1d, nn::Conv2d and nn::ConvTranspose2d.
// Mirrors https://pytorch.org/docs/1.13/nn.html#convolution-layers
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "torchlite/nn/expanding_array.h"
#include "torchlite/nn/module.h"
#include "torchlite/nn/padding.h"

namespace torchlite::nn {

/// Conv1d/Conv2d's keyword arguments, in PyTorch's order: `{.stride = 2, .padding = "same"}`.
template <size_t D>
struct ConvOptions {
  ExpandingArray<D> stride = 1;
  ConvPadding<D> padding = 0;  // ints, or "same" (stride 1 only) / "valid"
  ExpandingArray<D> dilation = 1;
  int64_t groups = 1;
  bool bias = true;
  std::string padding_mode = "zeros";  // "zeros", "reflect", "replicate" or "circular"
};
using Conv1dOptions = ConvOptions<1>;
using Conv2dOptions = ConvOptions<2>;

/// A convolution over D spatial dims with weight [out_channels, in_channels / groups, *kernel]
/// and bias [out_channels]; https://pytorch.org/docs/1.13/generated/torch.nn.Conv2d.html
template <size_t D>
class ConvImpl : public Module {
 public:
  /// Checks the arguments with PyTorch's messages, then draws as PyTorch: kaiming_uniform_(a =
  /// sqrt(5)) on the weight, then bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
  ConvImpl(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size,
           ConvOptions<D> options = {});
  /// [N, C, *spatial] (or unbatched [C, *spatial]) -> [N, out_channels, *spatial_out]; a
  /// padding_mode other than zeros pads with F::pad first, as PyTorch.
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return D == 1 ? "Conv1d" : "Conv2d"; }
  std::string extra_repr() const override;
  /// Redraws weight and bias with the default initialisation.
  void reset_parameters() override;

  int64_t in_channels;
  int64_t out_channels;
  ExpandingArray<D> kernel_size;
  ExpandingArray<D> stride;
  ConvPadding<D> padding;
  ExpandingArray<D> dilation;
  int64_t groups;
  std::string padding_mode;
  Tensor weight;
  Tensor bias;  // undefined when bias=false

 private:
  /// F::pad's argument for a non-zeros padding_mode: {left, right} of the last dim first.
  std::vector<int64_t> reversed_padding_repeated_twice_;
};
using Conv1dImpl = ConvImpl<1>;
using Conv2dImpl = ConvImpl<2>;

/// Handle to a Conv1dImpl: `nn::Conv1d(3, 8, 5, {.padding = 2})`.
class Conv1d : public ModuleHolder<Conv1dImpl> {
 public:
  Conv1d(int64_t in_channels, int64_t out_channels, ExpandingArray<1> kernel_size,
         Conv1dOptions options = {})
      : ModuleHolder(std::make_shared<Conv1dImpl>(in_channels, out_channels, kernel_size,
                                                  std::move(options))) {}
  Conv1d(std::shared_ptr<Conv1dImpl> module) : ModuleHolder(std::move(module)) {}  // NOLINT
};

/// Handle to a Conv2dImpl: `nn::Conv2d(1, 6, 5, {.padding = 2})`.
class Conv2d : public ModuleHolder<Conv2dImpl> {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, ExpandingArray<2> kernel_size,
         Conv2dOptions options = {})
      : ModuleHolder(std::make_shared<Conv2dImpl>(in_channels, out_channels, kernel_size,
                                                  std::move(options))) {}
  Conv2d(std::shared_ptr<Conv2dImpl> module) : ModuleHolder(std::move(module)) {}  // NOLINT
};

/// ConvTranspose2d's keyword arguments, in PyTorch's order.
struct ConvTranspose2dOptions {
  ExpandingArray<2> stride = 1;
  ExpandingArray<2> padding = 0;
  ExpandingArray<2> output_padding = 0;
  int64_t groups = 1;
  bool bias = true;
  ExpandingArray<2> dilation = 1;
  std::string padding_mode = "zeros";  // only "zeros", as in PyTorch
};

/// Transposed 2-D convolution with weight [in_channels, out_channels / groups, kh, kw] and bias
/// [out_channels]; https://pytorch.org/docs/1.13/generated/torch.nn.ConvTranspose2d.html
class ConvTranspose2dImpl : public Module {
 public:
  /// Initialised as Conv2d, fan_in being out_channels / groups * kh * kw for this layout.
  ConvTranspose2dImpl(int64_t in_channels, int64_t out_channels, ExpandingArray<2> kernel_size,
                      ConvTranspose2dOptions options = {});
  /// [N, in_channels, H, W] (or [in_channels, H, W]) -> [N, out_channels, H_out, W_out].
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "ConvTranspose2d"; }
  std::string extra_repr() const override;
  /// Redraws weight and bias with the default initialisation.
  void reset_parameters() override;

  int64_t in_channels;
  int64_t out_channels;
  ExpandingArray<2> kernel_size;
  ExpandingArray<2> stride;
  ExpandingArray<2> padding;
  ExpandingArray<2> output_padding;
  int64_t groups;
  ExpandingArray<2> dilation;
  std::string padding_mode;
  Tensor weight;
  Tensor bias;  // undefined when bias=false
};

/// Handle to a ConvTranspose2dImpl: `nn::ConvTranspose2d(16, 8, 3, {.stride = 2})`.
class ConvTranspose2d : public ModuleHolder<ConvTranspose2dImpl> {
 public:
  ConvTranspose2d(int64_t in_channels, int64_t out_channels, ExpandingArray<2> kernel_size,
                  ConvTranspose2dOptions options = {})
      : ModuleHolder(std::make_shared<ConvTranspose2dImpl>(in_channels, out_channels, kernel_size,
                                                           std::move(options))) {}
  ConvTranspose2d(std::shared_ptr<ConvTranspose2dImpl> module)  // NOLINT
      : ModuleHolder(std::move(module)) {}
};

}  // namespace torchlite::nn
