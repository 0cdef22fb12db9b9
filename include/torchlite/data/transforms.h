// torchvision.transforms for images held as uint8 [H, W, C] (PIL images) and float tensors,
// pixel-exact with torchvision 0.14 on Pillow 9.4, and the ImageNet evaluation pipeline.
// Mirrors https://pytorch.org/vision/0.14/transforms.html
#pragma once

#include <array>
#include <cstdint>

#include "torchlite/tensor.h"

namespace torchlite::data::transforms {

/// PIL's image.resize((width, height), Image.BILINEAR) on uint8 [H, W, C]: separable and
/// antialiased (a triangle filter whose support grows with the downscale factor), horizontal pass
/// first, each pass rounded to uint8 with Pillow 9.4's 22-bit fixed-point coefficients.
Tensor resize_bilinear(const Tensor& image, int64_t height, int64_t width);

/// transforms.Resize(size) on a PIL image: the short side becomes `size`, the long side
/// int(size * long / short); bilinear as resize_bilinear. uint8 [H, W, C] -> [H', W', C].
Tensor resize(const Tensor& image, int64_t size);

/// transforms.CenterCrop(size): the top-left corner at round((H - size) / 2), round((W - size) /
/// 2) (half to even), zero padding where the image is smaller. uint8 [H, W, C] -> [size, size, C].
Tensor center_crop(const Tensor& image, int64_t size);

/// transforms.ToTensor(): uint8 [H, W, C] -> float32 [C, H, W] with values / 255.
Tensor to_tensor(const Tensor& image);

/// transforms.Normalize(mean, std) on float32 [3, H, W]: (x - mean[c]) / std[c] in float32.
Tensor normalize(const Tensor& tensor, const std::array<float, 3>& mean,
                 const std::array<float, 3>& std);

/// The ImageNet evaluation transform of torchvision's classification weights: Resize(256),
/// CenterCrop(224), ToTensor(), Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]).
/// uint8 [H, W, 3] -> float32 [3, 224, 224].
Tensor imagenet_eval(const Tensor& image);

}  // namespace torchlite::data::transforms
