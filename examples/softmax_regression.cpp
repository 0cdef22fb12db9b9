// Softmax regression on Fashion-MNIST, as in "Dive into Deep Learning" 4.5 (concise version).
// Run: ./softmax_regression [data dir]  (default: $TORCHLITE_DATA or
// /usr/share/datasets/fashion-mnist)
#include <cstdio>

#include "torchlite/data/dataloader.h"
#include "torchlite/data/mnist.h"
#include "torchlite/nn/activation.h"
#include "torchlite/nn/init.h"
#include "torchlite/nn/linear.h"
#include "torchlite/nn/loss.h"
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
  nn::Sequential net{nn::Flatten(), nn::Linear(784, 10)};
  net->apply([](nn::Module& m) {
    if (auto* linear = m.as<nn::Linear>()) nn::init::normal_(linear->weight, 0.0, 0.01);
  });
  nn::CrossEntropyLoss loss;
  tl::optim::SGD trainer(net->parameters(), {.lr = 0.1});

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
    // accuracy on the test set, without recording the graph
    tl::NoGradGuard no_grad;
    int64_t correct = 0, total = 0;
    for (const auto& [X, y] : test_iter) {
      correct += static_cast<int64_t>(net(X).argmax(1).eq(y).sum().item_double());
      total += y.numel();
    }
    std::printf("epoch %d: loss %.3f, test acc %.3f\n", epoch, loss_sum / n,
                static_cast<double>(correct) / total);
  }
}
