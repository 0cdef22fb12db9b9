// Padding a tensor's trailing dims (constant, reflect, replicate, circular), with its backward.
// Mirrors https://pytorch.org/docs/1.13/generated/torch.nn.functional.pad.html
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "torchlite/tensor.h"

namespace torchlite {

/// Pads the last pad.size() / 2 dims of `input`: pad = {left, right} of the last dim, then of the
/// one before, and so on. mode "constant" (fills `value`, default 0; negative pads crop) works on
/// any trailing dims; "reflect", "replicate" and "circular" pad the last dim of a 2-D/3-D input
/// or the last two of a 3-D/4-D input, as torch.nn.functional.pad.
Tensor pad(const Tensor& input, const std::vector<int64_t>& pad,
           const std::string& mode = "constant", std::optional<double> value = std::nullopt);

}  // namespace torchlite
