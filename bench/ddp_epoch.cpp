// One Fashion-MNIST MLP epoch under DistributedDataParallel (the bench/ddp_compare.sh twin of
// ddp_torch.py): seconds per epoch, and how much of the gradient allreduce backward hid.
// Run: mpirun -np 2 ./ddp_epoch [data dir] [epochs] [global batch] [threads per process]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "torchlite/data/dataloader.h"
#include "torchlite/data/mnist.h"
#include "torchlite/distributed/collectives.h"
#include "torchlite/distributed/data_parallel.h"
#include "torchlite/distributed/process_group.h"
#include "torchlite/nn/activation.h"
#include "torchlite/nn/functional.h"
#include "torchlite/nn/init.h"
#include "torchlite/nn/linear.h"
#include "torchlite/nn/sequential.h"
#include "torchlite/optim/sgd.h"
#include "torchlite/parallel.h"

namespace tl = torchlite;
namespace nn = torchlite::nn;
namespace dist = torchlite::distributed;
using Clock = std::chrono::steady_clock;

static double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

int main(int argc, char** argv) {
  dist::init_process_group();
  const int rank = dist::get_rank(), world = dist::get_world_size();
  tl::set_num_threads(argc > 4 ? std::atoi(argv[4])
                               : std::max(1, tl::get_num_threads() / dist::get_local_world_size()));
  const std::string root = argc > 1 ? argv[1] : tl::data::FashionMNIST::default_root();
  const int epochs = argc > 2 ? std::atoi(argv[2]) : 3;
  const int64_t global = argc > 3 ? std::atoll(argv[3]) : 256;
  tl::data::FashionMNIST train_set(root, true);
  auto sampler = std::make_shared<tl::data::DistributedSampler>(train_set.size(), world, rank);
  tl::data::DataLoader loader(train_set, {.batch_size = global / world, .sampler = sampler});
  tl::manual_seed(0);
  nn::Sequential net{nn::Flatten(), nn::Linear(784, 256), nn::ReLU(), nn::Linear(256, 10)};
  net->apply([](nn::Module& m) {
    if (auto* linear = m.as<nn::Linear>()) nn::init::normal_(linear->weight, 0.0, 0.01);
  });
  nn::parallel::DistributedDataParallel model(net);
  tl::optim::SGD opt(model->parameters(), {.lr = 0.1});
  double best = 1e300, backward_s = 0, wait_s = 0;
  int64_t steps = 0;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    sampler->set_epoch(epoch);
    dist::barrier();
    const auto t0 = Clock::now();
    const double wait0 = model->wait_seconds();
    double bw = 0;
    int64_t n = 0;
    for (const auto& [x, y] : loader) {
      tl::Tensor loss = tl::nn::functional::cross_entropy(model(x), y);
      opt.zero_grad();
      const auto b0 = Clock::now();
      loss.backward();
      bw += since(b0);
      opt.step();
      ++n;
    }
    const double seconds = since(t0);
    if (seconds < best) {
      best = seconds;
      backward_s = bw;
      wait_s = model->wait_seconds() - wait0;
      steps = n;
    }
  }
  // The same allreduces, blocking and alone: what they cost when nothing hides them.
  std::vector<tl::Tensor> buckets;
  for (const auto& idx : model->bucket_indices()) {
    int64_t numel = 0;
    for (size_t i : idx) numel += model->parameters()[i].numel();
    buckets.push_back(tl::zeros({numel}));
  }
  dist::barrier();
  const auto t0 = Clock::now();
  for (int64_t s = 0; s < steps; ++s)
    for (tl::Tensor& b : buckets) dist::all_reduce(b);
  const double allreduce_s = since(t0);
  if (rank == 0)
    std::printf(
        "{\"processes\": %d, \"threads\": %d, \"global_batch\": %lld, \"epoch_s\": %.3f, "
        "\"steps\": %lld, \"backward_s\": %.3f, \"allreduce_alone_s\": %.3f, "
        "\"allreduce_waited_s\": %.3f, \"hidden_fraction\": %.3f}\n",
        world, tl::get_num_threads(), static_cast<long long>(global), best,
        static_cast<long long>(steps), backward_s, allreduce_s, wait_s,
        world > 1 ? std::max(0.0, 1.0 - wait_s / allreduce_s) : 0.0);
  dist::destroy_process_group();
}
