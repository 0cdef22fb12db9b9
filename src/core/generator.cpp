// Generator: mt19937 seeded with the low 32 bits of the seed, PyTorch's CPUGeneratorImpl.
#include "torchlite/generator.h"

#include <random>

namespace torchlite {

// std::mt19937 is exactly ATen's at::mt19937 (same init_genrand seeding, twist and tempering).
struct Generator::State {
  uint64_t seed = 0;
  std::mt19937 engine;
  std::optional<double> normal_cache;
};

Generator::Generator(uint64_t seed) : state_(std::make_shared<State>()) { manual_seed(seed); }

Generator& Generator::manual_seed(uint64_t seed) {
  state_->seed = seed;
  state_->engine.seed(static_cast<uint32_t>(seed));
  state_->normal_cache.reset();
  return *this;
}

uint64_t Generator::initial_seed() const { return state_->seed; }

uint32_t Generator::random() { return static_cast<uint32_t>(state_->engine()); }

uint64_t Generator::random64() {
  // Two separate statements: the first draw is the high word.
  const uint64_t hi = random();
  const uint64_t lo = random();
  return (hi << 32) | lo;
}

std::optional<double>& Generator::normal_cache() { return state_->normal_cache; }

Generator& default_generator() {
  static Generator gen;
  return gen;
}

void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }

}  // namespace torchlite
