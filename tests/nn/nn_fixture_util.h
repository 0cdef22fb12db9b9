// Helpers shared by the nn tests: the PyTorch fixtures under tests/fixtures/nn/ and the text and
// bits they record, the fixture generators' value(), and a finite-difference gradient check.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "torchlite/tensor.h"

namespace nnfx {

/// tests/fixtures/nn/<name>, parsed.
inline nlohmann::json load(const std::string& name) {
  std::ifstream f(std::string(TORCHLITE_FIXTURES) + "/nn/" + name);
  if (!f.good()) throw std::runtime_error("missing fixture " + name);
  return nlohmann::json::parse(f);
}

/// What `std::cout << t` prints (PyTorch's repr).
inline std::string str(const torchlite::Tensor& t) {
  std::ostringstream os;
  os << t;
  return os.str();
}

/// A float32 tensor's bits, 8 hex digits per element in row-major order.
inline std::string hex32(const torchlite::Tensor& t) {
  torchlite::Tensor c = t.detach().contiguous();
  std::string out;
  char buf[9];
  for (int64_t i = 0; i < c.numel(); ++i) {
    uint32_t bits;
    std::memcpy(&bits, c.data_ptr<float>() + i, 4);
    std::snprintf(buf, sizeof buf, "%08x", bits);
    out += buf;
  }
  return out;
}

/// A fixture's dtype name ("float32" or "float64") and shape list.
inline torchlite::Dtype dtype_of(const nlohmann::json& j) {
  return j == "float32" ? torchlite::kFloat32 : torchlite::kFloat64;
}
inline torchlite::Sizes sizes_of(const nlohmann::json& j) {
  torchlite::Sizes s;
  for (const auto& v : j) s.push_back(v.get<int64_t>());
  return s;
}

/// The fixture generators' value(): ((i * 7919 + salt * 104729) mod 2003) / 1001 - 1 for the
/// row-major index i, in float64, then rounded to `dtype`.
inline torchlite::Tensor value(const torchlite::Sizes& shape, int64_t salt,
                               torchlite::Dtype dtype = torchlite::kFloat32) {
  torchlite::Tensor t = torchlite::empty(shape, torchlite::kFloat64);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.data_ptr<double>()[i] = static_cast<double>((i * 7919 + salt * 104729) % 2003) / 1001.0 - 1.0;
  return t.to(dtype);
}

/// Compares backward() with central differences of sum(f() * up) for every float64 leaf that
/// requires grad, within tol + tol * |numeric|.
inline void gradcheck(const std::string& name, const std::function<torchlite::Tensor()>& f,
                      const std::vector<torchlite::Tensor>& leaves, double tol = 1e-6) {
  for (torchlite::Tensor l : leaves)
    if (l.defined()) l.set_grad({});
  torchlite::Tensor y = f();
  const torchlite::Tensor up = value(y.sizes(), 9, torchlite::kFloat64);
  (y * up).sum().backward();
  const double eps = 1e-6;
  for (size_t k = 0; k < leaves.size(); ++k) {
    torchlite::Tensor x = leaves[k];
    if (!x.defined() || !x.requires_grad()) continue;
    ASSERT_TRUE(x.grad().defined()) << name << " input " << k;
    const torchlite::Tensor analytic = x.grad().contiguous();
    torchlite::NoGradGuard no_grad;
    for (int64_t i = 0; i < x.numel(); ++i) {
      double* p = x.data_ptr<double>() + i;
      const double orig = *p;
      *p = orig + eps;
      const double plus = (f() * up).sum().item<double>();
      *p = orig - eps;
      const double minus = (f() * up).sum().item<double>();
      *p = orig;
      const double numeric = (plus - minus) / (2 * eps);
      EXPECT_NEAR(analytic.data_ptr<double>()[i], numeric, tol + tol * std::abs(numeric))
          << name << " input " << k << " element " << i;
    }
  }
}

/// The same for a function of `inputs`.
inline void gradcheck(
    const std::string& name,
    const std::function<torchlite::Tensor(const std::vector<torchlite::Tensor>&)>& f,
    const std::vector<torchlite::Tensor>& inputs, double tol = 1e-6) {
  gradcheck(name, [&] { return f(inputs); }, inputs, tol);
}

}  // namespace nnfx
