// A tiny GPT: a decoder-only Transformer over characters (token and position embeddings,
// pre-norm encoder layers under a causal mask, LayerNorm, linear head), trained to predict the
// next character, then sampled. Run: ./char_gpt [text file] [steps]
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
  const int64_t context = 64;

  const auto vocab = tl::data::Vocab::build(text);
  tl::data::TextWindows windows(vocab.encode(text), context);
  tl::data::DataLoader batches(windows, {.batch_size = 32, .shuffle = true});

  tl::manual_seed(0);
  // 4 layers of width 128 with 4 heads and a feed-forward width of 256; positions up to 64.
  tl::models::CharGPTImpl net(vocab.size(), context, /*d_model=*/128, /*heads=*/4,
                              /*hidden=*/256, /*layers=*/4);
  tl::optim::Adam opt(net.parameters(), {.lr = 0.003});

  int step = 0;
  while (step < steps) {
    for (const auto& [x, y] : batches) {
      const tl::Tensor logits = net.forward(x);  // [32, 64, vocab]; position t sees 0..t only
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

  // Each new character re-runs the last 64 (the model has no key/value cache).
  const auto ids = net.generate(vocab.encode("The "), 300, 0.8, 10, tl::Generator(0));
  std::printf("\nThe %s\n", vocab.decode(ids).c_str());
}
