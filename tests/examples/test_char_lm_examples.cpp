// examples/char_lstm and examples/char_gpt run end to end on a small text: a few training steps,
// then 300 sampled characters after "The " (their training is checked against PyTorch through
// the same models in tests/cli/test_char_lm.cpp).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace {

/// Runs examples/<name> on the char_lm fixture text for `steps` steps: (exit status, stdout).
std::pair<int, std::string> run_example(const std::string& name, int steps) {
  const std::string cmd = std::string(TORCHLITE_BINARY_DIR) + "/examples/" + name + " " +
                          TORCHLITE_FIXTURES + "/char_lm/text.txt " + std::to_string(steps);
  std::string out;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return {-1, out};
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace

TEST(CharLMExamples, TrainAndGenerate) {
  for (const char* name : {"char_lstm", "char_gpt"}) {
    const auto [status, out] = run_example(name, 3);
    EXPECT_EQ(status, 0) << name;
    EXPECT_NE(out.find("\nThe "), std::string::npos) << name << ": " << out;
    EXPECT_GT(out.size(), 300u) << name << ": " << out;
  }
}
