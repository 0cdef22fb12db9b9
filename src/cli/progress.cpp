// ProgressBar: carriage-return redraws of a single status line.
#include "cli/progress.h"

#include <algorithm>

namespace torchlite::cli {

void ProgressBar::start(int64_t epoch, int64_t epochs, int64_t total_batches) {
  epoch_ = epoch;
  epochs_ = epochs;
  total_ = total_batches;
  start_ = std::chrono::steady_clock::now();
  last_draw_ = start_ - std::chrono::seconds(1);
}

void ProgressBar::update(int64_t batches, int64_t samples, double loss) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (batches < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  draw(batches, samples, loss);
}

void ProgressBar::draw(int64_t batches, int64_t samples, double loss) {
  constexpr int kWidth = 24;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const int filled = total_ > 0 ? static_cast<int>(kWidth * batches / total_) : kWidth;
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(kWidth, '.');
  const double rate = elapsed > 0 ? static_cast<double>(samples) / elapsed : 0.0;
  const double eta = batches > 0 ? elapsed * static_cast<double>(total_ - batches) / batches : 0.0;
  std::fprintf(out_,
               "\r\033[Kepoch %lld/%lld [%s] %lld/%lld  loss %.3f  %.0f samples/s  ETA %.1f s",
               static_cast<long long>(epoch_), static_cast<long long>(epochs_), bar.c_str(),
               static_cast<long long>(batches), static_cast<long long>(total_), loss, rate,
               std::max(0.0, eta));
  std::fflush(out_);
}

void ProgressBar::finish() {
  if (!enabled_) return;
  std::fprintf(out_, "\r\033[K");
  std::fflush(out_);
}

}  // namespace torchlite::cli
