// The per-thread pool behind the small objects every op makes (tensor headers, tiny storages,
// autograd nodes): a lock-free free list per size class instead of malloc and free.
#pragma once

#include <cstddef>

namespace torchlite::detail {

/// A block of `nbytes` (16-byte aligned): up to 512 bytes from this thread's free list, larger
/// ones from operator new. A block may be given back on any thread.
void* pool_take(size_t nbytes);
void pool_give(void* p, size_t nbytes);

/// A standard allocator over pool_take/pool_give, for std::allocate_shared.
template <class T>
struct PoolAllocator {
  using value_type = T;
  PoolAllocator() = default;
  template <class U>
  PoolAllocator(const PoolAllocator<U>&) {}  // NOLINT
  T* allocate(size_t n) { return static_cast<T*>(pool_take(n * sizeof(T))); }
  void deallocate(T* p, size_t n) { pool_give(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const PoolAllocator<U>&) const { return true; }
};

}  // namespace torchlite::detail
