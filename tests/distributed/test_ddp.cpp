// DistributedDataParallel: N ranks x batch B equals one process x batch N*B (50 MLP steps, 1e-5),
// per-step losses equal PyTorch DDP over gloo (tests/fixtures/distributed/ddp.json, 2 ranks, 1e-4),
// rank 0's parameters and buffers at construction, buckets, no_sync, mismatched shapes.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "distributed/mpi_test_main.h"
#include "torchlite/data/dataloader.h"
#include "torchlite/distributed/data_parallel.h"
#include "torchlite/nn/activation.h"
#include "torchlite/nn/conv.h"
#include "torchlite/nn/functional.h"
#include "torchlite/nn/linear.h"
#include "torchlite/nn/pooling.h"
#include "torchlite/nn/sequential.h"
#include "torchlite/optim/sgd.h"

namespace tl = torchlite;
namespace dist = torchlite::distributed;
namespace nn = torchlite::nn;
using nlohmann::json;

namespace {

json fixture() {
  std::ifstream f(std::string(TORCHLITE_FIXTURES) + "/distributed/ddp.json");
  EXPECT_TRUE(f.good());
  return json::parse(f);
}

/// The fixture's MLP after torch.manual_seed(seed): Linear(784, h), ReLU, Linear(h, 10).
nn::Sequential make_mlp(uint64_t seed, int64_t hidden) {
  tl::manual_seed(seed);
  return nn::Sequential{nn::Linear(784, hidden), nn::ReLU(), nn::Linear(hidden, 10)};
}

/// d2l's LeNet after manual_seed(seed), taking the fixture's rows of 784 as 28x28 images.
nn::Sequential make_lenet(uint64_t seed) {
  tl::manual_seed(seed);
  return nn::Sequential{nn::Unflatten(1, {1, 28, 28}), nn::Conv2d(1, 6, 5, {.padding = 2}),
                        nn::Sigmoid(), nn::AvgPool2d(2, {.stride = 2}), nn::Conv2d(6, 16, 5),
                        nn::Sigmoid(), nn::AvgPool2d(2, {.stride = 2}), nn::Flatten(),
                        nn::Linear(400, 120), nn::Sigmoid(), nn::Linear(120, 84), nn::Sigmoid(),
                        nn::Linear(84, 10)};
}

/// The fixture's data: rand(n, 784) and randint(0, 10, (n,)) from Generator(data_seed).
tl::data::TensorDataset make_data(const json& cfg) {
  tl::Generator g(cfg["data_seed"].get<uint64_t>());
  const int64_t n = cfg["n"].get<int64_t>();
  tl::Tensor x = tl::rand({n, 784}, g);
  tl::Tensor y = tl::randint(0, 10, {n}, g);
  return {x, y};
}

struct TrainRun {
  std::vector<double> losses;  // this process's loss at each step
  std::vector<tl::Tensor> params;
};

/// `steps` SGD steps over DistributedSampler(replicas, rank) batches of `batch`, through DDP
/// when `ddp`, with set_epoch at every epoch, as the fixture's PyTorch loop.
TrainRun train(const json& cfg, int replicas, int rank, int64_t batch, bool ddp,
               bool lenet = false) {
  nn::Sequential net =
      lenet ? make_lenet(cfg["model_seed"].get<uint64_t>())
            : make_mlp(cfg["model_seed"].get<uint64_t>(), cfg["hidden"].get<int64_t>());
  std::shared_ptr<nn::Module> model = net.ptr();
  if (ddp) model = nn::parallel::DistributedDataParallel(net).ptr();
  tl::optim::SGD opt(model->parameters(), {.lr = cfg["lr"].get<double>()});
  tl::data::TensorDataset ds = make_data(cfg);
  auto sampler = std::make_shared<tl::data::DistributedSampler>(ds.size(), replicas, rank);
  tl::data::DataLoader loader(ds, {.batch_size = batch, .sampler = sampler});
  TrainRun run;
  const int64_t steps = cfg["steps"].get<int64_t>();
  for (int64_t epoch = 0; static_cast<int64_t>(run.losses.size()) < steps; ++epoch) {
    sampler->set_epoch(epoch);
    for (const auto& [x, y] : loader) {
      tl::Tensor loss = tl::nn::functional::cross_entropy(model->forward(x), y);
      opt.zero_grad();
      loss.backward();
      opt.step();
      run.losses.push_back(loss.item_double());
      if (static_cast<int64_t>(run.losses.size()) == steps) break;
    }
  }
  for (const tl::Tensor& p : net->parameters()) run.params.push_back(p.detach().clone());
  return run;
}

double rel_diff(const tl::Tensor& a, const tl::Tensor& b) {
  const tl::Tensor d = (a.to(tl::kFloat64) - b.to(tl::kFloat64));
  return std::sqrt((d * d).sum().item_double()) /
         std::sqrt((b.to(tl::kFloat64) * b.to(tl::kFloat64)).sum().item_double());
}

}  // namespace

