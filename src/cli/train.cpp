// `torchlite train`: d2l's softmax regression, MLP, LeNet and LeNet with BatchNorm on
// Fashion-MNIST, with progress, metrics, curves and a checkpoint; with --distributed,
// data-parallel over the ranks of an MPI job.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/plot.h"
#include "cli/progress.h"
#include "cli/train_args.h"
#include "torchlite/data/dataloader.h"
#include "torchlite/data/mnist.h"
#include "torchlite/io/serialize.h"
#include "torchlite/nn/activation.h"
#include "torchlite/nn/conv.h"
#include "torchlite/nn/functional.h"
#include "torchlite/nn/init.h"
#include "torchlite/nn/linear.h"
#include "torchlite/nn/normalization.h"
#include "torchlite/nn/pooling.h"
#include "torchlite/nn/sequential.h"
#include "torchlite/optim/adam.h"
#include "torchlite/optim/sgd.h"
#include "torchlite/parallel.h"
#ifdef TORCHLITE_WITH_DISTRIBUTED
#include "torchlite/distributed/collectives.h"
#include "torchlite/distributed/data_parallel.h"
#include "torchlite/distributed/process_group.h"
#endif

namespace torchlite::cli {
namespace {

/// This process's place in the job: a world of one unless --distributed.
struct Cluster {
  int rank = 0, world = 1;
  /// Sums `values` over the ranks (in place).
  void sum(std::vector<double>& values) const {
#ifdef TORCHLITE_WITH_DISTRIBUTED
    if (world == 1) return;
    Tensor t = from_blob(values.data(), {static_cast<int64_t>(values.size())}, kFloat64);
    distributed::all_reduce(t);
#else
    (void)values;
#endif
  }
};

/// Every world-th example from `rank` on, without padding: each test example counted once.
class ShardSampler : public data::Sampler {
 public:
  ShardSampler(int64_t n, const Cluster& c) : n_(n), rank_(c.rank), world_(c.world) {}
  std::vector<int64_t> indices() override {
    std::vector<int64_t> out;
    for (int64_t i = rank_; i < n_; i += world_) out.push_back(i);
    return out;
  }
  int64_t size() const override { return n_ > rank_ ? (n_ - rank_ + world_ - 1) / world_ : 0; }

