// LibTorch's C++ frontend column of bench/compare (issue 10): W1-W4 of bench/workloads.cpp and
// bench/workloads_torch.py written with torch::nn as a C++ user would. Prints `RESULT` lines.
#include <ATen/Parallel.h>
#include <torch/data.h>
#include <torch/nn.h>
#include <torch/optim/sgd.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

void result(const char* key, double value) {
  std::printf("RESULT %s %.17g\n", key, value);
  std::fflush(stdout);
}

/// `--name value` options, as in workloads.cpp.
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

/// A whole IDX file (gzip-compressed or not: zlib reads both) as a uint8 tensor of its shape.
torch::Tensor read_idx(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw std::runtime_error("cannot open " + path);
  std::vector<unsigned char> raw;
  unsigned char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) raw.insert(raw.end(), buf, buf + n);
  gzclose(f);
  if (raw.size() < 4) throw std::runtime_error(path + ": not an IDX file");
  const int ndim = raw[3];
  std::vector<int64_t> shape;
  size_t numel = 1;
  for (int i = 0; i < ndim; ++i) {
    const unsigned char* p = raw.data() + 4 + 4 * i;
    shape.push_back((int64_t{p[0]} << 24) | (p[1] << 16) | (p[2] << 8) | p[3]);
    numel *= static_cast<size_t>(shape.back());
  }
  const size_t header = 4 + 4 * static_cast<size_t>(ndim);
  if (raw.size() != header + numel) throw std::runtime_error(path + ": truncated IDX file");
  return torch::from_blob(raw.data() + header, shape, torch::kUInt8).clone();
}

std::string find_file(const std::string& root, const std::string& stem) {
  for (const char* sub : {"", "FashionMNIST/raw/"})
    for (const char* ext : {".gz", ""}) {
      const std::string p = root + "/" + sub + stem + ext;
      if (std::FILE* f = std::fopen(p.c_str(), "rb")) {
        std::fclose(f);
        return p;
      }
    }
  throw std::runtime_error("no " + stem + " under " + root);
}

/// Fashion-MNIST's training set as the C++ frontend's examples do MNIST: float images
/// [1, 28, 28] in [0, 1] and int64 labels, one example per index (batched by Stack<>).
class FashionMNIST : public torch::data::datasets::Dataset<FashionMNIST> {
 public:
  explicit FashionMNIST(const std::string& root)
      : images_(read_idx(find_file(root, "train-images-idx3-ubyte"))
                    .unsqueeze(1)
                    .to(torch::kFloat32)
                    .div_(255)),
        labels_(read_idx(find_file(root, "train-labels-idx1-ubyte")).to(torch::kInt64)) {}
  torch::data::Example<> get(size_t index) override {
    const auto i = static_cast<int64_t>(index);
    return {images_[i], labels_[i]};
  }
  torch::optional<size_t> size() const override { return images_.size(0); }

 private:
  torch::Tensor images_, labels_;
};

/// d2l's softmax regression (hidden == 0) or MLP: weights N(0, 0.01^2), default biases.
torch::nn::Sequential make_model(int64_t hidden) {
  torch::nn::Sequential net;
  net->push_back(torch::nn::Flatten());
  if (hidden == 0) {
    net->push_back(torch::nn::Linear(784, 10));
  } else {
    net->push_back(torch::nn::Linear(784, hidden));
    net->push_back(torch::nn::ReLU());
    net->push_back(torch::nn::Linear(hidden, 10));
  }
  for (auto& m : net->modules(/*include_self=*/false))
    if (auto* linear = m->as<torch::nn::Linear>())
      torch::nn::init::normal_(linear->weight, 0, 0.01);
  return net;
}

/// W1/W2: SGD (lr 0.1) + cross entropy on Fashion-MNIST, batch 256, shuffled; the same options
/// and phase split as workloads.cpp's train().
void train(const Args& args, int64_t hidden) {
  const long epochs = args.get("epochs", 1), cap = args.get("batches", 0);
  const long warmup = args.get("warmup", 20);
  const char* env_root = std::getenv("TORCHLITE_DATA");
  FashionMNIST data(args.str("data", env_root ? env_root : "/usr/share/datasets/fashion-mnist"));
  torch::manual_seed(0);
  torch::nn::Sequential net = make_model(hidden);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  auto loader = torch::data::make_data_loader<torch::data::samplers::RandomSampler>(
      std::move(data).map(torch::data::transforms::Stack<>()),
      torch::data::DataLoaderOptions().batch_size(256));

  double loss_sum = 0;
  long done = 0;
  for (auto& batch : *loader) {
    if (done++ >= warmup) break;
    const torch::Tensor loss =
        torch::nn::functional::cross_entropy(net->forward(batch.data), batch.target);
    net->zero_grad(/*set_to_none=*/true);
    loss.backward();
    opt.step();
    loss_sum += loss.item<double>();
  }
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
    for (auto it = loader->begin(), end = loader->end(); it != end && (cap == 0 || n < cap); ++n) {
      auto& batch = *it;
      lap(0, t);
      const torch::Tensor loss =
          torch::nn::functional::cross_entropy(net->forward(batch.data), batch.target);
      lap(1, t);
      net->zero_grad(/*set_to_none=*/true);
      loss.backward();
      lap(2, t);
      opt.step();
      loss_sum += loss.item<double>();
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
/// each call; then the forward alone under no-grad.
void linear_small(const Args& args) {
  torch::manual_seed(0);
  torch::nn::Linear lin(2, 2);
  const torch::Tensor x = torch::randn({1, 2});
  const std::string phase = args.str("phase", "both");
  if (phase != "nograd")
    time_calls(args, "fwd_bwd_s", 20000, [&] {
      lin->zero_grad(/*set_to_none=*/true);
      lin->forward(x).sum().backward();
    });
  torch::NoGradGuard no_grad;
  if (phase != "fwd_bwd") time_calls(args, "fwd_nograd_s", 50000, [&] { (void)lin->forward(x); });
}

/// W4: Linear(784, 256) forward + backward of the sum, batch 256, grads set to None each call.
void linear_mnist(const Args& args) {
  torch::manual_seed(0);
  torch::nn::Linear lin(784, 256);
  const torch::Tensor x = torch::randn({256, 784});
  time_calls(args, "fwd_bwd_s", 200, [&] {
    lin->zero_grad(/*set_to_none=*/true);
    lin->forward(x).sum().backward();
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: %s softmax|mlp|linear2|linear784 [--threads N] [--key value ...]\n",
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
  if (const long threads = args.get("threads", 0); threads > 0)
    at::set_num_threads(static_cast<int>(threads));
  try {
    if (cmd == "softmax")
      train(args, 0);
    else if (cmd == "mlp")
      train(args, args.get("hidden", 256));
    else if (cmd == "linear2")
      linear_small(args);
    else if (cmd == "linear784")
      linear_mnist(args);
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
