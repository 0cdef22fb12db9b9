// The options of `torchlite train`, shared by the image (train.cpp) and text (train_text.cpp)
// trainers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace torchlite::cli {

struct TrainArgs {
  std::string model = "softmax";
  std::optional<int64_t> hidden;  // default: 256
  int64_t epochs = 10;  // char-*: 1
  int64_t batch_size = 256;  // char-*: 32
  std::optional<double> lr;  // default: the model's, as d2l trains it
  std::string optimizer = "sgd";  // char-*: adam
  uint64_t seed = 0;
  int threads = 0;
  int64_t workers = 1;
  std::string data;
  std::string save, metrics, plot, step_losses;
  bool distributed = false;
  // char-lstm / char-gpt
  std::string text;
  int64_t context = 64;
  std::optional<int64_t> steps, d_model, layers;
  int64_t heads = 4;
  double clip = 1.0;
};

/// `torchlite train --model char-lstm|char-gpt` (train_text.cpp).
void run_train_text(const TrainArgs& args);

}  // namespace torchlite::cli
