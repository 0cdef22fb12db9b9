// DataLoader: PyTorch's single-process iteration order and generator draws (sampler.py,
// dataloader.py of 1.13): base seed at iter(), RandomSampler seed + randperm at the first batch.
#include "torchlite/data/dataloader.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

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
    if (options.sampler) {
      order = options.sampler->indices();
      return;
    }
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

  /// The examples of batch b, in sampler order.
  std::vector<int64_t> indices_of(int64_t b) const {
    const int64_t bs = options.batch_size;
    const int64_t n = static_cast<int64_t>(order.size());
    const int64_t start = b * bs, stop = std::min(n, start + bs);
    return {order.begin() + start, order.begin() + stop};
  }

  const Batch& get(int64_t b) {
    if (current == b) return batch;
    if (worker.joinable()) {
      batch = take_prefetched(b);
    } else {
      ensure_order();
      const std::vector<int64_t> indices = indices_of(b);
      // a partial last batch is completed by asking the sampler past its end
      if (static_cast<int64_t>(indices.size()) < options.batch_size) exhaust_sampler();
      batch = dataset->get_batch(indices);
    }
    current = b;
    return batch;
  }

  // ---- background gathering (num_workers > 0) ----
  std::thread worker;
  std::mutex mutex;
  std::condition_variable cv;
  std::map<int64_t, Batch> ready;  // gathered batches not yet taken
  std::exception_ptr error;        // what the worker threw, rethrown where its batch is wanted
  int64_t wanted = 0;              // the batch the consumer is at
  bool stopping = false;

  /// Draws the sampler's order up front (PyTorch's workers prefetch indices at iter()) and
  /// starts the thread that gathers batches in order, at most `depth` ahead of the consumer.
  void start_worker() {
    ensure_order();
    exhaust_sampler();
    const int64_t depth = 2 * options.num_workers;
    worker = std::thread([this, depth] {
      for (int64_t b = 0; b < batches; ++b) {
        {
          std::unique_lock lock(mutex);
          cv.wait(lock, [&] { return stopping || b < wanted + depth; });
          if (stopping) return;
        }
        try {
          Batch made = dataset->get_batch(indices_of(b));
          std::lock_guard lock(mutex);
          ready.emplace(b, std::move(made));
        } catch (...) {
          std::lock_guard lock(mutex);
          error = std::current_exception();
        }
        cv.notify_all();
        if (error) return;
      }
    });
  }

  Batch take_prefetched(int64_t b) {
    std::unique_lock lock(mutex);
    wanted = b;
    cv.notify_all();
    cv.wait(lock, [&] { return ready.count(b) > 0 || error != nullptr; });
    auto it = ready.find(b);
    if (it == ready.end()) std::rethrow_exception(error);
    Batch out = std::move(it->second);
    ready.erase(ready.begin(), std::next(it));  // batches skipped by the consumer go too
    return out;
  }

  ~Pass() {
    if (!worker.joinable()) return;
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    cv.notify_all();
    worker.join();
  }
};

DataLoader::DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)), options_(std::move(options)) {
  TL_CHECK(dataset_ != nullptr, "DataLoader: dataset is null");
  TL_CHECK(options_.num_workers >= 0,
           "num_workers option should be non-negative; use num_workers=0 to disable "
           "multiprocessing.");
  TL_CHECK(
      options_.batch_size > 0,
      "batch_size should be a positive integer value, but got batch_size=", options_.batch_size);
  TL_CHECK(!(options_.sampler && options_.shuffle),
           "sampler option is mutually exclusive with shuffle");
  TL_CHECK(!options_.shuffle || dataset_->size() > 0,
           "num_samples should be a positive integer value, but got num_samples=0");
}

int64_t DataLoader::size() const {
  const int64_t n = options_.sampler ? options_.sampler->size() : dataset_->size();
  const int64_t bs = options_.batch_size;
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
  if (options_.num_workers > 0 && pass->batches > 0) pass->start_worker();
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
