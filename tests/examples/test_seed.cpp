// examples/seed.cpp prints, character for character, what the same program prints with PyTorch
// (tests/fixtures/seed/seed_<N>.txt, from tools/gen_seed_fixtures.py) for several seeds.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  pclose(pipe);
  return out;
}

std::string read(const std::filesystem::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

TEST(SeedExample, PrintsExactlyWhatPyTorchPrints) {
  const std::filesystem::path binary = std::filesystem::path(TORCHLITE_BINARY_DIR) / "examples" / "seed";
  ASSERT_TRUE(std::filesystem::exists(binary)) << binary;
  int seeds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(TORCHLITE_FIXTURES) + "/seed")) {
    const std::string stem = entry.path().stem().string();  // seed_<N>
    const std::string seed = stem.substr(5);
    EXPECT_EQ(run(binary.string() + " " + seed), read(entry.path())) << "seed " << seed;
    ++seeds;
  }
  EXPECT_GE(seeds, 5);
}
