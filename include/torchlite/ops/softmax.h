// softmax and log_softmax along a dim, with their backward.
// Mirrors https://pytorch.org/docs/stable/generated/torch.softmax.html
#pragma once

#include <cstdint>

#include "torchlite/tensor.h"

namespace torchlite {

/// softmax of a float tensor (any shape) along `dim`, computed as exp(x - max) / sum;
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.softmax.html
Tensor softmax(const Tensor& input, int64_t dim);
/// log(softmax) along `dim`, computed stably (x - max - log(sum(exp(x - max))));
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.log_softmax.html
Tensor log_softmax(const Tensor& input, int64_t dim);

}  // namespace torchlite
