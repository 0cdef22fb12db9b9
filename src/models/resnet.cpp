// torchvision 0.14's ResNet, BasicBlock and Bottleneck (facts from torchvision/models/resnet.py).
#include "torchlite/models/resnet.h"

#include <utility>
#include <vector>

#include "kernels/fused_net.h"
#include "models/walk.h"
#include "torchlite/error.h"
#include "torchlite/nn/fusion.h"
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

/// The fused eval plan, and the parameters and buffers (storage and version) and the image size
/// it was made from.
struct ResNet::FusedPlan {
  kernels::FusedNet net;
  std::vector<std::pair<const void*, uint32_t>> made_from;
  int64_t height = 0, width = 0;
};

namespace {

/// The per-sample geometry of `conv` on a [channels, height, width] input.
kernels::ConvGeometry geometry_of(const nn::Conv2dImpl& conv, int64_t height, int64_t width) {
  kernels::ConvGeometry g;
  g.channels = conv.in_channels;
  g.height = height;
  g.width = width;
  g.out_channels = conv.out_channels;
  g.kernel_h = conv.kernel_size[0];
  g.kernel_w = conv.kernel_size[1];
  g.stride_h = conv.stride[0];
  g.stride_w = conv.stride[1];
  g.pad_h = conv.padding.sizes()[0];
  g.pad_w = conv.padding.sizes()[1];
  g.dilation_h = conv.dilation[0];
  g.dilation_w = conv.dilation[1];
  g.groups = conv.groups;
  g.out_height = (height + 2 * g.pad_h - g.dilation_h * (g.kernel_h - 1) - 1) / g.stride_h + 1;
  g.out_width = (width + 2 * g.pad_w - g.dilation_w * (g.kernel_w - 1) - 1) / g.stride_w + 1;
  return g;
}

/// Builds a FusedNet step by step, tracking the current value's spatial size.
struct PlanBuilder {
  kernels::FusedNet& net;
  int64_t height, width;

  /// relu?(bn(conv(value src)) (+ value residual)); returns the new value.
  int conv_bn(const std::string& name, int src, nn::Conv2dImpl& conv, nn::BatchNorm2dImpl& bn,
              bool relu, int residual, int64_t& h, int64_t& w) {
    const kernels::ConvGeometry g = geometry_of(conv, h, w);
    auto [fw, fb] = nn::utils::fuse_conv_bn_weights(conv.weight, conv.bias, bn.running_mean,
                                                    bn.running_var, bn.eps, bn.weight, bn.bias);
    fw = fw.contiguous();
    fb = fb.contiguous();
    h = g.out_height;
    w = g.out_width;
    return net.conv(src, g, fw.data_ptr<float>(), fb.data_ptr<float>(), relu, residual, name);
  }
};

/// Whether every convolution pads with zeros by numbers, every BatchNorm has running statistics
/// and the max pool is square, undilated and floors (what the fused plan assumes).
bool fusable(nn::Module& root, const nn::MaxPool2dImpl& pool) {
  bool ok = pool.dilation[0] == 1 && pool.dilation[1] == 1 && !pool.ceil_mode &&
            pool.kernel_size[0] == pool.kernel_size[1] && pool.stride[0] == pool.stride[1] &&
            pool.padding[0] == pool.padding[1];
  detail::for_each_module(root, [&](nn::Module& m) {
    if (auto* conv = m.as<nn::Conv2d>())
      ok = ok && conv->padding_mode == "zeros" && !conv->padding.is_string();
    if (auto* bn = m.as<nn::BatchNorm2d>())
      ok = ok && bn->running_mean.defined() && bn->running_var.defined();
  });
  return ok;
}

}  // namespace

