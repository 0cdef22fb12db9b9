// Reading the training fixtures (tools/gen_train_fixtures.py) into tensors, and comparing.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "torchlite/nn/activation.h"
#include "torchlite/nn/linear.h"
#include "torchlite/nn/sequential.h"
#include "torchlite/tensor.h"

namespace train_fixtures {

using nlohmann::json;

/// tests/fixtures/train/<name>, parsed.
inline json load(const std::string& name) {
  const std::string path = std::string(TORCHLITE_FIXTURES) + "/train/" + name;
  std::ifstream f(path);
  EXPECT_TRUE(f.good()) << "missing fixture " << path;
  return json::parse(f)["cases"];
}


/// A fixture tensor {"shape", "dtype", "data"} as a new contiguous tensor.
inline torchlite::Tensor to_tensor(const json& j) {
  torchlite::Sizes shape;
  for (const auto& s : j["shape"]) shape.push_back(s.get<int64_t>());
  const torchlite::Dtype dtype = torchlite::dtype_from_name(j["dtype"].get<std::string>());
  torchlite::Tensor t = torchlite::empty(shape, dtype);
  const auto& data = j["data"];
  for (size_t i = 0; i < data.size(); ++i) {
    if (dtype == torchlite::kInt64) {
      t.data_ptr<int64_t>()[i] = data[i].get<int64_t>();
      continue;
    }
    const double v = data[i].is_string() ? std::strtod(data[i].get<std::string>().c_str(), nullptr)
                                         : data[i].get<double>();
    if (dtype == torchlite::kFloat64)
      t.data_ptr<double>()[i] = v;
    else
      t.data_ptr<float>()[i] = static_cast<float>(v);
  }
  return t;
}

/// Expects equal shapes and |a - e| <= atol + rtol |e| elementwise (nan matches nan).
inline void expect_close(const torchlite::Tensor& actual, const json& expected, double rtol,
                         double atol, const std::string& what) {
  const torchlite::Tensor e = to_tensor(expected);
  ASSERT_EQ(actual.sizes(), e.sizes()) << what;
  const torchlite::Tensor a = actual.contiguous().to(torchlite::kFloat64);
  const torchlite::Tensor ed = e.to(torchlite::kFloat64);
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double av = a.data_ptr<double>()[i], ev = ed.data_ptr<double>()[i];
    if (std::isnan(ev)) {
      EXPECT_TRUE(std::isnan(av)) << what << " [" << i << "]";
      continue;
    }
    const double err = std::abs(av - ev);
    EXPECT_LE(err, atol + rtol * std::abs(ev)) << what << " [" << i << "]: " << av << " vs " << ev;
  }
}

/// tests/fixtures/train/optim.json, read once.
inline const json& optim_fixture() {
  static const json f = load("optim.json");
  return f;
}

/// The optimizer fixture's net: manual_seed(seed), then Sequential(Linear(6, 8), ReLU(),
/// Linear(8, 3)). Braces: list-initialisation builds the layers left to right, drawing in
/// Python's order (parentheses leave the order to the compiler; GCC goes right to left).
inline torchlite::nn::Sequential make_optim_net() {
  namespace nn = torchlite::nn;
  torchlite::manual_seed(optim_fixture()["seed"].get<uint64_t>());
  return nn::Sequential{nn::Linear(6, 8), nn::ReLU(), nn::Linear(8, 3)};
}

}  // namespace train_fixtures
