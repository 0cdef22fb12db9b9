// torchvision 0.14's ResNet, BasicBlock and Bottleneck (facts from torchvision/models/resnet.py).
#include "torchlite/models/resnet.h"

#include "models/walk.h"
#include "torchlite/error.h"
#include "torchlite/nn/init.h"

namespace torchlite::models {
namespace {

using detail::for_each_module;

/// torchvision's conv3x3: padding = dilation, no bias.
nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride = 1, int64_t groups = 1,
                   int64_t dilation = 1) {
  return nn::Conv2d(in, out, 3,
                    {.stride = stride,
                     .padding = dilation,
                     .dilation = dilation,
                     .groups = groups,
                     .bias = false});
}

/// torchvision's conv1x1: no bias.
nn::Conv2d conv1x1(int64_t in, int64_t out, int64_t stride = 1) {
  return nn::Conv2d(in, out, 1, {.stride = stride, .bias = false});
}

/// BasicBlock's first convolution, after torchvision's checks of the arguments it does not take.
nn::Conv2d basic_conv1(int64_t inplanes, int64_t planes, int64_t stride, int64_t groups,
                       int64_t base_width, int64_t dilation) {
  TL_CHECK(groups == 1 && base_width == 64, "BasicBlock only supports groups=1 and base_width=64");
  TL_CHECK(dilation <= 1, "Dilation > 1 not supported in BasicBlock");
  return conv3x3(inplanes, planes, stride);
}

}  // namespace

BasicBlock::BasicBlock(int64_t inplanes, int64_t planes, int64_t stride,
                       std::shared_ptr<nn::SequentialImpl> downsample, int64_t groups,
                       int64_t base_width, int64_t dilation)
    : nn::Module("BasicBlock"),
      conv1(basic_conv1(inplanes, planes, stride, groups, base_width, dilation)),
      bn1(planes),
      relu(true),
      conv2(conv3x3(planes, planes)),
      bn2(planes),
      downsample(std::move(downsample)) {
  register_module("conv1", conv1);
  register_module("bn1", bn1);
  register_module("relu", relu);
  register_module("conv2", conv2);
  register_module("bn2", bn2);
  if (this->downsample) register_module("downsample", this->downsample);
}

Tensor BasicBlock::forward(const Tensor& x) {
  Tensor out = relu(bn1(conv1(x)));
  out = bn2(conv2(out));
  out.add_(downsample ? downsample->forward(x) : x);
  return relu(out);
}

Bottleneck::Bottleneck(int64_t inplanes, int64_t planes, int64_t stride,
                       std::shared_ptr<nn::SequentialImpl> downsample, int64_t groups,
                       int64_t base_width, int64_t dilation)
    : nn::Module("Bottleneck"),
      conv1(conv1x1(inplanes, planes * base_width / 64 * groups)),
      bn1(planes * base_width / 64 * groups),
      conv2(conv3x3(planes * base_width / 64 * groups, planes * base_width / 64 * groups, stride,
                    groups, dilation)),
      bn2(planes * base_width / 64 * groups),
      conv3(conv1x1(planes * base_width / 64 * groups, planes * expansion)),
      bn3(planes * expansion),
      relu(true),
      downsample(std::move(downsample)) {
  register_module("conv1", conv1);
  register_module("bn1", bn1);
  register_module("conv2", conv2);
  register_module("bn2", bn2);
  register_module("conv3", conv3);
  register_module("bn3", bn3);
  register_module("relu", relu);
  if (this->downsample) register_module("downsample", this->downsample);
}

Tensor Bottleneck::forward(const Tensor& x) {
  Tensor out = relu(bn1(conv1(x)));
  out = relu(bn2(conv2(out)));
  out = bn3(conv3(out));
  out.add_(downsample ? downsample->forward(x) : x);
  return relu(out);
}

