// `torchlite generate`: continues a prompt with a character language model saved by
// `torchlite train --model char-lstm|char-gpt --save` (or by torch.save of the same dict).
#include <cstdio>
#include <memory>
#include <string>

#include "cli/char_lm_checkpoint.h"
#include "cli/commands.h"
#include "torchlite/error.h"
#include "torchlite/parallel.h"

namespace torchlite::cli {
namespace {

struct GenerateArgs {
  std::string checkpoint;
  std::string prompt = "The ";
  int64_t tokens = 200;
  double temperature = 0.8;
  int64_t top_k = 0;
  uint64_t seed = 0;
  int threads = 0;
};

void run_generate(const GenerateArgs& args) {
  if (args.threads > 0) set_num_threads(args.threads);
  const CharLMCheckpoint ckpt = load_char_lm(args.checkpoint);
  TL_CHECK(!args.prompt.empty(), "--prompt: give at least one character");
  const std::vector<int64_t> prompt = ckpt.vocab.encode(args.prompt);
  std::string unknown;
  for (size_t i = 0; i < prompt.size(); ++i)
    if (prompt[i] == data::Vocab::kUnk)
      unknown += data::encode_utf8(data::decode_utf8(args.prompt, "--prompt").substr(i, 1));
  if (!unknown.empty())
    std::fprintf(stderr, "torchlite: warning: characters not in the vocabulary read as <unk>: %s\n",
                 unknown.c_str());
  const std::vector<int64_t> out =
      ckpt.model->generate(prompt, args.tokens, args.temperature, args.top_k, Generator(args.seed));
  const std::string text = args.prompt + ckpt.vocab.decode(out);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
}

}  // namespace

void register_generate_command(CLI::App& app) {
  auto args = std::make_shared<GenerateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "generate", "Continue a prompt with a character language model (torchlite train --model "
                  "char-lstm|char-gpt --save FILE)");
  cmd->add_option("--checkpoint", args->checkpoint, "Checkpoint written by train --save")
      ->required();
  cmd->add_option("--prompt", args->prompt, "Text to continue (UTF-8)")->capture_default_str();
  cmd->add_option("--tokens", args->tokens, "Characters to generate")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--temperature", args->temperature,
                  "Softmax temperature; 0: greedy (the most likely character each time)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--top-k", args->top_k, "Sample among the k most likely characters (0: all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed of the sampling generator")->capture_default_str();
  cmd->add_option("--threads", args->threads, "Threads for the kernels")
      ->check(CLI::PositiveNumber);
  cmd->callback([args] { run_generate(*args); });
}

}  // namespace torchlite::cli
