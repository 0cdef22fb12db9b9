// The comparison workloads of bench/compare (issue 6) run in torchlite; bench/workloads_torch.py
// is the PyTorch twin doing the same work. Each prints `RESULT <key> <value>` lines.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "torchlite/data/dataloader.h"
#include "torchlite/data/mnist.h"
#include "torchlite/io/serialize.h"
#include "torchlite/models/char_lm.h"
#include "torchlite/models/resnet.h"
#include "torchlite/nn/activation.h"
#include "torchlite/config.h"
#include "torchlite/nn/functional.h"
#include "torchlite/nn/init.h"
#include "torchlite/nn/linear.h"
#include "torchlite/nn/sequential.h"
#include "torchlite/nn/utils/clip_grad.h"
#include "torchlite/optim/adam.h"
#include "torchlite/optim/sgd.h"
#include "torchlite/parallel.h"

namespace tl = torchlite;
namespace F = torchlite::nn::functional;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// Wall-clock seconds since the Unix epoch (what the parent compares with its spawn time).
double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void result(const char* key, double value) {
  std::printf("RESULT %s %.17g\n", key, value);
  std::fflush(stdout);
}

/// `--name value` options; every workload reads the ones it needs, with defaults.
struct Args {
  std::map<std::string, std::string> values;
  long get(const std::string& key, long fallback) const {
    auto it = values.find(key);
    return it == values.end() ? fallback : std::stol(it->second);
  }
  std::string str(const std::string& key, const std::string& fallback) const {
    auto it = values.find(key);
    return it == values.end() ? fallback : it->second;
  }
};

void set_threads(int threads) {
  if (threads > 0) tl::set_num_threads(threads);
}

/// d2l's softmax regression (hidden == 0) or MLP: weights N(0, 0.01^2), default biases.
tl::nn::Sequential make_model(int64_t hidden) {
  tl::nn::Sequential net =
      hidden == 0 ? tl::nn::Sequential(tl::nn::Flatten(), tl::nn::Linear(784, 10))
                  : tl::nn::Sequential(tl::nn::Flatten(), tl::nn::Linear(784, hidden),
                                       tl::nn::ReLU(), tl::nn::Linear(hidden, 10));
  net->apply([](tl::nn::Module& m) {
    if (auto* linear = m.as<tl::nn::Linear>()) tl::nn::init::normal_(linear->weight, 0.0, 0.01);
  });
  return net;
}

/// W1/W2/W6/W7: SGD (lr 0.1) + cross entropy on Fashion-MNIST, batch 256, shuffled.
/// --epochs timed epochs after --warmup batches; --batches caps each epoch (0: all);
/// --first-batch: print the wall time after the first step and stop (W7).
void train(const Args& args, int64_t hidden) {
  const long epochs = args.get("epochs", 1), cap = args.get("batches", 0);
  const long warmup = args.get("warmup", 20);
  const bool first_batch = args.get("first-batch", 0) != 0;
  tl::data::FashionMNIST train_set(args.str("data", tl::data::FashionMNIST::default_root()));
  tl::manual_seed(0);
  tl::nn::Sequential net = make_model(hidden);
  tl::optim::SGD opt(net->parameters(), {.lr = 0.1});
  tl::data::DataLoader loader(train_set, {.batch_size = 256, .shuffle = true});

  double loss_sum = 0;
  auto step = [&](const tl::Tensor& x, const tl::Tensor& y) {
    const tl::Tensor loss = F::cross_entropy(net->forward(x), y);
    opt.zero_grad();
    loss.backward();
    opt.step();
    loss_sum += loss.item_double();
  };
  if (first_batch) {
    for (const auto& [x, y] : loader) {
      step(x, y);
      break;
    }
    result("first_batch_unix", unix_now());
    return;
  }
  long done = 0;
  for (const auto& [x, y] : loader) {
    if (done++ >= warmup) break;
    step(x, y);
  }
  // Timed epochs, split into phases: gathering batches (and shuffling), forward + loss,
  // zero_grad + backward, optimizer step.
  for (long e = 0; e < epochs; ++e) {
    double phase[4] = {0, 0, 0, 0};
    auto lap = [&](int i, Clock::time_point& t) {
      const auto now = Clock::now();
      phase[i] += std::chrono::duration<double>(now - t).count();
      t = now;
    };
    const auto t0 = Clock::now();
    auto t = t0;
    long n = 0;
    for (auto it = loader.begin(), end = loader.end(); it != end && (cap == 0 || n < cap); ++n) {
      const auto& [x, y] = *it;
      lap(0, t);
      const tl::Tensor loss = F::cross_entropy(net->forward(x), y);
      lap(1, t);
      opt.zero_grad();
      loss.backward();
      lap(2, t);
      opt.step();
      loss_sum += loss.item_double();
      lap(3, t);
      ++it;
      lap(0, t);
    }
    result("epoch_s", seconds_since(t0));
    result("batches", static_cast<double>(n));
    result("data_s", phase[0]);
    result("forward_s", phase[1]);
    result("backward_s", phase[2]);
    result("step_s", phase[3]);
  }
  result("loss_sum", loss_sum);
}

