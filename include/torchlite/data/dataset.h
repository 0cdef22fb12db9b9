// data::Dataset (indexed examples gathered into batches) and data::TensorDataset.
// Mirrors https://pytorch.org/docs/stable/data.html#torch.utils.data.Dataset
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "torchlite/tensor.h"

namespace torchlite::data {

/// An (input, target) pair; a batch is the examples stacked along a new first dim.
using Batch = std::pair<Tensor, Tensor>;

/// A map-style dataset that gathers a whole batch in one call (what default_collate returns for
/// the examples at `indices`), so that loaders copy each byte once.
class Dataset {
 public:
  virtual ~Dataset() = default;
  /// Number of examples (len(dataset)).
  virtual int64_t size() const = 0;
  /// The examples at `indices` (each in [0, size())), stacked: ([B, ...], [B, ...]).
  virtual Batch get_batch(const std::vector<int64_t>& indices) const = 0;
};

/// Examples are rows of x and y (same first dim), like torch.utils.data.TensorDataset(x, y).
class TensorDataset : public Dataset {
 public:
  /// x [N, ...], y [N, ...]; the tensors are shared, not copied (made contiguous if needed).
  TensorDataset(Tensor x, Tensor y);
  int64_t size() const override;
  Batch get_batch(const std::vector<int64_t>& indices) const override;
  /// Example i as views (x[i], y[i]).
  Batch get(int64_t index) const;
  const Tensor& x() const { return x_; }
  const Tensor& y() const { return y_; }

 private:
  Tensor x_, y_;
};

/// Copies rows `indices` of the contiguous tensor `src` [N, ...] into a new [B, ...] tensor.
Tensor gather_rows(const Tensor& src, const std::vector<int64_t>& indices);

}  // namespace torchlite::data
