// Helpers shared by test_rnn.cpp and test_embedding.cpp: tolerance comparisons against the fixtures of tools/gen_rnn_fixtures.py.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "nn/nn_fixture_util.h"
#include "torchlite/tensor.h"

namespace rnnfx {

using nnfx::dtype_of;
using nnfx::sizes_of;
using nnfx::value;

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