/// Median per-call seconds of `fn` over --blocks blocks of --iters calls, each printed.
template <class Fn>
void time_calls(const Args& args, const char* key, long default_iters, Fn fn) {
  const long iters = args.get("iters", default_iters), blocks = args.get("blocks", 5);
  for (long i = 0; i < std::max(1L, iters / 10); ++i) fn();
  for (long b = 0; b < blocks; ++b) {
    const auto t0 = Clock::now();
    for (long i = 0; i < iters; ++i) fn();
    result(key, seconds_since(t0) / static_cast<double>(iters));
  }
}

/// W3: Linear(2, 2) forward + backward of the sum for one [1, 2] input, grads set to None
/// each call; then the forward alone under no-grad (--phase fwd_bwd|nograd runs only one).
void linear_small(const Args& args) {
  tl::manual_seed(0);
  tl::nn::Linear lin(2, 2);
  const tl::Tensor x = tl::randn({1, 2});
  const std::string phase = args.str("phase", "both");
  if (phase != "nograd")
    time_calls(args, "fwd_bwd_s", 20000, [&] {
      lin->zero_grad();
      lin->forward(x).sum().backward();
    });
  tl::NoGradGuard no_grad;
  if (phase != "fwd_bwd")
    time_calls(args, "fwd_nograd_s", 50000, [&] { (void)lin->forward(x); });
}

/// W4: Linear(784, 256) forward + backward of the sum, batch 256, grads set to None each call.
void linear_mnist(const Args& args) {
  tl::manual_seed(0);
  tl::nn::Linear lin(784, 256);
  const tl::Tensor x = tl::randn({256, 784});
  time_calls(args, "fwd_bwd_s", 200, [&] {
    lin->zero_grad();
    lin->forward(x).sum().backward();
  });
}

/// W5: C = A @ B for float32 [n, n] matrices; GFLOP/s of each block.
void sgemm(const Args& args) {
  const long n = args.get("n", 1024);
  tl::manual_seed(0);
  const tl::Tensor a = tl::randn({n, n}), b = tl::randn({n, n});
  const long iters = args.get("iters", 10), blocks = args.get("blocks", 5);
  (void)tl::mm(a, b);
  for (long blk = 0; blk < blocks; ++blk) {
    const auto t0 = Clock::now();
    for (long i = 0; i < iters; ++i) (void)tl::mm(a, b);
    const double s = seconds_since(t0) / static_cast<double>(iters);
    result("gflops", 2.0 * static_cast<double>(n) * n * n / s / 1e9);
  }
}

/// User + system CPU seconds of this process so far (a busy machine stretches wall time, not this).
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

/// W15/W17: ResNet-18 (torchvision's, 1000 classes, seed 0) inference in eval mode under no-grad
/// on a [--batch, 3, --size, --size] input; seconds per batch and images per second per block,
/// and the CPU seconds per batch.
void resnet_infer(const Args& args) {
  const long batch = args.get("batch", 1), size = args.get("size", 224);
  tl::manual_seed(0);
  auto model = tl::models::resnet18();
  model->eval();
  const tl::Tensor x = tl::randn({batch, 3, size, size});
  tl::NoGradGuard no_grad;
  const long iters = args.get("iters", batch == 1 ? 20 : 3), blocks = args.get("blocks", 5);
  for (long i = 0; i < std::max(1L, iters / 5); ++i) (void)model->forward(x);
  for (long b = 0; b < blocks; ++b) {
    const auto t0 = Clock::now();
    const double c0 = cpu_seconds();
    for (long i = 0; i < iters; ++i) (void)model->forward(x);
    const double s = seconds_since(t0) / static_cast<double>(iters);
    result("infer_s", s);
    result("images_per_s", static_cast<double>(batch) / s);
    result("cpu_s", (cpu_seconds() - c0) / static_cast<double>(iters));
  }
}

