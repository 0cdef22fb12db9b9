// `torchlite train --model char-lstm|char-gpt`: a character language model on a text, with
// progress, metrics (loss and perplexity), a loss curve and a checkpoint for `generate`. The loop
// is bench/char_lm_torch.py's train(), step for step.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/char_lm_checkpoint.h"
#include "cli/plot.h"
#include "cli/progress.h"
#include "cli/train_args.h"
#include "torchlite/data/dataloader.h"
#include "torchlite/data/text.h"
#include "torchlite/models/char_lm.h"
#include "torchlite/nn/functional.h"
#include "torchlite/nn/utils/clip_grad.h"
#include "torchlite/optim/adam.h"
#include "torchlite/optim/sgd.h"
#include "torchlite/parallel.h"

namespace torchlite::cli {

void run_train_text(const TrainArgs& args) {
  if (args.threads > 0) set_num_threads(args.threads);
  const std::string text =
      args.text.empty() ? data::fortunes_corpus() : data::read_text_file(args.text);
  const data::Vocab vocab = data::Vocab::build(text);
  const bool gpt = args.model == "char-gpt";
  const models::CharLMConfig config{.model = args.model,
                                    .vocab_size = vocab.size(),
                                    .context = args.context,
                                    .d_model = args.d_model.value_or(gpt ? 128 : 64),
                                    .hidden = args.hidden.value_or(256),
                                    .layers = args.layers.value_or(gpt ? 4 : 2),
                                    .heads = args.heads};
  std::vector<int64_t> ids = vocab.encode(text);
  const int64_t characters = static_cast<int64_t>(ids.size());
  data::TextWindows windows(std::move(ids), args.context);

  manual_seed(args.seed);
  const std::shared_ptr<models::CharLMImpl> model = models::make_char_lm(config);
  std::unique_ptr<optim::Optimizer> opt;
  const double lr = args.lr.value_or(0.003);
  if (args.optimizer == "adam")
    opt = std::make_unique<optim::Adam>(model->parameters(), optim::AdamOptions{.lr = lr});
  else
    opt = std::make_unique<optim::SGD>(model->parameters(), optim::SGDOptions{.lr = lr});
  data::DataLoader loader(windows, {.batch_size = args.batch_size,
                                    .shuffle = true,
                                    .num_workers = args.workers});
  std::printf("%s: %lld characters, %lld in the vocabulary, %lld windows of %lld, %lld "
              "parameters\n",
              args.model.c_str(), static_cast<long long>(characters),
              static_cast<long long>(vocab.size()), static_cast<long long>(windows.size()),
              static_cast<long long>(args.context),
              static_cast<long long>([&] {
                int64_t n = 0;
                for (const auto& p : model->parameters()) n += p.numel();
                return n;
              }()));
  std::fflush(stdout);

  std::ofstream metrics, step_losses;
  if (!args.metrics.empty()) {
    metrics.open(args.metrics, std::ios::trunc);
    TL_CHECK(metrics.good(), args.metrics, ": cannot open for writing");
  }
  if (!args.step_losses.empty()) {
    step_losses.open(args.step_losses, std::ios::trunc);
    TL_CHECK(step_losses.good(), args.step_losses, ": cannot open for writing");
    step_losses.precision(17);
  }
  ProgressBar bar(stderr, isatty(fileno(stderr)) != 0);
  Curve loss_curve{"train loss", {}};
  const int64_t max_steps = args.steps.value_or(INT64_MAX);
  int64_t step = 0;
  for (int64_t epoch = 1; epoch <= args.epochs && step < max_steps; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    bar.start(epoch, args.epochs, std::min<int64_t>(loader.size(), max_steps - step));
    double loss_sum = 0;
    int64_t seen = 0, batches = 0;
    for (const auto& [x, y] : loader) {
      const Tensor logits = model->forward(x);
      const Tensor loss = F::cross_entropy(logits.reshape({-1, logits.size(-1)}), y.reshape({-1}));
      opt->zero_grad();
      loss.backward();
      if (args.clip > 0) nn::utils::clip_grad_norm_(model->parameters(), args.clip);
      opt->step();
      const double loss_value = loss.item_double();
      loss_sum += loss_value * static_cast<double>(y.numel());
      seen += y.numel();
      if (step_losses.is_open()) step_losses << loss_value << '\n';
      bar.update(++batches, seen / args.context, loss_sum / static_cast<double>(seen));
      if (++step == max_steps) break;
    }
    bar.finish();
    const double train_loss = seen > 0 ? loss_sum / static_cast<double>(seen) : NAN;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("epoch %lld: loss %.3f, perplexity %.2f, %lld steps, %.0f characters/s\n",
                static_cast<long long>(epoch), train_loss, std::exp(train_loss),
                static_cast<long long>(batches), static_cast<double>(seen) / seconds);
    std::fflush(stdout);
    loss_curve.values.push_back(train_loss);
    if (metrics.is_open()) {
      const nlohmann::ordered_json line = {{"epoch", epoch},
                                           {"steps", step},
                                           {"train_loss", train_loss},
                                           {"perplexity", std::exp(train_loss)},
                                           {"seconds", seconds}};
      metrics << line.dump() << '\n' << std::flush;
    }
  }
  if (!args.plot.empty()) write_svg_plot(args.plot, {loss_curve});
  if (!args.save.empty()) save_char_lm(args.save, *model, vocab, config);
}

}  // namespace torchlite::cli
