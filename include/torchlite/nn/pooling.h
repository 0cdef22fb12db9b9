// Pooling layers: MaxPool1d/2d, AvgPool1d/2d, AdaptiveAvgPool1d/2d, AdaptiveMaxPool2d.
// Mirrors https://pytorch.org/docs/stable/nn.html#pooling-layers
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "torchlite/nn/expanding_array.h"
#include "torchlite/nn/module.h"
#include "torchlite/nn/pooling_options.h"

namespace torchlite::nn {

/// The handle of a pooling layer: ModuleHolder plus a constructor taking the positional argument
/// and, braced, the options (`nn::MaxPool2d(3, {.stride = 2})`, `nn::AdaptiveAvgPool2d({1, 1})`),
/// which ModuleHolder's by-value variadic constructor cannot deduce.
template <class Impl, class Arg, class Options = void>
class PoolHolder : public ModuleHolder<Impl> {
 public:
  using ModuleHolder<Impl>::ModuleHolder;
  PoolHolder(Arg arg, const Options& options = {})  // NOLINT
      : ModuleHolder<Impl>(std::make_shared<Impl>(std::move(arg), options)) {}
};

/// The handle of a pooling layer without options (the adaptive pools).
template <class Impl, class Arg>
class PoolHolder<Impl, Arg, void> : public ModuleHolder<Impl> {
 public:
  using ModuleHolder<Impl>::ModuleHolder;
  PoolHolder(Arg arg)  // NOLINT
      : ModuleHolder<Impl>(std::make_shared<Impl>(std::move(arg))) {}
};

namespace detail {
template <class Impl, class Arg, class Options>
struct ContainedModule<PoolHolder<Impl, Arg, Options>> {
  using type = Impl;
};
}  // namespace detail

/// Max over sliding windows of input [N, C, L] / [C, L] (1-d) or [N, C, H, W] / [C, H, W] (2-d).
/// Prints `MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)`, each size
/// as given. https://pytorch.org/docs/stable/generated/torch.nn.MaxPool2d.html
template <size_t D>
class MaxPoolImpl : public Module {
 public:
  explicit MaxPoolImpl(ExpandingArray<D> kernel_size, const MaxPoolOptions<D>& options = {})
      : kernel_size(kernel_size),
        stride(options.stride.value_or(kernel_size)),
        padding(options.padding),
        dilation(options.dilation),
        ceil_mode(options.ceil_mode) {}
  Tensor forward(const Tensor& input) override;
  /// The output and the flat index of each maximum (PyTorch's return_indices=True).
  std::pair<Tensor, Tensor> forward_with_indices(const Tensor& input);
  std::string name() const override { return D == 1 ? "MaxPool1d" : "MaxPool2d"; }
  std::string extra_repr() const override;
  ExpandingArray<D> kernel_size;
  ExpandingArray<D> stride;
  ExpandingArray<D> padding;
  ExpandingArray<D> dilation;
  bool ceil_mode;

 private:
  MaxPoolOptions<D> options() const { return {stride, padding, dilation, ceil_mode}; }
};
using MaxPool1dImpl = MaxPoolImpl<1>;
using MaxPool2dImpl = MaxPoolImpl<2>;
/// https://pytorch.org/docs/stable/generated/torch.nn.MaxPool1d.html
using MaxPool1d = PoolHolder<MaxPool1dImpl, ExpandingArray<1>, MaxPool1dOptions>;
/// https://pytorch.org/docs/stable/generated/torch.nn.MaxPool2d.html
using MaxPool2d = PoolHolder<MaxPool2dImpl, ExpandingArray<2>, MaxPool2dOptions>;

/// Mean over sliding windows of input [N, C, L] or [C, L]. Prints every size as a tuple:
/// `AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))`.
/// https://pytorch.org/docs/stable/generated/torch.nn.AvgPool1d.html
class AvgPool1dImpl : public Module {
 public:
  explicit AvgPool1dImpl(ExpandingArray<1> kernel_size, const AvgPool1dOptions& options = {})
      : kernel_size(kernel_size),
        stride(options.stride.value_or(kernel_size)),
        padding(options.padding),
        ceil_mode(options.ceil_mode),
        count_include_pad(options.count_include_pad) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "AvgPool1d"; }
  std::string extra_repr() const override;
  ExpandingArray<1> kernel_size;
  ExpandingArray<1> stride;
  ExpandingArray<1> padding;
  bool ceil_mode;
  bool count_include_pad;
};
using AvgPool1d = PoolHolder<AvgPool1dImpl, ExpandingArray<1>, AvgPool1dOptions>;

