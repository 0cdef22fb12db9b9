// LR schedulers against PyTorch 1.13's get_last_lr() sequences (two parameter groups).
#include <gtest/gtest.h>

#include <memory>

#include "common/train_fixture_util.h"
#include "torchlite/optim/lr_scheduler.h"
#include "torchlite/optim/sgd.h"

namespace tl = torchlite;
namespace optim = torchlite::optim;
namespace sched = torchlite::optim::lr_scheduler;
using train_fixtures::json;

namespace {

std::unique_ptr<sched::LRScheduler> make(const std::string& name, optim::Optimizer& opt) {
  if (name == "StepLR(step_size=3, gamma=0.5)") return std::make_unique<sched::StepLR>(opt, 3, 0.5);
  if (name == "MultiStepLR([2, 5, 5, 9], gamma=0.3)")
    return std::make_unique<sched::MultiStepLR>(opt, std::vector<int64_t>{2, 5, 5, 9}, 0.3);
  if (name == "ExponentialLR(gamma=0.9)") return std::make_unique<sched::ExponentialLR>(opt, 0.9);
  if (name == "CosineAnnealingLR(T_max=5, eta_min=0.001)")
    return std::make_unique<sched::CosineAnnealingLR>(opt, 5, 0.001);
  if (name == "CosineAnnealingLR(T_max=4)")
    return std::make_unique<sched::CosineAnnealingLR>(opt, 4);
  ADD_FAILURE() << "unknown scheduler " << name;
  return nullptr;
}

}  // namespace

TEST(LRScheduler, SequencesMatchPyTorch) {
  int checked = 0;
  for (const json& c : train_fixtures::load("schedulers.json")) {
    const std::string name = c["name"];
    SCOPED_TRACE(name);
    tl::Tensor p1 = tl::zeros({2}).requires_grad_(), p2 = tl::zeros({2}).requires_grad_();
    optim::SGD opt({{{p1}, {.lr = 0.1}}, {{p2}, {.lr = 0.03}}});
    auto s = make(name, opt);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(*opt.initial_lr(0), c["initial_lr"][0].get<double>());
    EXPECT_EQ(*opt.initial_lr(1), c["initial_lr"][1].get<double>());
    for (size_t step = 0; step < c["lrs"].size(); ++step) {
      if (step > 0) {
        opt.step();
        s->step();
      }
      for (size_t g = 0; g < 2; ++g) {
        const double expected = c["lrs"][step][g];
        EXPECT_NEAR(s->get_last_lr()[g], expected, 1e-15 + 1e-12 * std::abs(expected))
            << "step " << step << " group " << g;
        EXPECT_EQ(s->get_last_lr()[g], opt.lr(g));
        ++checked;
      }
    }
    // initial_lr shows up in the optimizer's state_dict, after the options
    const auto sd = opt.state_dict();
    EXPECT_EQ(sd.param_groups[0].options.back().first, "initial_lr");
  }
  EXPECT_GT(checked, 100);
}

TEST(LRScheduler, ResumingRequiresInitialLr) {
  tl::Tensor p = tl::zeros({2}).requires_grad_();
  optim::SGD opt({p}, {.lr = 0.1});
  try {
    sched::StepLR s(opt, 2, 0.5, 4);
    ADD_FAILURE() << "no error";
  } catch (const tl::Error& e) {
    EXPECT_STREQ(
        e.what(),
        "param 'initial_lr' is not specified in param_groups[0] when resuming an optimizer");
  }
  EXPECT_THROW(sched::StepLR(opt, 0), tl::Error);
}