/// N ranks with batch 256/N against one process with batch 256 (same global batches).
static void expect_equals_one_process(bool lenet) {
  const json cfg = fixture();
  const int world = dist::get_world_size(), rank = dist::get_rank();
  const int64_t global = 256;
  const TrainRun ref = train(cfg, 1, 0, global, false, lenet);
  const TrainRun mine = train(cfg, world, rank, global / world, true, lenet);
  for (size_t s = 0; s < ref.losses.size(); ++s) {
    // the global batch's loss: the mean of the ranks' equal-sized batch losses
    tl::Tensor l = tl::tensor({mine.losses[s]});
    dist::all_reduce(l, dist::ReduceOp::AVG);
    EXPECT_NEAR(l.item<double>(), ref.losses[s], 1e-5 * std::abs(ref.losses[s])) << "step " << s;
  }
  for (size_t i = 0; i < ref.params.size(); ++i)
    EXPECT_LT(rel_diff(mine.params[i], ref.params[i]), 1e-5) << "parameter " << i;
}

// Acceptance: the MLP and LeNet on N ranks follow one process with the global batch.
TEST(DistributedDataParallel, EqualsOneProcessWithTheGlobalBatch) {
  expect_equals_one_process(false);
}

TEST(DistributedDataParallel, LeNetEqualsOneProcessWithTheGlobalBatch) {
  expect_equals_one_process(true);
}

// Acceptance: the per-step losses of each rank equal PyTorch 1.13 DDP (gloo) on 2 processes.
TEST(DistributedDataParallel, LossesEqualPyTorchDDP) {
  const json cfg = fixture();
  if (dist::get_world_size() != cfg["world"].get<int>()) GTEST_SKIP() << "needs 2 ranks";
  const int rank = dist::get_rank();
  const TrainRun mine = train(cfg, 2, rank, cfg["batch"].get<int64_t>(), true);
  const json& expected = cfg["ranks"][rank];
  ASSERT_EQ(mine.losses.size(), expected["losses"].size());
  for (size_t s = 0; s < mine.losses.size(); ++s) {
    const double e = expected["losses"][s].get<double>();
    EXPECT_NEAR(mine.losses[s], e, 1e-4 * std::abs(e)) << "step " << s;
  }
  for (size_t i = 0; i < mine.params.size(); ++i) {
    const double e = expected["param_sums"][i].get<double>();
    EXPECT_NEAR(mine.params[i].to(tl::kFloat64).sum().item_double(), e, 1e-4 * std::abs(e) + 1e-4)
        << "parameter " << i;
  }
}