ResNet::ResNet(Block block, const std::array<int64_t, 4>& layers, const ResNetOptions& options)
    : nn::Module("ResNet"),
      block_(block),
      options_(options),
      conv1(3, 64, 7, {.stride = 2, .padding = 3, .bias = false}),
      bn1(64),
      relu(true),
      maxpool(3, {.stride = 2, .padding = 1}),
      layer1(make_layer(64, layers[0], 1, false)),
      layer2(make_layer(128, layers[1], 2, options.replace_stride_with_dilation[0])),
      layer3(make_layer(256, layers[2], 2, options.replace_stride_with_dilation[1])),
      layer4(make_layer(512, layers[3], 2, options.replace_stride_with_dilation[2])),
      avgpool({1, 1}),
      fc(512 * (block == Block::kBasic ? BasicBlock::expansion : Bottleneck::expansion),
         options.num_classes) {
  register_module("conv1", conv1);
  register_module("bn1", bn1);
  register_module("relu", relu);
  register_module("maxpool", maxpool);
  register_module("layer1", layer1);
  register_module("layer2", layer2);
  register_module("layer3", layer3);
  register_module("layer4", layer4);
  register_module("avgpool", avgpool);
  register_module("fc", fc);
  init_weights();
}

std::shared_ptr<nn::SequentialImpl> ResNet::make_layer(int64_t planes, int64_t blocks,
                                                       int64_t stride, bool dilate) {
  const int64_t expansion = block_ == Block::kBasic ? BasicBlock::expansion : Bottleneck::expansion;
  const int64_t previous_dilation = dilation_;
  if (dilate) {
    dilation_ *= stride;
    stride = 1;
  }
  std::shared_ptr<nn::SequentialImpl> downsample;
  if (stride != 1 || inplanes_ != planes * expansion) {
    // Built (and drawn) before the block that owns it, as torchvision does.
    downsample = std::make_shared<nn::SequentialImpl>();
    downsample->push_back(conv1x1(inplanes_, planes * expansion, stride).ptr());
    downsample->push_back(nn::BatchNorm2d(planes * expansion).ptr());
  }
  auto make_block = [&](int64_t inplanes, int64_t s, std::shared_ptr<nn::SequentialImpl> ds,
                        int64_t dilation) -> std::shared_ptr<nn::Module> {
    if (block_ == Block::kBasic)
      return std::make_shared<BasicBlock>(inplanes, planes, s, std::move(ds), options_.groups,
                                          options_.width_per_group, dilation);
    return std::make_shared<Bottleneck>(inplanes, planes, s, std::move(ds), options_.groups,
                                        options_.width_per_group, dilation);
  };
  auto layer = std::make_shared<nn::SequentialImpl>();
  layer->push_back(make_block(inplanes_, stride, std::move(downsample), previous_dilation));
  inplanes_ = planes * expansion;
  for (int64_t i = 1; i < blocks; ++i)
    layer->push_back(make_block(inplanes_, 1, nullptr, dilation_));
  return layer;
}

void ResNet::init_weights() {
  for_each_module(*this, [](nn::Module& m) {
    if (auto* conv = m.as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(conv->weight, 0.0, "fan_out", "relu");
    } else if (auto* bn = m.as<nn::BatchNorm2d>()) {
      nn::init::constant_(bn->weight, 1);
      nn::init::constant_(bn->bias, 0);
    }
  });
  if (!options_.zero_init_residual) return;
  for_each_module(*this, [](nn::Module& m) {
    if (auto* b = dynamic_cast<Bottleneck*>(&m)) nn::init::constant_(b->bn3->weight, 0);
    if (auto* b = dynamic_cast<BasicBlock*>(&m)) nn::init::constant_(b->bn2->weight, 0);
  });
}

void ResNet::reset_parameters() {
  nn::Module::reset_parameters();
  init_weights();
}

Tensor ResNet::forward(const Tensor& x) {
  Tensor out = maxpool(relu(bn1(conv1(x))));
  out = layer4(layer3(layer2(layer1(out))));
  return fc(avgpool(out).flatten(1));
}

std::shared_ptr<ResNet> resnet18(const ResNetOptions& options) {
  return std::make_shared<ResNet>(ResNet::Block::kBasic, std::array<int64_t, 4>{2, 2, 2, 2},
                                  options);
}

std::shared_ptr<ResNet> resnet34(const ResNetOptions& options) {
  return std::make_shared<ResNet>(ResNet::Block::kBasic, std::array<int64_t, 4>{3, 4, 6, 3},
                                  options);
}

std::shared_ptr<ResNet> resnet50(const ResNetOptions& options) {
  return std::make_shared<ResNet>(ResNet::Block::kBottleneck, std::array<int64_t, 4>{3, 4, 6, 3},
                                  options);
}

}  // namespace torchlite::models
