// DistributedSampler: PyTorch 1.13's torch/utils/data/distributed.py index arithmetic.
#include "torchlite/data/sampler.h"

#include "torchlite/error.h"
#include "torchlite/tensor.h"

namespace torchlite::data {

DistributedSampler::DistributedSampler(int64_t dataset_size, int64_t num_replicas, int64_t rank,
                                       DistributedSamplerOptions options)
    : dataset_size_(dataset_size), num_replicas_(num_replicas), rank_(rank), options_(options) {
  TL_CHECK(dataset_size >= 0, "DistributedSampler: dataset size must be non-negative, got ",
           dataset_size);
  TL_CHECK(num_replicas > 0, "DistributedSampler: num_replicas must be positive, got ",
           num_replicas);
  TL_CHECK(rank >= 0 && rank < num_replicas, "Invalid rank ", rank,
           ", rank should be in the interval [0, ", num_replicas - 1, "]");
  // With drop_last the tail that cannot be split evenly goes; otherwise the order is padded.
  if (options.drop_last && dataset_size % num_replicas != 0)
    num_samples_ = (dataset_size - num_replicas + num_replicas - 1) / num_replicas;
  else
    num_samples_ = (dataset_size + num_replicas - 1) / num_replicas;
  total_size_ = num_samples_ * num_replicas;
}

std::vector<int64_t> DistributedSampler::indices() {
  std::vector<int64_t> order;
  if (options_.shuffle) {
    Generator gen(options_.seed + static_cast<uint64_t>(epoch_));
    const Tensor perm = randperm(dataset_size_, gen);
    order.assign(perm.data_ptr<int64_t>(), perm.data_ptr<int64_t>() + dataset_size_);
  } else {
    order.resize(static_cast<size_t>(dataset_size_));
    for (int64_t i = 0; i < dataset_size_; ++i) order[static_cast<size_t>(i)] = i;
  }
  const size_t n = order.size(), total = static_cast<size_t>(total_size_);
  if (total > n) {
    TL_CHECK(n > 0, "DistributedSampler: cannot pad an empty dataset to ", total_size_, " samples");
    for (size_t i = 0; order.size() < total; ++i) order.push_back(order[i % n]);
  }
  order.resize(total);
  std::vector<int64_t> mine;
  mine.reserve(static_cast<size_t>(num_samples_));
  for (int64_t i = rank_; i < total_size_; i += num_replicas_)
    mine.push_back(order[static_cast<size_t>(i)]);
  return mine;
}

}  // namespace torchlite::data