/// Mean over sliding windows of input [N, C, H, W] or [C, H, W]. Prints
/// `AvgPool2d(kernel_size=2, stride=2, padding=0)`, each size as given.
/// https://pytorch.org/docs/stable/generated/torch.nn.AvgPool2d.html
class AvgPool2dImpl : public Module {
 public:
  explicit AvgPool2dImpl(ExpandingArray<2> kernel_size, const AvgPool2dOptions& options = {})
      : kernel_size(kernel_size),
        stride(options.stride.value_or(kernel_size)),
        padding(options.padding),
        ceil_mode(options.ceil_mode),
        count_include_pad(options.count_include_pad),
        divisor_override(options.divisor_override) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "AvgPool2d"; }
  std::string extra_repr() const override;
  ExpandingArray<2> kernel_size;
  ExpandingArray<2> stride;
  ExpandingArray<2> padding;
  bool ceil_mode;
  bool count_include_pad;
  std::optional<int64_t> divisor_override;
};
using AvgPool2d = PoolHolder<AvgPool2dImpl, ExpandingArray<2>, AvgPool2dOptions>;

/// Mean over PyTorch's adaptive windows of input [N, C, L] or [C, L] to output_size.
/// Prints `AdaptiveAvgPool1d(output_size=5)`.
/// https://pytorch.org/docs/stable/generated/torch.nn.AdaptiveAvgPool1d.html
class AdaptiveAvgPool1dImpl : public Module {
 public:
  explicit AdaptiveAvgPool1dImpl(ExpandingArray<1> output_size) : output_size(output_size) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "AdaptiveAvgPool1d"; }
  std::string extra_repr() const override { return "output_size=" + output_size.repr(); }
  ExpandingArray<1> output_size;
};
using AdaptiveAvgPool1d = PoolHolder<AdaptiveAvgPool1dImpl, ExpandingArray<1>>;

/// Mean over adaptive windows of input [N, C, H, W] or [C, H, W]; a None entry keeps that input
/// size. Prints `AdaptiveAvgPool2d(output_size=(None, 7))`.
/// https://pytorch.org/docs/stable/generated/torch.nn.AdaptiveAvgPool2d.html
class AdaptiveAvgPool2dImpl : public Module {
 public:
  explicit AdaptiveAvgPool2dImpl(ExpandingArrayWithOptionalElem<2> output_size)
      : output_size(output_size) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "AdaptiveAvgPool2d"; }
  std::string extra_repr() const override { return "output_size=" + output_size.repr(); }
  ExpandingArrayWithOptionalElem<2> output_size;
};
using AdaptiveAvgPool2d = PoolHolder<AdaptiveAvgPool2dImpl, ExpandingArrayWithOptionalElem<2>>;

/// Max over adaptive windows of input [N, C, H, W] or [C, H, W]; a None entry keeps that input
/// size. Prints `AdaptiveMaxPool2d(output_size=3)`.
/// https://pytorch.org/docs/stable/generated/torch.nn.AdaptiveMaxPool2d.html
class AdaptiveMaxPool2dImpl : public Module {
 public:
  explicit AdaptiveMaxPool2dImpl(ExpandingArrayWithOptionalElem<2> output_size)
      : output_size(output_size) {}
  Tensor forward(const Tensor& input) override;
  /// The output and the flat index of each maximum (PyTorch's return_indices=True).
  std::pair<Tensor, Tensor> forward_with_indices(const Tensor& input);
  std::string name() const override { return "AdaptiveMaxPool2d"; }
  std::string extra_repr() const override { return "output_size=" + output_size.repr(); }
  ExpandingArrayWithOptionalElem<2> output_size;
};
using AdaptiveMaxPool2d = PoolHolder<AdaptiveMaxPool2dImpl, ExpandingArrayWithOptionalElem<2>>;

}  // namespace torchlite::nn
