// nn::utils::fuse_conv_bn_weights against torch.nn.utils.fusion's (tests/fixtures/nn/fusion.json,
// written by tools/gen_fusion_fixtures.py): with and without a convolution bias, and transposed.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "torchlite/nn/fusion.h"

namespace tl = torchlite;

namespace {

tl::Tensor from_json(const nlohmann::json& j) {
  if (j.is_null()) return {};
  std::vector<float> data = j["data"].get<std::vector<float>>();
  const auto shape = j["shape"].get<std::vector<int64_t>>();
  return tl::from_blob(data.data(), tl::Sizes(shape.begin(), shape.end())).clone();
}

TEST(Fusion, FuseConvBnWeightsMatchesPyTorch) {
  std::ifstream f(std::string(TORCHLITE_FIXTURES) + "/nn/fusion.json");
  ASSERT_TRUE(f.good()) << "missing fixture nn/fusion.json";
  for (const auto& c : nlohmann::json::parse(f)) {
    auto [w, b] = tl::nn::utils::fuse_conv_bn_weights(
        from_json(c["conv_w"]), from_json(c["conv_b"]), from_json(c["rm"]), from_json(c["rv"]),
        c["eps"].get<double>(), from_json(c["bn_w"]), from_json(c["bn_b"]),
        c["transpose"].get<bool>());
    const tl::Tensor want_w = from_json(c["w"]), want_b = from_json(c["b"]);
    EXPECT_EQ(w.sizes(), want_w.sizes());
    EXPECT_FALSE(w.requires_grad());
    // Elementwise float32 ops in PyTorch's order: equal up to the last bit of rsqrt.
    EXPECT_TRUE(w.allclose(want_w, 1e-6, 1e-7)) << w << "\n" << want_w;
    EXPECT_TRUE(b.allclose(want_b, 1e-6, 1e-7)) << b << "\n" << want_b;
  }
}

}  // namespace
