// kernels::backend::OneThread: oneDNN on the calling thread only, for the oneDNN backend files.
#pragma once

#include <omp.h>

namespace torchlite::kernels::backend {

/// Keeps oneDNN (built on OpenMP) on the calling thread for one call: torchlite's pool does
/// the threading, and OpenMP teams would spin on cores the process may not have.
class OneThread {
 public:
  OneThread() : saved_(omp_get_max_threads()) {
    if (saved_ != 1) omp_set_num_threads(1);
  }
  ~OneThread() {
    if (saved_ != 1) omp_set_num_threads(saved_);
  }
  OneThread(const OneThread&) = delete;
  OneThread& operator=(const OneThread&) = delete;

 private:
  int saved_;
};

}  // namespace torchlite::kernels::backend
