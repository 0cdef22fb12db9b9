// Learning-rate schedulers with PyTorch 1.13's chainable (recursive) update rules.
#include "torchlite/optim/lr_scheduler.h"

#include <cmath>
#include <numbers>

#include "torchlite/printing.h"

namespace torchlite::optim::lr_scheduler {

LRScheduler::LRScheduler(Optimizer& optimizer, int64_t last_epoch)
    : optimizer_(optimizer), last_epoch_(last_epoch) {
  for (size_t g = 0; g < optimizer.num_param_groups(); ++g) {
    if (last_epoch == -1) {
      if (!optimizer.initial_lr(g)) optimizer.set_initial_lr(g, optimizer.lr(g));
    } else {
      TL_CHECK(optimizer.initial_lr(g).has_value(),
               "param 'initial_lr' is not specified in param_groups[", g,
               "] when resuming an optimizer");
    }
    base_lrs_.push_back(*optimizer.initial_lr(g));
  }
}

void LRScheduler::initial_step() {
  step_count_ = 0;
  step();
}

std::vector<double> LRScheduler::group_lrs() const {
  std::vector<double> lrs;
  for (size_t g = 0; g < optimizer_.num_param_groups(); ++g) lrs.push_back(optimizer_.lr(g));
  return lrs;
}

void LRScheduler::step() {
  ++step_count_;
  ++last_epoch_;
  const std::vector<double> values = get_lr();
  for (size_t g = 0; g < values.size(); ++g) optimizer_.set_lr(g, values[g]);
  last_lr_ = group_lrs();
}

StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma, int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch), step_size_(step_size), gamma_(gamma) {
  TL_CHECK(step_size > 0, "StepLR: step_size must be positive, got ", step_size);
  initial_step();
}

std::vector<double> StepLR::get_lr() const {
  std::vector<double> lrs = group_lrs();
  if (last_epoch_ == 0 || last_epoch_ % step_size_ != 0) return lrs;
  for (double& lr : lrs) lr *= gamma_;
  return lrs;
}

MultiStepLR::MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma,
                         int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch), gamma_(gamma) {
  for (int64_t m : milestones) ++milestones_[m];
  initial_step();
}

std::vector<double> MultiStepLR::get_lr() const {
  std::vector<double> lrs = group_lrs();
  auto it = milestones_.find(last_epoch_);
  if (it == milestones_.end()) return lrs;
  for (double& lr : lrs) lr *= std::pow(gamma_, static_cast<double>(it->second));
  return lrs;
}

ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma, int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch), gamma_(gamma) {
  initial_step();
}

std::vector<double> ExponentialLR::get_lr() const {
  std::vector<double> lrs = group_lrs();
  if (last_epoch_ == 0) return lrs;
  for (double& lr : lrs) lr *= gamma_;
  return lrs;
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min,
                                     int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch), T_max_(T_max), eta_min_(eta_min) {
  TL_CHECK(T_max > 0, "CosineAnnealingLR: T_max must be positive, got ", T_max);
  initial_step();
}

std::vector<double> CosineAnnealingLR::get_lr() const {
  constexpr double pi = std::numbers::pi;
  std::vector<double> lrs = group_lrs();
  const double T = static_cast<double>(T_max_), e = static_cast<double>(last_epoch_);
  if (last_epoch_ == 0) return lrs;
  for (size_t g = 0; g < lrs.size(); ++g) {
    const double base = base_lrs_[g];
    if (step_count_ == 1 && last_epoch_ > 0) {
      lrs[g] = eta_min_ + (base - eta_min_) * (1 + std::cos(e * pi / T)) / 2;
    } else if ((last_epoch_ - 1 - T_max_) % (2 * T_max_) == 0) {
      lrs[g] = lrs[g] + (base - eta_min_) * (1 - std::cos(pi / T)) / 2;
    } else {
      lrs[g] = (1 + std::cos(pi * e / T)) / (1 + std::cos(pi * (e - 1) / T)) * (lrs[g] - eta_min_) +
               eta_min_;
    }
  }
  return lrs;
}

LambdaLR::LambdaLR(Optimizer& optimizer, Lambda lr_lambda, int64_t last_epoch)
    : LambdaLR(optimizer, std::vector<Lambda>(optimizer.num_param_groups(), lr_lambda),
               last_epoch) {}

LambdaLR::LambdaLR(Optimizer& optimizer, std::vector<Lambda> lr_lambdas, int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch), lr_lambdas_(std::move(lr_lambdas)) {
  TL_CHECK(lr_lambdas_.size() == optimizer.num_param_groups(), "Expected ",
           optimizer.num_param_groups(), " lr_lambdas, but got ", lr_lambdas_.size());
  initial_step();
}

std::vector<double> LambdaLR::get_lr() const {
  std::vector<double> lrs;
  for (size_t g = 0; g < base_lrs_.size(); ++g)
    lrs.push_back(base_lrs_[g] * lr_lambdas_[g](last_epoch_));
  return lrs;
}

LinearLR::LinearLR(Optimizer& optimizer, double start_factor, double end_factor,
                   int64_t total_iters, int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch),
      start_factor_(start_factor),
      end_factor_(end_factor),
      total_iters_(total_iters) {
  TL_CHECK(start_factor <= 1.0 && start_factor >= 0,
           "Starting multiplicative factor expected to be between 0 and 1.");
  TL_CHECK(end_factor <= 1.0 && end_factor >= 0,
           "Ending multiplicative factor expected to be between 0 and 1.");
  initial_step();
}

