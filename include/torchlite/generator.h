// Generator: PyTorch's CPU random engine (mt19937 seeded from 32 bits), bit for bit.
// Mirrors https://pytorch.org/docs/stable/generated/torch.Generator.html
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

namespace torchlite {

/// A handle to a random engine; copies share the state, like torch.Generator objects.
/// Not synchronised: use one generator from one thread at a time.
class Generator {
 public:
  /// PyTorch's default seed (67280421310721) unless given.
  explicit Generator(uint64_t seed = 67280421310721ULL);

  /// Reseeds (the engine uses seed mod 2^32) and drops the cached normal sample.
  Generator& manual_seed(uint64_t seed);
  /// The 64-bit value last passed to manual_seed.
  uint64_t initial_seed() const;

  /// Next tempered 32-bit output.
  uint32_t random();
  /// Two 32-bit outputs, the first one as the high word.
  uint64_t random64();

  /// Box-Muller's second value, kept between calls of the serial normal path.
  std::optional<double>& normal_cache();

  /// A place in the stream: which seeding, how many 32-bit outputs since it, the cached normal.
  struct Position {
    uint64_t seeding = 0;  // unique per manual_seed call, across all generators
    uint64_t offset = 0;
    std::optional<double> normal_cache;
  };
  /// Where the engine stands now; cheap (no copy of the engine).
  Position position() const;
  /// Returns to a position of the current seeding by replaying from the seed (cost: its offset).
  void set_position(const Position& position);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

/// The process-wide generator used when no generator is passed.
Generator& default_generator();

/// Seeds the default generator, like torch.manual_seed.
void manual_seed(uint64_t seed);

}  // namespace torchlite
