// The seed program: torch.nn's first steps, printed exactly as PyTorch prints them.
// Usage: seed [SEED]
#include <torchlite/torchlite.h>

#include <cstdlib>
#include <iostream>

namespace tl = torchlite;
namespace nn = torchlite::nn;

int main(int argc, char** argv) {
  tl::manual_seed(argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 0);
  auto net = nn::Linear(2, 2);
  std::cout << net->state_dict() << "\n";
  std::cout << net->bias << "\n";
  std::cout << net->bias.data() << "\n";
  std::cout << net->bias.grad() << "\n";
  std::cout << net->named_parameters() << "\n";
  for (const auto& [name, param] : net->named_parameters()) std::cout << name << " " << param.sizes() << "\n";
  auto seq = nn::Sequential(nn::Flatten(), nn::Linear(784, 10));
  seq->apply([](nn::Module& m) {
    if (auto* linear = m.as<nn::Linear>()) nn::init::normal_(linear->weight, /*mean=*/0.0, /*std=*/0.01);
  });
  std::cout << seq << "\n";
  auto loss = seq->forward(tl::randn({8, 1, 28, 28})).pow(2).mean();
  loss.backward();
  std::cout << seq->state_dict() << "\n";
}