kernels::FusedNet& ResNet::fused_net(const Tensor& x) {
  std::vector<std::pair<const void*, uint32_t>> now;
  for (const auto& [name, t] : named_parameters()) now.emplace_back(t.raw_data(), t.version());
  for (const auto& [name, t] : named_buffers()) now.emplace_back(t.raw_data(), t.version());
  const int64_t height = x.size(2), width = x.size(3);
  if (!fused_ || fused_->made_from != now || fused_->height != height || fused_->width != width) {
    auto plan = std::make_shared<FusedPlan>();
    PlanBuilder b{plan->net, height, width};
    int64_t h = height, w = width;
    int v = b.conv_bn("conv1", 0, *conv1, *bn1, true, -1, h, w);
    v = plan->net.max_pool(v, maxpool->kernel_size[0], maxpool->stride[0], maxpool->padding[0],
                           "maxpool");
    h = (h + 2 * maxpool->padding[0] - maxpool->kernel_size[0]) / maxpool->stride[0] + 1;
    w = (w + 2 * maxpool->padding[1] - maxpool->kernel_size[1]) / maxpool->stride[1] + 1;
    const std::array<nn::SequentialImpl*, 4> layers{layer1.get(), layer2.get(), layer3.get(),
                                                    layer4.get()};
    for (size_t l = 0; l < layers.size(); ++l) {
      for (size_t k = 0; k < layers[l]->size(); ++k) {
        const auto& child = (*layers[l])[static_cast<int64_t>(k)];
        const std::string p = "layer" + std::to_string(l + 1) + "." + std::to_string(k) + ".";
        nn::SequentialImpl* ds = nullptr;
        int64_t h1 = h, w1 = w, hd = h, wd = w;
        int residual = v, out;
        if (auto* block = dynamic_cast<BasicBlock*>(child.get())) {
          ds = block->downsample.get();
          if (ds)
            residual = b.conv_bn(p + "downsample.0", v, *(*ds)[0]->as<nn::Conv2d>(),
                                 *(*ds)[1]->as<nn::BatchNorm2d>(), false, -1, hd, wd);
          out = b.conv_bn(p + "conv1", v, *block->conv1, *block->bn1, true, -1, h1, w1);
          out = b.conv_bn(p + "conv2", out, *block->conv2, *block->bn2, true, residual, h1, w1);
        } else {
          auto* bottleneck = dynamic_cast<Bottleneck*>(child.get());
          ds = bottleneck->downsample.get();
          if (ds)
            residual = b.conv_bn(p + "downsample.0", v, *(*ds)[0]->as<nn::Conv2d>(),
                                 *(*ds)[1]->as<nn::BatchNorm2d>(), false, -1, hd, wd);
          out = b.conv_bn(p + "conv1", v, *bottleneck->conv1, *bottleneck->bn1, true, -1, h1, w1);
          out = b.conv_bn(p + "conv2", out, *bottleneck->conv2, *bottleneck->bn2, true, -1, h1, w1);
          out = b.conv_bn(p + "conv3", out, *bottleneck->conv3, *bottleneck->bn3, true, residual,
                          h1, w1);
        }
        v = out;
        h = h1;
        w = w1;
      }
    }
    plan->made_from = std::move(now);
    plan->height = height;
    plan->width = width;
    fused_ = std::move(plan);
  }
  return fused_->net;
}

Tensor ResNet::fused_features(const Tensor& x) {
  kernels::FusedNet& net = fused_net(x);
  const Tensor in = x.contiguous();
  const std::vector<int64_t> shape = net.out_shape(x.size(0));
  Tensor out = empty({shape[0], shape[1], shape[2], shape[3]});
  net.run(in.data_ptr<float>(), x.size(0), out.data_ptr<float>());
  return out;
}

std::vector<ResNet::LayerTime> ResNet::profile_fused(const Tensor& x, int reps) {
  TL_CHECK(x.dim() == 4 && x.dtype() == kFloat32 && kernels::FusedNet::available() &&
               fusable(*this, *maxpool),
           "profile_fused: needs a float32 [N, 3, H, W] input and a build with oneDNN");
  NoGradGuard no_grad;
  const Tensor in = x.contiguous();
  std::vector<LayerTime> out;
  for (const auto& step : fused_net(x).profile(in.data_ptr<float>(), x.size(0), reps)) {
    const kernels::ConvGeometry& g = step.g;
    const std::string shape = std::to_string(g.channels) + "x" + std::to_string(g.height) + "x" +
                              std::to_string(g.width) + " -> " + std::to_string(g.out_channels) +
                              "x" + std::to_string(g.out_height) + "x" +
                              std::to_string(g.out_width) + ", " + std::to_string(g.kernel_h) +
                              "x" + std::to_string(g.kernel_w) + "/" + std::to_string(g.stride_h);
    const double flop =
        step.is_conv
            ? 2.0 * static_cast<double>(x.size(0) * g.out_channels * g.out_height * g.out_width *
                                        g.channels / g.groups * g.kernel_h * g.kernel_w)
            : 0.0;
    out.push_back({step.name, shape, step.seconds, flop});
  }
  return out;
}

Tensor ResNet::forward(const Tensor& x) {
  if (fused_inference && !is_training() && !is_grad_enabled() && x.dim() == 4 &&
      x.dtype() == kFloat32 && x.size(1) == conv1->in_channels && x.size(0) > 0 &&
      kernels::FusedNet::available() && fusable(*this, *maxpool))
    return fc(avgpool(fused_features(x)).flatten(1));
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
