// End to end against PyTorch 1.13: seeded model construction, shuffled DataLoader order and
// 25 SGD (momentum + weight decay) / Adam steps follow PyTorch's loss trajectory.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "common/train_fixture_util.h"
#include "torchlite/data/dataloader.h"
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

void expect_params(const nn::Sequential& net, const json& expected, double rtol) {
  for (const auto& [name, p] : net->named_parameters())
    train_fixtures::expect_close(p, expected[name], rtol, 1e-6, name);
}

}  // namespace

TEST(Training, ShuffledMinibatchTrajectoriesFollowPyTorch) {
  for (const json& traj : fixture()["trajectories"]) {
    SCOPED_TRACE(traj["optimizer"].get<std::string>());
    nn::Sequential net = make_net();
    std::unique_ptr<optim::Optimizer> opt;
    if (traj["optimizer"] == "sgd")
      opt = std::make_unique<optim::SGD>(
          net->parameters(), optim::SGDOptions{.lr = 0.1, .momentum = 0.9, .weight_decay = 1e-3});
    else
      opt = std::make_unique<optim::Adam>(net->parameters(), optim::AdamOptions{.lr = 0.01});
    tl::data::DataLoader loader(
        tl::data::TensorDataset(to_tensor(fixture()["x"]), to_tensor(fixture()["y"])),
        {.batch_size = fixture()["batch_size"].get<int64_t>(), .shuffle = true});
    const json& losses = traj["losses"];
    size_t step = 0;
    double worst = 0;  // largest relative deviation from PyTorch's losses
    while (step < losses.size()) {
      for (const auto& [xb, yb] : loader) {
        if (step == losses.size()) break;
        const json& labels = traj["batch_labels"][step];
        ASSERT_EQ(yb.numel(), static_cast<int64_t>(labels.size()));
        for (size_t i = 0; i < labels.size(); ++i)
          ASSERT_EQ(yb.data_ptr<int64_t>()[i], labels[i].get<int64_t>())
              << "batch order, step " << step;
        const tl::Tensor loss = tl::F::cross_entropy(net->forward(xb), yb);
        opt->zero_grad();
        loss.backward();
        opt->step();
        const double expected = losses[step];
        EXPECT_NEAR(loss.item_double(), expected, 1e-4 * std::abs(expected)) << "step " << step;
        worst = std::max(worst, std::abs(loss.item_double() - expected) / std::abs(expected));
        ++step;
      }
    }
    expect_params(net, traj["params"], 1e-4);
    RecordProperty(traj["optimizer"].get<std::string>() + "_max_rel_loss_error",
                   std::to_string(worst));
    std::printf("%s: 25 steps, largest relative loss deviation from PyTorch %.2e\n",
                traj["optimizer"].get<std::string>().c_str(), worst);
  }
}
