// torch.nn.utils.rnn over differentiable narrow/cat/stack, with ATen's checks and messages.
#include "torchlite/nn/utils/rnn.h"

#include <algorithm>
#include <numeric>

namespace torchlite::nn::utils::rnn {
namespace {

std::vector<int64_t> to_vector(const Tensor& t) {
  const Tensor c = t.to(kInt64).contiguous();
  return {c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel()};
}

Tensor from_vector(const std::vector<int64_t>& v) {
  Tensor t = empty({static_cast<int64_t>(v.size())}, kInt64);
  std::copy(v.begin(), v.end(), t.data_ptr<int64_t>());
  return t;
}

}  // namespace

Tensor pad_sequence(const std::vector<Tensor>& sequences, bool batch_first, double padding_value) {
  TL_CHECK(!sequences.empty(), "received an empty list of sequences");
  int64_t max_len = 0;
  for (const Tensor& s : sequences) max_len = std::max(max_len, s.size(0));
  std::vector<Tensor> padded;
  for (const Tensor& s : sequences) {
    if (s.size(0) == max_len) {
      padded.push_back(s);
      continue;
    }
    Sizes rest = s.sizes();
    rest[0] = max_len - s.size(0);
    padded.push_back(cat({s, full(rest, padding_value, s.dtype())}, 0));
  }
  for (size_t i = 1; i < padded.size(); ++i)
    for (int64_t d = 1; d < padded[0].dim(); ++d)
      TL_CHECK(padded[i].size(d) == padded[0].size(d), "The size of tensor a (", padded[0].size(d),
               ") must match the size of tensor b (", padded[i].size(d),
               ") at non-singleton dimension ", d);
  return stack(padded, batch_first ? 0 : 1);
}

PackedSequence pack_padded_sequence(const Tensor& input, const Tensor& lengths, bool batch_first,
                                    bool enforce_sorted) {
  TL_CHECK(lengths.dim() == 1 && lengths.dtype() == kInt64,
           "'lengths' argument should be a 1D CPU int64 tensor, but got ", lengths.dim(), "D cpu ",
           lengths.dtype() == kInt64 ? "Long" : dtype_name(lengths.dtype()), " tensor");
  std::vector<int64_t> len = to_vector(lengths);
  Tensor x = input;
  Tensor sorted_indices, unsorted_indices;
  const int64_t batch_dim = batch_first ? 0 : 1;
  if (!enforce_sorted) {
    std::vector<int64_t> order(len.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) { return len[a] > len[b]; });
    std::vector<int64_t> sorted(len.size()), inverse(len.size());
    for (size_t i = 0; i < order.size(); ++i) {
      sorted[i] = len[order[i]];
      inverse[order[i]] = static_cast<int64_t>(i);
    }
    len = sorted;
    sorted_indices = from_vector(order);
    unsorted_indices = from_vector(inverse);
    x = x.index_select(batch_dim, sorted_indices);
  }
  if (batch_first) x = x.transpose(0, 1);
  const int64_t B = x.size(1);
  TL_CHECK(static_cast<int64_t>(len.size()) == B,
           "Expected `len(lengths)` to be equal to "
           "batch_size, but got ",
           len.size(), " (batch_size=", B, ")");
  TL_CHECK(len.empty() || len.back() > 0,
           "Length of all samples has to be greater than 0, but "
           "found an element in 'lengths' that is <= 0");
  for (size_t i = 1; i < len.size(); ++i)
    TL_CHECK(len[i - 1] >= len[i],
             "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
             "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
             "sidestep this requirement if you do not need ONNX exportability.");
  TL_CHECK(len.empty() || len[0] <= x.size(0), "pack_padded_sequence: the longest length ",
           len.empty() ? 0 : len[0], " exceeds the ", x.size(0), " steps of the input");
  std::vector<int64_t> batch_sizes;
  std::vector<Tensor> steps;
  for (int64_t t = 0; t < (len.empty() ? 0 : len[0]); ++t) {
    int64_t bs = 0;
    while (bs < B && len[bs] > t) ++bs;
    batch_sizes.push_back(bs);
    steps.push_back(x.select(0, t).narrow(0, 0, bs));
  }
  return {cat(steps, 0), from_vector(batch_sizes), sorted_indices, unsorted_indices};
}

PackedSequence pack_padded_sequence(const Tensor& input, const std::vector<int64_t>& lengths,
                                    bool batch_first, bool enforce_sorted) {
  return pack_padded_sequence(input, from_vector(lengths), batch_first, enforce_sorted);
}

std::pair<Tensor, Tensor> pad_packed_sequence(const PackedSequence& sequence,
                                              const PadPackedOptions& options) {
  const std::vector<int64_t> bs = to_vector(sequence.batch_sizes);
  int64_t max_len = static_cast<int64_t>(bs.size());
  if (options.total_length) {
    TL_CHECK(*options.total_length >= max_len,
             "Expected total_length to be at least the length of the longest sequence in input, "
             "but got total_length=",
             *options.total_length, " and max sequence length being ", max_len);
    max_len = *options.total_length;
  }
  const int64_t B = bs.empty() ? 0 : bs[0];
  Sizes row = sequence.data.sizes();
  std::vector<Tensor> steps;
  std::vector<int64_t> lengths(B, 0);
  int64_t off = 0;
  for (int64_t t = 0; t < max_len; ++t) {
    const int64_t n = t < static_cast<int64_t>(bs.size()) ? bs[t] : 0;
    for (int64_t b = 0; b < n; ++b) lengths[b] = t + 1;
    row[0] = B - n;
    Tensor step = sequence.data.narrow(0, off, n);
    if (n < B) step = cat({step, full(row, options.padding_value, sequence.data.dtype())}, 0);
    steps.push_back(step);
    off += n;
  }
  Tensor out = stack(steps, 0);
  Tensor len = from_vector(lengths);
  if (options.batch_first) out = out.transpose(0, 1);
  if (sequence.unsorted_indices.defined()) {
    out = out.index_select(options.batch_first ? 0 : 1, sequence.unsorted_indices);
    len = len.index_select(0, sequence.unsorted_indices);
  }
  return {out, len};
}

PackedSequence pack_sequence(const std::vector<Tensor>& sequences, bool enforce_sorted) {
  std::vector<int64_t> lengths;
  for (const Tensor& s : sequences) lengths.push_back(s.size(0));
  return pack_padded_sequence(pad_sequence(sequences), lengths, false, enforce_sorted);
}

}  // namespace torchlite::nn::utils::rnn
