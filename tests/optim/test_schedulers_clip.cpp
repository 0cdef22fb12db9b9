// LambdaLR, LinearLR and OneCycleLR (lr and momentum / beta1 sequences, float64 exact), and
// nn::utils::clip_grad_norm_ / clip_grad_value_, against PyTorch 1.13
// (tests/fixtures/optim/schedulers_clip.json from tools/gen_attention_fixtures.py).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "nn/attention_fixture_util.h"
#include "torchlite/nn/utils/clip_grad.h"
#include "torchlite/optim/adam.h"
#include "torchlite/optim/lr_scheduler.h"
#include "torchlite/optim/sgd.h"

namespace tl = torchlite;
namespace optim = torchlite::optim;
namespace sched = torchlite::optim::lr_scheduler;
using nlohmann::json;

namespace {

const json& fixture() {
  static const json j = [] {
    std::ifstream f(std::string(TORCHLITE_FIXTURES) + "/optim/schedulers_clip.json");
    return json::parse(f);
  }();
  return j;
}

using Make = std::function<std::unique_ptr<sched::LRScheduler>(optim::Optimizer&)>;

const std::map<std::string, Make>& makers() {
  static const std::map<std::string, Make> m = {
      {"LambdaLR(0.95 ** epoch)",
       [](optim::Optimizer& o) {
         return std::make_unique<sched::LambdaLR>(
             o, [](int64_t e) { return std::pow(0.95, static_cast<double>(e)); });
       }},
      {"LambdaLR([1 / (epoch + 1), 0.5 * epoch])",
       [](optim::Optimizer& o) {
         return std::make_unique<sched::LambdaLR>(
             o, std::vector<sched::LambdaLR::Lambda>{
                    [](int64_t e) { return 1.0 / static_cast<double>(e + 1); },
                    [](int64_t e) { return 0.5 * static_cast<double>(e); }});
       }},
      {"LinearLR()", [](optim::Optimizer& o) { return std::make_unique<sched::LinearLR>(o); }},
      {"LinearLR(start_factor=0.5, end_factor=0.1, total_iters=4)",
       [](optim::Optimizer& o) { return std::make_unique<sched::LinearLR>(o, 0.5, 0.1, 4); }},
      {"OneCycleLR(max_lr=1.0, total_steps=10)",
       [](optim::Optimizer& o) {
         return std::make_unique<sched::OneCycleLR>(o, 1.0,
                                                    sched::OneCycleLROptions{.total_steps = 10});
       }},
      {"OneCycleLR(max_lr=[0.5, 0.2], epochs=3, steps_per_epoch=4, anneal_strategy='linear')",
       [](optim::Optimizer& o) {
         return std::make_unique<sched::OneCycleLR>(
             o, std::vector<double>{0.5, 0.2},
             sched::OneCycleLROptions{
                 .epochs = 3, .steps_per_epoch = 4, .anneal_strategy = "linear"});
       }},
      {"OneCycleLR(max_lr=0.01, total_steps=12, three_phase=True, pct_start=0.25)",
       [](optim::Optimizer& o) {
         return std::make_unique<sched::OneCycleLR>(
             o, 0.01,
             sched::OneCycleLROptions{.total_steps = 12, .pct_start = 0.25, .three_phase = true});
       }},
      {"OneCycleLR(max_lr=0.1, total_steps=7, cycle_momentum=False, div_factor=10.0, "
       "final_div_factor=100.0)",
       [](optim::Optimizer& o) {
         return std::make_unique<sched::OneCycleLR>(
             o, 0.1,
             sched::OneCycleLROptions{.total_steps = 7,
                                      .cycle_momentum = false,
                                      .div_factor = 10.0,
                                      .final_div_factor = 100.0});
       }},
  };
  return m;
}

}  // namespace

