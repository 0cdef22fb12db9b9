// torch.nn.utils.rnn: PackedSequence, pad_sequence, pack_padded_sequence, pad_packed_sequence.
// Mirrors https://pytorch.org/docs/1.13/nn.html#utilities (torch.nn.utils.rnn)
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "torchlite/tensor.h"

namespace torchlite::nn::utils::rnn {

/// Variable-length sequences packed by time step: data [sum(lengths), *] holds step 0 of every
/// sequence, then step 1 of those still running, ...; batch_sizes (int64, [T]) counts the rows of
/// each step. sorted_indices / unsorted_indices (int64 [B], undefined when enforce_sorted) map
/// the caller's batch order to the longest-first order of the rows and back.
/// https://pytorch.org/docs/1.13/generated/torch.nn.utils.rnn.PackedSequence.html
struct PackedSequence {
  Tensor data;
  Tensor batch_sizes;
  Tensor sorted_indices;
  Tensor unsorted_indices;
};

/// Stacks tensors [L_i, *] into [max L, B, *] ([B, max L, *] with batch_first), padding with
/// `padding_value`; https://pytorch.org/docs/1.13/generated/torch.nn.utils.rnn.pad_sequence.html
Tensor pad_sequence(const std::vector<Tensor>& sequences, bool batch_first = false,
                    double padding_value = 0.0);

/// Packs a padded batch input [T, B, *] ([B, T, *] with batch_first) of sequences with `lengths`
/// (1-D int64 tensor or list). With enforce_sorted the lengths must be non-increasing; otherwise
/// they are sorted first (recorded in sorted_indices / unsorted_indices).
/// https://pytorch.org/docs/1.13/generated/torch.nn.utils.rnn.pack_padded_sequence.html
PackedSequence pack_padded_sequence(const Tensor& input, const Tensor& lengths,
                                    bool batch_first = false, bool enforce_sorted = true);
PackedSequence pack_padded_sequence(const Tensor& input, const std::vector<int64_t>& lengths,
                                    bool batch_first = false, bool enforce_sorted = true);

/// Options of pad_packed_sequence, in PyTorch's keyword order.
struct PadPackedOptions {
  bool batch_first = false;
  double padding_value = 0.0;
  std::optional<int64_t> total_length = std::nullopt;  // pads to this many steps
};
/// Inverse of pack_padded_sequence: (padded [T, B, *] or [B, T, *], lengths int64 [B]), in the
/// caller's original batch order.
/// https://pytorch.org/docs/1.13/generated/torch.nn.utils.rnn.pad_packed_sequence.html
std::pair<Tensor, Tensor> pad_packed_sequence(const PackedSequence& sequence,
                                              const PadPackedOptions& options = {});

/// Packs a list of sequences [L_i, *] (pad_sequence then pack_padded_sequence).
/// https://pytorch.org/docs/1.13/generated/torch.nn.utils.rnn.pack_sequence.html
PackedSequence pack_sequence(const std::vector<Tensor>& sequences, bool enforce_sorted = true);

}  // namespace torchlite::nn::utils::rnn
