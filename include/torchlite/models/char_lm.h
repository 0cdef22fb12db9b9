// Character language models: a char-LSTM and a small decoder-only Transformer (char-GPT), with
// the module trees, state-dict keys and initial draws of their PyTorch twins
// (bench/char_lm_torch.py), and greedy or sampled generation.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "torchlite/generator.h"
#include "torchlite/nn/embedding.h"
#include "torchlite/nn/linear.h"
#include "torchlite/nn/module.h"
#include "torchlite/nn/module_list.h"
#include "torchlite/nn/normalization.h"
#include "torchlite/nn/rnn.h"

namespace torchlite::models {

/// The hyper-parameters of a character language model (saved as the checkpoint's 'config').
struct CharLMConfig {
  std::string model = "char-lstm";  // or "char-gpt"
  int64_t vocab_size = 0;
  /// Training window; char-gpt: also its number of positions (the longest input).
  int64_t context = 64;
  /// char-lstm: embedding size; char-gpt: model width.
  int64_t d_model = 64;
  /// char-lstm: hidden size; char-gpt: feed-forward width of each layer.
  int64_t hidden = 256;
  int64_t layers = 2;
  /// char-gpt: attention heads (d_model must be a multiple).
  int64_t heads = 4;
};

/// The common interface: token ids [B, T] (int64) -> logits [B, T, vocab_size].
class CharLMImpl : public nn::Module {
 public:
  using nn::Module::Module;
  /// Logits of the next token after each position.
  Tensor forward(const Tensor& tokens) override = 0;
  /// Generates `n` tokens after `prompt` (at least one id): greedy (argmax) when temperature is
  /// 0, else drawn from softmax(logits / temperature) restricted to the `top_k` most likely
  /// tokens (all when 0) with one uniform of torch.rand's stream from `gen` per token. Runs in
  /// eval mode without autograd. Returns the new ids only.
  virtual std::vector<int64_t> generate(const std::vector<int64_t>& prompt, int64_t n,
                                        double temperature, int64_t top_k, Generator gen) = 0;
};

/// Embedding(vocab, d_model) -> LSTM(d_model, hidden, num_layers = layers, batch_first) ->
/// Linear(hidden, vocab); keys embedding.*, lstm.*, head.*.
class CharLSTMImpl : public CharLMImpl {
 public:
  CharLSTMImpl(int64_t vocab_size, int64_t d_model, int64_t hidden, int64_t layers);
  Tensor forward(const Tensor& tokens) override;
  /// Logits and the LSTM's final state, from `state` (zeros when undefined).
  std::pair<Tensor, nn::LSTMState> forward(const Tensor& tokens, const nn::LSTMState& state);
  /// Feeds the prompt once, then one token at a time carrying the LSTM state.
  std::vector<int64_t> generate(const std::vector<int64_t>& prompt, int64_t n, double temperature,
                                int64_t top_k, Generator gen) override;

  nn::Embedding embedding;
  nn::LSTM lstm;
  nn::Linear head;
};

/// Token and learned position embeddings (summed), `layers` pre-norm
/// TransformerEncoderLayer(d_model, heads, dim_feedforward = hidden, dropout = 0, batch_first)
/// under the causal mask of generate_square_subsequent_mask, a final LayerNorm and
/// Linear(d_model, vocab); keys token_embedding.*, position_embedding.*, layers.<i>.*, norm.*,
/// head.*. Inputs hold at most `context` tokens.
class CharGPTImpl : public CharLMImpl {
 public:
  CharGPTImpl(int64_t vocab_size, int64_t context, int64_t d_model, int64_t heads, int64_t hidden,
              int64_t layers);
  Tensor forward(const Tensor& tokens) override;
  /// While the text fits the context, each new token runs alone against cached keys and values
  /// (the layers' own math, one position); once the window slides, every position changes and
  /// the last `context` tokens are re-run for each new token.
  std::vector<int64_t> generate(const std::vector<int64_t>& prompt, int64_t n, double temperature,
                                int64_t top_k, Generator gen) override;
  /// Each layer's keys and values so far, [heads, positions, head_dim] each.
  using KeyValues = std::pair<Tensor, Tensor>;
  /// The logits [vocab] after appending `token` at the next position, updating `cache`
  /// (eval mode, no autograd).
  Tensor forward_cached(int64_t token, std::vector<KeyValues>& cache);

  int64_t context;
  nn::Embedding token_embedding;
  nn::Embedding position_embedding;
  nn::ModuleList layers;
  nn::LayerNorm norm;
  nn::Linear head;
};

/// The model `config` describes, freshly initialised from the default generator (the same
/// draws as its PyTorch twin built after the same torch.manual_seed).
std::shared_ptr<CharLMImpl> make_char_lm(const CharLMConfig& config);

/// The next token from a row of logits [vocab]: argmax when temperature is 0 (first maximum),
/// else as CharLMImpl::generate describes.
int64_t sample_next(const Tensor& logits, double temperature, int64_t top_k, Generator& gen);

}  // namespace torchlite::models
