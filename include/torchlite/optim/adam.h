// optim::Adam and optim::AdamW (decoupled weight decay), with amsgrad.
// Mirrors https://pytorch.org/docs/stable/generated/torch.optim.Adam.html and AdamW.html
#pragma once

#include <utility>
#include <vector>

#include "torchlite/optim/optimizer.h"

namespace torchlite::optim {

/// Adam's arguments in PyTorch's order: `{.lr = 1e-3, .betas = {0.9, 0.999}}`.
struct AdamOptions {
  double lr = 1e-3;
  std::pair<double, double> betas = {0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0;
  bool amsgrad = false;
  bool maximize = false;
};

/// AdamW's arguments in PyTorch's order (weight_decay defaults to 1e-2).
struct AdamWOptions {
  double lr = 1e-3;
  std::pair<double, double> betas = {0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 1e-2;
  bool amsgrad = false;
  bool maximize = false;
};

/// PyTorch 1.13's single-tensor Adam update (L2 weight decay added to the gradient).
class Adam : public OptimizerWithOptions<AdamOptions> {
 public:
  Adam(std::vector<Tensor> params, AdamOptions options = {});
  explicit Adam(std::vector<ParamGroup<AdamOptions>> groups);
  void step() override;

 protected:
  void check_options(const AdamOptions& options) const override;
  OptionList group_options(size_t g) const override;
  void set_group_options(size_t g, const OptionList& options) override;
};

/// PyTorch 1.13's single-tensor AdamW update (parameters decay by lr * weight_decay).
class AdamW : public OptimizerWithOptions<AdamWOptions> {
 public:
  AdamW(std::vector<Tensor> params, AdamWOptions options = {});
  explicit AdamW(std::vector<ParamGroup<AdamWOptions>> groups);
  void step() override;

 protected:
  void check_options(const AdamWOptions& options) const override;
  OptionList group_options(size_t g) const override;
  void set_group_options(size_t g, const OptionList& options) override;
};

}  // namespace torchlite::optim
