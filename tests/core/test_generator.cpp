// Generator::position / set_position: rewinding within a seeding replays the same stream.
#include <gtest/gtest.h>

#include "torchlite/error.h"
#include "torchlite/generator.h"
#include "torchlite/tensor.h"

namespace tl = torchlite;

TEST(Generator, PositionRoundTrip) {
  tl::Generator gen(5);
  gen.random64();
  const tl::Generator::Position p = gen.position();
  EXPECT_EQ(p.offset, 2u);
  const uint32_t next = gen.random();
  for (int i = 0; i < 2000; ++i) gen.random();  // past the next 624-word block
  gen.set_position(p);
  EXPECT_EQ(gen.position().offset, 2u);
  EXPECT_EQ(gen.random(), next);
}

TEST(Generator, PositionKeepsTheCachedNormal) {
  tl::Generator gen(9);
  tl::randn({1}, gen);  // the serial path leaves Box-Muller's second value cached
  const tl::Generator::Position p = gen.position();
  ASSERT_TRUE(p.normal_cache.has_value());
  const double first = tl::randn({1}, gen, tl::kFloat64).item<double>();
  tl::randn({3}, gen);
  gen.set_position(p);
  EXPECT_EQ(tl::randn({1}, gen, tl::kFloat64).item<double>(), first);
}

TEST(Generator, PositionOfAnotherSeedingIsAnError) {
  tl::Generator gen(5);
  const tl::Generator::Position p = gen.position();
  gen.manual_seed(5);  // the same seed is still another seeding
  EXPECT_THROW(gen.set_position(p), tl::Error);
  tl::Generator other(5);
  EXPECT_THROW(other.set_position(p), tl::Error);
}