std::vector<double> LinearLR::get_lr() const {
  std::vector<double> lrs = group_lrs();
  if (last_epoch_ == 0) {
    for (double& lr : lrs) lr *= start_factor_;
    return lrs;
  }
  if (last_epoch_ > total_iters_) return lrs;
  const double step = static_cast<double>(last_epoch_ - 1);
  for (double& lr : lrs)
    lr *= 1. + (end_factor_ - start_factor_) / (static_cast<double>(total_iters_) * start_factor_ +
                                                step * (end_factor_ - start_factor_));
  return lrs;
}

OneCycleLR::OneCycleLR(Optimizer& optimizer, double max_lr, const OneCycleLROptions& options)
    : OneCycleLR(optimizer, std::vector<double>(optimizer.num_param_groups(), max_lr), options) {}

OneCycleLR::OneCycleLR(Optimizer& optimizer, std::vector<double> max_lr, const OneCycleLROptions& o)
    : LRScheduler(optimizer, o.last_epoch),
      cos_(o.anneal_strategy == "cos"),
      cycle_momentum_(o.cycle_momentum) {
  if (!o.total_steps && !o.epochs && !o.steps_per_epoch)
    throw Error("You must define either total_steps OR (epochs AND steps_per_epoch)");
  if (o.total_steps) {
    TL_CHECK(*o.total_steps > 0, "Expected positive integer total_steps, but got ", *o.total_steps);
    total_steps_ = *o.total_steps;
  } else {
    TL_CHECK(o.epochs && *o.epochs > 0, "Expected positive integer epochs, but got ",
             o.epochs ? std::to_string(*o.epochs) : "None");
    TL_CHECK(o.steps_per_epoch && *o.steps_per_epoch > 0,
             "Expected positive integer steps_per_epoch, but got ",
             o.steps_per_epoch ? std::to_string(*o.steps_per_epoch) : "None");
    total_steps_ = *o.epochs * *o.steps_per_epoch;
  }
  const double total = static_cast<double>(total_steps_);
  enum { kInitial, kMax, kMin, kMaxMomentum, kBaseMomentum };
  if (o.three_phase) {
    phases_ = {{o.pct_start * total - 1, kInitial, kMax, kMaxMomentum, kBaseMomentum},
               {2 * o.pct_start * total - 2, kMax, kInitial, kBaseMomentum, kMaxMomentum},
               {total - 1, kInitial, kMin, kMaxMomentum, kMaxMomentum}};
  } else {
    phases_ = {{o.pct_start * total - 1, kInitial, kMax, kMaxMomentum, kBaseMomentum},
               {total - 1, kMax, kMin, kBaseMomentum, kMaxMomentum}};
  }
  TL_CHECK(o.pct_start >= 0 && o.pct_start <= 1,
           "Expected float between 0 and 1 pct_start, but got ", format_python_float(o.pct_start));
  TL_CHECK(o.anneal_strategy == "cos" || o.anneal_strategy == "linear",
           "anneal_strategy must by one of 'cos' or 'linear', instead got ", o.anneal_strategy);
  const size_t n = optimizer.num_param_groups();
  TL_CHECK(max_lr.size() == n, "expected ", n, " values for max_lr, got ", max_lr.size());
  if (o.cycle_momentum)
    TL_CHECK(optimizer.has_momentum(),
             "optimizer must support momentum with `cycle_momentum` option enabled");
  for (size_t g = 0; g < n; ++g) {
    const double initial = max_lr[g] / o.div_factor;
    groups_.push_back(
        {initial, max_lr[g], initial / o.final_div_factor, o.max_momentum, o.base_momentum});
    if (o.last_epoch == -1) {
      optimizer.set_initial_lr(g, initial);
      base_lrs_[g] = initial;
      if (o.cycle_momentum) optimizer.set_momentum(g, o.max_momentum);
    }
  }
  initial_step();
}

double OneCycleLR::anneal(double start, double end, double pct) const {
  if (!cos_) return (end - start) * pct + start;
  const double cos_out = std::cos(std::numbers::pi * pct) + 1;
  return end + (start - end) / 2.0 * cos_out;
}

std::vector<double> OneCycleLR::get_lr() const {
  TL_CHECK(last_epoch_ <= total_steps_, "Tried to step ", last_epoch_ + 1,
           " times. The specified number of total steps is ", total_steps_);
  const double step = static_cast<double>(last_epoch_);
  std::vector<double> lrs;
  for (size_t g = 0; g < groups_.size(); ++g) {
    const GroupValues& v = groups_[g];
    double start_step = 0, lr = 0, momentum = 0;
    for (size_t i = 0; i < phases_.size(); ++i) {
      const Phase& p = phases_[i];
      if (step <= p.end_step || i == phases_.size() - 1) {
        const double pct = (step - start_step) / (p.end_step - start_step);
        lr = anneal(v[p.start_lr], v[p.end_lr], pct);
        momentum = anneal(v[p.start_momentum], v[p.end_momentum], pct);
        break;
      }
      start_step = p.end_step;
    }
    lrs.push_back(lr);
    if (cycle_momentum_) optimizer_.set_momentum(g, momentum);
  }
  return lrs;
}

}  // namespace torchlite::optim::lr_scheduler
