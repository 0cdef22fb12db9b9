// Character language models (char-LSTM, char-GPT) and their generation loops; the PyTorch twins
// are in bench/char_lm_torch.py.
#include "torchlite/models/char_lm.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "torchlite/error.h"
#include "torchlite/nn/functional.h"
#include "torchlite/nn/transformer.h"

namespace torchlite::models {

namespace F = nn::functional;

namespace {

/// A [1, T] int64 tensor of ids.
Tensor ids_tensor(const int64_t* ids, int64_t n) {
  Tensor t = empty({1, n}, kInt64);
  std::memcpy(t.data_ptr<int64_t>(), ids, static_cast<size_t>(n) * sizeof(int64_t));
  return t;
}

/// Runs `body` in eval mode without autograd, restoring the training flag afterwards.
template <class F>
auto evaluating(nn::Module& m, F&& body) {
  struct Restore {
    nn::Module& m;
    bool was_training;
    ~Restore() { m.train(was_training); }
  } restore{m, m.is_training()};
  m.eval();
  NoGradGuard no_grad;
  return body();
}

}  // namespace

int64_t sample_next(const Tensor& logits, double temperature, int64_t top_k, Generator& gen) {
  TL_CHECK(logits.dim() == 1, "sample_next: expected logits of one dimension, got ", logits.dim());
  TL_CHECK(temperature >= 0, "sample_next: temperature must be >= 0, got ", temperature);
  const Tensor l = logits.contiguous().to(kFloat32);
  const float* p = l.data_ptr<float>();
  const int64_t v = l.numel();
  if (temperature == 0) return std::max_element(p, p + v) - p;
  // Candidates by descending logit (stable: ties keep the lower index), cut to top_k.
  std::vector<int64_t> order(static_cast<size_t>(v));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return p[a] > p[b]; });
  if (top_k > 0 && top_k < v) order.resize(static_cast<size_t>(top_k));
  std::vector<double> weights;
  const double top = p[order.front()];
  for (int64_t i : order) weights.push_back(std::exp((p[i] - top) / temperature));
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  const double u = rand({1}, gen).item_double() * total;
  double cumulative = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    cumulative += weights[k];
    if (u < cumulative) return order[k];
  }
  return order.back();
}

CharLSTMImpl::CharLSTMImpl(int64_t vocab_size, int64_t d_model, int64_t hidden, int64_t layers)
    : CharLMImpl("CharLSTM"),
      embedding(vocab_size, d_model),
      lstm(d_model, hidden, {.num_layers = layers, .batch_first = true}),
      head(hidden, vocab_size) {
  register_module("embedding", embedding);
  register_module("lstm", lstm);
  register_module("head", head);
}

Tensor CharLSTMImpl::forward(const Tensor& tokens) { return forward(tokens, {}).first; }

std::pair<Tensor, nn::LSTMState> CharLSTMImpl::forward(const Tensor& tokens,
                                                       const nn::LSTMState& state) {
  auto [output, final_state] = lstm->forward(embedding(tokens), state);
  return {head(output), final_state};
}

std::vector<int64_t> CharLSTMImpl::generate(const std::vector<int64_t>& prompt, int64_t n,
                                            double temperature, int64_t top_k, Generator gen) {
  TL_CHECK(!prompt.empty(), "generate: the prompt must hold at least one token");
  return evaluating(*this, [&] {
    std::vector<int64_t> out;
    auto [logits, state] =
        forward(ids_tensor(prompt.data(), static_cast<int64_t>(prompt.size())), {});
    for (int64_t i = 0; i < n; ++i) {
      const int64_t next = sample_next(logits.select(0, 0).select(0, -1), temperature, top_k, gen);
      out.push_back(next);
      if (i + 1 == n) break;
      std::tie(logits, state) = forward(ids_tensor(&next, 1), state);
    }
    return out;
  });
}

CharGPTImpl::CharGPTImpl(int64_t vocab_size, int64_t context, int64_t d_model, int64_t heads,
                         int64_t hidden, int64_t layers)
    : CharLMImpl("CharGPT"),
      context(context),
      token_embedding(vocab_size, d_model),
      position_embedding(context, d_model),
      layers([&] {
        nn::ModuleList list;
        for (int64_t i = 0; i < layers; ++i)
          list->append(nn::TransformerEncoderLayer(d_model, heads,
                                                   {.dim_feedforward = hidden,
                                                    .dropout = 0.0,
                                                    .batch_first = true,
                                                    .norm_first = true})
                           .ptr());
        return list;
      }()),
      norm(d_model),
      head(d_model, vocab_size) {
  register_module("token_embedding", token_embedding);
  register_module("position_embedding", position_embedding);
  register_module("layers", this->layers);
  register_module("norm", norm);
  register_module("head", head);
}

