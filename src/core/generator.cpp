// Generator: mt19937 seeded with the low 32 bits of the seed, PyTorch's CPUGeneratorImpl.
#include "torchlite/generator.h"

#include <atomic>
#include <random>

#include "torchlite/error.h"

namespace torchlite {

// std::mt19937 is exactly ATen's at::mt19937 (same init_genrand seeding, twist and tempering).
struct Generator::State {
  uint64_t seed = 0;
  uint64_t seeding = 0;
  uint64_t offset = 0;  // 32-bit outputs drawn since the seeding
  std::mt19937 engine;
  std::optional<double> normal_cache;
};

namespace {
std::atomic<uint64_t> seedings{0};
}  // namespace

Generator::Generator(uint64_t seed) : state_(std::make_shared<State>()) { manual_seed(seed); }

Generator& Generator::manual_seed(uint64_t seed) {
  state_->seed = seed;
  state_->seeding = ++seedings;
  state_->offset = 0;
  state_->engine.seed(static_cast<uint32_t>(seed));
  state_->normal_cache.reset();
  return *this;
}

uint64_t Generator::initial_seed() const { return state_->seed; }

uint32_t Generator::random() {
  ++state_->offset;
  return static_cast<uint32_t>(state_->engine());
}

uint64_t Generator::random64() {
  // Two separate statements: the first draw is the high word.
  const uint64_t hi = random();
  const uint64_t lo = random();
  return (hi << 32) | lo;
}

std::optional<double>& Generator::normal_cache() { return state_->normal_cache; }

Generator::Position Generator::position() const {
  return {state_->seeding, state_->offset, state_->normal_cache};
}

void Generator::set_position(const Position& position) {
  TL_CHECK(position.seeding == state_->seeding,
           "Generator.set_position: the position belongs to another seeding of the generator");
  // mt19937 runs only forward: reseed, then skip (libstdc++ skips whole blocks without tempering).
  state_->engine.seed(static_cast<uint32_t>(state_->seed));
  state_->engine.discard(position.offset);
  state_->offset = position.offset;
  state_->normal_cache = position.normal_cache;
}

Generator& default_generator() {
  static Generator gen;
  return gen;
}

void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }

}  // namespace torchlite
