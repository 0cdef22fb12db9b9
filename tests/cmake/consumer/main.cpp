// Uses the public API through the umbrella header; prints a Linear's state_dict.
#include <torchlite/torchlite.h>

#include <iostream>

int main() {
  torchlite::manual_seed(0);
  auto net = torchlite::nn::Linear(2, 2);
  std::cout << net->state_dict() << "\n";
}
