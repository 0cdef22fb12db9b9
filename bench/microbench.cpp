// Google Benchmark microbenchmarks of torchlite's kernels (issue 6): elementwise, reductions,
// GEMM, Linear forward+backward, cross entropy, the SGD step, randn and the LSTM layer.
#include <benchmark/benchmark.h>

#include <vector>

#include "torchlite/data/mnist.h"
#include "torchlite/nn/functional.h"
#include "torchlite/nn/linear.h"
#include "torchlite/nn/rnn.h"
#include "torchlite/optim/sgd.h"
#include "torchlite/tensor.h"

namespace tl = torchlite;

namespace {

/// Bytes moved by a float32 elementwise op reading `inputs` tensors of n and writing one.
void set_bytes(benchmark::State& state, int64_t n, int inputs) {
  state.SetBytesProcessed(state.iterations() * n * 4 * (inputs + 1));
}

void BM_AddContiguous(benchmark::State& state) {
  const int64_t n = state.range(0);
  const tl::Tensor a = tl::randn({n}), b = tl::randn({n});
  for (auto _ : state) benchmark::DoNotOptimize(a.add(b));
  set_bytes(state, n, 2);
}
BENCHMARK(BM_AddContiguous)->UseRealTime()->Arg(1 << 10)->Arg(1 << 16)->Arg(1 << 20);

void BM_MulContiguous(benchmark::State& state) {
  const int64_t n = state.range(0);
  const tl::Tensor a = tl::randn({n}), b = tl::randn({n});
  for (auto _ : state) benchmark::DoNotOptimize(a.mul(b));
  set_bytes(state, n, 2);
}
BENCHMARK(BM_MulContiguous)->UseRealTime()->Arg(1 << 10)->Arg(1 << 16)->Arg(1 << 20);

/// [256, 784] + [784]: the bias add of a Linear layer without addmm.
void BM_AddBroadcastRow(benchmark::State& state) {
  const tl::Tensor a = tl::randn({256, 784}), b = tl::randn({784});
  for (auto _ : state) benchmark::DoNotOptimize(a.add(b));
  set_bytes(state, 256 * 784, 1);
}
BENCHMARK(BM_AddBroadcastRow)->UseRealTime();

/// [256, 784] * [256, 1]: a per-row scale.
void BM_MulBroadcastColumn(benchmark::State& state) {
  const tl::Tensor a = tl::randn({256, 784}), b = tl::randn({256, 1});
  for (auto _ : state) benchmark::DoNotOptimize(a.mul(b));
  set_bytes(state, 256 * 784, 1);
}
BENCHMARK(BM_MulBroadcastColumn)->UseRealTime();

void BM_AddScalarInplace(benchmark::State& state) {
  const int64_t n = state.range(0);
  tl::Tensor a = tl::randn({n});
  for (auto _ : state) a.add_(1.0);
  set_bytes(state, n, 1);
}
BENCHMARK(BM_AddScalarInplace)->UseRealTime()->Arg(1 << 20);

void BM_SumAll(benchmark::State& state) {
  const int64_t n = state.range(0);
  const tl::Tensor a = tl::randn({n});
  for (auto _ : state) benchmark::DoNotOptimize(a.sum());
  state.SetBytesProcessed(state.iterations() * n * 4);
}
BENCHMARK(BM_SumAll)->UseRealTime()->Arg(1 << 10)->Arg(1 << 20);

/// Column sums of [256, 784] (the bias gradient of a Linear layer).
void BM_SumDim0(benchmark::State& state) {
  const tl::Tensor a = tl::randn({256, 784});
  for (auto _ : state) benchmark::DoNotOptimize(a.sum(0));
  state.SetBytesProcessed(state.iterations() * 256 * 784 * 4);
}
BENCHMARK(BM_SumDim0)->UseRealTime();

void BM_Relu(benchmark::State& state) {
  const tl::Tensor a = tl::randn({256, 256});
  for (auto _ : state) benchmark::DoNotOptimize(a.relu());
  set_bytes(state, 256 * 256, 1);
}
BENCHMARK(BM_Relu)->UseRealTime();

/// [m, k] @ [k, n]; FLOP counter gives GFLOP/s.
void BM_Mm(benchmark::State& state) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  const tl::Tensor a = tl::randn({m, k}), b = tl::randn({k, n});
  for (auto _ : state) benchmark::DoNotOptimize(tl::mm(a, b));
  state.counters["FLOPS"] = benchmark::Counter(
      2.0 * static_cast<double>(m * k * n), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Mm)->UseRealTime()
    ->Args({256, 784, 256})
    ->Args({256, 256, 10})
    ->Args({256, 784, 10})
    ->Args({1024, 1024, 1024})
    ->Args({2, 2, 2});

/// x [256, 784] @ W^T [784, 256] (a transposed view, as Linear uses it).
void BM_MmTransposed(benchmark::State& state) {
  const tl::Tensor a = tl::randn({256, 784}), w = tl::randn({256, 784});
  for (auto _ : state) benchmark::DoNotOptimize(tl::mm(a, w.t()));
  state.counters["FLOPS"] = benchmark::Counter(2.0 * 256 * 784 * 256,
                                               benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_MmTransposed)->UseRealTime();

void BM_Addmm(benchmark::State& state) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  const tl::Tensor bias = tl::randn({n}), a = tl::randn({m, k}), w = tl::randn({n, k});
  for (auto _ : state) benchmark::DoNotOptimize(tl::addmm(bias, a, w.t()));
  state.counters["FLOPS"] = benchmark::Counter(
      2.0 * static_cast<double>(m * k * n), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Addmm)
    ->UseRealTime()
    ->Args({256, 784, 256})
    ->Args({256, 784, 10})
    ->Args({256, 256, 10});

/// Linear(in, out) forward + backward of the sum, grads set to None each call (W3, W4).
void BM_LinearForwardBackward(benchmark::State& state) {
  const int64_t batch = state.range(0), in = state.range(1), out = state.range(2);
  tl::nn::Linear lin(in, out);
  const tl::Tensor x = tl::randn({batch, in});
  for (auto _ : state) {
    lin->zero_grad();
    lin->forward(x).sum().backward();
  }
}
BENCHMARK(BM_LinearForwardBackward)->UseRealTime()->Args({1, 2, 2})->Args({256, 784, 256});

void BM_LinearForwardNoGrad(benchmark::State& state) {
  const int64_t batch = state.range(0), in = state.range(1), out = state.range(2);
  tl::nn::Linear lin(in, out);
  const tl::Tensor x = tl::randn({batch, in});
  tl::NoGradGuard no_grad;
  for (auto _ : state) benchmark::DoNotOptimize(lin->forward(x));
}
BENCHMARK(BM_LinearForwardNoGrad)->UseRealTime()->Args({1, 2, 2})->Args({256, 784, 256});

/// Fused log-softmax + NLL of logits [256, 10], forward + backward.
void BM_CrossEntropyForwardBackward(benchmark::State& state) {
  const int64_t batch = state.range(0), classes = state.range(1);
  tl::Tensor logits = tl::randn({batch, classes}).requires_grad_();
  const tl::Tensor target = tl::randint(0, classes, {batch});
  for (auto _ : state) {
    logits.set_grad(tl::Tensor());
    tl::nn::functional::cross_entropy(logits, target).backward();
  }
}
BENCHMARK(BM_CrossEntropyForwardBackward)->UseRealTime()->Args({256, 10})->Args({256, 1000});

void BM_CrossEntropyForward(benchmark::State& state) {
  const tl::Tensor logits = tl::randn({256, 10});
  const tl::Tensor target = tl::randint(0, 10, {256});
  for (auto _ : state)
    benchmark::DoNotOptimize(tl::nn::functional::cross_entropy(logits, target));
}
BENCHMARK(BM_CrossEntropyForward)->UseRealTime();

/// One SGD step over the MLP's parameters (784*256 + 256 + 256*10 + 10 floats).
void BM_SgdStep(benchmark::State& state) {
  const double momentum = static_cast<double>(state.range(0)) / 10.0;
  std::vector<tl::Tensor> params;
  for (const tl::Sizes& s : {tl::Sizes{256, 784}, tl::Sizes{256}, tl::Sizes{10, 256},
                             tl::Sizes{10}}) {
    tl::Tensor p = tl::randn(s).requires_grad_();
    p.set_grad(tl::randn(s));
    params.push_back(p);
  }
  tl::optim::SGD opt(params, {.lr = 0.1, .momentum = momentum});
  for (auto _ : state) opt.step();
  set_bytes(state, 256 * 784 + 256 + 2560 + 10, 1);
}
BENCHMARK(BM_SgdStep)->UseRealTime()->Arg(0)->Arg(9);

void BM_Randn(benchmark::State& state) {
  const int64_t n = state.range(0);
  for (auto _ : state) benchmark::DoNotOptimize(tl::randn({n}));
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_Randn)->UseRealTime()->Arg(16)->Arg(1 << 20);

/// uint8 [256, 784] -> float32 / 255: the per-batch image conversion of the data loader.
void BM_ToFloatScale(benchmark::State& state) {
  const tl::Tensor img = tl::randint(0, 256, {256, 784}).to(tl::kUInt8);
  for (auto _ : state) benchmark::DoNotOptimize(img.to(tl::kFloat32).div_(255.0));
  set_bytes(state, 256 * 784, 1);
}
BENCHMARK(BM_ToFloatScale)->UseRealTime();

/// Fashion-MNIST's get_batch of 256 shuffled images: gather + uint8 -> float32 / 255.
void BM_FashionMnistGetBatch(benchmark::State& state) {
  try {
    static const tl::data::FashionMNIST data;
    const tl::Tensor perm = tl::randperm(data.size());
    const int64_t* p = perm.data_ptr<int64_t>();
    const std::vector<int64_t> indices(p, p + 256);
    for (auto _ : state) benchmark::DoNotOptimize(data.get_batch(indices));
    state.SetItemsProcessed(state.iterations() * 256 * 784);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}
BENCHMARK(BM_FashionMnistGetBatch)->UseRealTime();

/// W12's recurrent part: a 2-layer LSTM (hidden 256) over batch 32 x context 64 x 64 features,
/// forward and backward through time. PyTorch's twin, with torch.set_num_threads(2):
/// lstm = nn.LSTM(64, 256, num_layers=2, batch_first=True); o, _ = lstm(x); o.sum().backward().
void BM_LstmForwardBackward(benchmark::State& state) {
  tl::manual_seed(0);
  auto lstm = tl::nn::LSTM(64, 256, {.num_layers = 2, .batch_first = true});
  const tl::Tensor x = tl::randn({32, 64, 64});
  for (auto _ : state) {
    auto [out, hidden] = lstm->forward(x);
    out.sum().backward();
  }
}
BENCHMARK(BM_LstmForwardBackward)->UseRealTime()->Unit(benchmark::kMillisecond);

/// W14's recurrent part: one generation step (batch 1, one token) of that LSTM, state carried.
void BM_LstmGenerationStep(benchmark::State& state) {
  tl::manual_seed(0);
  auto lstm = tl::nn::LSTM(64, 256, {.num_layers = 2, .batch_first = true});
  const tl::Tensor x = tl::randn({1, 1, 64});
  tl::NoGradGuard no_grad;
  tl::nn::LSTMState hidden;
  for (auto _ : state) hidden = lstm->forward(x, hidden).second;
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LstmGenerationStep)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
