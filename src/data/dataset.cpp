// TensorDataset and the row gather every dataset's get_batch builds on.
#include "torchlite/data/dataset.h"

#include <cstring>

namespace torchlite::data {

Tensor gather_rows(const Tensor& src, const std::vector<int64_t>& indices) {
  TL_CHECK(src.dim() >= 1, "gather_rows: expected a tensor with at least one dimension");
  Sizes out_sizes = src.sizes();
  out_sizes[0] = static_cast<int64_t>(indices.size());
  Tensor out = empty(out_sizes, src.dtype());
  const int64_t n = src.size(0);
  const size_t row_bytes = n == 0 ? 0 : src.nbytes() / static_cast<size_t>(n);
  const auto* from = static_cast<const unsigned char*>(src.raw_data());
  auto* to = static_cast<unsigned char*>(out.raw_data());
  for (size_t b = 0; b < indices.size(); ++b) {
    const int64_t i = indices[b];
    TL_CHECK(i >= 0 && i < n, "index ", i, " is out of bounds for dataset of size ", n);
    std::memcpy(to + b * row_bytes, from + static_cast<size_t>(i) * row_bytes, row_bytes);
  }
  return out;
}

TensorDataset::TensorDataset(Tensor x, Tensor y) : x_(x.contiguous()), y_(y.contiguous()) {
  TL_CHECK(x_.dim() >= 1 && y_.dim() >= 1 && x_.size(0) == y_.size(0),
           "Size mismatch between tensors");
}

int64_t TensorDataset::size() const { return x_.size(0); }

Batch TensorDataset::get_batch(const std::vector<int64_t>& indices) const {
  return {gather_rows(x_, indices), gather_rows(y_, indices)};
}

Batch TensorDataset::get(int64_t index) const {
  TL_CHECK(index >= 0 && index < size(), "index ", index, " is out of bounds for dataset of size ",
           size());
  return {x_.select(0, index), y_.select(0, index)};
}

}  // namespace torchlite::data
