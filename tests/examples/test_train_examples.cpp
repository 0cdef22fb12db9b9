// examples/softmax_regression, examples/mlp and examples/lenet run their ten epochs on a tiny
// synthetic dataset; the first two learn it (LeNet's sigmoids need more steps than 30: it learns
// the real dataset in tests/cli/test_lenet.cpp).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>

#include "common/synthetic_mnist.h"

namespace fs = std::filesystem;

namespace {

/// Runs examples/<name> on `data` and returns its output (empty if it failed).
std::string run_example(const std::string& name, const fs::path& data) {
  const std::string cmd =
      std::string(TORCHLITE_BINARY_DIR) + "/examples/" + name + " " + data.string() + " 2>&1";
  std::string out;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  const int status = pclose(pipe);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << name << ": " << out;
  return out;
}

void expect_ten_epochs(const std::string& out, bool learns) {
  const std::regex line(R"(epoch (\d+): loss (\d+\.\d{3}), test acc (\d\.\d{3}))");
  std::istringstream lines(out);
  std::string l;
  int epochs = 0;
  double first_loss = 0, last_loss = 0, last_acc = 0;
  while (std::getline(lines, l)) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(l, m, line)) << l;
    ++epochs;
    EXPECT_EQ(std::stoi(m[1]), epochs);
    last_loss = std::stod(m[2]);
    if (epochs == 1) first_loss = last_loss;
    last_acc = std::stod(m[3]);
  }
  EXPECT_EQ(epochs, 10);
  if (!learns) return;
  EXPECT_LT(last_loss, first_loss);
  EXPECT_GT(last_acc, 0.5);
}

}  // namespace

TEST(TrainExamples, ExamplesRunTenEpochsOnTheSyntheticData) {
  const fs::path dir = fs::temp_directory_path() / "torchlite_train_examples";
  fs::remove_all(dir);
  fs::create_directories(dir);
  synthetic_mnist::write_split(dir, "train", 600);
  synthetic_mnist::write_split(dir, "t10k", 100);
  expect_ten_epochs(run_example("softmax_regression", dir), true);
  expect_ten_epochs(run_example("mlp", dir), true);
  expect_ten_epochs(run_example("lenet", dir), false);
  fs::remove_all(dir);
}