 private:
  int64_t n_, rank_, world_;
};

/// d2l's learning rate for each model.
double default_lr(const std::string& model) {
  return model == "lenet" ? 0.9 : model == "lenet-bn" ? 1.0 : 0.1;
}

/// d2l's models. softmax: Flatten + Linear(784, 10); mlp: Flatten + Linear(784, h) + ReLU +
/// Linear(h, 10), weights drawn from N(0, 0.01^2), biases keep Linear's default initialisation.
/// lenet (d2l 7.6) and lenet-bn (d2l 8.5): Linear and Conv2d weights redrawn by xavier_uniform_.
/// Braces make the layers draw in Python's order (list-initialisation evaluates left to right).
nn::Sequential make_model(const TrainArgs& args) {
  if (args.model == "softmax" || args.model == "mlp") {
    const int64_t hidden = args.hidden.value_or(256);
    nn::Sequential net = args.model == "softmax"
                             ? nn::Sequential{nn::Flatten(), nn::Linear(784, 10)}
                             : nn::Sequential{nn::Flatten(), nn::Linear(784, hidden),
                                              nn::ReLU(), nn::Linear(hidden, 10)};
    net->apply([](nn::Module& m) {
      if (auto* linear = m.as<nn::Linear>()) nn::init::normal_(linear->weight, 0.0, 0.01);
    });
    return net;
  }
  nn::Sequential net =
      args.model == "lenet"
          ? nn::Sequential{nn::Conv2d(1, 6, 5, {.padding = 2}), nn::Sigmoid(),
                           nn::AvgPool2d(2, {.stride = 2}), nn::Conv2d(6, 16, 5), nn::Sigmoid(),
                           nn::AvgPool2d(2, {.stride = 2}), nn::Flatten(), nn::Linear(400, 120),
                           nn::Sigmoid(), nn::Linear(120, 84), nn::Sigmoid(), nn::Linear(84, 10)}
          : nn::Sequential{nn::Conv2d(1, 6, 5), nn::BatchNorm2d(6), nn::Sigmoid(),
                           nn::AvgPool2d(2, {.stride = 2}), nn::Conv2d(6, 16, 5),
                           nn::BatchNorm2d(16), nn::Sigmoid(), nn::AvgPool2d(2, {.stride = 2}),
                           nn::Flatten(), nn::Linear(256, 120), nn::BatchNorm1d(120),
                           nn::Sigmoid(), nn::Linear(120, 84), nn::BatchNorm1d(84), nn::Sigmoid(),
                           nn::Linear(84, 10)};
  net->apply([](nn::Module& m) {
    if (auto* linear = m.as<nn::Linear>()) nn::init::xavier_uniform_(linear->weight);
    if (auto* conv = m.as<nn::Conv2d>()) nn::init::xavier_uniform_(conv->weight);
  });
  return net;
}

/// Number of rows of logits [B, C] whose argmax equals the label (first maximum wins).
int64_t count_correct(const Tensor& logits, const Tensor& labels) {
  const Tensor l = logits.contiguous();
  const int64_t b = l.size(0), c = l.size(1);
  const float* p = l.data_ptr<float>();
  const int64_t* y = labels.data_ptr<int64_t>();
  int64_t correct = 0;
  for (int64_t i = 0; i < b; ++i) {
    const float* row = p + i * c;
    int64_t best = 0;
    for (int64_t k = 1; k < c; ++k)
      if (row[k] > row[best]) best = k;
    correct += best == y[i];
  }
  return correct;
}

/// Test accuracy over every rank's shard.
double evaluate_accuracy(nn::Module& net, const data::DataLoader& loader, const Cluster& cluster) {
  net.eval();
  NoGradGuard no_grad;
  std::vector<double> counts = {0, 0};  // correct, total
  for (const auto& [x, y] : loader) {
    counts[0] += static_cast<double>(count_correct(net.forward(x), y));
    counts[1] += static_cast<double>(y.numel());
  }
  net.train();
  cluster.sum(counts);
  return counts[1] > 0 ? counts[0] / counts[1] : 0.0;
}

void train_on(const TrainArgs& args, const Cluster& cluster);

void run_train(const TrainArgs& args) {
  if (args.model.starts_with("char-")) {
    TL_CHECK(!args.distributed, "--distributed: not supported for ", args.model);
    return run_train_text(args);
  }
  if (!args.distributed) return train_on(args, {});
#ifdef TORCHLITE_WITH_DISTRIBUTED
  distributed::init_process_group();
  const Cluster cluster{distributed::get_rank(), distributed::get_world_size()};
  // The ranks on this machine share its cores.
  if (args.threads == 0)
    set_num_threads(std::max(1, get_num_threads() / distributed::get_local_world_size()));
  try {
    train_on(args, cluster);
  } catch (const std::exception& e) {
    // Returning would leave the other ranks waiting in a collective: end the whole job.
    if (cluster.world > 1) distributed::abort(std::string("error: ") + e.what());
    throw;
  }
  distributed::destroy_process_group();
#else
  throw Error("--distributed: this torchlite was built without MPI (install libopenmpi-dev)");
#endif
}

void train_on(const TrainArgs& args, const Cluster& cluster) {
  const bool lead = cluster.rank == 0;  // prints, writes files
  TL_CHECK(args.batch_size % cluster.world == 0, "--batch-size ", args.batch_size,
           " must be a multiple of the number of processes (", cluster.world, ")");
  if (args.threads > 0) set_num_threads(args.threads);
  const std::string root = args.data.empty() ? data::FashionMNIST::default_root() : args.data;
  auto test_future =
      std::async(std::launch::async, [&] { return data::FashionMNIST(root, false); });
  data::FashionMNIST train_set(root, true);
  data::FashionMNIST test_set = test_future.get();

  manual_seed(args.seed);
  nn::Sequential net = make_model(args);
  // What the loop trains: the model, or (--distributed) DDP around it, averaging gradients.
  std::shared_ptr<nn::Module> model = net.ptr();
  std::shared_ptr<data::DistributedSampler> sampler;
  const int64_t batch = args.batch_size / cluster.world;
  if (args.distributed) {
#ifdef TORCHLITE_WITH_DISTRIBUTED
    model = nn::parallel::DistributedDataParallel(net).ptr();
#endif
    sampler = std::make_shared<data::DistributedSampler>(
        train_set.size(), cluster.world, cluster.rank,
        data::DistributedSamplerOptions{.shuffle = true, .seed = args.seed});
  }
  std::unique_ptr<optim::Optimizer> opt;
  const double lr = args.lr.value_or(default_lr(args.model));
  if (args.optimizer == "adam")
    opt = std::make_unique<optim::Adam>(model->parameters(), optim::AdamOptions{.lr = lr});
  else
    opt = std::make_unique<optim::SGD>(model->parameters(), optim::SGDOptions{.lr = lr});
  data::DataLoader train_loader(train_set, {.batch_size = batch,
                                            .shuffle = sampler == nullptr,
                                            .sampler = sampler,
                                            .num_workers = args.workers});
  data::DataLoader test_loader(
      test_set, {.batch_size = batch,
                 .sampler = args.distributed
                                ? std::make_shared<ShardSampler>(test_set.size(), cluster)
                                : nullptr,
                 .num_workers = args.workers});

  std::ofstream metrics;
  if (lead && !args.metrics.empty()) {
    metrics.open(args.metrics, std::ios::trunc);
    TL_CHECK(metrics.good(), args.metrics, ": cannot open for writing");
  }
  std::ofstream step_losses;
  if (lead && !args.step_losses.empty()) {
    step_losses.open(args.step_losses, std::ios::trunc);
    TL_CHECK(step_losses.good(), args.step_losses, ": cannot open for writing");
    step_losses.precision(17);
  }
  ProgressBar bar(stderr, lead && isatty(fileno(stderr)) != 0);
  Curve loss_curve{"train loss", {}}, train_curve{"train acc", {}}, test_curve{"test acc", {}};
  for (int64_t epoch = 1; epoch <= args.epochs; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    bar.start(epoch, args.epochs, train_loader.size());
    if (sampler) sampler->set_epoch(epoch - 1);
    double loss_sum = 0;
    int64_t correct = 0, seen = 0, batches = 0;
    for (const auto& [x, y] : train_loader) {
      const Tensor logits = model->forward(x);
      const Tensor loss = F::cross_entropy(logits, y);
      opt->zero_grad();
      loss.backward();
      opt->step();
      const int64_t b = y.numel();
      const double loss_value = loss.item_double();
      loss_sum += loss_value * static_cast<double>(b);
      if (step_losses.is_open()) step_losses << loss_value << '\n';
      correct += count_correct(logits, y);
      seen += b;
      bar.update(++batches, seen * cluster.world, loss_sum / static_cast<double>(seen));
    }
    std::vector<double> sums = {loss_sum, static_cast<double>(correct), static_cast<double>(seen)};
    cluster.sum(sums);
    const double train_loss = sums[0] / sums[2];
    const double train_acc = sums[1] / sums[2];
    const double test_acc = evaluate_accuracy(*net, test_loader, cluster);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    bar.finish();
    if (!lead) continue;
    std::printf("epoch %lld: loss %.3f, train acc %.3f, test acc %.3f, %.2f s\n",
                static_cast<long long>(epoch), train_loss, train_acc, test_acc, seconds);
    std::fflush(stdout);
    loss_curve.values.push_back(train_loss);
    train_curve.values.push_back(train_acc);
    test_curve.values.push_back(test_acc);
    if (metrics.is_open()) {
      const nlohmann::ordered_json line = {{"epoch", epoch},
                                           {"train_loss", train_loss},
                                           {"train_acc", train_acc},
                                           {"test_acc", test_acc},
                                           {"seconds", seconds}};
      metrics << line.dump() << '\n' << std::flush;
    }
  }
  if (!lead) return;
  if (!args.plot.empty()) write_svg_plot(args.plot, {loss_curve, train_curve, test_curve});
  if (!args.save.empty()) save(net->state_dict(), args.save);
}

}  // namespace

void register_train_command(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand(
      "train",
      "Train d2l's softmax regression, MLP or LeNet on Fashion-MNIST (SGD, cross entropy), or a "
      "character language model (char-lstm, char-gpt) on a text (Adam)");
  cmd->add_option("--model", args->model, "Model to train")
      ->check(CLI::IsMember({"softmax", "mlp", "lenet", "lenet-bn", "char-lstm", "char-gpt"}))
      ->capture_default_str();
  cmd->add_option("--hidden", args->hidden,
                  "Hidden units of the MLP and of char-lstm; char-gpt: feed-forward width "
                  "(default: 256)")
      ->check(CLI::PositiveNumber);
  CLI::Option* epochs =
      cmd->add_option("--epochs", args->epochs,
                      "Passes over the training set (char-*: default 1, see also --steps)")
          ->check(CLI::NonNegativeNumber)
          ->capture_default_str();
  CLI::Option* batch_size =
      cmd->add_option("--batch-size", args->batch_size,
                      "Examples per minibatch (char-*: default 32)")
          ->check(CLI::PositiveNumber)
          ->capture_default_str();
  cmd->add_option("--lr", args->lr,
                  "Learning rate (default: 0.1; lenet 0.9, lenet-bn 1.0, as in d2l; char-* "
                  "0.003)")
      ->check(CLI::NonNegativeNumber);
  CLI::Option* optimizer =
      cmd->add_option("--optimizer", args->optimizer, "Optimizer (char-*: default adam)")
          ->check(CLI::IsMember({"sgd", "adam"}))
          ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed of the random generator (init and shuffling)")
      ->capture_default_str();
  cmd->add_option("--threads", args->threads, "Threads for the kernels (default: the cores this process may use)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--workers", args->workers,
                  "Batches are gathered on a background thread when > 0 (same batches either way)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--data", args->data,
                  "Directory with the Fashion-MNIST IDX files (default: $TORCHLITE_DATA or "
                  "/usr/share/datasets/fashion-mnist)");
  cmd->add_option("--save", args->save,
                  "Write the trained state dict here (.pt or .safetensors); char-*: a .pt "
                  "checkpoint {'model', 'vocab', 'config'} for `torchlite generate`");
  cmd->add_option("--metrics", args->metrics, "Write one JSON object per epoch to this file");
  cmd->add_option("--plot", args->plot, "Write the loss/accuracy curves as an SVG image");
  cmd->add_option("--step-losses", args->step_losses,
                  "Write each minibatch's training loss to this file, one per line (rank 0's)");
  cmd->add_flag("--distributed", args->distributed,
                "Data-parallel over the processes of an MPI job (mpirun -np N torchlite train "
                "...): --batch-size is the global batch, split over them; rank 0 prints and "
                "saves");
  cmd->add_option("--text", args->text,
                  "char-*: UTF-8 text file to train on (default: the `fortunes` package's "
                  "/usr/share/games/fortunes)");
  cmd->add_option("--context", args->context, "char-*: characters per training window")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--steps", args->steps, "char-*: stop after this many minibatches")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--d-model", args->d_model,
                  "char-lstm: embedding size (default 64); char-gpt: model width (default 128)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--layers", args->layers,
                  "char-*: LSTM or Transformer layers (default: char-lstm 2, char-gpt 4)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--heads", args->heads, "char-gpt: attention heads")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--clip", args->clip,
                  "char-*: clip the gradients' global 2-norm to this (0: no clipping)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  // The language models' own defaults, where the command line leaves these options out.
  cmd->parse_complete_callback([args, epochs, batch_size, optimizer] {
    if (!args->model.starts_with("char-")) return;
    if (epochs->count() == 0) args->epochs = 1;
    if (batch_size->count() == 0) args->batch_size = 32;
    if (optimizer->count() == 0) args->optimizer = "adam";
  });
  cmd->callback([args] { run_train(*args); });
}

}  // namespace torchlite::cli
