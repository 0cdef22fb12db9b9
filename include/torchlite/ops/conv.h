// Convolutions with their backward: conv1d, conv2d and conv_transpose2d.
// Mirrors https://pytorch.org/docs/1.13/nn.functional.html#convolution-functions
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "torchlite/tensor.h"

namespace torchlite {

/// 1-D convolution of input [N, C, L] (or unbatched [C, L]) with weight [O, C / groups, k] plus
/// bias [O] (may be undefined) -> [N, O, L_out]; explicit zero padding on both sides;
/// https://pytorch.org/docs/1.13/generated/torch.nn.functional.conv1d.html
Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias = {},
              std::array<int64_t, 1> stride = {1}, std::array<int64_t, 1> padding = {0},
              std::array<int64_t, 1> dilation = {1}, int64_t groups = 1);
/// conv1d with padding "valid" (none) or "same" (output length = input length; stride 1 only,
/// the extra zero of an even kernel going after the input, as PyTorch).
Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              std::array<int64_t, 1> stride, const std::string& padding,
              std::array<int64_t, 1> dilation = {1}, int64_t groups = 1);

/// 2-D convolution of input [N, C, H, W] (or unbatched [C, H, W]) with weight
/// [O, C / groups, kh, kw] plus bias [O] (may be undefined) -> [N, O, H_out, W_out];
/// https://pytorch.org/docs/1.13/generated/torch.nn.functional.conv2d.html
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias = {},
              std::array<int64_t, 2> stride = {1, 1}, std::array<int64_t, 2> padding = {0, 0},
              std::array<int64_t, 2> dilation = {1, 1}, int64_t groups = 1);
/// conv2d with padding "valid" or "same" (as conv1d's).
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              std::array<int64_t, 2> stride, const std::string& padding,
              std::array<int64_t, 2> dilation = {1, 1}, int64_t groups = 1);

/// Transposed 2-D convolution (the gradient of conv2d with respect to its input) of input
/// [N, C, H, W] (or [C, H, W]) with weight [C, O / groups, kh, kw] plus bias [O] ->
/// [N, O, (H - 1) * stride - 2 * padding + dilation * (kh - 1) + output_padding + 1, ...];
/// https://pytorch.org/docs/1.13/generated/torch.nn.functional.conv_transpose2d.html
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias = {},
                        std::array<int64_t, 2> stride = {1, 1},
                        std::array<int64_t, 2> padding = {0, 0},
                        std::array<int64_t, 2> output_padding = {0, 0}, int64_t groups = 1,
                        std::array<int64_t, 2> dilation = {1, 1});

}  // namespace torchlite
