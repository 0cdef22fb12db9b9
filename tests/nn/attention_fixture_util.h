// Helpers of the attention and Transformer tests: tools/gen_attention_fixtures.py's inputs
// (value(), mask patterns) and comparisons against its recorded outputs and gradients.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "nn/nn_fixture_util.h"
#include "torchlite/nn/module.h"
#include "torchlite/nn/named.h"
#include "torchlite/tensor.h"

namespace attnfx {

namespace tl = torchlite;
using nlohmann::json;

using nnfx::gradcheck;
using nnfx::value;

/// True where (i * 5 + salt) % 7 < 2, never in the last dim's first column.
inline tl::Tensor bool_mask(const tl::Sizes& shape, int64_t salt) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  tl::Tensor out = tl::empty(shape, tl::kBool);
  bool* p = out.data_ptr<bool>();
  const int64_t last = shape.empty() ? 1 : shape.back();
  for (int64_t i = 0; i < n; ++i) p[i] = (i * 5 + salt) % 7 < 2 && i % last != 0;
  return out;
}

/// Padding at the end: row n of [N, S] masks its last n positions ([S]: the last one).
inline tl::Tensor left_mask(const tl::Sizes& shape) {
  tl::Tensor out = tl::empty(shape, tl::kBool);
  bool* p = out.data_ptr<bool>();
  if (shape.size() == 1) {
    for (int64_t j = 0; j < shape[0]; ++j) p[j] = j >= shape[0] - 1;
    return out;
  }
  for (int64_t n = 0; n < shape[0]; ++n)
    for (int64_t j = 0; j < shape[1]; ++j) p[n * shape[1] + j] = j >= shape[1] - n;
  return out;
}

/// The fixture's mask kind ("bool" / "left" / "float" / null) over `shape`.
inline tl::Tensor make_mask(const json& kind, const tl::Sizes& shape, int64_t salt) {
  if (kind.is_null()) return {};
  if (kind.get<std::string>() == "left") return left_mask(shape);
  if (kind.get<std::string>() == "bool") return bool_mask(shape, salt);
  return value(shape, salt) * 2.0;
}

/// A recorded tensor (hex float32 bits, or a float64 list) as a flat vector.
inline std::vector<double> numbers(const json& j) {
  std::vector<double> out;
  if (j.is_string()) {
    const std::string s = j.get<std::string>();
    for (size_t i = 0; i + 8 <= s.size(); i += 8) {
      const uint32_t bits = static_cast<uint32_t>(std::stoul(s.substr(i, 8), nullptr, 16));
      float f;
      std::memcpy(&f, &bits, 4);
      out.push_back(f);
    }
  } else {
    for (const json& v : j) out.push_back(v.get<double>());
  }
  return out;
}

/// Expects `t` to equal the recorded values within atol + rtol * |expected| (NaN equals NaN).
inline void expect_close(const tl::Tensor& t, const json& expected, const std::string& what,
                         double atol = 2e-5, double rtol = 1e-4) {
  ASSERT_TRUE(t.defined()) << what;
  const std::vector<double> want = numbers(expected);
  tl::Tensor c = t.detach().to(tl::kFloat64).contiguous();
  ASSERT_EQ(c.numel(), static_cast<int64_t>(want.size())) << what;
  const double* got = c.data_ptr<double>();
  int bad = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    const bool ok = (std::isnan(want[i]) && std::isnan(got[i])) ||
                    std::abs(got[i] - want[i]) <= atol + rtol * std::abs(want[i]);
    if (!ok && bad++ < 3) ADD_FAILURE() << what << "[" << i << "]: " << got[i] << " vs " << want[i];
  }
}

/// Checks the gradients of named inputs and of every parameter against the fixture's "grads".
inline void expect_grads(const json& grads,
                         const std::vector<std::pair<std::string, tl::Tensor>>& inputs,
                         const torchlite::nn::NamedTensors& params, double atol = 2e-5) {
  for (const auto& [name, t] : inputs) expect_close(t.grad(), grads.at(name), "grad " + name, atol);
  for (const auto& [name, p] : params) {
    const json& g = grads.at("param:" + name);
    if (g.is_null()) {
      EXPECT_FALSE(p.grad().defined()) << name;
    } else {
      expect_close(p.grad(), g, "grad " + name, atol);
    }
  }
}

/// One "init" fixture case: `m`, built right after manual_seed(seed), has PyTorch's repr,
/// state-dict keys in order, initial bits, and leaves the generator where PyTorch's did.
inline void expect_init_case(const tl::nn::Module& m, const json& c) {
  EXPECT_EQ(tl::nn::repr(m), c["repr"].get<std::string>());
  std::vector<std::string> keys;
  for (const auto& [k, v] : m.state_dict()) {
    keys.push_back(k);
    EXPECT_EQ(nnfx::hex32(v), c["bits"][k].get<std::string>()) << k;
  }
  EXPECT_EQ(keys, c["keys"].get<std::vector<std::string>>());
  EXPECT_EQ(tl::randint(0, 2147483647, {1}).item<int64_t>(), c["next"].get<int64_t>());
}

/// The error message of `f`, or "" when it does not throw torchlite::Error.
inline std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const tl::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace attnfx
