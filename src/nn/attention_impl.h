// The MultiheadAttention computation shared by the module and F::multi_head_attention_forward.
#pragma once

#include <cstdint>
#include <utility>

#include "torchlite/nn/functional.h"

namespace torchlite::nn::attention_impl {

/// F.multi_head_attention_forward of PyTorch 1.13 on [L, N, E] inputs, or on [N, L, E] ones
/// when batch_first (the module's layout, without transposing copies).
std::pair<Tensor, Tensor> multi_head_attention(
    const Tensor& query, const Tensor& key, const Tensor& value, int64_t embed_dim_to_check,
    int64_t num_heads, const functional::MultiheadAttentionForwardFuncOptions& o, bool batch_first);

}  // namespace torchlite::nn::attention_impl
