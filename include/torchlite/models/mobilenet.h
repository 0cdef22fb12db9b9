// models::mobilenet_v2: torchvision 0.14's MobileNetV2 with its module tree, state-dict keys, repr
// and default initialisation. Mirrors https://pytorch.org/vision/0.14/models/mobilenetv2.html
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "torchlite/nn/module.h"
#include "torchlite/nn/sequential.h"

namespace torchlite::models {

/// torchvision.ops.Conv2dNormActivation with its defaults as MobileNetV2 uses them: a Sequential
/// of Conv2d (padding (kernel_size - 1) / 2, no bias), BatchNorm2d and ReLU6(inplace=True).
class Conv2dNormActivation : public nn::SequentialImpl {
 public:
  Conv2dNormActivation(int64_t in_channels, int64_t out_channels, int64_t kernel_size = 3,
                       int64_t stride = 1, int64_t groups = 1);
  std::string name() const override { return "Conv2dNormActivation"; }

  int64_t out_channels;
};

/// MobileNetV2's block: `conv` = [1x1 expansion Conv2dNormActivation when expand_ratio != 1,]
/// 3x3 depthwise Conv2dNormActivation, 1x1 Conv2d, BatchNorm2d; adds the input when stride is 1
/// and the channels agree.
class InvertedResidual : public nn::Module {
 public:
  /// Throws torchlite::Error, as torchvision, for a stride other than 1 or 2.
  InvertedResidual(int64_t inp, int64_t oup, int64_t stride, int64_t expand_ratio);
  /// [N, inp, H, W] -> [N, oup, H / stride, W / stride].
  Tensor forward(const Tensor& x) override;

  int64_t stride;
  bool use_res_connect;
  nn::Sequential conv;
  int64_t out_channels;
};

/// MobileNetV2's keyword arguments, in torchvision's order:
/// `models::mobilenet_v2({.num_classes = 10, .width_mult = 0.5})`.
struct MobileNetV2Options {
  int64_t num_classes = 1000;
  /// Multiplies every layer's channels (rounded to round_nearest).
  double width_mult = 1.0;
  /// Per stage {t (expansion), c (channels), n (blocks), s (first stride)}; empty: torchvision's.
  std::vector<std::array<int64_t, 4>> inverted_residual_setting = {};
  int64_t round_nearest = 8;
  /// Probability of the classifier's Dropout.
  double dropout = 0.2;
};

/// torchvision's MobileNetV2: features (Conv2dNormActivation, InvertedResidual blocks,
/// Conv2dNormActivation to last_channel), classifier (Dropout, Linear). Draws as torchvision:
/// every layer's default, then kaiming_normal_(fan_out) on every Conv2d, ones/zeros on every
/// BatchNorm2d, normal_(0, 0.01) and zero bias on every Linear, in modules() order.
class MobileNetV2 : public nn::Module {
 public:
  explicit MobileNetV2(const MobileNetV2Options& options = {});
  /// [N, 3, H, W] -> [N, num_classes] (adaptive average pooling to 1x1 before the classifier).
  Tensor forward(const Tensor& x) override;
  /// Redraws as the constructor did: every child's default, then torchvision's init loop.
  void reset_parameters() override;

  int64_t last_channel;
  nn::Sequential features;
  nn::Sequential classifier;

 private:
  void init_weights();
};

/// MobileNetV2;
/// https://pytorch.org/vision/0.14/models/generated/torchvision.models.mobilenet_v2.html
std::shared_ptr<MobileNetV2> mobilenet_v2(const MobileNetV2Options& options = {});

}  // namespace torchlite::models
