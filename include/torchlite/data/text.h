// Character-level text data: UTF-8 text files, a character vocabulary (d2l's Vocab over code
// points) and a dataset of (input, next-token target) windows for language models.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "torchlite/data/dataset.h"

namespace torchlite::data {

/// The code points of UTF-8 `bytes`; throws torchlite::Error naming `name` and the byte offset
/// of the first invalid sequence (overlong forms, surrogates and values past U+10FFFF included).
std::u32string decode_utf8(std::string_view bytes, const std::string& name);
/// The UTF-8 encoding of the code points.
std::string encode_utf8(std::u32string_view code_points);

/// The contents of a UTF-8 text file; throws torchlite::Error naming the file when it cannot be
/// read, is empty, or is not valid UTF-8 (with the byte offset).
std::string read_text_file(const std::string& path);

/// The default corpus: the plain-text files of Debian's `fortunes` package (every file of `dir`
/// without an extension, .dat/.u8 indexes skipped, in name order), each fortune's `%` separator
/// line replaced by an empty line and the overstrike pairs ("_\bX") reduced to the letter.
/// Throws torchlite::Error when `dir` has no such file (install the `fortunes` package).
std::string fortunes_corpus(const std::string& dir = "/usr/share/games/fortunes");

/// A character vocabulary, like d2l's Vocab (0.17) over characters: index 0 is `<unk>`, then
/// the text's code points by descending frequency, ties by first appearance.
class Vocab {
 public:
  /// Index of `<unk>`, which every unknown character maps to.
  static constexpr int64_t kUnk = 0;
  /// Builds the vocabulary of a (UTF-8) text; throws for invalid UTF-8.
  static Vocab build(std::string_view text);
  /// From tokens in index order (as saved with a checkpoint): "<unk>" first, then one character
  /// (one code point, UTF-8) each; throws torchlite::Error otherwise.
  static Vocab from_tokens(const std::vector<std::string>& tokens);

  /// Number of tokens, `<unk>` included (len(vocab)).
  int64_t size() const { return static_cast<int64_t>(tokens_.size()); }
  /// The tokens in index order (UTF-8 strings; index 0 is "<unk>").
  const std::vector<std::string>& tokens() const { return tokens_; }
  /// The index of one code point (kUnk if unknown).
  int64_t index(char32_t c) const;
  /// The indices of a UTF-8 text's characters (kUnk for unknown ones).
  std::vector<int64_t> encode(std::string_view text) const;
  /// The text of token indices; `<unk>` decodes to "<unk>"; throws for an index out of range.
  std::string decode(const std::vector<int64_t>& ids) const;

 private:
  std::vector<std::string> tokens_;
  std::unordered_map<char32_t, int64_t> index_;
};

/// Non-overlapping windows over a token stream: example i is (tokens[i*c, i*c + c),
/// tokens[i*c + 1, i*c + c + 1)) for c = context, so an epoch sees each token once. Batches are
/// int64 [B, context] pairs; shuffle them with DataLoader, as torch's DataLoader over the same
/// windows does.
class TextWindows : public Dataset {
 public:
  /// Throws torchlite::Error when the stream has fewer than context + 1 tokens.
  TextWindows(std::vector<int64_t> tokens, int64_t context);
  int64_t size() const override;
  Batch get_batch(const std::vector<int64_t>& indices) const override;
  int64_t context() const { return context_; }

 private:
  std::vector<int64_t> tokens_;
  int64_t context_;
};

}  // namespace torchlite::data
