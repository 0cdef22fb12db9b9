// kernels::backend::OneThread and Threads: the size of oneDNN's OpenMP team for one scope, for
// the oneDNN backend files.
#pragma once

#include <omp.h>

#include "torchlite/parallel.h"

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

/// OpenMP's team for oneDNN as large as torchlite's pool for one scope (oneDNN sizes a
/// primitive's team when it creates it, and runs it with the current setting): for primitives
/// that split their work better than torchlite could from outside.
class Threads {
 public:
  Threads() : saved_(omp_get_max_threads()) { omp_set_num_threads(get_num_threads()); }
  ~Threads() { omp_set_num_threads(saved_); }
  Threads(const Threads&) = delete;
  Threads& operator=(const Threads&) = delete;

 private:
  int saved_;
};

}  // namespace torchlite::kernels::backend
