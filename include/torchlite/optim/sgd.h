// optim::SGD: stochastic gradient descent with momentum, dampening, weight decay and Nesterov.
// Mirrors https://pytorch.org/docs/stable/generated/torch.optim.SGD.html
#pragma once

#include <vector>

#include "torchlite/optim/optimizer.h"

namespace torchlite::optim {

/// SGD's arguments in PyTorch's order: `{.lr = 0.1, .momentum = 0.9}`.
struct SGDOptions {
  double lr = 1e-3;  // required in PyTorch 1.13; 2.x's default
  double momentum = 0;
  double dampening = 0;
  double weight_decay = 0;
  bool nesterov = false;
  bool maximize = false;
};

/// PyTorch 1.13's single-tensor SGD update, one fused loop per parameter.
class SGD : public OptimizerWithOptions<SGDOptions> {
 public:
  SGD(std::vector<Tensor> params, SGDOptions options = {});
  explicit SGD(std::vector<ParamGroup<SGDOptions>> groups);
  void step() override;

 protected:
  void check_options(const SGDOptions& options) const override;
  OptionList group_options(size_t g) const override;
  void set_group_options(size_t g, const OptionList& options) override;
};

}  // namespace torchlite::optim
