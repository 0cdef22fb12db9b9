// data::DataLoader: batches of a Dataset, in order or shuffled exactly as PyTorch's DataLoader.
// Mirrors https://pytorch.org/docs/stable/data.html#torch.utils.data.DataLoader
#pragma once

#include <concepts>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <vector>

#include "torchlite/data/dataset.h"
#include "torchlite/data/sampler.h"
#include "torchlite/generator.h"

namespace torchlite::data {

/// DataLoader's arguments in PyTorch's order: `{.batch_size = 256, .shuffle = true}`.
struct DataLoaderOptions {
  int64_t batch_size = 1;
  bool shuffle = false;
  /// The index order instead of 0..n-1 or a shuffle (e.g. a DistributedSampler, whose
  /// set_epoch the caller keeps calling); excludes shuffle.
  std::shared_ptr<Sampler> sampler = nullptr;
  /// > 0: a background thread gathers up to 2 * num_workers batches ahead (PyTorch's
  /// prefetch_factor); the batches and the generator draws are the same as with 0.
  int64_t num_workers = 0;
  bool drop_last = false;
  std::optional<Generator> generator = std::nullopt;  // else the default generator
};

/// Iterates batches: `for (const auto& [x, y] : loader)`. Each pass draws from the generator
/// exactly as PyTorch does: one int64 base seed when the pass starts, and with shuffle a sampler
/// seed (default generator) and a randperm at its first batch (at the start with workers, which
/// prefetch) — so later draws stay in step with a PyTorch program using the same seed.
class DataLoader {
 public:
  template <class D>
  requires std::derived_from<D, Dataset> DataLoader(
      D dataset, DataLoaderOptions options = {})  // NOLINT: takes a dataset by value
      : DataLoader(std::make_shared<const D>(std::move(dataset)), std::move(options)) {}
  DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options = {});

  /// One pass over the data (an input iterator).
  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Batch;
    using difference_type = std::ptrdiff_t;
    using pointer = const Batch*;
    using reference = const Batch&;
    Iterator() = default;
    /// The current batch (gathered on first access).
    const Batch& operator*() const;
    const Batch* operator->() const { return &**this; }
    Iterator& operator++();
    bool operator==(const Iterator& other) const { return batch_ == other.batch_; }
    bool operator!=(const Iterator& other) const { return batch_ != other.batch_; }

   private:
    friend class DataLoader;
    struct Pass;
    Iterator(std::shared_ptr<Pass> pass, int64_t batch) : pass_(std::move(pass)), batch_(batch) {}
    std::shared_ptr<Pass> pass_;
    int64_t batch_ = 0;
  };

  /// Starts a pass (draws the base seed, like iter(loader)).
  Iterator begin() const;
  Iterator end() const;
  /// Number of batches per pass (len(loader)).
  int64_t size() const;
  const Dataset& dataset() const { return *dataset_; }
  const DataLoaderOptions& options() const { return options_; }

 private:
  std::shared_ptr<const Dataset> dataset_;
  DataLoaderOptions options_;
};

}  // namespace torchlite::data