TEST(LRSchedulerExtra, SequencesMatchPyTorch) {
  int checked = 0;
  for (const json& c : fixture()["schedulers"]) {
    const std::string name = c["name"];
    SCOPED_TRACE(name);
    tl::Tensor p1 = tl::zeros({2}).requires_grad_(), p2 = tl::zeros({2}).requires_grad_();
    std::unique_ptr<optim::Optimizer> opt;
    const bool adam = c["optimizer"] == "adam";
    if (adam) {
      opt = std::make_unique<optim::Adam>(std::vector<optim::ParamGroup<optim::AdamOptions>>{
          {{p1}, {.lr = 0.1}}, {{p2}, {.lr = 0.03}}});
    } else {
      opt = std::make_unique<optim::SGD>(std::vector<optim::ParamGroup<optim::SGDOptions>>{
          {{p1}, {.lr = 0.1, .momentum = 0.9}}, {{p2}, {.lr = 0.03, .momentum = 0.9}}});
    }
    auto s = makers().at(name)(*opt);
    auto momentum = [&](size_t g) {
      return adam ? static_cast<optim::Adam&>(*opt).options(g).betas.first
                  : static_cast<optim::SGD&>(*opt).options(g).momentum;
    };
    const json& lrs = c["lrs"];
    for (size_t step = 0; step < lrs.size(); ++step) {
      if (step > 0) {
        opt->step();
        s->step();
      }
      for (size_t g = 0; g < 2; ++g) {
        // Within 4 ulps: OneCycleLR's cos and LambdaLR's pow go through libm on both sides.
        EXPECT_DOUBLE_EQ(s->get_last_lr()[g], lrs[step][g].get<double>()) << "step " << step;
        EXPECT_DOUBLE_EQ(momentum(g), c["momentum"][step][g].get<double>()) << "step " << step;
      }
    }
    ++checked;
  }
  EXPECT_EQ(checked, 8);
}

TEST(ClipGrad, MatchesPyTorch) {
  int checked = 0;
  for (const json& c : fixture()["clip"]) {
    SCOPED_TRACE(c.dump().substr(0, 200));
    std::vector<tl::Tensor> params;
    int salt = 10;
    for (const json& s : c["shapes"]) {
      tl::Tensor p = tl::zeros(tl::Sizes(s.get<std::vector<int64_t>>())).requires_grad_();
      p.set_grad(attnfx::value(p.sizes(), salt++) * c.value("scale", 1.0));
      params.push_back(p);
    }
    if (c["kind"] == "norm") {
      const double norm_type = c["norm_type"].is_string() ? std::numeric_limits<double>::infinity()
                                                          : c["norm_type"].get<double>();
      tl::Tensor total = tl::nn::utils::clip_grad_norm_(params, c["max_norm"], norm_type);
      EXPECT_NEAR(total.item_double(), c["total"].get<double>(), 1e-6 * c["total"].get<double>());
    } else {
      tl::nn::utils::clip_grad_value_(params, c["clip_value"]);
    }
    for (size_t i = 0; i < params.size(); ++i)
      attnfx::expect_close(params[i].grad(), c["grads"][i], "grad", 1e-7, 1e-6);
    ++checked;
  }
  EXPECT_EQ(checked, 6);
}

TEST(LRSchedulerExtra, ErrorsMatchPyTorch) {
  tl::Tensor p = tl::zeros({1}).requires_grad_();
  optim::SGD sgd({p}, {.lr = 0.1, .momentum = 0.9});
  std::map<std::string, std::function<void()>> calls;
  calls["onecycle_no_steps"] = [&] { sched::OneCycleLR(sgd, 0.1); };
  calls["onecycle_total_steps"] = [&] { sched::OneCycleLR(sgd, 0.1, {.total_steps = -1}); };
  calls["onecycle_anneal"] = [&] {
    sched::OneCycleLR(sgd, 0.1, {.total_steps = 5, .anneal_strategy = "cosine"});
  };
  calls["linearlr_start"] = [&] { sched::LinearLR(sgd, 1.5); };
  calls["linearlr_end"] = [&] { sched::LinearLR(sgd, 1.0 / 3, -0.5); };
  calls["onecycle_overrun"] = [&] {
    sched::OneCycleLR s(sgd, 0.1, {.total_steps = 3});
    for (int i = 0; i < 4; ++i) s.step();
  };
  calls["clip_nonfinite"] = [] {
    tl::Tensor q = tl::zeros({2}).requires_grad_();
    q.set_grad(tl::tensor({1.0f, std::numeric_limits<float>::infinity()}));
    tl::nn::utils::clip_grad_norm_({q}, 1.0, 2.0, true);
  };
  int checked = 0;
  for (const json& e : fixture()["errors"]) {
    SCOPED_TRACE(e["name"].get<std::string>());
    EXPECT_EQ(attnfx::message_of(calls.at(e["name"])), e["message"].get<std::string>());
    ++checked;
  }
  EXPECT_EQ(checked, 7);
}
