// A character-level LSTM language model: learns to continue text one character at a time
// (d2l 9.5-10.1 with the concise LSTM), then writes a paragraph of its own.
// Run: ./char_lstm [text file] [steps]   (default: the `fortunes` package's texts, 300 steps)
#include <cmath>
#include <cstdio>
#include <string>

#include "torchlite/data/dataloader.h"
#include "torchlite/data/text.h"
#include "torchlite/models/char_lm.h"
#include "torchlite/nn/functional.h"
#include "torchlite/nn/utils/clip_grad.h"
#include "torchlite/optim/adam.h"

namespace tl = torchlite;
namespace F = torchlite::nn::functional;

int main(int argc, char** argv) {
  const std::string text = argc > 1 ? tl::data::read_text_file(argv[1])
                                    : tl::data::fortunes_corpus();
  const int steps = argc > 2 ? std::stoi(argv[2]) : 300;

  // Characters -> indices ('<unk>' is 0), and windows of 64 with the next character as target.
  const auto vocab = tl::data::Vocab::build(text);
  tl::data::TextWindows windows(vocab.encode(text), /*context=*/64);
  tl::data::DataLoader batches(windows, {.batch_size = 32, .shuffle = true});

  tl::manual_seed(0);
  // Embedding(vocab, 64) -> LSTM(64, 256, num_layers = 2, batch_first) -> Linear(256, vocab).
  tl::models::CharLSTMImpl net(vocab.size(), /*d_model=*/64, /*hidden=*/256, /*layers=*/2);
  tl::optim::Adam opt(net.parameters(), {.lr = 0.003});

  int step = 0;
  while (step < steps) {
    for (const auto& [x, y] : batches) {
      const tl::Tensor logits = net.forward(x);  // [32, 64, vocab]
      const tl::Tensor loss = F::cross_entropy(logits.reshape({-1, vocab.size()}), y.reshape({-1}));
      opt.zero_grad();
      loss.backward();
      tl::nn::utils::clip_grad_norm_(net.parameters(), 1.0);
      opt.step();
      if (++step % 50 == 0)
        std::printf("step %d: loss %.3f, perplexity %.1f\n", step, loss.item_double(),
                    std::exp(loss.item_double()));
      if (step == steps) break;
    }
  }

  // Sampling: temperature 0.8 among the 10 most likely characters; the state carries over.
  const auto ids = net.generate(vocab.encode("The "), 300, 0.8, 10, tl::Generator(0));
  std::printf("\nThe %s\n", vocab.decode(ids).c_str());
}
