// optim::lr_scheduler: StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LambdaLR, LinearLR
// and OneCycleLR (PyTorch 1.13's recursive forms). Mirrors
// https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
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

/// lr = base_lr * lr_lambda(epoch), one function for all groups or one per group.
/// https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.LambdaLR.html
class LambdaLR : public LRScheduler {
 public:
  using Lambda = std::function<double(int64_t)>;
  LambdaLR(Optimizer& optimizer, Lambda lr_lambda, int64_t last_epoch = -1);
  LambdaLR(Optimizer& optimizer, std::vector<Lambda> lr_lambdas, int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() const override;

 private:
  std::vector<Lambda> lr_lambdas_;
};

/// Scales the lr linearly from start_factor to end_factor over total_iters epochs.
/// https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.LinearLR.html
class LinearLR : public LRScheduler {
 public:
  explicit LinearLR(Optimizer& optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0,
                    int64_t total_iters = 5, int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() const override;

 private:
  double start_factor_;
  double end_factor_;
  int64_t total_iters_;
};

/// OneCycleLR's keyword arguments after max_lr, in PyTorch's order.
struct OneCycleLROptions {
  std::optional<int64_t> total_steps = std::nullopt;  // or epochs * steps_per_epoch
  std::optional<int64_t> epochs = std::nullopt;
  std::optional<int64_t> steps_per_epoch = std::nullopt;
  double pct_start = 0.3;               // share of the steps spent raising the lr
  std::string anneal_strategy = "cos";  // "cos" or "linear"
  bool cycle_momentum = true;           // SGD's momentum, or Adam's / AdamW's beta1
  double base_momentum = 0.85;
  double max_momentum = 0.95;
  double div_factor = 25.0;       // initial_lr = max_lr / div_factor
  double final_div_factor = 1e4;  // min_lr = initial_lr / final_div_factor
  bool three_phase = false;
  int64_t last_epoch = -1;
};

/// The 1cycle policy: lr from max_lr / div_factor up to max_lr, then down to min_lr (momentum
/// the other way), once per step (call step() after each batch).
/// https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.OneCycleLR.html
class OneCycleLR : public LRScheduler {
 public:
  OneCycleLR(Optimizer& optimizer, double max_lr, const OneCycleLROptions& options = {});
  /// One max_lr per group.
  OneCycleLR(Optimizer& optimizer, std::vector<double> max_lr,
             const OneCycleLROptions& options = {});
  int64_t total_steps() const { return total_steps_; }

 protected:
  std::vector<double> get_lr() const override;

 private:
  struct Phase {
    double end_step;
    int start_lr, end_lr, start_momentum, end_momentum;  // indices into GroupValues
  };
  /// Per group: initial_lr, max_lr, min_lr, max_momentum, base_momentum (Phase's indices).
  using GroupValues = std::array<double, 5>;
  double anneal(double start, double end, double pct) const;

  int64_t total_steps_ = 0;
  std::vector<Phase> phases_;
  bool cos_ = true;
  bool cycle_momentum_ = true;
  std::vector<GroupValues> groups_;
};

}  // namespace torchlite::optim::lr_scheduler
