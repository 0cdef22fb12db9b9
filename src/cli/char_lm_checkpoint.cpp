// Saving and loading the char-LSTM / char-GPT checkpoint dict.
#include "cli/char_lm_checkpoint.h"

#include "torchlite/error.h"
#include "torchlite/io/serialize.h"

namespace torchlite::cli {
namespace {

using io::Object;

Object str(const std::string& s) {
  Object o;
  o.kind = Object::Kind::Str;
  o.s = s;
  return o;
}

Object integer(int64_t v) {
  Object o;
  o.kind = Object::Kind::Int;
  o.i = v;
  return o;
}

/// The value of `key` in dict `o`, or nullptr.
const Object* find(const Object& o, const std::string& key) {
  for (const auto& [k, v] : o.entries)
    if (k.kind == Object::Kind::Str && k.s == key) return &v;
  return nullptr;
}

bool is_dict(const Object& o) {
  return o.kind == Object::Kind::Dict || o.kind == Object::Kind::OrderedDict;
}

}  // namespace

void save_char_lm(const std::string& path, const nn::Module& model, const data::Vocab& vocab,
                  const models::CharLMConfig& config) {
  Object state;
  state.kind = Object::Kind::OrderedDict;
  for (const auto& [name, t] : model.state_dict()) {
    Object value;
    value.kind = Object::Kind::Tensor;
    value.tensor = t;
    state.entries.push_back({str(name), std::move(value)});
  }
  Object tokens;
  tokens.kind = Object::Kind::List;
  for (const auto& t : vocab.tokens()) tokens.items.push_back(str(t));
  Object cfg;
  cfg.kind = Object::Kind::Dict;
  cfg.entries = {{str("model"), str(config.model)},
                 {str("vocab_size"), integer(config.vocab_size)},
                 {str("context"), integer(config.context)},
                 {str("d_model"), integer(config.d_model)},
                 {str("hidden"), integer(config.hidden)},
                 {str("layers"), integer(config.layers)},
                 {str("heads"), integer(config.heads)}};
  Object checkpoint;
  checkpoint.kind = Object::Kind::Dict;
  checkpoint.entries = {{str("model"), std::move(state)},
                        {str("vocab"), std::move(tokens)},
                        {str("config"), std::move(cfg)}};
  io::save(checkpoint, path);
}

CharLMCheckpoint load_char_lm(const std::string& path) {
  const Object o = io::load_object(path);
  const char* expected =
      ": not a checkpoint of `torchlite train --model char-*` (a dict with 'model', 'vocab' "
      "and 'config')";
  TL_CHECK(is_dict(o), path, expected);
  const Object* state = find(o, "model");
  const Object* vocab = find(o, "vocab");
  const Object* config = find(o, "config");
  TL_CHECK(vocab, path, ": no 'vocab' entry", expected);
  TL_CHECK(state && is_dict(*state), path, ": no 'model' state dict", expected);
  TL_CHECK(config && is_dict(*config), path, ": no 'config' dict", expected);

  TL_CHECK(vocab->kind == Object::Kind::List || vocab->kind == Object::Kind::Tuple, path,
           ": 'vocab' must be a list of strings");
  std::vector<std::string> tokens;
  for (const auto& t : vocab->items) {
    TL_CHECK(t.kind == Object::Kind::Str, path, ": 'vocab' must be a list of strings");
    tokens.push_back(t.s);
  }
  CharLMCheckpoint out{{}, data::Vocab::from_tokens(tokens), nullptr};

  models::CharLMConfig& c = out.config;
  const Object* name = find(*config, "model");
  TL_CHECK(name && name->kind == Object::Kind::Str, path, ": 'config' has no 'model' name");
  c.model = name->s;
  for (auto [key, field] : {std::pair{"vocab_size", &c.vocab_size}, {"context", &c.context},
                            {"d_model", &c.d_model}, {"hidden", &c.hidden},
                            {"layers", &c.layers}, {"heads", &c.heads}}) {
    const Object* v = find(*config, key);
    TL_CHECK(v && v->kind == Object::Kind::Int, path, ": 'config' has no integer '", key, "'");
    *field = v->i;
  }
  TL_CHECK(c.vocab_size == out.vocab.size(), path, ": 'config' says vocab_size ", c.vocab_size,
           " but 'vocab' holds ", out.vocab.size(), " tokens");

  out.model = models::make_char_lm(c);
  nn::StateDict sd(state->kind == Object::Kind::OrderedDict);
  for (const auto& [k, v] : state->entries) {
    TL_CHECK(k.kind == Object::Kind::Str && v.kind == Object::Kind::Tensor, path,
             ": 'model' must map names to tensors");
    sd.insert(k.s, v.tensor);
  }
  out.model->load_state_dict(sd);
  return out;
}

}  // namespace torchlite::cli
