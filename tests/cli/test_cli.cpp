// The `torchlite` binary: a one-epoch `train` run on a tiny synthetic Fashion-MNIST (output line,
// JSONL metrics, SVG, checkpoint) and its errors for bad arguments and missing data.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "common/synthetic_mnist.h"
#include "torchlite/io/serialize.h"

namespace fs = std::filesystem;

namespace {

struct Result {
  int status = -1;
  std::string output;  // stdout and stderr
};

Result run(const std::string& args) {
  const std::string cmd = std::string(TORCHLITE_BINARY_DIR) + "/torchlite " + args + " 2>&1";
  Result r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
  const int status = pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string read(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("torchlite_cli_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "data");
    synthetic_mnist::write_split(dir_ / "data", "train", 120);
    synthetic_mnist::write_split(dir_ / "data", "t10k", 40);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

}  // namespace

TEST_F(Cli, TrainsOneEpochAndWritesMetricsPlotAndCheckpoint) {
  const Result r =
      run("train --model softmax --epochs 2 --batch-size 16 --data " + (dir_ / "data").string() +
          " --metrics " + (dir_ / "m.jsonl").string() + " --plot " + (dir_ / "c.svg").string() +
          " --save " + (dir_ / "model.pt").string() + " --threads 1");
  ASSERT_EQ(r.status, 0) << r.output;
  // off a terminal: one plain line per epoch
  const std::regex line(
      R"(epoch [12]: loss \d+\.\d{3}, train acc \d\.\d{3}, test acc \d\.\d{3}, \d+\.\d{2} s)");
  std::istringstream lines(r.output);
  std::string l;
  int epochs = 0;
  while (std::getline(lines, l)) {
    EXPECT_TRUE(std::regex_match(l, line)) << l;
    ++epochs;
  }
  EXPECT_EQ(epochs, 2);

  std::istringstream metrics(read(dir_ / "m.jsonl"));
  int rows = 0;
  while (std::getline(metrics, l)) {
    const auto j = nlohmann::ordered_json::parse(l);
    std::vector<std::string> keys;
    for (const auto& [k, v] : j.items()) keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{"epoch", "train_loss", "train_acc", "test_acc",
                                              "seconds"}));
    EXPECT_EQ(j["epoch"].get<int>(), ++rows);
    EXPECT_GT(j["train_loss"].get<double>(), 0.0);
    EXPECT_GE(j["test_acc"].get<double>(), 0.0);
    EXPECT_LE(j["test_acc"].get<double>(), 1.0);
  }
  EXPECT_EQ(rows, 2);

  const std::string svg = read(dir_ / "c.svg");
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("test acc"), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);

  const auto sd = torchlite::load((dir_ / "model.pt").string());
  std::vector<std::string> keys;
  for (const auto& [k, t] : sd) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"1.weight", "1.bias"}));
}

TEST_F(Cli, MlpLearnsTheSyntheticClasses) {
  const Result r = run("train --model mlp --hidden 32 --epochs 3 --batch-size 8 --lr 0.5 --data " +
                       (dir_ / "data").string() + " --metrics " + (dir_ / "m.jsonl").string());
  ASSERT_EQ(r.status, 0) << r.output;
  std::istringstream metrics(read(dir_ / "m.jsonl"));
  std::string l, last;
  while (std::getline(metrics, l)) last = l;
  EXPECT_GT(nlohmann::json::parse(last)["test_acc"].get<double>(), 0.5) << r.output;
}

TEST_F(Cli, SameSeedSameRunWithOrWithoutWorkersOtherSeedOtherRun) {
  const std::string base = "train --epochs 1 --batch-size 16 --data " + (dir_ / "data").string();
  const Result a = run(base + " --seed 3 --workers 0"), b = run(base + " --seed 3 --workers 2"),
               c = run(base + " --seed 4");
  ASSERT_EQ(a.status, 0) << a.output;
  auto loss = [](const std::string& out) { return out.substr(0, out.find(", train acc")); };
  EXPECT_EQ(loss(a.output), loss(b.output));
  EXPECT_NE(loss(a.output), loss(c.output));
}

TEST_F(Cli, BadArgumentsAndMissingDataFailWithAMessage) {
  Result r = run("train --model resnet");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("--model"), std::string::npos) << r.output;
  r = run("train --optimizer rmsprop");
  EXPECT_NE(r.status, 0);
  r = run("train --batch-size 0");
  EXPECT_NE(r.status, 0);
  r = run("train --data " + (dir_ / "nowhere").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("train-images-idx3-ubyte"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find((dir_ / "nowhere").string()), std::string::npos) << r.output;
  r = run("");
  EXPECT_NE(r.status, 0);
  r = run("train --help");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.output.find("--metrics"), std::string::npos);
}
