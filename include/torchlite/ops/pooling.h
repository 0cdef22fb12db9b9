// Max, average and adaptive pooling over the last one or two dims, with their backward.
// Mirrors https://pytorch.org/docs/stable/nn.functional.html#pooling-functions
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <utility>

#include "torchlite/tensor.h"

namespace torchlite {

/// Two sizes (height, width) of a 2-d pooling argument.
using Pool2dSize = std::array<int64_t, 2>;

/// Max over windows of input [N, C, H, W] or unbatched [C, H, W] (float32/64); output
/// [N, C, H_out, W_out] with H_out = floor or ceil((H + 2 * padding - dilation * (kernel - 1)
/// - 1) / stride) + 1, a ceil_mode window starting inside the input or left padding. The
/// gradient goes to each window's first maximum; NaN propagates.
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.max_pool2d.html
Tensor max_pool2d(const Tensor& input, Pool2dSize kernel_size, Pool2dSize stride,
                  Pool2dSize padding = {0, 0}, Pool2dSize dilation = {1, 1},
                  bool ceil_mode = false);
/// max_pool2d and the int64 flat index (h * W + w) of each maximum within its plane.
std::pair<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, Pool2dSize kernel_size,
                                                  Pool2dSize stride, Pool2dSize padding = {0, 0},
                                                  Pool2dSize dilation = {1, 1},
                                                  bool ceil_mode = false);
/// Max over windows of input [N, C, L] or [C, L]; PyTorch's autograd path (max_pool1d_with_indices
/// over a height of 1) for every input.
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.max_pool1d.html
Tensor max_pool1d(const Tensor& input, int64_t kernel_size, int64_t stride, int64_t padding = 0,
                  int64_t dilation = 1, bool ceil_mode = false);
/// max_pool1d and the index of each maximum along L.
std::pair<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input, int64_t kernel_size,
                                                  int64_t stride, int64_t padding = 0,
                                                  int64_t dilation = 1, bool ceil_mode = false);

/// Mean over windows of input [N, C, H, W] or [C, H, W]: the window sum divided by
/// divisor_override when given, else by the window's size within input + padding
/// (count_include_pad) or within the input.
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.avg_pool2d.html
Tensor avg_pool2d(const Tensor& input, Pool2dSize kernel_size, Pool2dSize stride,
                  Pool2dSize padding = {0, 0}, bool ceil_mode = false,
                  bool count_include_pad = true,
                  std::optional<int64_t> divisor_override = std::nullopt);
/// Mean over windows of input [N, C, L] or [C, L] (avg_pool2d over a height of 1).
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.avg_pool1d.html
Tensor avg_pool1d(const Tensor& input, int64_t kernel_size, int64_t stride, int64_t padding = 0,
                  bool ceil_mode = false, bool count_include_pad = true);

/// Mean over PyTorch's adaptive windows [floor(i * in / out), ceil((i + 1) * in / out)) of input
/// [N, C, H, W] or [C, H, W]; output [..., out_h, out_w]. Output size (1, 1) is a mean over the
/// last two dims, as in PyTorch (any rank >= 2).
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.adaptive_avg_pool2d.html
Tensor adaptive_avg_pool2d(const Tensor& input, Pool2dSize output_size);
/// adaptive_avg_pool2d over a height of 1 for input [N, C, L] or [C, L].
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.adaptive_avg_pool1d.html
Tensor adaptive_avg_pool1d(const Tensor& input, int64_t output_size);
/// Max over adaptive windows, and the flat in-plane index of each maximum.
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.adaptive_max_pool2d.html
std::pair<Tensor, Tensor> adaptive_max_pool2d(const Tensor& input, Pool2dSize output_size);

}  // namespace torchlite
