// models::alexnet: torchvision 0.14's AlexNet with its module tree, state-dict keys, repr and
// default initialisation. Mirrors https://pytorch.org/vision/0.14/models/alexnet.html
#pragma once

#include <cstdint>
#include <memory>

#include "torchlite/nn/module.h"
#include "torchlite/nn/pooling.h"
#include "torchlite/nn/sequential.h"

namespace torchlite::models {

/// AlexNet's keyword arguments, in torchvision's order: `models::alexnet({.num_classes = 10})`.
struct AlexNetOptions {
  int64_t num_classes = 1000;
  /// Probability of both Dropout layers of the classifier.
  double dropout = 0.5;
};

/// torchvision's AlexNet: features (5 convolutions, ReLUs, 3 max-pools), avgpool (adaptive, 6x6),
/// classifier (Dropout, Linear 9216 -> 4096, ReLU, Dropout, Linear, ReLU, Linear). Every layer
/// keeps its own default initialisation, as torchvision's has no init loop.
class AlexNet : public nn::Module {
 public:
  explicit AlexNet(const AlexNetOptions& options = {});
  /// [N, 3, H, W] (H, W >= 63) -> [N, num_classes].
  Tensor forward(const Tensor& x) override;

  nn::Sequential features;
  nn::AdaptiveAvgPool2d avgpool;
  nn::Sequential classifier;
};

/// AlexNet; https://pytorch.org/vision/0.14/models/generated/torchvision.models.alexnet.html
std::shared_ptr<AlexNet> alexnet(const AlexNetOptions& options = {});

}  // namespace torchlite::models
