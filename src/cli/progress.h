// A one-line live progress bar for training epochs (terminal only).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace torchlite::cli {

/// Redraws `epoch 3/10 [#####.....] 120/235  loss 0.512  91,000 samples/s  ETA 0.4 s` on
/// `out` at most every 100 ms; a no-op when disabled (output not a terminal).
class ProgressBar {
 public:
  ProgressBar(std::FILE* out, bool enabled) : out_(out), enabled_(enabled) {}
  /// Starts an epoch of `total_batches` batches.
  void start(int64_t epoch, int64_t epochs, int64_t total_batches);
  /// Reports that `batches` batches (`samples` examples) are done, with the running mean loss.
  void update(int64_t batches, int64_t samples, double loss);
  /// Erases the bar so that the epoch's summary line can take its place.
  void finish();

 private:
  void draw(int64_t batches, int64_t samples, double loss);
  std::FILE* out_;
  bool enabled_;
  int64_t epoch_ = 0, epochs_ = 0, total_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace torchlite::cli
