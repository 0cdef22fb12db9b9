// torchvision 0.14's MobileNetV2, InvertedResidual and Conv2dNormActivation (facts from
// torchvision/models/mobilenetv2.py, torchvision/ops/misc.py and torchvision/models/_utils.py).
#include "torchlite/models/mobilenet.h"

#include <algorithm>
#include <cmath>

#include "models/walk.h"
#include "torchlite/error.h"
#include "torchlite/nn/activation.h"
#include "torchlite/nn/conv.h"
#include "torchlite/nn/dropout.h"
#include "torchlite/nn/functional.h"
#include "torchlite/nn/init.h"
#include "torchlite/nn/linear.h"
#include "torchlite/nn/normalization.h"

namespace torchlite::models {
namespace {

/// torchvision's _make_divisible: v rounded to a multiple of divisor, never below 90% of v.
int64_t make_divisible(double v, int64_t divisor) {
  int64_t new_v = std::max(
      divisor, static_cast<int64_t>(v + static_cast<double>(divisor) / 2) / divisor * divisor);
  if (static_cast<double>(new_v) < 0.9 * v) new_v += divisor;
  return new_v;
}

const std::vector<std::array<int64_t, 4>> kDefaultSetting = {
    {1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
    {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};

/// InvertedResidual's `conv`, after torchvision's check of the stride.
std::shared_ptr<nn::SequentialImpl> inverted_residual_conv(int64_t inp, int64_t oup, int64_t stride,
                                                           int64_t expand_ratio) {
  TL_CHECK(stride == 1 || stride == 2, "stride should be 1 or 2 insted of ", stride);
  const int64_t hidden_dim = inp * expand_ratio;
  auto layers = std::make_shared<nn::SequentialImpl>();
  if (expand_ratio != 1)
    layers->push_back(std::make_shared<Conv2dNormActivation>(inp, hidden_dim, 1));
  layers->push_back(
      std::make_shared<Conv2dNormActivation>(hidden_dim, hidden_dim, 3, stride, hidden_dim));
  layers->push_back(nn::Conv2d(hidden_dim, oup, 1, {.bias = false}).ptr());
  layers->push_back(nn::BatchNorm2d(oup).ptr());
  return layers;
}

}  // namespace

Conv2dNormActivation::Conv2dNormActivation(int64_t in_channels, int64_t out_channels,
                                           int64_t kernel_size, int64_t stride, int64_t groups)
    : out_channels(out_channels) {
  push_back(
      nn::Conv2d(
          in_channels, out_channels, kernel_size,
          {.stride = stride, .padding = (kernel_size - 1) / 2, .groups = groups, .bias = false})
          .ptr());
  push_back(nn::BatchNorm2d(out_channels).ptr());
  push_back(nn::ReLU6(true).ptr());
}

InvertedResidual::InvertedResidual(int64_t inp, int64_t oup, int64_t stride, int64_t expand_ratio)
    : nn::Module("InvertedResidual"),
      stride(stride),
      use_res_connect(stride == 1 && inp == oup),
      conv(inverted_residual_conv(inp, oup, stride, expand_ratio)),
      out_channels(oup) {
  register_module("conv", conv);
}

Tensor InvertedResidual::forward(const Tensor& x) {
  if (use_res_connect) return x + conv(x);
  return conv(x);
}

namespace {

/// MobileNetV2's `features`: stem, InvertedResidual stages, 1x1 head to last_channel.
std::shared_ptr<nn::SequentialImpl> mobilenet_v2_features(const MobileNetV2Options& options,
                                                          int64_t last_channel) {
  const auto& setting = options.inverted_residual_setting.empty()
                            ? kDefaultSetting
                            : options.inverted_residual_setting;
  int64_t input_channel = make_divisible(32 * options.width_mult, options.round_nearest);
  auto features = std::make_shared<nn::SequentialImpl>();
  features->push_back(std::make_shared<Conv2dNormActivation>(3, input_channel, 3, 2));
  for (const auto& [t, c, n, s] : setting) {
    const int64_t output_channel =
        make_divisible(static_cast<double>(c) * options.width_mult, options.round_nearest);
    for (int64_t i = 0; i < n; ++i) {
      features->push_back(
          std::make_shared<InvertedResidual>(input_channel, output_channel, i == 0 ? s : 1, t));
      input_channel = output_channel;
    }
  }
  features->push_back(std::make_shared<Conv2dNormActivation>(input_channel, last_channel, 1));
  return features;
}

}  // namespace

MobileNetV2::MobileNetV2(const MobileNetV2Options& options)
    : nn::Module("MobileNetV2"),
      last_channel(make_divisible(1280 * std::max(1.0, options.width_mult), options.round_nearest)),
      features(mobilenet_v2_features(options, last_channel)),
      classifier{nn::Dropout(options.dropout), nn::Linear(last_channel, options.num_classes)} {
  register_module("features", features);
  register_module("classifier", classifier);
  init_weights();
}

void MobileNetV2::init_weights() {
  detail::for_each_module(*this, [](nn::Module& m) {
    if (auto* conv = m.as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(conv->weight, 0.0, "fan_out");
      if (conv->bias.defined()) nn::init::zeros_(conv->bias);
    } else if (auto* bn = m.as<nn::BatchNorm2d>()) {
      nn::init::ones_(bn->weight);
      nn::init::zeros_(bn->bias);
    } else if (auto* linear = m.as<nn::Linear>()) {
      nn::init::normal_(linear->weight, 0, 0.01);
      nn::init::zeros_(linear->bias);
    }
  });
}

void MobileNetV2::reset_parameters() {
  nn::Module::reset_parameters();
  init_weights();
}

Tensor MobileNetV2::forward(const Tensor& x) {
  return classifier(nn::functional::adaptive_avg_pool2d(features(x), {1, 1}).flatten(1));
}

std::shared_ptr<MobileNetV2> mobilenet_v2(const MobileNetV2Options& options) {
  return std::make_shared<MobileNetV2>(options);
}

}  // namespace torchlite::models
