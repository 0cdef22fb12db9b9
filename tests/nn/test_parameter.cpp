// nn::Parameter against PyTorch: printing, leaf-ness, shared storage, register_parameter.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nn/nn_fixture_util.h"
#include "torchlite/torchlite.h"

namespace tl = torchlite;
namespace nn = torchlite::nn;

namespace {

using nnfx::load;
using nnfx::str;
using nnfx::hex32;

/// PyTorch's way of writing a custom module, in C++.
class Custom : public nn::Module {
 public:
  Custom() : Module("Custom") {
    weight = register_parameter("weight", nn::Parameter(tl::randn({3, 4})));
    frozen = register_parameter("frozen", nn::Parameter(tl::randn({2}), /*requires_grad=*/false));
  }
  tl::Tensor weight, frozen;
};

}  // namespace

TEST(Parameter, PrintsLikePyTorch) {
  auto fx = load("parameter.json");
  for (const auto& c : fx["print"]) {
    tl::manual_seed(c["seed"].get<uint64_t>());
    const tl::Dtype dtype = c["dtype"] == "float64" ? tl::kFloat64 : tl::kFloat32;
    tl::Tensor p = nn::Parameter(tl::randn({2, 3}, dtype), c["requires_grad"].get<bool>());
    EXPECT_EQ(str(p), c["expected"].get<std::string>());
  }
  EXPECT_EQ(str(nn::Parameter()), fx["empty"].get<std::string>());
}

TEST(Parameter, IsALeafSharingStorage) {
  tl::Tensor x = tl::randn({3}).requires_grad_();
  tl::Tensor y = x * 2;
  tl::Tensor p = nn::Parameter(y);
  EXPECT_TRUE(p.is_leaf());
  EXPECT_TRUE(p.requires_grad());
  EXPECT_EQ(p.grad_fn(), nullptr);
  EXPECT_FALSE(y.impl()->is_parameter);  // the data tensor itself is left as it was
  {
    tl::NoGradGuard no_grad;
    p.fill_(5.0);
  }
  EXPECT_EQ(y.data_ptr<float>()[0], 5.0f);  // same storage, as PyTorch's Parameter
  tl::Tensor frozen = nn::Parameter(tl::ones({2}), false);
  EXPECT_FALSE(frozen.requires_grad());
  EXPECT_TRUE(frozen.is_leaf());
  // A Parameter trains: gradients reach it as a leaf.
  (p * p).sum().backward();
  ASSERT_TRUE(p.grad().defined());
  EXPECT_EQ(p.grad().data_ptr<float>()[0], 10.0f);
  EXPECT_THROW(nn::Parameter(tl::arange(3)), tl::Error);  // integers cannot require grad
}

TEST(Parameter, RegisterParameterKeepsIt) {
  auto fx = load("parameter.json")["custom"];
  tl::manual_seed(fx["seed"].get<uint64_t>());
  auto m = std::make_shared<Custom>();
  EXPECT_EQ(nn::repr(*m), fx["repr"].get<std::string>());
  auto params = m->named_parameters();
  ASSERT_EQ(params.size(), fx["names"].size());
  for (size_t i = 0; i < params.size(); ++i) {
    EXPECT_EQ(params[i].first, fx["names"][i].get<std::string>());
    EXPECT_EQ(params[i].second.requires_grad(), fx["requires_grad"][i].get<bool>());
    EXPECT_EQ(hex32(params[i].second), fx["values"][i].get<std::string>());
  }
  EXPECT_TRUE(params[0].second.is_same(m->weight));
  EXPECT_EQ(m->state_dict().keys(), fx["state_dict"].get<std::vector<std::string>>());
  EXPECT_EQ(str(m->weight), fx["print_weight"].get<std::string>());
  // An explicit flag still wins; a plain tensor still becomes a trainable parameter.
  m->register_parameter("frozen", m->frozen, true);
  EXPECT_TRUE(m->frozen.requires_grad());
  tl::Tensor& plain = m->register_parameter("plain", tl::zeros({1}));
  EXPECT_TRUE(plain.requires_grad());
  EXPECT_TRUE(plain.impl()->is_parameter);
}
