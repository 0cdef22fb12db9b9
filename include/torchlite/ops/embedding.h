// Embedding lookups: embedding (gather rows), embedding_renorm_, embedding_bag, with backward
// (scatter-add into the weight).
#pragma once

#include <cstdint>

#include "torchlite/tensor.h"

namespace torchlite {

/// weight [V, D] rows at indices (int64/int32, any shape) -> [*indices, D], as torch.embedding;
/// the gradient of row padding_idx (>= 0; -1 = none) stays zero, and with scale_grad_by_freq
/// each row's gradient is divided by how often its index occurs in `indices`.
Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx = -1,
                 bool scale_grad_by_freq = false);

/// Rescales, in place and outside autograd, each row of weight named in indices whose
/// norm_type-norm exceeds max_norm to norm max_norm / (norm + 1e-7), as torch.embedding_renorm_.
void embedding_renorm_(const Tensor& weight, const Tensor& indices, double max_norm,
                       double norm_type);

/// How embedding_bag reduces a bag.
enum class EmbeddingBagMode { kSum, kMean, kMax };

/// Reduces weight rows of 1-D `indices` by bags starting at `offsets` (1-D; with
/// include_last_offset the last offset ends the last bag) -> [bags, D]; entries equal to
/// padding_idx (-1 = none) are left out, an empty bag gives zeros. per_sample_weights (sum only,
/// indices' shape) scales each row. As torch.embedding_bag's first output.
Tensor embedding_bag(const Tensor& weight, const Tensor& indices, const Tensor& offsets,
                     EmbeddingBagMode mode, const Tensor& per_sample_weights = {},
                     bool include_last_offset = false, int64_t padding_idx = -1,
                     bool scale_grad_by_freq = false);

}  // namespace torchlite
