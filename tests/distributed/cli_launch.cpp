// `torchlite train --distributed` on a tiny synthetic Fashion-MNIST, launched by mpirun on 2 ranks
// and without a launcher (a world of one): one rank prints and writes; errors end the job.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "common/synthetic_mnist.h"

namespace fs = std::filesystem;

namespace {

struct Result {
  int status = -1;
  std::string output;  // stdout and stderr
};

Result run(const std::string& cmd) {
  Result r;
  FILE* pipe = popen((cmd + " 2>&1").c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
  const int status = pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

class DistributedCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("torchlite_ddp_cli_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "data");
    synthetic_mnist::write_split(dir_ / "data", "train", 120);
    synthetic_mnist::write_split(dir_ / "data", "t10k", 40);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string train(const std::string& extra, const std::string& data = "data") const {
    return std::string(TORCHLITE_BINARY_DIR) + "/torchlite train --model mlp --hidden 16 " +
           "--epochs 2 --distributed --data " + (dir_ / data).string() + " " + extra;
  }
  fs::path dir_;
};

const std::string kMpirun = std::string(MPIEXEC) + " --oversubscribe --allow-run-as-root -np 2 ";

}  // namespace

TEST_F(DistributedCli, TwoRanksPrintAndSaveOnce) {
  const Result r = run(kMpirun + train("--batch-size 16 --save " + (dir_ / "m.pt").string() +
                                       " --metrics " + (dir_ / "m.jsonl").string()));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(count(r.output, "epoch 1:"), 1) << r.output;
  EXPECT_EQ(count(r.output, "epoch 2:"), 1) << r.output;
  EXPECT_TRUE(std::regex_search(r.output, std::regex(R"(test acc \d\.\d{3})")));
  EXPECT_TRUE(fs::exists(dir_ / "m.pt"));
  std::ifstream metrics(dir_ / "m.jsonl");
  std::string line;
  int lines = 0;
  while (std::getline(metrics, line)) ++lines;
  EXPECT_EQ(lines, 2);
}

TEST_F(DistributedCli, WithoutLauncherIsAWorldOfOne) {
  const Result r = run(train("--batch-size 16"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(count(r.output, "epoch 2:"), 1) << r.output;
}

TEST_F(DistributedCli, ErrorsEndTheJob) {
  Result r = run(kMpirun + train("--batch-size 15"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("--batch-size 15 must be a multiple of the number of processes (2)"),
            std::string::npos)
      << r.output;
  r = run(kMpirun + train("--batch-size 16", "missing"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find(": error: "), std::string::npos) << r.output;
}
