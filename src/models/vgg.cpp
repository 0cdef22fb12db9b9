// torchvision 0.14's VGG (facts from torchvision/models/vgg.py).
#include "torchlite/models/vgg.h"

#include "models/walk.h"
#include "torchlite/nn/activation.h"
#include "torchlite/nn/conv.h"
#include "torchlite/nn/dropout.h"
#include "torchlite/nn/init.h"
#include "torchlite/nn/linear.h"
#include "torchlite/nn/normalization.h"

namespace torchlite::models {

std::shared_ptr<nn::SequentialImpl> make_vgg_layers(const std::vector<VGGLayer>& cfg,
                                                    bool batch_norm) {
  auto layers = std::make_shared<nn::SequentialImpl>();
  int64_t in_channels = 3;
  for (VGGLayer v : cfg) {
    if (v == kMaxPool) {
      layers->push_back(nn::MaxPool2d(2, {.stride = 2}).ptr());
      continue;
    }
    layers->push_back(nn::Conv2d(in_channels, v, 3, {.padding = 1}).ptr());
    if (batch_norm) layers->push_back(nn::BatchNorm2d(v).ptr());
    layers->push_back(nn::ReLU(true).ptr());
    in_channels = v;
  }
  return layers;
}

VGG::VGG(std::shared_ptr<nn::SequentialImpl> features, const VGGOptions& options)
    : nn::Module("VGG"),
      options_(options),
      features(std::move(features)),
      avgpool({7, 7}),
      classifier{nn::Linear(512 * 7 * 7, 4096),
                 nn::ReLU(true),
                 nn::Dropout(options.dropout),
                 nn::Linear(4096, 4096),
                 nn::ReLU(true),
                 nn::Dropout(options.dropout),
                 nn::Linear(4096, options.num_classes)} {
  register_module("features", this->features);
  register_module("avgpool", avgpool);
  register_module("classifier", classifier);
  if (options_.init_weights) init_weights();
}

void VGG::init_weights() {
  detail::for_each_module(*this, [](nn::Module& m) {
    if (auto* conv = m.as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(conv->weight, 0.0, "fan_out", "relu");
      if (conv->bias.defined()) nn::init::constant_(conv->bias, 0);
    } else if (auto* bn = m.as<nn::BatchNorm2d>()) {
      nn::init::constant_(bn->weight, 1);
      nn::init::constant_(bn->bias, 0);
    } else if (auto* linear = m.as<nn::Linear>()) {
      nn::init::normal_(linear->weight, 0, 0.01);
      nn::init::constant_(linear->bias, 0);
    }
  });
}

void VGG::reset_parameters() {
  nn::Module::reset_parameters();
  if (options_.init_weights) init_weights();
}

Tensor VGG::forward(const Tensor& x) { return classifier(avgpool(features(x)).flatten(1)); }

std::shared_ptr<VGG> vgg11_bn(const VGGOptions& options) {
  return std::make_shared<VGG>(make_vgg_layers({64, kMaxPool, 128, kMaxPool, 256, 256, kMaxPool,
                                                512, 512, kMaxPool, 512, 512, kMaxPool},
                                               true),
                               options);
}

}  // namespace torchlite::models