/// W16/W17: ResNet-18 training steps (forward, cross entropy against random labels, backward,
/// SGD lr 0.1 momentum 0.9) on [--batch, 3, --size, --size] batches; seconds per step per block.
void resnet_train(const Args& args) {
  const long batch = args.get("batch", 32), size = args.get("size", 64);
  tl::manual_seed(0);
  auto model = tl::models::resnet18();
  model->train();
  tl::optim::SGD opt(model->parameters(), {.lr = 0.1, .momentum = 0.9});
  const tl::Tensor x = tl::randn({batch, 3, size, size});
  const tl::Tensor y = tl::randint(0, 1000, {batch});
  // Seconds in the forward pass (with the loss), backward() and the optimizer (with zero_grad).
  double phases[3] = {};
  auto step = [&] {
    auto t0 = Clock::now();
    opt.zero_grad();
    const tl::Tensor loss = F::cross_entropy(model->forward(x), y);
    phases[0] += seconds_since(t0);
    t0 = Clock::now();
    loss.backward();
    phases[1] += seconds_since(t0);
    t0 = Clock::now();
    opt.step();
    phases[2] += seconds_since(t0);
  };
  const long iters = args.get("iters", 3), blocks = args.get("blocks", 5);
  step();
  for (long b = 0; b < blocks; ++b) {
    phases[0] = phases[1] = phases[2] = 0;
    const auto t0 = Clock::now();
    const double c0 = cpu_seconds();
    for (long i = 0; i < iters; ++i) step();
    result("step_s", seconds_since(t0) / static_cast<double>(iters));
    result("cpu_s", (cpu_seconds() - c0) / static_cast<double>(iters));
    result("forward_s", phases[0] / static_cast<double>(iters));
    result("backward_s", phases[1] / static_cast<double>(iters));
    result("optimizer_s", phases[2] / static_cast<double>(iters));
  }
}

/// The per-layer profile: each step of ResNet-18's fused inference path on [--batch, 3, --size,
/// --size], alone, best of --reps runs: `LAYER <name> <seconds> <flop> <shape...>` lines.
void resnet_layers(const Args& args) {
  const long batch = args.get("batch", 16), size = args.get("size", 224);
  tl::manual_seed(0);
  auto model = tl::models::resnet18();
  model->eval();
  const tl::Tensor x = tl::randn({batch, 3, size, size});
  for (const auto& l : model->profile_fused(x, static_cast<int>(args.get("reps", 5))))
    std::printf("LAYER %s %.9g %.9g %s\n", l.name.c_str(), l.seconds, l.flop, l.shape.c_str());
}

/// One convolution of the per-layer training profile: F::conv2d of x [--batch, --c, --h, --h]
/// and w [--o, --c, --k, --k] (stride --s, padding --p), then its backward (the weight's
/// gradient, and the input's unless --dx 0), each the best of --reps: `RESULT forward_s` and
/// `RESULT backward_s`.
void conv_train(const Args& args) {
  const long batch = args.get("batch", 32), c = args.get("c", 64), h = args.get("h", 16);
  const long o = args.get("o", 64), k = args.get("k", 3), reps = args.get("reps", 5);
  const long stride = args.get("s", 1), pad = args.get("p", 1);
  tl::manual_seed(0);
  tl::Tensor x = tl::randn({batch, c, h, h}).requires_grad_(args.get("dx", 1) != 0);
  tl::Tensor w = tl::randn({o, c, k, k}).requires_grad_();
  const F::Conv2dFuncOptions options{.stride = {stride, stride}, .padding = {pad, pad}};
  double forward = 1e30, backward = 1e30;
  for (long r = 0; r <= reps; ++r) {  // the first run makes the primitives
    x.set_grad(tl::Tensor());
    w.set_grad(tl::Tensor());
    auto t0 = Clock::now();
    tl::Tensor y = F::conv2d(x, w, options);
    const double f = seconds_since(t0);
    const tl::Tensor gy = tl::ones_like(y);
    t0 = Clock::now();
    y.backward(gy);
    const double b = seconds_since(t0);
    if (r > 0) forward = std::min(forward, f), backward = std::min(backward, b);
  }
  result("forward_s", forward);
  result("backward_s", backward);
}

