// Strict JSON reader and serde_json-compatible string escaping for safetensors headers.
#include "io/json.h"

#include <cstdlib>

#include "io/common.h"

namespace torchlite::io::detail {

namespace {

constexpr int kMaxDepth = 128;           // serde_json's recursion limit
constexpr size_t kMaxValues = 1u << 22;  // bounds memory: ~4M values is ~300k tensors

class Parser {
 public:
  Parser(std::string_view s, const char* kind) : s_(s), kind_(kind) {}

  Json document() {
    ws();
    Json v = value(0);
    ws();
    if (i_ != s_.size()) error("trailing characters");
    return v;
  }

 private:
  [[noreturn]] void error(const std::string& what) {
    fail(kind_, "invalid JSON header: " + what + " at byte " + std::to_string(i_));
  }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      ++i_;
  }
  bool eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) error("unexpected token");
    i_ += word.size();
  }

  Json value(int depth) {
    if (depth >= kMaxDepth) error("nesting too deep");
    if (++count_ > kMaxValues) error("too many values");
    if (i_ >= s_.size()) error("unexpected end");
    Json v;
    const char c = s_[i_];
    if (c == '{') {
      ++i_;
      v.kind = Json::Kind::Object;
      ws();
      if (eat('}')) return v;
      for (;;) {
        ws();
        if (i_ >= s_.size() || s_[i_] != '"') error("expected a member name");
        std::string key = string();
        ws();
        if (!eat(':')) error("expected ':'");
        ws();
        Json member = value(depth + 1);
        v.members.push_back(JsonMember{std::move(key), std::move(member)});
        ws();
        if (eat(',')) continue;
        if (eat('}')) return v;
        error("expected ',' or '}'");
      }
    }
    if (c == '[') {
      ++i_;
      v.kind = Json::Kind::Array;
      ws();
      if (eat(']')) return v;
      for (;;) {
        ws();
        v.items.push_back(value(depth + 1));
        ws();
        if (eat(',')) continue;
        if (eat(']')) return v;
        error("expected ',' or ']'");
      }
    }
    if (c == '"') {
      v.kind = Json::Kind::String;
      v.text = string();
      return v;
    }
    if (c == 't' || c == 'f') {
      literal(c == 't' ? "true" : "false");
      v.kind = Json::Kind::Bool;
      v.b = c == 't';
      return v;
    }
    if (c == 'n') {
      literal("null");
      return v;
    }
    return number();
  }

  Json number() {
    const size_t start = i_;
    eat('-');
    if (i_ >= s_.size()) error("bad number");
    if (s_[i_] == '0') {
      ++i_;
    } else if (s_[i_] >= '1' && s_[i_] <= '9') {
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    } else {
      error("bad number");
    }
    bool integral = true;
    if (eat('.')) {
      integral = false;
      const size_t d = i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      if (i_ == d) error("bad number");
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      integral = false;
      ++i_;
      if (!eat('+')) eat('-');
      const size_t d = i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      if (i_ == d) error("bad number");
    }
    Json v;
    v.kind = Json::Kind::Number;
    v.text = std::string(s_.substr(start, i_ - start));
    if (integral && v.text[0] != '-') {
      uint64_t u = 0;
      bool ok = true;
      for (char ch : v.text)
        ok = ok && mul_u64(u, 10, &u) && add_u64(u, static_cast<uint64_t>(ch - '0'), &u);
      v.is_uint = ok;
      v.u = ok ? u : 0;
    }
    return v;
  }

  unsigned hex4() {
    if (s_.size() - i_ < 4) error("short \\u escape");
    unsigned r = 0;
    for (int k = 0; k < 4; ++k) {
      const char ch = s_[i_++];
      r <<= 4;
      if (ch >= '0' && ch <= '9')
        r |= static_cast<unsigned>(ch - '0');
      else if (ch >= 'a' && ch <= 'f')
        r |= static_cast<unsigned>(ch - 'a' + 10);
      else if (ch >= 'A' && ch <= 'F')
        r |= static_cast<unsigned>(ch - 'A' + 10);
      else
        error("bad \\u escape");
    }
    return r;
  }

  static void utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::string string() {
    ++i_;  // opening quote
    std::string out;
    for (;;) {
      if (i_ >= s_.size()) error("unterminated string");
      const char c = s_[i_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) error("control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) error("unterminated escape");
      const char e = s_[i_++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xDC00 && cp <= 0xDFFF) error("lone trailing surrogate");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (!eat('\\') || !eat('u')) error("lone leading surrogate");
            const unsigned lo = hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) error("bad surrogate pair");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          utf8(out, cp);
          break;
        }
        default:
          error("bad escape");
      }
    }
  }

  std::string_view s_;
  const char* kind_;
  size_t i_ = 0;
  size_t count_ = 0;
};

}  // namespace

const Json* Json::find(std::string_view key) const {
  for (const auto& [k, v] : members)
    if (k == key) return &v;
  return nullptr;
}

double Json::number() const { return std::strtod(text.c_str(), nullptr); }

Json parse_json(std::string_view text, const char* kind) { return Parser(text, kind).document(); }

void append_json_string(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out += hex[u >> 4];
          out += hex[u & 15];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

}  // namespace torchlite::io::detail
