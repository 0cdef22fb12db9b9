// The checkpoint of `torchlite train --model char-*`: what `torchlite generate` needs, in one
// .pt file that torch.load reads: {'model': state_dict, 'vocab': [tokens], 'config': {...}}.
#pragma once

#include <memory>
#include <string>

#include "torchlite/data/text.h"
#include "torchlite/models/char_lm.h"

namespace torchlite::cli {

/// Writes {'model': model.state_dict(), 'vocab': vocab.tokens(), 'config': {'model': ...,
/// 'vocab_size', 'context', 'd_model', 'hidden', 'layers', 'heads'}} like torch.save.
void save_char_lm(const std::string& path, const nn::Module& model, const data::Vocab& vocab,
                  const models::CharLMConfig& config);

/// A model rebuilt from its checkpoint.
struct CharLMCheckpoint {
  models::CharLMConfig config;
  data::Vocab vocab;
  std::shared_ptr<models::CharLMImpl> model;
};

/// Reads what save_char_lm (or torch.save of the same dict) wrote; the state dict loads
/// strictly. Throws torchlite::Error naming the file and what is missing or wrong.
CharLMCheckpoint load_char_lm(const std::string& path);

}  // namespace torchlite::cli
