// The two fused steps of attention over heads, each one autograd node: the probabilities
// dropout(softmax(q k^T * scale + masks)) and their product with the values.
#pragma once

#include <vector>

#include "torchlite/tensor.h"

namespace torchlite {

/// Attention probabilities [B, H, L, S] of q [B, H, L, D] against k [B, H, S, D] (any strides):
/// softmax over S of q k^T * scale plus each of `masks` (additive float tensors that expand to
/// [B, H, L, S]; constants, no gradient flows into them), with -inf above the diagonal when
/// `is_causal`; then, when dropout_p > 0, multiplied by bernoulli(1 - dropout_p) noise drawn
/// over [B, H, L, S] from the default generator and divided by 1 - dropout_p (F.dropout's
/// draws). A row whose scores are all -inf gives NaN, as in PyTorch.
Tensor attention_probs(const Tensor& q, const Tensor& k, double scale,
                       const std::vector<Tensor>& masks = {}, bool is_causal = false,
                       double dropout_p = 0.0);

/// probs [B, H, L, S] @ v [B, H, S, Dv] with the heads laid side by side: [B, L, H * Dv], or
/// [L, B, H * Dv] when `seq_first` (the layouts MultiheadAttention's out_proj reads).
Tensor attention_values(const Tensor& probs, const Tensor& v, bool seq_first = false);

}  // namespace torchlite
