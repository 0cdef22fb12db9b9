// Character-level text data: UTF-8 decoding, the fortunes corpus, Vocab and TextWindows.
#include "torchlite/data/text.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "torchlite/error.h"

namespace torchlite::data {

std::u32string decode_utf8(std::string_view bytes, const std::string& name) {
  std::u32string out;
  out.reserve(bytes.size());
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char b = p[i];
    int len = 0;
    char32_t c = 0, min = 0;
    if (b < 0x80) {
      len = 1, c = b;
    } else if ((b & 0xE0) == 0xC0) {
      len = 2, c = b & 0x1F, min = 0x80;
    } else if ((b & 0xF0) == 0xE0) {
      len = 3, c = b & 0x0F, min = 0x800;
    } else if ((b & 0xF8) == 0xF0) {
      len = 4, c = b & 0x07, min = 0x10000;
    }
    bool ok = len > 0 && i + static_cast<size_t>(len) <= n;
    for (int k = 1; ok && k < len; ++k) {
      ok = (p[i + k] & 0xC0) == 0x80;
      c = (c << 6) | (p[i + k] & 0x3F);
    }
    ok = ok && c >= min && c <= 0x10FFFF && !(c >= 0xD800 && c <= 0xDFFF);
    TL_CHECK(ok, name, ": not valid UTF-8 at byte offset ", i);
    out.push_back(c);
    i += static_cast<size_t>(len);
  }
  return out;
}

std::string encode_utf8(std::u32string_view code_points) {
  std::string out;
  for (char32_t c : code_points) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

namespace {

std::string read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  TL_CHECK(f.good(), path, ": cannot open for reading");
  std::ostringstream ss;
  ss << f.rdbuf();
  TL_CHECK(!f.bad(), path, ": read error");
  return ss.str();
}

}  // namespace

std::string read_text_file(const std::string& path) {
  TL_CHECK(!std::filesystem::is_directory(path), path, ": is a directory, not a text file");
  std::string text = read_bytes(path);
  TL_CHECK(!text.empty(), path, ": empty text file (a language model needs some text)");
  (void)decode_utf8(text, path);
  return text;
}

std::string fortunes_corpus(const std::string& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.is_regular_file() && !entry.path().has_extension()) files.push_back(entry.path());
  TL_CHECK(!files.empty(), dir,
           ": no fortune files (install Debian's `fortunes` package, or pass --text FILE)");
  std::sort(files.begin(), files.end());
  std::string corpus;
  for (const auto& file : files) {
    const std::string text = read_text_file(file.string());
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      if (line == "%") {
        corpus += '\n';
        continue;
      }
      // Overstrike: "_\bX" underlines X and "X\bX" emboldens it; keep the letter.
      std::string plain;
      for (char ch : line) {
        if (ch == '\b') {
          if (!plain.empty()) plain.pop_back();
        } else {
          plain += ch;
        }
      }
      corpus += plain;
      corpus += '\n';
    }
  }
  return corpus;
}

Vocab Vocab::build(std::string_view text) {
  const std::u32string chars = decode_utf8(text, "text");
  std::unordered_map<char32_t, int64_t> counts;
  std::vector<char32_t> order;  // first appearance
  for (char32_t c : chars)
    if (counts[c]++ == 0) order.push_back(c);
  std::stable_sort(order.begin(), order.end(),
                   [&](char32_t a, char32_t b) { return counts[a] > counts[b]; });
  Vocab v;
  v.tokens_.push_back("<unk>");
  for (char32_t c : order) {
    v.index_[c] = v.size();
    v.tokens_.push_back(encode_utf8(std::u32string(1, c)));
  }
  return v;
}

Vocab Vocab::from_tokens(const std::vector<std::string>& tokens) {
  TL_CHECK(!tokens.empty() && tokens.front() == "<unk>",
           "Vocab: the first token must be '<unk>' (d2l's Vocab puts it at index 0)");
  Vocab v;
  v.tokens_.push_back("<unk>");
  for (size_t i = 1; i < tokens.size(); ++i) {
    const std::u32string c = decode_utf8(tokens[i], "Vocab token " + std::to_string(i));
    TL_CHECK(c.size() == 1, "Vocab: token ", i, " must be one character, got '", tokens[i], "'");
    TL_CHECK(v.index_.emplace(c[0], v.size()).second, "Vocab: token ", i, " ('", tokens[i],
             "') appears twice");
    v.tokens_.push_back(tokens[i]);
  }
  return v;
}

int64_t Vocab::index(char32_t c) const {
  auto it = index_.find(c);
  return it == index_.end() ? kUnk : it->second;
}

std::vector<int64_t> Vocab::encode(std::string_view text) const {
  std::vector<int64_t> ids;
  for (char32_t c : decode_utf8(text, "text")) ids.push_back(index(c));
  return ids;
}

std::string Vocab::decode(const std::vector<int64_t>& ids) const {
  std::string out;
  for (int64_t id : ids) {
    TL_CHECK(id >= 0 && id < size(), "Vocab: token index ", id, " is out of range for ", size(),
             " tokens");
    out += tokens_[static_cast<size_t>(id)];
  }
  return out;
}

TextWindows::TextWindows(std::vector<int64_t> tokens, int64_t context)
    : tokens_(std::move(tokens)), context_(context) {
  TL_CHECK(context_ > 0, "TextWindows: context must be positive, got ", context_);
  TL_CHECK(static_cast<int64_t>(tokens_.size()) > context_, "TextWindows: the text has ",
           tokens_.size(), " characters; a window of context ", context_, " needs at least ",
           context_ + 1);
}

int64_t TextWindows::size() const {
  return (static_cast<int64_t>(tokens_.size()) - 1) / context_;
}

Batch TextWindows::get_batch(const std::vector<int64_t>& indices) const {
  const int64_t b = static_cast<int64_t>(indices.size()), n = size();
  Tensor x = empty({b, context_}, kInt64), y = empty({b, context_}, kInt64);
  int64_t* px = x.data_ptr<int64_t>();
  int64_t* py = y.data_ptr<int64_t>();
  for (int64_t r = 0; r < b; ++r) {
    const int64_t i = indices[static_cast<size_t>(r)];
    TL_CHECK(i >= 0 && i < n, "index ", i, " is out of bounds for dataset of size ", n);
    const int64_t* src = tokens_.data() + i * context_;
    std::copy(src, src + context_, px + r * context_);
    std::copy(src + 1, src + context_ + 1, py + r * context_);
  }
  return {x, y};
}

}  // namespace torchlite::data
