// The MLP of examples/mlp.cpp trained data-parallel on several processes with
// DistributedDataParallel. Run: mpirun -np 2 ./ddp_mlp [data dir]   (or ./ddp_mlp: one process)
#include <cstdio>

#include "torchlite/data/dataloader.h"
#include "torchlite/data/mnist.h"
#include "torchlite/distributed/collectives.h"
#include "torchlite/distributed/data_parallel.h"
#include "torchlite/distributed/process_group.h"
#include "torchlite/nn/activation.h"
#include "torchlite/nn/init.h"
#include "torchlite/nn/linear.h"
#include "torchlite/nn/loss.h"
#include "torchlite/nn/sequential.h"
#include "torchlite/optim/sgd.h"

namespace tl = torchlite;
namespace nn = torchlite::nn;
namespace dist = torchlite::distributed;

int main(int argc, char** argv) {
  dist::init_process_group();
  const int rank = dist::get_rank(), world = dist::get_world_size();
  const std::string root = argc > 1 ? argv[1] : tl::data::FashionMNIST::default_root();
  tl::data::FashionMNIST train_set(root, true);
  // Each rank takes its share of every global batch of 256.
  auto sampler = std::make_shared<tl::data::DistributedSampler>(train_set.size(), world, rank);
  tl::data::DataLoader train_iter(train_set, {.batch_size = 256 / world, .sampler = sampler});
  tl::data::DataLoader test_iter(tl::data::FashionMNIST(root, false), {.batch_size = 256});

  tl::manual_seed(0);
  nn::Sequential net{nn::Flatten(), nn::Linear(784, 256), nn::ReLU(), nn::Linear(256, 10)};
  net->apply([](nn::Module& m) {
    if (auto* linear = m.as<nn::Linear>()) nn::init::normal_(linear->weight, 0.0, 0.01);
  });
  // Copies rank 0's parameters to all; backward() then averages gradients over the ranks.
  nn::parallel::DistributedDataParallel model(net);
  nn::CrossEntropyLoss loss;
  tl::optim::SGD trainer(model->parameters(), {.lr = 0.1});

  for (int epoch = 1; epoch <= 10; ++epoch) {
    sampler->set_epoch(epoch);
    tl::Tensor sums = tl::zeros({2}, tl::kFloat64);  // loss sum, examples
    for (const auto& [X, y] : train_iter) {
      tl::Tensor l = loss(model(X), y);
      trainer.zero_grad();
      l.backward();
      trainer.step();
      sums[0].add_(l.item<float>() * y.numel());
      sums[1].add_(y.numel());
    }
    dist::all_reduce(sums);
    if (rank != 0) continue;  // the model is the same on every rank: rank 0 evaluates it
    net->eval();
    tl::NoGradGuard no_grad;
    int64_t correct = 0, total = 0;
    for (const auto& [X, y] : test_iter) {
      correct += static_cast<int64_t>(net(X).argmax(1).eq(y).sum().item_double());
      total += y.numel();
    }
    net->train();
    std::printf("epoch %d: loss %.3f, test acc %.3f\n", epoch,
                sums[0].item<double>() / sums[1].item<double>(),
                static_cast<double>(correct) / total);
  }
  dist::destroy_process_group();
}