/// W8: seconds to load --file (a state dict); with --touch, also sums every tensor so that a
/// lazily mapped file is read in full.
void load_checkpoint(const Args& args) {
  const std::string path = args.str("file", "");
  const bool touch = args.get("touch", 0) != 0;
  const auto t0 = Clock::now();
  const tl::nn::StateDict sd = tl::load(path);
  double total = 0;
  if (touch)
    for (const auto& [key, t] : sd) total += t.sum().item_double();
  result("load_s", seconds_since(t0));
  result("tensors", static_cast<double>(sd.size()));
  result("checksum", total);
}

/// W12/W13/W14's model: a char-LSTM (2 layers, hidden 256, embedding 64) or a char-GPT (4
/// layers, d_model 256, 4 heads, feed-forward 1024, context 128) over 96 tokens.
tl::models::CharLMConfig char_config(const std::string& model) {
  if (model == "char-lstm")
    return {.model = model, .vocab_size = 96, .context = 64, .d_model = 64, .hidden = 256,
            .layers = 2};
  return {.model = model, .vocab_size = 96, .context = 128, .d_model = 256, .hidden = 1024,
          .layers = 4, .heads = 4};
}

/// W12/W13: seconds per training step (`torchlite train`'s: forward, cross entropy over every
/// position, backward, clip_grad_norm_, Adam) on random token windows of --batch (32).
void char_train(const Args& args, const std::string& model) {
  const tl::models::CharLMConfig c = char_config(model);
  tl::manual_seed(0);
  const auto net = tl::models::make_char_lm(c);
  tl::optim::Adam opt(net->parameters(), {.lr = 0.003});
  const long batch = args.get("batch", 32);
  const tl::Tensor x = tl::randint(0, c.vocab_size, {batch, c.context});
  const tl::Tensor y = tl::randint(0, c.vocab_size, {batch, c.context});
  time_calls(args, "step_s", 5, [&] {
    const tl::Tensor logits = net->forward(x);
    const tl::Tensor loss = F::cross_entropy(logits.reshape({-1, c.vocab_size}), y.reshape({-1}));
    opt.zero_grad();
    loss.backward();
    tl::nn::utils::clip_grad_norm_(net->parameters(), 1.0);
    opt.step();
  });
}

/// W14: seconds per generated token, greedy, --tokens (200) after an 8-token prompt (the
/// LSTM carries its state; the GPT re-runs its window).
void char_generate(const Args& args, const std::string& model) {
  const tl::models::CharLMConfig c = char_config(model);
  tl::manual_seed(0);
  const auto net = tl::models::make_char_lm(c);
  const long tokens = args.get("tokens", 200);
  const std::vector<int64_t> prompt = {1, 2, 3, 4, 5, 6, 7, 8};
  (void)net->generate(prompt, 10, 0.0, 0, tl::Generator(0));
  for (long b = 0, blocks = args.get("blocks", 5); b < blocks; ++b) {
    const auto t0 = Clock::now();
    (void)net->generate(prompt, tokens, 0.0, 0, tl::Generator(0));
    result("token_s", seconds_since(t0) / static_cast<double>(tokens));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: %s softmax|mlp|linear2|linear784|sgemm|load|char-{lstm,gpt}-{train,gen}|"
                 "resnet-infer|resnet-train|resnet-layers|conv-train|config [--threads N] "
                 "[--key value ...]\n",
                 argv[0]);
    return 2;
  }
  const std::string cmd = argv[1];
  Args args;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string key = argv[i];
    if (key.rfind("--", 0) == 0) key = key.substr(2);
    args.values[key] = argv[i + 1];
  }
  set_threads(static_cast<int>(args.get("threads", 0)));
  try {
    if (cmd == "softmax") train(args, 0);
    else if (cmd == "mlp") train(args, args.get("hidden", 256));
    else if (cmd == "linear2") linear_small(args);
    else if (cmd == "linear784") linear_mnist(args);
    else if (cmd == "sgemm") sgemm(args);
    else if (cmd == "load") load_checkpoint(args);
    else if (cmd == "char-lstm-train" || cmd == "char-gpt-train")
      char_train(args, cmd.substr(0, cmd.rfind('-')));
    else if (cmd == "char-lstm-gen" || cmd == "char-gpt-gen")
      char_generate(args, cmd.substr(0, cmd.rfind('-')));
    else if (cmd == "resnet-infer") resnet_infer(args);
    else if (cmd == "resnet-train") resnet_train(args);
    else if (cmd == "resnet-layers") resnet_layers(args);
    else if (cmd == "conv-train") conv_train(args);
    else if (cmd == "config") std::fputs(tl::config::show().c_str(), stdout);
    else {
      std::fprintf(stderr, "unknown workload: %s\n", cmd.c_str());
      return 2;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
