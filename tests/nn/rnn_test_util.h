// Helpers shared by test_rnn.cpp and test_embedding.cpp: the generator's value() and tolerance
// comparisons against the fixtures of tools/gen_rnn_fixtures.py.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "nn/nn_fixture_util.h"
#include "torchlite/tensor.h"

namespace rnnfx {

inline torchlite::Dtype dtype_of(const nlohmann::json& j) {
  return j == "float32" ? torchlite::kFloat32 : torchlite::kFloat64;
}

inline torchlite::Sizes sizes_of(const nlohmann::json& j) {
  torchlite::Sizes s;
  for (const auto& v : j) s.push_back(v.get<int64_t>());
  return s;
}

/// The generator's value(): ((i * 7919 + salt * 104729) mod 2003) / 1001 - 1, in float64, then
/// rounded to `dtype`.
inline torchlite::Tensor value(const torchlite::Sizes& shape, int64_t salt,
                               torchlite::Dtype dtype) {
  torchlite::Tensor t = torchlite::empty(shape, torchlite::kFloat64);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.data_ptr<double>()[i] = static_cast<double>((i * 7919 + salt * 104729) % 2003) / 1001.0 - 1.0;
  return t.to(dtype);
}

/// Tolerance for comparing with a fixture of `dtype` (the fixtures keep 8 or 11 digits).
inline double tol_of(torchlite::Dtype dtype) { return dtype == torchlite::kFloat32 ? 2e-5 : 1e-9; }

/// Expects `actual` to hold the listed values within tol + tol * |expected|.
inline void expect_values(const torchlite::Tensor& actual, const nlohmann::json& expected,
                          double tol, const std::string& what) {
  ASSERT_TRUE(actual.defined()) << what;
  const torchlite::Tensor a = actual.detach().contiguous().to(torchlite::kFloat64);
  ASSERT_EQ(static_cast<size_t>(a.numel()), expected.size()) << what;
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double e = expected[i].get<double>();
    ASSERT_NEAR(a.data_ptr<double>()[i], e, tol + tol * std::abs(e)) << what << " [" << i << "]";
  }
}

}  // namespace rnnfx
