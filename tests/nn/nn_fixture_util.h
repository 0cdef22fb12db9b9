// Helpers shared by the nn tests: the PyTorch fixtures under tests/fixtures/nn/ and the text and
// bits they record.
#pragma once

#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>

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

}  // namespace nnfx
