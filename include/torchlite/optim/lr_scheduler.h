// optim::lr_scheduler: StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR (PyTorch 1.13's
// recursive forms). Mirrors https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "torchlite/optim/optimizer.h"

namespace torchlite::optim::lr_scheduler {

/// Base of the schedulers: step() advances last_epoch and writes each group's new lr.
/// The optimizer must outlive the scheduler.
class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;
  /// Advances one epoch and sets the groups' learning rates.
  void step();
  /// The learning rates the last step() set, one per group.
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  int64_t last_epoch() const { return last_epoch_; }
  const std::vector<double>& base_lrs() const { return base_lrs_; }

 protected:
  /// Records initial_lr in the groups (last_epoch == -1) or requires it (resuming).
  LRScheduler(Optimizer& optimizer, int64_t last_epoch);
  /// The next learning rates, from the current ones (PyTorch's chainable get_lr).
  virtual std::vector<double> get_lr() const = 0;
  /// PyTorch's _initial_step; derived constructors call it once their fields are set.
  void initial_step();

  Optimizer& optimizer_;
  int64_t last_epoch_;
  int64_t step_count_ = 0;
  std::vector<double> base_lrs_;
  std::vector<double> last_lr_;
  /// The current lr of every group.
  std::vector<double> group_lrs() const;
};

/// Multiplies the lr by gamma every step_size epochs.
/// https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.StepLR.html
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1, int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() const override;

 private:
  int64_t step_size_;
  double gamma_;
};

/// Multiplies the lr by gamma at each milestone (repeated milestones count several times).
/// https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.MultiStepLR.html
class MultiStepLR : public LRScheduler {
 public:
  MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma = 0.1,
              int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() const override;

 private:
  std::map<int64_t, int64_t> milestones_;  // epoch -> count, as Python's Counter
  double gamma_;
};

/// Multiplies the lr by gamma every epoch.
/// https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ExponentialLR.html
class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma, int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() const override;

 private:
  double gamma_;
};

/// Cosine annealing from the base lr to eta_min over T_max epochs (then back up).
/// https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CosineAnnealingLR.html
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min = 0,
                    int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() const override;

 private:
  int64_t T_max_;
  double eta_min_;
};

}  // namespace torchlite::optim::lr_scheduler
