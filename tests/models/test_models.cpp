// torchlite::models against torchvision 0.14 (tests/fixtures/models/models.json, written by
// tools/gen_models_fixtures.py): repr, state-dict keys/shapes/init bits, eval logits.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "torchlite/generator.h"
#include "torchlite/models/resnet.h"
#include "torchlite/tensor.h"

namespace tl = torchlite;
namespace models = torchlite::models;

namespace {

nlohmann::json load() {
  std::ifstream f(std::string(TORCHLITE_FIXTURES) + "/models/models.json");
  if (!f.good()) throw std::runtime_error("missing fixture models/models.json");
  return nlohmann::json::parse(f);
}

// FNV-1a 64 over the little-endian float32 bytes, as tools/gen_models_fixtures.py.
std::string fnv1a64(const tl::Tensor& t) {
  tl::Tensor c = t.detach().contiguous();
  uint64_t h = 0xcbf29ce484222325ULL;
  for (int64_t i = 0; i < c.numel(); ++i) {
    uint32_t w;
    std::memcpy(&w, c.data_ptr<float>() + i, 4);
    for (int b = 0; b < 4; ++b) {
      h ^= (w >> (8 * b)) & 0xff;
      h *= 0x100000001b3ULL;
    }
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

using Factory = std::function<std::shared_ptr<tl::nn::Module>(int64_t num_classes)>;

const std::map<std::string, Factory>& factories() {
  static const std::map<std::string, Factory> f = {
      {"resnet18", [](int64_t n) { return models::resnet18({.num_classes = n}); }},
      {"resnet34", [](int64_t n) { return models::resnet34({.num_classes = n}); }},
      {"resnet50", [](int64_t n) { return models::resnet50({.num_classes = n}); }},
  };
  return f;
}

void check_case(const nlohmann::json& c) {
  const std::string what = c["model"].get<std::string>() + " seed " + c["seed"].dump();
  tl::manual_seed(c["seed"].get<uint64_t>());
  auto model = factories().at(c["model"].get<std::string>())(c["num_classes"].get<int64_t>());

  std::ostringstream repr;
  repr << *model;
  EXPECT_EQ(repr.str(), c["repr"].get<std::string>()) << what;

  auto state = model->state_dict();
  const auto& want = c["state"];
  ASSERT_EQ(state.size(), want.size()) << what;
  size_t i = 0;
  for (const auto& [name, tensor] : state) {
    const auto& w = want[i++];
    EXPECT_EQ(name, w["name"].get<std::string>()) << what;
    std::vector<int64_t> shape(tensor.sizes().begin(), tensor.sizes().end());
    EXPECT_EQ(shape, w["shape"].get<std::vector<int64_t>>()) << what << " " << name;
    if (!w["fnv"].is_null())
      EXPECT_EQ(fnv1a64(tensor), w["fnv"].get<std::string>()) << what << " " << name;
  }

  tl::manual_seed(c["input_seed"].get<uint64_t>());
  tl::Tensor x = tl::randn({1, 3, 64, 64});
  model->eval();
  tl::NoGradGuard no_grad;
  tl::Tensor logits = model->forward(x);
  const auto want_logits = c["logits"].get<std::vector<double>>();
  ASSERT_EQ(logits.numel(), static_cast<int64_t>(want_logits.size())) << what;
  double scale = 0;
  for (double v : want_logits) scale = std::max(scale, std::abs(v));
  for (size_t k = 0; k < want_logits.size(); ++k)
    EXPECT_NEAR(logits[0][k].item_double(), want_logits[k], 1e-4 * scale) << what << " logit " << k;
}

TEST(Models, MatchTorchvision) {
  for (const auto& c : load()) check_case(c);
}

}  // namespace
