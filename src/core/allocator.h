// The CPU allocator behind every tensor: 64-byte aligned blocks, reused from a cache of freed
// blocks by size class, so that a training loop allocates nothing in steady state.
// (The per-thread pool for small objects is declared in torchlite/pool_allocator.h.)
#pragma once

#include <cstddef>
#include <memory>

#include "torchlite/pool_allocator.h"

namespace torchlite::detail {

/// A 64-byte aligned block of at least `nbytes` bytes (its contents are uninitialised).
std::shared_ptr<void> allocate(size_t nbytes);

}  // namespace torchlite::detail
