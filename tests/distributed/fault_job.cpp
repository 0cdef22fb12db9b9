// A DDP training job whose last rank fails at step 5 (argv[1]: "kill" = SIGKILL itself, "throw" =
// an uncaught torchlite::Error): check_fault.sh checks that the whole job then ends with an error.
#include <csignal>
#include <cstring>

#include "torchlite/distributed/data_parallel.h"
#include "torchlite/distributed/process_group.h"
#include "torchlite/nn/functional.h"
#include "torchlite/nn/linear.h"
#include "torchlite/optim/sgd.h"

namespace tl = torchlite;

int main(int argc, char** argv) {
  const bool kill = argc > 1 && std::strcmp(argv[1], "kill") == 0;
  tl::distributed::init_process_group();
  const int rank = tl::distributed::get_rank(), world = tl::distributed::get_world_size();
  tl::nn::Linear net(784, 10);
  tl::nn::parallel::DistributedDataParallel ddp(net);
  tl::optim::SGD opt(ddp->parameters(), {.lr = 0.1});
  for (int step = 0; step < 1000000; ++step) {
    if (step == 5 && rank == world - 1) {
      if (kill) std::raise(SIGKILL);
      throw tl::Error("bad data file: train-images-idx3-ubyte.gz is truncated");
    }
    tl::Tensor loss =
        tl::nn::functional::cross_entropy(ddp(tl::rand({8, 784})), tl::randint(0, 10, {8}));
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
  return 0;
}
