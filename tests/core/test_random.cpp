// Random draws against PyTorch 1.13: rand/randn/randint/randperm, uniform_/normal_/random_/
// bernoulli_ on every path and layout, Generator objects, errors (tools/gen_rng_fixtures.py).
#include <gtest/gtest.h>

#include <cmath>

#include "core/random_kernels.h"
#include "core/rng_vectors.h"
#include "torchlite/tensor.h"

namespace tl = torchlite;
using rngtest::json;

TEST(RandomConformance, ReferenceVectorsAvx2) {
  const json doc = rngtest::load("rng_vectors_avx2.json");
  rngtest::Tally tally("rng_vectors_avx2.json (core ops)");
  rngtest::check_vectors(doc["vectors"], tally);
}

TEST(RandomConformance, ExtraCoreVectors) {
  const json doc = rngtest::load("rng_extra.json");
  rngtest::Tally tally("rng_extra.json core");
  rngtest::check_vectors(doc["core"], tally);
}

TEST(RandomConformance, GeneratorObjects) {
  const json doc = rngtest::load("rng_extra.json");
  rngtest::Tally tally("rng_extra.json generator");
  rngtest::check_vectors(doc["generator"], tally, doc["default_seed"].get<uint64_t>());
}

// The library runs path A through a clone built for CPUs with FMA instructions; this replays
// torch's float32 randn vectors through the portable lane functions (libm fmaf), which the
// other clone uses, so that both are checked against PyTorch.
TEST(RandomConformance, PortableLanesReproduceTorchRandn) {
  const json doc = rngtest::load("rng_vectors_avx2.json");
  rngtest::Tally tally("randn float32 >= 16 through rng::avx_log/avx_sincos");
  for (const auto& v : doc["vectors"]) {
    const json& a = v["args"];
    if (v["op"] != "randn" || a["dtype"] != "float32") continue;
    const tl::Sizes shape = rngtest::sizes_of(a["shape"]);
    tl::Tensor out = tl::empty(shape);
    const int64_t n = out.numel();
    if (n < 16) continue;
    tl::Generator g(rngtest::seed_of(v["seed"]));
    float* d = out.data_ptr<float>();
    auto draw = [&](float* b, int64_t count) {
      for (int64_t i = 0; i < count; ++i) b[i] = tl::rng::unit_f32(g.random());
    };
    auto transform = [](float* b) {
      for (int j = 0; j < 8; ++j) {
        const float radius = std::sqrt(-2.0f * tl::rng::avx_log(1.0f - b[j]));
        float s = 0.0f;
        float c = 0.0f;
        tl::rng::avx_sincos(6.2831855f * b[j + 8], &s, &c);
        b[j] = radius * c;  // fma(x, 1, 0) == x: mean 0, std 1
        b[j + 8] = radius * s;
      }
    };
    draw(d, n);
    for (int64_t i = 0; i + 16 <= n; i += 16) transform(d + i);
    if (n % 16 != 0) {
      draw(d + n - 16, 16);
      transform(d + n - 16);
    }
    tally.add(rngtest::same(out, v["outputs"][0]), "randn " + a.dump());
  }
}

TEST(Generator, FirstOutputsAfterSeeding) {
  const json doc = rngtest::load("rng_vectors_avx2.json");
  for (const auto& [seed, words] : doc["mt_first_u32"].items()) {
    tl::Generator g(std::stoull(seed));
    for (const auto& w : words) {
      char buf[9];
      std::snprintf(buf, sizeof buf, "%08x", g.random());
      EXPECT_EQ(buf, w.get<std::string>()) << "seed " << seed;
    }
  }
}

TEST(Generator, SeedAndRandom64) {
  tl::Generator g(5489);
  EXPECT_EQ(g.random(), 0xd091bb5cu);  // std::mt19937's default-seed first output
  g.manual_seed(0);
  EXPECT_EQ(g.random(), 0x8c7f0aacu);
  // Only the low 32 bits seed the engine; initial_seed keeps all 64.
  tl::Generator wide((uint64_t{1} << 32) + 7);
  tl::Generator narrow(7);
  EXPECT_EQ(wide.initial_seed(), (uint64_t{1} << 32) + 7);
  const uint32_t hi = narrow.random();
  const uint32_t lo = narrow.random();
  EXPECT_EQ(wide.random64(), (uint64_t{hi} << 32) | lo);
  EXPECT_EQ(tl::Generator().initial_seed(), 67280421310721ULL);
}

TEST(Generator, CopiesShareStateAndCache) {
  tl::Generator a(1);
  tl::Generator b = a;
  const uint32_t first = a.random();
  tl::Generator fresh(1);
  EXPECT_EQ(fresh.random(), first);
  EXPECT_EQ(b.random(), fresh.random());
  tl::randn({1}, a);  // the serial path leaves the second Box-Muller value cached
  EXPECT_TRUE(b.normal_cache().has_value());
  b.manual_seed(1);
  EXPECT_FALSE(a.normal_cache().has_value());
}

