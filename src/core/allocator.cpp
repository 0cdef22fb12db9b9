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

}  // namespace torchlite::detail
