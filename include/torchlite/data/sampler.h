// data::Sampler (the index order a DataLoader follows) and data::DistributedSampler (one rank's
// share of a dataset). Mirrors https://pytorch.org/docs/stable/data.html#torch.utils.data.Sampler
#pragma once

#include <cstdint>
#include <vector>

namespace torchlite::data {

/// The indices of one pass, in order; a DataLoader asks once per pass.
class Sampler {
 public:
  virtual ~Sampler() = default;
  /// The indices of the next pass (iter(sampler)).
  virtual std::vector<int64_t> indices() = 0;
  /// Number of indices per pass (len(sampler)).
  virtual int64_t size() const = 0;
};

/// DistributedSampler's keyword arguments in PyTorch's order.
struct DistributedSamplerOptions {
  bool shuffle = true;
  uint64_t seed = 0;
  bool drop_last = false;
};

/// Rank `rank` of `num_replicas` gets every num_replicas-th index of one shared order: a
/// randperm from a generator seeded with seed + epoch (or 0..n-1 without shuffle), padded by
/// repeating its start to a multiple of num_replicas (or cut, with drop_last). Same indices as
/// torch.utils.data.distributed.DistributedSampler.
/// https://pytorch.org/docs/stable/data.html#torch.utils.data.distributed.DistributedSampler
class DistributedSampler : public Sampler {
 public:
  /// `dataset_size` examples; num_replicas and rank usually distributed::get_world_size() and
  /// get_rank().
  DistributedSampler(int64_t dataset_size, int64_t num_replicas, int64_t rank,
                     DistributedSamplerOptions options = {});
  std::vector<int64_t> indices() override;
  int64_t size() const override { return num_samples_; }
  /// Makes the next passes shuffle differently (call at the start of every epoch).
  void set_epoch(int64_t epoch) { epoch_ = epoch; }
  int64_t epoch() const { return epoch_; }

 private:
  int64_t dataset_size_, num_replicas_, rank_;
  DistributedSamplerOptions options_;
  int64_t num_samples_ = 0, total_size_ = 0, epoch_ = 0;
};

}  // namespace torchlite::data
