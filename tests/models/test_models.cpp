// torchlite::models against torchvision 0.14 (tests/fixtures/models/models.json, written by
// tools/gen_models_fixtures.py): repr, state-dict keys/shapes/init bits, eval logits of
// resnet18/34/50, alexnet, vgg11_bn and mobilenet_v2.
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
#include "torchlite/models/alexnet.h"
#include "torchlite/models/mobilenet.h"
#include "torchlite/models/resnet.h"
#include "torchlite/models/vgg.h"
#include "torchlite/tensor.h"

namespace tl = torchlite;
namespace models = torchlite::models;

namespace {

nlohmann::json load() {
  std::ifstream f(std::string(TORCHLITE_FIXTURES) + "/models/models.json");
  if (!f.good()) throw std::runtime_error("missing fixture models/models.json");
  return nlohmann::json::parse(f);
}

// Sum mod 2^64 of splitmix64((i << 32) | bits(x[i])) over the float32 elements, as
// tools/gen_models_fixtures.py.
std::string tensor_hash(const tl::Tensor& t) {
  tl::Tensor c = t.detach().contiguous();
  uint64_t h = 0;
  for (int64_t i = 0; i < c.numel(); ++i) {
    uint32_t w;
    std::memcpy(&w, c.data_ptr<float>() + i, 4);
    uint64_t z = ((static_cast<uint64_t>(i) << 32) | w) + 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    h += z ^ (z >> 31);
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
      {"alexnet", [](int64_t n) { return models::alexnet({.num_classes = n}); }},
      {"vgg11_bn", [](int64_t n) { return models::vgg11_bn({.num_classes = n}); }},
      {"mobilenet_v2", [](int64_t n) { return models::mobilenet_v2({.num_classes = n}); }},
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
    if (!w["hash"].is_null())
      EXPECT_EQ(tensor_hash(tensor), w["hash"].get<std::string>()) << what << " " << name;
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
