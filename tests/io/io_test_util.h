// Helpers for the checkpoint tests: fixture paths, JSON fixture descriptions, bit patterns.
#pragma once

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "io/common.h"
#include "torchlite/tensor.h"
#include "io/json.h"

namespace iotest {

inline std::string fixture(const std::string& rel) {
  return std::string(TORCHLITE_FIXTURES) + "/io/" + rel;
}

inline std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline torchlite::io::detail::Json read_json(const std::string& path) {
  return torchlite::io::detail::parse_json(slurp(path), "TestJson");
}

inline torchlite::io::detail::Bytes bytes_of(const std::string& path) {
  return torchlite::io::detail::read_file(path, SIZE_MAX);
}

/// Element bit patterns, most significant digit first, as the fixture JSONs write them
/// (complex numbers as "re/im").
inline std::vector<std::string> element_hex(const std::vector<uint8_t>& raw, size_t itemsize,
                                            bool complex) {
  std::vector<std::string> out;
  const size_t unit = complex ? itemsize / 2 : itemsize;
  for (size_t i = 0; i + itemsize <= raw.size(); i += itemsize) {
    std::string s;
    for (size_t part = 0; part < itemsize; part += unit) {
      if (part) s += "/";
      for (size_t k = unit; k-- > 0;) {
        char b[3];
        std::snprintf(b, sizeof b, "%02x", raw[i + part + k]);
        s += b;
      }
    }
    out.push_back(s);
  }
  return out;
}

/// The JSON's values_hex list in element_hex's form.
inline std::vector<std::string> json_hex(const torchlite::io::detail::Json& list) {
  std::vector<std::string> out;
  for (const auto& v : list.items) {
    if (v.kind == torchlite::io::detail::Json::Kind::Array)
      out.push_back(v.items[0].text + "/" + v.items[1].text);
    else
      out.push_back(v.text);
  }
  return out;
}

/// Sum of the little-endian 8-byte chunks of each element, mod 2^64 (the JSONs' bits_sum_u64).
inline uint64_t bits_sum(const std::vector<uint8_t>& raw, size_t itemsize) {
  uint64_t s = 0;
  for (size_t i = 0; i + itemsize <= raw.size(); i += itemsize)
    for (size_t j = i; j < i + itemsize; j += 8) {
      uint64_t v = 0;
      for (size_t k = std::min(j + 8, i + itemsize); k-- > j;) v = (v << 8) | raw[k];
      s += v;
    }
  return s;
}

inline std::string to_hex(const uint8_t* p, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    char b[3];
    std::snprintf(b, sizeof b, "%02x", p[i]);
    s += b;
  }
  return s;
}

/// The tensor's elements in logical (row-major) order, as io's contiguous_bytes gathers them.
inline std::vector<uint8_t> logical_bytes(const torchlite::Tensor& t) {
  torchlite::io::detail::RawTensor r;
  r.storage = std::make_shared<torchlite::io::detail::RawStorage>();
  r.storage->elem = torchlite::io::detail::elem_from_dtype(t.dtype());
  r.storage->data = static_cast<const uint8_t*>(t.impl()->storage->data.get());
  r.storage->nbytes = t.impl()->storage->nbytes;
  r.storage->numel = r.storage->nbytes / t.element_size();
  r.offset = t.storage_offset();
  r.sizes = t.sizes();
  r.strides = t.strides();
  return torchlite::io::detail::contiguous_bytes(r);
}

}  // namespace iotest
