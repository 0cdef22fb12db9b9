// Shared helpers for the printing conformance tests: load PyTorch fixtures, rebuild tensors.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "torchlite/autograd/node.h"
#include "torchlite/printing.h"
#include "torchlite/tensor.h"

namespace print_fixture {

using nlohmann::json;

/// Parses tests/fixtures/printing/<name>.
inline json load(const std::string& name) {
  const std::string path = std::string(TORCHLITE_FIXTURES) + "/printing/" + name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open fixture " + path);
  return json::parse(in);
}

/// The cases of `kind` from every printing fixture file.
inline std::vector<json> cases(const std::string& kind) {
  std::vector<json> out;
  for (const char* file : {"print_vectors_public.json", "print_fixtures_extra.json"}) {
    for (const json& c : load(file)) {
      if (c.at("kind") == kind) out.push_back(c);
    }
  }
  return out;
}


/// Writes the fixture's hex bit patterns (row-major) into `dst`, element_size bytes each.
inline void write_bits(const json& bits, size_t element_size, char* dst) {
  for (size_t i = 0; i < bits.size(); ++i) {
    const uint64_t v = std::stoull(bits[i].get<std::string>(), nullptr, 16);
    // Little-endian host: the low bytes of v are the element's bytes.
    std::memcpy(dst + i * element_size, &v, element_size);
  }
}

/// A contiguous tensor with the case's dtype, shape and exact element bits.
inline torchlite::Tensor tensor_from_bits(const json& c) {
  const torchlite::Sizes shape = c.at("shape").get<std::vector<int64_t>>();
  torchlite::Tensor t = torchlite::empty(shape, torchlite::dtype_from_name(c.at("dtype")));
  if (t.numel() > 0) write_bits(c.at("bits"), t.element_size(), static_cast<char*>(t.raw_data()));
  return t;
}

/// Applies the case's requires_grad / Parameter / grad_fn flags (absent flags mean false).
inline torchlite::Tensor with_flags(torchlite::Tensor t, const json& c) {
  if (c.value("requires_grad", false)) t.requires_grad_(true);
  if (c.value("is_parameter", false)) t.impl()->is_parameter = true;
  if (c.contains("grad_fn") && !c.at("grad_fn").is_null()) {
    t.impl()->requires_grad = true;
    t.impl()->grad_fn = torchlite::autograd::make_named_node(c.at("grad_fn").get<std::string>());
  }
  return t;
}

/// The print options a tensor case asks for (PyTorch defaults when absent).
inline torchlite::PrintOptions options_of(const json& c) {
  torchlite::PrintOptions o;
  if (!c.contains("options")) return o;
  const json& j = c.at("options");
  o.precision = j.at("precision").get<int>();
  o.threshold = j.at("threshold").get<int64_t>();
  o.edgeitems = j.at("edgeitems").get<int64_t>();
  o.linewidth = j.at("linewidth").get<int64_t>();
  if (!j.at("sci_mode").is_null()) o.sci_mode = j.at("sci_mode").get<bool>();
  return o;
}

/// One-line comparison: passes when equal, else shows both texts and the first difference.
inline ::testing::AssertionResult same_text(const std::string& got, const std::string& expected) {
  if (got == expected) return ::testing::AssertionSuccess();
  size_t i = 0;
  while (i < got.size() && i < expected.size() && got[i] == expected[i]) ++i;
  return ::testing::AssertionFailure() << "first difference at char " << i << "\n--- got:\n"
                                       << got << "\n--- expected (PyTorch):\n" << expected;
}

/// Counts passing cases, reports the first few failures, and prints "N/M cases pass".
class Tally {
 public:
  explicit Tally(std::string what, std::string skip_reason = "skipped")
      : what_(std::move(what)), skip_reason_(std::move(skip_reason)) {}
  void check(const std::string& id, const std::string& got, const std::string& expected) {
    ++total_;
    ::testing::AssertionResult r = same_text(got, expected);
    if (r) {
      ++passed_;
    } else if (++failed_ <= 5) {
      ADD_FAILURE() << what_ << " case " << id << ": " << r.message();
    }
  }
  void skip() { ++skipped_; }
  int total() const { return total_; }
  ~Tally() {
    std::cout << "[ printing ] " << what_ << ": " << passed_ << "/" << total_ << " cases pass";
    if (skipped_ > 0) std::cout << " (" << skipped_ << " " << skip_reason_ << ")";
    std::cout << std::endl;
    EXPECT_GT(total_, 0) << what_ << ": no case was checked";
    EXPECT_EQ(passed_, total_) << what_ << ": " << failed_ << " case(s) differ from PyTorch";
  }

 private:
  std::string what_;
  std::string skip_reason_;
  int total_ = 0, passed_ = 0, failed_ = 0, skipped_ = 0;
};

}  // namespace print_fixture
