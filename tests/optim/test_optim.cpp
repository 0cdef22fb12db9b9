// SGD, Adam, AdamW against PyTorch 1.13: loss trajectories, parameters, state_dict layout.
#include <gtest/gtest.h>

#include <memory>

#include "common/train_fixture_util.h"
#include "torchlite/nn/activation.h"
#include "torchlite/nn/functional.h"
#include "torchlite/nn/linear.h"
#include "torchlite/nn/sequential.h"
#include "torchlite/optim/adam.h"
#include "torchlite/optim/sgd.h"

namespace tl = torchlite;
namespace nn = torchlite::nn;
namespace optim = torchlite::optim;
using train_fixtures::json;
using train_fixtures::to_tensor;

namespace {

const json& fixture() { return train_fixtures::optim_fixture(); }
nn::Sequential make_net() { return train_fixtures::make_optim_net(); }

std::unique_ptr<optim::Optimizer> make_optimizer(const json& v, std::vector<tl::Tensor> params) {
  const std::string cls = v["optimizer"];
  const json& kw = v["kwargs"];
  auto betas = [&](std::pair<double, double> dflt) {
    return kw.contains("betas")
               ? std::pair{kw["betas"][0].get<double>(), kw["betas"][1].get<double>()}
               : dflt;
  };
  if (cls == "SGD")
    return std::make_unique<optim::SGD>(
        params, optim::SGDOptions{.lr = kw["lr"],
                                  .momentum = kw.value("momentum", 0.0),
                                  .dampening = kw.value("dampening", 0.0),
                                  .weight_decay = kw.value("weight_decay", 0.0),
                                  .nesterov = kw.value("nesterov", false),
                                  .maximize = kw.value("maximize", false)});
  if (cls == "Adam")
    return std::make_unique<optim::Adam>(
        params, optim::AdamOptions{.lr = kw["lr"],
                                   .betas = betas({0.9, 0.999}),
                                   .eps = kw.value("eps", 1e-8),
                                   .weight_decay = kw.value("weight_decay", 0.0),
                                   .amsgrad = kw.value("amsgrad", false),
                                   .maximize = kw.value("maximize", false)});
  return std::make_unique<optim::AdamW>(
      params, optim::AdamWOptions{.lr = kw["lr"],
                                  .betas = betas({0.9, 0.999}),
                                  .eps = kw.value("eps", 1e-8),
                                  .weight_decay = kw.value("weight_decay", 1e-2),
                                  .amsgrad = kw.value("amsgrad", false),
                                  .maximize = kw.value("maximize", false)});
}

void expect_params(const nn::Sequential& net, const json& expected, double rtol) {
  for (const auto& [name, p] : net->named_parameters())
    train_fixtures::expect_close(p, expected[name], rtol, 1e-6, name);
}

/// One full-batch step; returns the loss.
double full_batch_step(nn::Sequential& net, optim::Optimizer& opt) {
  const tl::Tensor loss =
      tl::F::cross_entropy(net->forward(to_tensor(fixture()["x"])), to_tensor(fixture()["y"]));
  opt.zero_grad();
  loss.backward();
  opt.step();
  return loss.item_double();
}

}  // namespace

TEST(Optim, InitialParametersMatchPyTorchsSeededConstruction) {
  nn::Sequential net = make_net();
  expect_params(net, fixture()["init"], 0);
}

TEST(Optim, EveryVariantMatchesPyTorchAfter20Steps) {
  for (const json& v : fixture()["variants"]) {
    SCOPED_TRACE(v["optimizer"].get<std::string>() + " " + v["kwargs"].dump());
    nn::Sequential net = make_net();
    auto opt = make_optimizer(v, net->parameters());
    for (int step = 0; step < 20; ++step) {
      const double loss = full_batch_step(net, *opt);
      const double expected = v["losses"][step];
      EXPECT_NEAR(loss, expected, 1e-4 * std::abs(expected)) << "step " << step;
    }
    expect_params(net, v["params"], 1e-4);

    // state_dict: PyTorch's keys, in order, and the first parameter's state
    const optim::OptimizerStateDict sd = opt->state_dict();
    ASSERT_EQ(sd.param_groups.size(), 1u);
    std::vector<std::string> keys;
    for (const auto& [k, val] : sd.param_groups[0].options) keys.push_back(k);
    keys.push_back("params");
    EXPECT_EQ(keys, v["group_keys"].get<std::vector<std::string>>());
    EXPECT_EQ(sd.param_groups[0].params, (std::vector<int64_t>{0, 1, 2, 3}));
    ASSERT_EQ(sd.state.size(), 4u);
    std::vector<std::string> state_keys;
    for (const auto& [k, t] : sd.state.at(0)) {
      state_keys.push_back(k);
      const json& e = v["state0"][k];
      if (e.is_null())
        EXPECT_FALSE(t.defined()) << k;
      else
        train_fixtures::expect_close(t, e, 1e-4, 1e-6, k);
    }
    EXPECT_EQ(state_keys, v["state_keys"].get<std::vector<std::string>>());
    const auto* lr = optim::find_option(sd.param_groups[0].options, "lr");
    ASSERT_NE(lr, nullptr);
    EXPECT_EQ(std::get<double>(*lr), v["group_values"]["lr"].get<double>());
  }
}

