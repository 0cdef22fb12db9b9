// models::resnet18/34/50: torchvision 0.14's ResNet with its module tree, state-dict keys, repr and
// default initialisation. Mirrors https://pytorch.org/vision/0.14/models/resnet.html
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "torchlite/nn/activation.h"
#include "torchlite/nn/conv.h"
#include "torchlite/nn/linear.h"
#include "torchlite/nn/module.h"
#include "torchlite/nn/normalization.h"
#include "torchlite/nn/pooling.h"
#include "torchlite/nn/sequential.h"

namespace torchlite::kernels {
class FusedNet;
}  // namespace torchlite::kernels

namespace torchlite::models {

/// ResNet's keyword arguments, in torchvision's order: `models::resnet18({.num_classes = 10})`.
struct ResNetOptions {
  int64_t num_classes = 1000;
  /// Zero the last BatchNorm weight of each residual branch (each block starts as identity).
  bool zero_init_residual = false;
  int64_t groups = 1;
  int64_t width_per_group = 64;
  /// Per layer2..4: replace the stride-2 with a dilated convolution.
  std::array<bool, 3> replace_stride_with_dilation = {false, false, false};
};

/// Two 3x3 convolutions with a residual connection (expansion 1); children conv1, bn1, relu,
/// conv2, bn2 and, when given, downsample.
class BasicBlock : public nn::Module {
 public:
  static constexpr int64_t expansion = 1;
  /// Throws torchlite::Error, as torchvision, for groups != 1, base_width != 64 or dilation > 1.
  BasicBlock(int64_t inplanes, int64_t planes, int64_t stride = 1,
             std::shared_ptr<nn::SequentialImpl> downsample = nullptr, int64_t groups = 1,
             int64_t base_width = 64, int64_t dilation = 1);
  /// [N, inplanes, H, W] -> [N, planes, H / stride, W / stride].
  Tensor forward(const Tensor& x) override;

  nn::Conv2d conv1;
  nn::BatchNorm2d bn1;
  nn::ReLU relu;
  nn::Conv2d conv2;
  nn::BatchNorm2d bn2;
  std::shared_ptr<nn::SequentialImpl> downsample;  // null when the block keeps its shape
};

/// 1x1, 3x3 (strided, grouped, dilated) and 1x1 convolutions with a residual connection
/// (expansion 4, torchvision's "ResNet V1.5"); children conv1, bn1, conv2, bn2, conv3, bn3, relu
/// and, when given, downsample.
class Bottleneck : public nn::Module {
 public:
  static constexpr int64_t expansion = 4;
  Bottleneck(int64_t inplanes, int64_t planes, int64_t stride = 1,
             std::shared_ptr<nn::SequentialImpl> downsample = nullptr, int64_t groups = 1,
             int64_t base_width = 64, int64_t dilation = 1);
  /// [N, inplanes, H, W] -> [N, planes * 4, H / stride, W / stride].
  Tensor forward(const Tensor& x) override;

  nn::Conv2d conv1;
  nn::BatchNorm2d bn1;
  nn::Conv2d conv2;
  nn::BatchNorm2d bn2;
  nn::Conv2d conv3;
  nn::BatchNorm2d bn3;
  nn::ReLU relu;
  std::shared_ptr<nn::SequentialImpl> downsample;  // null when the block keeps its shape
};

/// torchvision's ResNet: conv1, bn1, relu, maxpool, layer1..layer4 (Sequentials of blocks),
/// avgpool, fc. https://pytorch.org/vision/0.14/models/resnet.html
class ResNet : public nn::Module {
 public:
  /// The residual block of every layer.
  enum class Block { kBasic, kBottleneck };
  /// `layers`: the number of blocks of layer1..layer4. Draws as torchvision: each layer's
  /// constructor, then kaiming_normal_(mode = fan_out, relu) on every Conv2d and ones/zeros on
  /// every BatchNorm2d in modules() order.
  ResNet(Block block, const std::array<int64_t, 4>& layers, const ResNetOptions& options = {});
  /// [N, 3, H, W] -> [N, num_classes]. In eval mode under NoGradGuard, a float32 input runs
  /// the fused inference path where the build has oneDNN (see fused_inference).
  Tensor forward(const Tensor& x) override;
  /// Redraws as the constructor did: every child's default, then torchvision's init loop.
  void reset_parameters() override;

 private:
  // Declared before the layers: make_layer reads and updates them while the layers are built.
  Block block_;
  ResNetOptions options_;
  int64_t inplanes_ = 64;
  int64_t dilation_ = 1;

 public:
  nn::Conv2d conv1;
  nn::BatchNorm2d bn1;
  nn::ReLU relu;
  nn::MaxPool2d maxpool;
  nn::Sequential layer1;
  nn::Sequential layer2;
  nn::Sequential layer3;
  nn::Sequential layer4;
  nn::AdaptiveAvgPool2d avgpool;
  nn::Linear fc;

  /// Eval + no-grad float32 forwards fold each BatchNorm into the convolution before it
  /// (nn::utils::fuse_conv_bn_weights), fuse the ReLUs and the residual adds into the
  /// convolutions and keep the activations in oneDNN's blocked layouts in reused buffers; the
  /// plan is made on first use and again whenever a parameter or buffer is written or replaced.
  /// Logits agree with the unfused modules to about 5e-7 of the largest logit (measured on
  /// resnet18 at 64x64 and 224x224; float32 roundings of the folded weights), and with
  /// torchvision's to 1e-4 (tests/models). Writes that bypass the version counter (through
  /// data_ptr) are not seen. false: every module runs on its own, as in PyTorch.
  bool fused_inference = true;

  /// One step of the fused inference path as profile_fused timed it.
  struct LayerTime {
    std::string name;   // the convolution's module path ("layer2.0.conv1"; its BatchNorm and
                        // ReLU are fused into it), or "maxpool"
    std::string shape;  // "Cin x H x W -> Cout x H' x W', kh x kw / stride"
    double seconds;     // best of the runs, at x's batch size
    double flop;        // 2 * multiply-adds (0 for the pool)
  };
  /// Times each step of the fused inference path alone on x [N, 3, H, W] (float32), best of
  /// `reps` runs each: a per-layer profile (bench/). Throws without oneDNN.
  std::vector<LayerTime> profile_fused(const Tensor& x, int reps = 5);

 private:
  struct FusedPlan;
  std::shared_ptr<FusedPlan> fused_;
  kernels::FusedNet& fused_net(const Tensor& x);
  Tensor fused_features(const Tensor& x);

  std::shared_ptr<nn::SequentialImpl> make_layer(int64_t planes, int64_t blocks, int64_t stride,
                                                 bool dilate);
  void init_weights();
};

/// ResNet-18 (BasicBlock, [2, 2, 2, 2]);
/// https://pytorch.org/vision/0.14/models/generated/torchvision.models.resnet18.html
std::shared_ptr<ResNet> resnet18(const ResNetOptions& options = {});
/// ResNet-34 (BasicBlock, [3, 4, 6, 3]).
std::shared_ptr<ResNet> resnet34(const ResNetOptions& options = {});
/// ResNet-50 (Bottleneck, [3, 4, 6, 3]).
std::shared_ptr<ResNet> resnet50(const ResNetOptions& options = {});

}  // namespace torchlite::models