TEST(DistributedDataParallel, StartsFromRankZerosParametersAndBuffers) {
  const int world = dist::get_world_size(), rank = dist::get_rank();
  nn::Sequential net = make_mlp(100 + rank, 8);  // a different init on every rank
  tl::Tensor buffer = net->register_buffer("steps", tl::full({2}, double(rank)));
  nn::parallel::DistributedDataParallel ddp(net);
  for (const tl::Tensor& p : net->parameters()) {
    std::vector<tl::Tensor> all(world, tl::empty_like(p));
    dist::all_gather(all, p.detach());
    for (int r = 1; r < world; ++r) EXPECT_TRUE(all[r].equal(all[0]));
  }
  EXPECT_TRUE(net->named_buffers()[0].second.equal(tl::zeros({2}, tl::kFloat64)));
  // broadcast_buffers: a forward in training mode copies rank 0's buffers again
  net->named_buffers()[0].second.fill_(double(rank));
  (void)ddp(tl::zeros({1, 784}));
  EXPECT_TRUE(net->named_buffers()[0].second.equal(tl::zeros({2}, tl::kFloat64)));
  // state-dict keys as PyTorch's: module.<name>
  EXPECT_EQ(ddp->named_parameters()[0].first, "module.0.weight");
}

TEST(DistributedDataParallel, BucketsFillInReverseRegistrationOrder) {
  nn::Sequential net = make_mlp(0, 8);
  nn::parallel::DistributedDataParallel one(net);
  EXPECT_EQ(one->bucket_indices(), (std::vector<std::vector<size_t>>{{3, 2, 1, 0}}));
  // The first bucket closes once it holds 1 MiB (2.weight is 1 MiB), the later ones at the cap.
  tl::manual_seed(0);
  nn::Sequential big{nn::Linear(784, 512), nn::ReLU(), nn::Linear(512, 512)};
  nn::parallel::DistributedDataParallel each(
      big, nn::parallel::DistributedDataParallelOptions{.bucket_cap_mb = 1e-6});
  EXPECT_EQ(each->bucket_indices(), (std::vector<std::vector<size_t>>{{3, 2}, {1}, {0}}));
}

TEST(DistributedDataParallel, NoSyncAccumulatesLocallyThenAverages) {
  const int world = dist::get_world_size(), rank = dist::get_rank();
  nn::Sequential net = make_mlp(0, 8), plain = make_mlp(0, 8);
  nn::parallel::DistributedDataParallel ddp(net);
  tl::Generator g(7 + rank);
  const tl::Tensor x1 = tl::rand({4, 784}, g), x2 = tl::rand({4, 784}, g);
  {
    auto guard = ddp->no_sync();
    ddp(x1).sum().backward();
  }
  ddp(x2).sum().backward();
  plain(x1).sum().backward();
  plain(x2).sum().backward();
  const auto mine = net->parameters(), local = plain->parameters();
  for (size_t i = 0; i < mine.size(); ++i) {
    tl::Tensor expected = local[i].grad().clone();
    dist::all_reduce(expected, dist::ReduceOp::AVG);
    EXPECT_LT(rel_diff(mine[i].grad(), expected), 1e-6) << "parameter " << i;
  }
  (void)world;
}

TEST(DistributedDataParallel, MismatchedShapesNameTheParameter) {
  const int world = dist::get_world_size(), rank = dist::get_rank();
  if (world == 1) GTEST_SKIP() << "needs 2 ranks";
  nn::Sequential net = make_mlp(0, rank == world - 1 ? 9 : 8);
  try {
    nn::parallel::DistributedDataParallel ddp(net);
    ADD_FAILURE() << "no error";
  } catch (const tl::Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("parameter '0.weight' (params[0]) has shape [9, 784] on rank " +
                        std::to_string(world - 1) + " and [8, 784] on rank 0"),
              std::string::npos)
        << what;
  }
}

TEST(DistributedDataParallel, UnusedParameterIsReportedAtTheNextForward) {
  if (dist::get_world_size() == 1) GTEST_SKIP() << "needs 2 ranks (no hooks in a world of one)";
  nn::Sequential net = make_mlp(0, 8);
  nn::parallel::DistributedDataParallel ddp(net);
  // only the first layer's weight gets a gradient: its bucket never fills
  ddp(tl::zeros({1, 784}));
  (net->parameters()[0] * 1).sum().backward();
  EXPECT_THROW(ddp(tl::zeros({1, 784})), tl::Error);
}