TEST(Optim, LoadStateDictResumesExactly) {
  for (const json& v : fixture()["variants"]) {
    SCOPED_TRACE(v["optimizer"].get<std::string>() + " " + v["kwargs"].dump());
    nn::Sequential net = make_net();
    auto opt = make_optimizer(v, net->parameters());
    for (int step = 0; step < 10; ++step) full_batch_step(net, *opt);
    const optim::OptimizerStateDict sd = opt->state_dict();
    nn::Sequential net2 = make_net();
    net2->load_state_dict(net->state_dict());
    json reset = v;  // a different lr, restored by load_state_dict
    reset["kwargs"]["lr"] = 123.0;
    auto opt2 = make_optimizer(reset, net2->parameters());
    opt2->load_state_dict(sd);
    EXPECT_EQ(opt2->lr(), v["kwargs"]["lr"].get<double>());
    for (int step = 10; step < 20; ++step) {
      const double loss = full_batch_step(net2, *opt2);
      const double expected = v["losses"][step];
      EXPECT_NEAR(loss, expected, 1e-4 * std::abs(expected)) << "step " << step;
    }
    expect_params(net2, v["params"], 1e-4);
  }
}

TEST(Optim, ZeroGradSetsGradientsToNone) {
  nn::Sequential net = make_net();
  optim::SGD opt(net->parameters(), {.lr = 0.1});
  full_batch_step(net, opt);
  for (const auto& p : net->parameters()) EXPECT_TRUE(p.grad().defined());
  opt.zero_grad();
  for (const auto& p : net->parameters()) EXPECT_FALSE(p.grad().defined());
  // parameters without a gradient are skipped and get no state
  const tl::Tensor before = net->parameters()[0].clone();
  opt.step();
  EXPECT_TRUE(net->parameters()[0].equal(before));
}

TEST(Optim, ParamGroupsHaveTheirOwnOptions) {
  nn::Sequential net = make_net();
  const auto params = net->parameters();
  optim::SGD opt({{{params[0], params[1]}, {.lr = 0.1}}, {{params[2], params[3]}, {.lr = 0.0}}});
  EXPECT_EQ(opt.num_param_groups(), 2u);
  const tl::Tensor frozen = params[2].clone();
  full_batch_step(net, opt);
  EXPECT_TRUE(params[2].equal(frozen));
  EXPECT_EQ(opt.state_dict().param_groups[1].params, (std::vector<int64_t>{2, 3}));
  EXPECT_THROW(optim::SGD({{{params[0]}, {.lr = 0.1}}, {{params[0]}, {.lr = 0.2}}}), tl::Error);
}

TEST(Optim, InvalidArgumentsReadLikePyTorch) {
  const json errors = train_fixtures::load("errors.json");
  auto message = [&](const std::string& name) {
    for (const json& e : errors)
      if (e["case"] == name) return e["message"].get<std::string>();
    return std::string("?");
  };
  const std::vector<tl::Tensor> p{tl::zeros({2}).requires_grad_()};
  auto what = [](auto&& fn) {
    try {
      fn();
    } catch (const tl::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(what([&] { optim::SGD(p, {.lr = 0.1, .nesterov = true}); }), message("sgd_nesterov"));
  EXPECT_EQ(what([&] { optim::SGD(p, {.lr = -0.1}); }), message("sgd_lr"));
  EXPECT_EQ(what([&] { optim::Adam(p, {.betas = {1.0, 0.999}}); }), message("adam_beta"));
}
