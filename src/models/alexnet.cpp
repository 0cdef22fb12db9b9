// torchvision 0.14's AlexNet (facts from torchvision/models/alexnet.py).
#include "torchlite/models/alexnet.h"

#include "torchlite/nn/activation.h"
#include "torchlite/nn/conv.h"
#include "torchlite/nn/dropout.h"
#include "torchlite/nn/linear.h"

namespace torchlite::models {

AlexNet::AlexNet(const AlexNetOptions& options)
    : nn::Module("AlexNet"),
      features{nn::Conv2d(3, 64, 11, {.stride = 4, .padding = 2}),
               nn::ReLU(true),
               nn::MaxPool2d(3, {.stride = 2}),
               nn::Conv2d(64, 192, 5, {.padding = 2}),
               nn::ReLU(true),
               nn::MaxPool2d(3, {.stride = 2}),
               nn::Conv2d(192, 384, 3, {.padding = 1}),
               nn::ReLU(true),
               nn::Conv2d(384, 256, 3, {.padding = 1}),
               nn::ReLU(true),
               nn::Conv2d(256, 256, 3, {.padding = 1}),
               nn::ReLU(true),
               nn::MaxPool2d(3, {.stride = 2})},
      avgpool({6, 6}),
      classifier{
          nn::Dropout(options.dropout),         nn::Linear(256 * 6 * 6, 4096), nn::ReLU(true),
          nn::Dropout(options.dropout),         nn::Linear(4096, 4096),        nn::ReLU(true),
          nn::Linear(4096, options.num_classes)} {
  register_module("features", features);
  register_module("avgpool", avgpool);
  register_module("classifier", classifier);
}

Tensor AlexNet::forward(const Tensor& x) { return classifier(avgpool(features(x)).flatten(1)); }

std::shared_ptr<AlexNet> alexnet(const AlexNetOptions& options) {
  return std::make_shared<AlexNet>(options);
}

}  // namespace torchlite::models
