// A size-class cache over aligned_alloc. Blocks up to kMaxCached bytes go back to a free list of
// their class when their last tensor dies; the cache holds at most kCacheLimit bytes in all.
#include "core/allocator.h"

#include <bit>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "torchlite/error.h"

namespace torchlite::detail {

namespace {

constexpr size_t kMinBlock = 64;
constexpr size_t kMaxCached = size_t{1} << 28;
constexpr size_t kCacheLimit = size_t{1} << 29;
constexpr int kClasses = 29;

class BlockCache {
 public:
  ~BlockCache() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& list : free_)
      for (void* p : list) std::free(p);
    destroyed_ = true;
  }

  void* take(int cls) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& list = free_[cls];
    if (list.empty()) return nullptr;
    void* p = list.back();
    list.pop_back();
    cached_bytes_ -= size_t{1} << cls;
    return p;
  }

  void give(void* p, int cls) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      size_t size = size_t{1} << cls;
      if (!destroyed_ && cached_bytes_ + size <= kCacheLimit) {
        free_[cls].push_back(p);
        cached_bytes_ += size;
        return;
      }
    }
    std::free(p);
  }

  static bool destroyed() { return destroyed_; }

 private:
  std::mutex mutex_;
  std::vector<void*> free_[kClasses];
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
  const int cls = std::bit_width(std::bit_ceil(size)) - 1;
  BlockCache& c = cache();
  void* p = c.take(cls);
  if (p == nullptr) {
    p = std::aligned_alloc(64, size_t{1} << cls);
    TL_CHECK(p != nullptr, "DefaultCPUAllocator: can't allocate memory: you tried to allocate ",
             nbytes, " bytes.");
  }
  return std::shared_ptr<void>(p, [cls](void* q) {
    if (BlockCache::destroyed()) std::free(q);
    else cache().give(q, cls);
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
