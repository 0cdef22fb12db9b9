// models::vgg11_bn: torchvision 0.14's VGG with its module tree, state-dict keys, repr and default
// initialisation. Mirrors https://pytorch.org/vision/0.14/models/vgg.html
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "torchlite/nn/module.h"
#include "torchlite/nn/pooling.h"
#include "torchlite/nn/sequential.h"

namespace torchlite::models {

/// VGG's keyword arguments, in torchvision's order: `models::vgg11_bn({.num_classes = 10})`.
struct VGGOptions {
  int64_t num_classes = 1000;
  /// Run torchvision's init loop (torchvision turns it off only when it loads weights).
  bool init_weights = true;
  /// Probability of both Dropout layers of the classifier.
  double dropout = 0.5;
};

/// One entry of a VGG configuration: a convolution's output channels, or kMaxPool.
using VGGLayer = int64_t;
/// The "M" of torchvision's cfgs: a 2x2 max-pool with stride 2.
inline constexpr VGGLayer kMaxPool = -1;

/// torchvision's make_layers: per entry Conv2d(3x3, padding 1) [+ BatchNorm2d] + ReLU, or
/// MaxPool2d(2, 2) for kMaxPool; 3 input channels.
std::shared_ptr<nn::SequentialImpl> make_vgg_layers(const std::vector<VGGLayer>& cfg,
                                                    bool batch_norm);

/// torchvision's VGG: features (given), avgpool (adaptive, 7x7), classifier (Linear 25088 ->
/// 4096, ReLU, Dropout, Linear, ReLU, Dropout, Linear). With init_weights, draws as torchvision:
/// kaiming_normal_(fan_out, relu) and zero bias on every Conv2d, ones/zeros on every BatchNorm2d,
/// normal_(0, 0.01) and zero bias on every Linear, in modules() order.
class VGG : public nn::Module {
 public:
  /// `features` must end with 512 channels.
  VGG(std::shared_ptr<nn::SequentialImpl> features, const VGGOptions& options = {});
  /// [N, 3, H, W] (H, W >= 32) -> [N, num_classes].
  Tensor forward(const Tensor& x) override;
  /// Redraws as the constructor did: every child's default, then (with init_weights) the loop.
  void reset_parameters() override;

 private:
  VGGOptions options_;

 public:
  nn::Sequential features;
  nn::AdaptiveAvgPool2d avgpool;
  nn::Sequential classifier;

 private:
  void init_weights();
};

/// VGG-11 with BatchNorm (configuration "A");
/// https://pytorch.org/vision/0.14/models/generated/torchvision.models.vgg11_bn.html
std::shared_ptr<VGG> vgg11_bn(const VGGOptions& options = {});

}  // namespace torchlite::models
