// parallel_for: the one way kernels spread work over threads (torchlite's own pool, so that no
// other library's workers spin on cores the process is not given).
#pragma once

#include <cstdint>
#include <functional>

#include "torchlite/parallel.h"

namespace torchlite::detail {

/// Runs body(begin_i, end_i) over chunks of [begin, end) of at least `grain` iterations, on up to
/// get_num_threads() threads (the caller included); returns when all chunks are done. Chunks are
/// handed out one at a time, so a thread the OS descheduled holds back no one else's share.
/// Bodies must not throw and must not call parallel_for themselves (nested calls run serially).
void parallel_for(int64_t begin, int64_t end, int64_t grain,
                  const std::function<void(int64_t, int64_t)>& body);

/// Whether the calling thread is one of the pool's workers (or inside a parallel_for body).
bool in_parallel_region();

}  // namespace torchlite::detail