Tensor CharGPTImpl::forward(const Tensor& tokens) {
  TL_CHECK(tokens.dim() == 2, "CharGPT: expected token ids [batch, time], got ", tokens.dim(),
           " dimensions");
  const int64_t t = tokens.size(1);
  TL_CHECK(t <= context, "CharGPT: ", t, " tokens exceed the model's context of ", context);
  Tensor h = token_embedding(tokens) + position_embedding(arange(t));
  const Tensor mask = nn::TransformerImpl::generate_square_subsequent_mask(t);
  for (const auto& layer : *layers)
    h = layer->as<nn::TransformerEncoderLayerImpl>()->forward(h, {.src_mask = mask});
  return head(norm(h));
}

Tensor CharGPTImpl::forward_cached(int64_t token, std::vector<KeyValues>& cache) {
  const int64_t pos = cache.empty() ? 0 : cache.front().first.size(1);
  TL_CHECK(pos < context, "CharGPT: position ", pos, " is past the model's context of ", context);
  cache.resize(layers->size());
  Tensor x = token_embedding(ids_tensor(&token, 1)).reshape({1, -1}) +
             position_embedding(ids_tensor(&pos, 1)).reshape({1, -1});
  for (size_t l = 0; l < layers->size(); ++l) {
    // TransformerEncoderLayer's norm_first forward (relu, no dropout) for one new position,
    // attending over the keys and values of every position so far.
    auto* layer = (*layers)[static_cast<int64_t>(l)]->as<nn::TransformerEncoderLayerImpl>();
    nn::MultiheadAttentionImpl& attn = *layer->self_attn;
    const int64_t e = attn.embed_dim, heads = attn.num_heads, d = attn.head_dim;
    const Tensor qkv = linear(layer->norm1(x), attn.in_proj_weight, attn.in_proj_bias);
    const Tensor q = qkv.narrow(1, 0, e).reshape({heads, 1, d}) *
                     (1.0 / std::sqrt(static_cast<double>(d)));
    auto& [keys, values] = cache[l];
    const Tensor k = qkv.narrow(1, e, e).reshape({heads, 1, d});
    const Tensor v = qkv.narrow(1, 2 * e, e).reshape({heads, 1, d});
    keys = keys.defined() ? cat({keys, k}, 1) : k;
    values = values.defined() ? cat({values, v}, 1) : v;
    const Tensor weights = F::softmax(matmul(q, keys.transpose(1, 2)), -1);  // [heads, 1, pos + 1]
    x = x + attn.out_proj(matmul(weights, values).reshape({1, e}));
    x = x + layer->linear2(layer->linear1(layer->norm2(x)).relu());
  }
  return head(norm(x)).reshape({-1});
}

std::vector<int64_t> CharGPTImpl::generate(const std::vector<int64_t>& prompt, int64_t n,
                                           double temperature, int64_t top_k, Generator gen) {
  TL_CHECK(!prompt.empty(), "generate: the prompt must hold at least one token");
  return evaluating(*this, [&] {
    std::vector<int64_t> ids = prompt;
    std::vector<KeyValues> cache;
    size_t cached = 0;
    for (int64_t i = 0; i < n; ++i) {
      Tensor logits;
      if (static_cast<int64_t>(ids.size()) <= context) {
        // Positions are absolute until the window slides: one new position per token.
        while (cached < ids.size()) logits = forward_cached(ids[cached++], cache);
      } else {
        // Every position shifts with the window: re-run it.
        const Tensor all = forward(ids_tensor(ids.data() + ids.size() - context, context));
        logits = all.select(0, 0).select(0, -1);
      }
      ids.push_back(sample_next(logits, temperature, top_k, gen));
    }
    return std::vector<int64_t>(ids.begin() + static_cast<int64_t>(prompt.size()), ids.end());
  });
}

std::shared_ptr<CharLMImpl> make_char_lm(const CharLMConfig& c) {
  TL_CHECK(c.vocab_size > 0 && c.context > 0 && c.d_model > 0 && c.hidden > 0 && c.layers > 0,
           "char LM: vocab_size, context, d_model, hidden and layers must be positive");
  if (c.model == "char-lstm")
    return std::make_shared<CharLSTMImpl>(c.vocab_size, c.d_model, c.hidden, c.layers);
  TL_CHECK(c.model == "char-gpt", "char LM: unknown model '", c.model,
           "' (expected char-lstm or char-gpt)");
  return std::make_shared<CharGPTImpl>(c.vocab_size, c.context, c.d_model, c.heads, c.hidden,
                                       c.layers);
}

}  // namespace torchlite::models