TEST(Random, NormalCacheSurvivesCallsAndIsClearedBySeed) {
  // randn(1) draws a pair; the next randn(1) uses the cached half and draws nothing.
  tl::manual_seed(3);
  const tl::Tensor a = tl::randn({1}, tl::kFloat64);
  const uint32_t next = tl::default_generator().random();
  tl::manual_seed(3);
  tl::randn({1}, tl::kFloat64);
  const tl::Tensor b = tl::randn({1}, tl::kFloat64);
  EXPECT_EQ(tl::default_generator().random(), next);
  EXPECT_NE(a.item<double>(), b.item<double>());
  tl::manual_seed(3);
  EXPECT_EQ(tl::randn({1}, tl::kFloat64).item<double>(), a.item<double>());
  // The 16-wide fill path neither reads nor writes the cache.
  tl::manual_seed(3);
  tl::randn({1});
  tl::randn({16});
  EXPECT_TRUE(tl::default_generator().normal_cache().has_value());
}

TEST(Random, InPlaceBumpsVersion) {
  tl::Tensor t = tl::empty({4});
  const uint32_t v0 = t.version();
  t.uniform_();
  t.normal_();
  t.bernoulli_(0.5);
  t.random_(0, 3);
  EXPECT_EQ(t.version(), v0 + 4);
}

TEST(Random, ErrorsUsePyTorchWording) {
  auto message = [](auto&& f) -> std::string {
    try {
      f();
    } catch (const tl::Error& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(message([] { tl::empty({3}).uniform_(1, 0); }),
            "uniform_ expects to return a [from, to) range, but found from=1 > to=0");
  EXPECT_EQ(message([] { tl::empty({3}, tl::kInt64).uniform_(0, 1); }),
            "\"check_uniform_bounds\" not implemented for 'Long'");
  EXPECT_EQ(message([] { tl::empty({3}).uniform_(-3e38, 3e38); }),
            "uniform_ expects to-from <= std::numeric_limits<Float>::max(), but found to=3e+38 "
            "and from=-3e+38 which result in to-from to exceed the limit");
  EXPECT_EQ(message([] { tl::empty({3}).uniform_(-1e39, 0); }), "from is out of bounds for float");
  EXPECT_EQ(message([] { tl::empty({3}).normal_(0, -1); }),
            "normal expects std >= 0.0, but found std -1");
  EXPECT_EQ(message([] { tl::randn({3}, tl::kInt64); }),
            "\"normal_kernel_cpu\" not implemented for 'Long'");
  EXPECT_EQ(message([] { tl::empty({3}, tl::kInt64).random_(5, 5); }),
            "random_ expects 'from' to be less than 'to', but got from=5 >= to=5");
  EXPECT_EQ(message([] { tl::randint(5, 5, {3}); }),
            "random_ expects 'from' to be less than 'to', but got from=5 >= to=5");
  EXPECT_EQ(message([] { tl::empty({3}, tl::kInt32).random_(0, int64_t{1} << 40); }),
            "to - 1 is out of bounds for int");
  EXPECT_EQ(message([] { tl::empty({3}, tl::kUInt8).random_(-1, 3); }),
            "from is out of bounds for unsigned char");
  EXPECT_EQ(message([] { tl::empty({3}, tl::kInt16).random_(0, 1 << 16); }),
            "to - 1 is out of bounds for short int");
  EXPECT_EQ(message([] { tl::empty({3}).random_((int64_t{1} << 40) - 1, int64_t{1} << 40); }),
            "random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, but got "
            "from=1099511627775 >= to=1099511562240");
  EXPECT_EQ(message([] { tl::empty({3}).bernoulli_(1.5); }),
            "bernoulli_ expects p to be in [0, 1], but got p=1.5");
  EXPECT_EQ(message([] { tl::empty({3}, tl::kFloat16).bernoulli_(0.5); }),
            "\"bernoulli_scalar_cpu_\" not implemented for 'Half'");
  EXPECT_EQ(message([] { tl::randperm(-1); }),
            "Trying to create tensor with negative dimension -1: [-1]");
  EXPECT_EQ(message([] { tl::randperm(129, tl::kInt8); }),
            "value cannot be converted to type int8_t without overflow");
  EXPECT_EQ(message([] { tl::randperm(3, tl::kBool); }), "\"randperm\" not implemented for 'Bool'");
  EXPECT_EQ(message([] { tl::randperm((1 << 24) + 2, tl::kFloat32); }),
            "n cannot be greater than 2^24+1 for Float type.");
  EXPECT_EQ(message([] {
              tl::empty({3}).expand({2, 3}).uniform_();
            }),
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation.");
  EXPECT_EQ(message([] { tl::empty({3}).requires_grad_().uniform_(); }),
            "a leaf Variable that requires grad is being used in an in-place operation.");
}

TEST(Random, FailedCallsDrawNothing) {
  tl::manual_seed(8);
  const uint32_t first = tl::default_generator().random();
  tl::manual_seed(8);
  EXPECT_THROW(tl::empty({3}).uniform_(2, 1), tl::Error);
  EXPECT_THROW(tl::randint(0, 0, {3}), tl::Error);
  EXPECT_EQ(tl::default_generator().random(), first);
}
