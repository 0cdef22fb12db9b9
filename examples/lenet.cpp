// LeNet on Fashion-MNIST, as in "Dive into Deep Learning" 7.6 (concise implementation).
// Run: ./lenet [data dir]
#include <cstdio>

#include "torchlite/data/dataloader.h"
#include "torchlite/data/mnist.h"
#include "torchlite/nn/activation.h"
#include "torchlite/nn/conv.h"
#include "torchlite/nn/init.h"
#include "torchlite/nn/linear.h"
#include "torchlite/nn/loss.h"
#include "torchlite/nn/pooling.h"
#include "torchlite/nn/sequential.h"
#include "torchlite/optim/sgd.h"

namespace tl = torchlite;
namespace nn = torchlite::nn;

int main(int argc, char** argv) {
  const std::string root = argc > 1 ? argv[1] : tl::data::FashionMNIST::default_root();
  tl::data::DataLoader train_iter(tl::data::FashionMNIST(root, true),
                                  {.batch_size = 256, .shuffle = true});
  tl::data::DataLoader test_iter(tl::data::FashionMNIST(root, false), {.batch_size = 256});

  tl::manual_seed(0);
  // Braces build (and draw) the layers left to right, as PyTorch does.
  nn::Sequential net{nn::Conv2d(1, 6, 5, {.padding = 2}), nn::Sigmoid(),
                     nn::AvgPool2d(2, {.stride = 2}),
                     nn::Conv2d(6, 16, 5), nn::Sigmoid(),
                     nn::AvgPool2d(2, {.stride = 2}), nn::Flatten(),
                     nn::Linear(16 * 5 * 5, 120), nn::Sigmoid(),
                     nn::Linear(120, 84), nn::Sigmoid(),
                     nn::Linear(84, 10)};
  net->apply([](nn::Module& m) {
    if (auto* linear = m.as<nn::Linear>()) nn::init::xavier_uniform_(linear->weight);
    if (auto* conv = m.as<nn::Conv2d>()) nn::init::xavier_uniform_(conv->weight);
  });
  nn::CrossEntropyLoss loss;
  tl::optim::SGD trainer(net->parameters(), {.lr = 0.9});

  for (int epoch = 1; epoch <= 10; ++epoch) {
    double loss_sum = 0;
    int64_t n = 0;
    for (const auto& [X, y] : train_iter) {
      tl::Tensor l = loss(net(X), y);
      trainer.zero_grad();
      l.backward();
      trainer.step();
      loss_sum += l.item<float>() * y.numel();
      n += y.numel();
    }
    net->eval();
    tl::NoGradGuard no_grad;
    int64_t correct = 0, total = 0;
    for (const auto& [X, y] : test_iter) {
      correct += static_cast<int64_t>(net(X).argmax(1).eq(y).sum().item_double());
      total += y.numel();
    }
    net->train();
    std::printf("epoch %d: loss %.3f, test acc %.3f\n", epoch, loss_sum / n,
                static_cast<double>(correct) / total);
  }
}
