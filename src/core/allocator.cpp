// A size-class cache over aligned_alloc. Blocks up to kMaxCached bytes go back to a free list of
// their class when their last tensor dies; the cache holds at most kCacheLimit bytes in all.
// Classes are powers of two up to 64 KiB and whole pages above: a block's pages are all touched
// sooner or later by the tensors that reuse it, so power-of-two classes cost up to twice the
// memory asked for (a ResNet-18 training step's peak: 306 MB of blocks for 205 MB of tensors). A
// request takes the smallest cached block that fits with at most a quarter to spare, so that
// freed blocks serve requests of nearby sizes instead of new memory being touched beside them.
#include "core/allocator.h"

#include <bit>
#include <cstdlib>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "torchlite/error.h"

namespace torchlite::detail {

namespace {

constexpr size_t kMinBlock = 64;
constexpr size_t kFineAbove = size_t{1} << 16;
constexpr size_t kPage = 4096;
constexpr size_t kMaxCached = size_t{1} << 28;
constexpr size_t kCacheLimit = size_t{1} << 29;

/// The size of a new block for a request of `size` bytes.
size_t block_size(size_t size) {
  if (size <= kFineAbove) return std::bit_ceil(size);
  return (size + kPage - 1) / kPage * kPage;
}

class BlockCache {
 public:
  ~BlockCache() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [size, list] : free_)
      for (void* p : list) std::free(p);
    destroyed_ = true;
  }

  /// A cached block of at least `size` bytes and at most a quarter more, and its size; null
  /// when there is none.
  std::pair<void*, size_t> take(size_t size) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = free_.lower_bound(size);
    if (it == free_.end() || it->first > size + size / 4) return {nullptr, 0};
    const size_t found = it->first;
    void* p = it->second.back();
    it->second.pop_back();
    if (it->second.empty()) free_.erase(it);
    cached_bytes_ -= found;
    return {p, found};
  }

  void give(void* p, size_t size) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!destroyed_ && cached_bytes_ + size <= kCacheLimit) {
        free_[size].push_back(p);
        cached_bytes_ += size;
        return;
      }
    }
    std::free(p);
  }

  static bool destroyed() { return destroyed_; }

 private:
  std::mutex mutex_;
  std::map<size_t, std::vector<void*>> free_;
  size_t cached_bytes_ = 0;
  static inline bool destroyed_ = false;
};

BlockCache& cache() {
  static BlockCache instance;
  return instance;
}

}  // namespace

std::shared_ptr<void> allocate(size_t nbytes) {
  size_t size = std::max(nbytes, kMinBlock);
  if (size > kMaxCached) {
    size = (size + 63) / 64 * 64;
    void* p = std::aligned_alloc(64, size);
    TL_CHECK(p != nullptr, "DefaultCPUAllocator: can't allocate memory: you tried to allocate ",
             nbytes, " bytes.");
    return std::shared_ptr<void>(p, std::free);
  }
  // Not a structured binding: clang before 16 cannot capture one in the deleter.
  const std::pair<void*, size_t> taken = cache().take(block_size(size));
  void* p = taken.first;
  size_t block = taken.second;
  if (p == nullptr) {
    block = block_size(size);
    p = std::aligned_alloc(64, block);
    TL_CHECK(p != nullptr, "DefaultCPUAllocator: can't allocate memory: you tried to allocate ",
             nbytes, " bytes.");
  }
  return std::shared_ptr<void>(p, [block](void* q) {
    if (BlockCache::destroyed()) std::free(q);
    else cache().give(q, block);
  });
}

namespace {

constexpr size_t kPoolGrain = 64;
constexpr size_t kPoolClasses = 8;  // blocks of 64, 128, ..., 512 bytes
constexpr int kPoolListLimit = 1024;

struct FreeBlock {
  FreeBlock* next;
};

/// Trivially destructible, so that it stays usable while thread-exit destructors (and, on the
/// main thread, static destructors) release tensors after the reaper below has run.
struct PoolState {
  FreeBlock* head[kPoolClasses] = {};
  int count[kPoolClasses] = {};
  bool reaper_armed = false;
  bool dead = false;
};
thread_local PoolState pool;

/// Frees the thread's cached blocks when the thread ends; later gives go straight to free.
struct PoolReaper {
  ~PoolReaper() {
    pool.dead = true;
    for (size_t c = 0; c < kPoolClasses; ++c)
      while (FreeBlock* b = pool.head[c]) {
        pool.head[c] = b->next;
        ::operator delete(b);
      }
  }
};

void arm_reaper() {
  thread_local PoolReaper reaper;
  (void)reaper;
  pool.reaper_armed = true;
}

}  // namespace

void* pool_take(size_t nbytes) {
  const size_t cls = (nbytes + kPoolGrain - 1) / kPoolGrain - 1;
  if (cls >= kPoolClasses || pool.dead) return ::operator new(nbytes);
  if (FreeBlock* b = pool.head[cls]) {
    pool.head[cls] = b->next;
    --pool.count[cls];
    return b;
  }
  return ::operator new((cls + 1) * kPoolGrain);
}

void pool_give(void* p, size_t nbytes) {
  const size_t cls = (nbytes + kPoolGrain - 1) / kPoolGrain - 1;
  if (cls >= kPoolClasses || pool.dead || pool.count[cls] >= kPoolListLimit) {
    ::operator delete(p);
    return;
  }
  if (!pool.reaper_armed) arm_reaper();
  auto* b = static_cast<FreeBlock*>(p);
  b->next = pool.head[cls];
  pool.head[cls] = b;
  ++pool.count[cls];
}

}  // namespace torchlite::detail
