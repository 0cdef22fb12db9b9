// DataLoader: PyTorch's single-process iteration order and generator draws (sampler.py,
// dataloader.py of 1.13): base seed at iter(), RandomSampler seed + randperm at the first batch.
#include "torchlite/data/dataloader.h"

#include <algorithm>

namespace torchlite::data {

/// The state of one pass: the index order (filled lazily) and the batch being looked at.
struct DataLoader::Iterator::Pass {
  std::shared_ptr<const Dataset> dataset;
  DataLoaderOptions options;
  int64_t batches = 0;  // batches in this pass
  std::vector<int64_t> order;
  bool ordered = false;
  bool exhausted = false;  // the sampler was asked past its end
  int64_t current = -1;    // batch index held in `batch`
  Batch batch;

  void ensure_order() {
    if (ordered) return;
    ordered = true;
    const int64_t n = dataset->size();
    if (!options.shuffle) {
      order.resize(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
      return;
    }
    // RandomSampler: without a generator it seeds a fresh one from an int64 random_() draw.
    Generator gen = options.generator ? *options.generator : [] {
      const uint64_t seed = default_generator().random64() % (uint64_t{1} << 63);
      return Generator(seed);
    }();
    const Tensor perm = randperm(n, gen);
    const int64_t* p = perm.data_ptr<int64_t>();
    order.assign(p, p + n);
  }

  /// RandomSampler's generator function, once its permutation is used up, evaluates one more
  /// (empty) slice of a fresh randperm before it stops: n - 1 draws that only show when the
  /// loader has a generator of its own (the default path seeds a private one per pass).
  void exhaust_sampler() {
    if (exhausted) return;
    exhausted = true;
    if (options.shuffle && options.generator) (void)randperm(dataset->size(), *options.generator);
  }

  const Batch& get(int64_t b) {
    if (current != b) {
      ensure_order();
      const int64_t bs = options.batch_size;
      const int64_t n = static_cast<int64_t>(order.size());
      const int64_t start = b * bs, stop = std::min(n, start + bs);
      // a partial last batch is completed by asking the sampler past its end
      if (stop - start < bs) exhaust_sampler();
      std::vector<int64_t> indices(order.begin() + start, order.begin() + stop);
      batch = dataset->get_batch(indices);
      current = b;
    }
    return batch;
  }
};

DataLoader::DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)), options_(std::move(options)) {
  TL_CHECK(dataset_ != nullptr, "DataLoader: dataset is null");
  TL_CHECK(options_.batch_size > 0,
           "batch_size should be a positive integer value, but got batch_size=",
           options_.batch_size);
  TL_CHECK(!options_.shuffle || dataset_->size() > 0,
           "num_samples should be a positive integer value, but got num_samples=0");
}

int64_t DataLoader::size() const {
  const int64_t n = dataset_->size(), bs = options_.batch_size;
  return options_.drop_last ? n / bs : (n + bs - 1) / bs;
}

DataLoader::Iterator DataLoader::begin() const {
  // _BaseDataLoaderIter.__init__ draws _base_seed from the loader's generator on every iter().
  Generator gen = options_.generator ? *options_.generator : default_generator();
  (void)gen.random64();
  auto pass = std::make_shared<Iterator::Pass>();
  pass->dataset = dataset_;
  pass->options = options_;
  pass->batches = size();
  return Iterator(std::move(pass), 0);
}

DataLoader::Iterator DataLoader::end() const { return Iterator(nullptr, size()); }

const Batch& DataLoader::Iterator::operator*() const {
  TL_CHECK(pass_ != nullptr, "DataLoader: dereferencing the end iterator");
  return pass_->get(batch_);
}

DataLoader::Iterator& DataLoader::Iterator::operator++() {
  if (pass_) pass_->ensure_order();
  ++batch_;
  // moving past the last batch asks the sampler for more (drop_last, or a full last batch)
  if (pass_ && batch_ == pass_->batches) pass_->exhaust_sampler();
  return *this;
}

}  // namespace torchlite::data
