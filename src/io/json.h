// A strict JSON reader (RFC 8259, integers exact up to 2^64-1, bounded nesting) and the
// string escaping serde_json uses, for safetensors headers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace torchlite::io::detail {

struct JsonMember;

/// A parsed JSON value. Objects keep every member in order, duplicates included.
struct Json {
  enum class Kind : uint8_t { Null, Bool, Number, String, Array, Object };
  Kind kind = Kind::Null;
  bool b = false;
  std::string text;      // String: the decoded string; Number: the literal
  bool is_uint = false;  // Number: a non-negative integer that fits in uint64
  uint64_t u = 0;
  std::vector<Json> items;
  std::vector<JsonMember> members;

  /// The first member named `key`, or nullptr.
  const Json* find(std::string_view key) const;
  /// The number as a double (integers and fractions).
  double number() const;
};

/// One member of a JSON object.
struct JsonMember {
  std::string first;
  Json second;
};

/// Parses one JSON document surrounded by optional whitespace; throws FormatError(kind).
Json parse_json(std::string_view text, const char* kind);

/// Appends `s` as a JSON string literal, escaping like serde_json (UTF-8 kept raw).
void append_json_string(std::string& out, std::string_view s);

}  // namespace torchlite::io::detail
