// `torchlite train --model char-lstm|char-gpt` and `torchlite generate` against PyTorch 1.13
// (tests/fixtures/char_lm, tools/gen_char_lm_fixtures.py, twins in bench/char_lm_torch.py):
// checkpoints torch.save()d in Python generate PyTorch's greedy text exactly, 25 training steps
// follow PyTorch's losses, what torchlite saves loads strictly in torch, and bad input is an error.
#include <gtest/gtest.h>
#include <unistd.h>
#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "torchlite/io/serialize.h"
#include "torchlite/tensor.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::string kFixtures = std::string(TORCHLITE_FIXTURES) + "/char_lm/";
const std::string kBench = std::string(TORCHLITE_FIXTURES) + "/../../bench";

struct Result {
  int status;
  std::string out;  // stdout
  std::string err;  // stderr
};

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

/// Runs a shell command, capturing stdout and stderr.
Result sh(const std::string& command) {
  // One file per process: CTest runs this binary's tests side by side.
  const fs::path err = fs::temp_directory_path() /
                       ("torchlite_char_lm_stderr_" + std::to_string(getpid()) + ".txt");
  const std::string full = command + " 2>" + err.string();
  std::string out;
  FILE* pipe = popen(full.c_str(), "r");
  if (!pipe) return {-1, "", "popen failed"};
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out, slurp(err)};
}

/// `torchlite <args>`.
Result cli(const std::string& args) {
  return sh(std::string(TORCHLITE_BINARY_DIR) + "/torchlite " + args);
}

json fixture() {
  std::ifstream f(kFixtures + "char_lm.json");
  EXPECT_TRUE(f.good()) << "missing fixture char_lm/char_lm.json";
  return json::parse(f);
}

/// The training options of the fixture's run of `model`.
std::string train_options(const json& all, const std::string& model) {
  const json& c = all[model]["config"];
  return "train --model " + model + " --text " + kFixtures + "text.txt --context " +
         std::to_string(c["context"].get<int>()) + " --d-model " +
         std::to_string(c["d_model"].get<int>()) + " --hidden " +
         std::to_string(c["hidden"].get<int>()) + " --layers " +
         std::to_string(c["layers"].get<int>()) + " --heads " +
         std::to_string(c["heads"].get<int>()) + " --batch-size " +
         std::to_string(all["batch_size"].get<int>()) + " --lr " +
         std::to_string(all["lr"].get<double>()) + " --epochs 1000 --seed 0";
}

class CharLM : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST_P(CharLM, GreedyGenerationFromAPyTorchCheckpointEqualsPyTorchs) {
  const json all = fixture();
  const std::string prompt = all["prompt"];
  const Result r = cli("generate --checkpoint " + kFixtures + GetParam() +
                             ".pt --prompt '" + prompt + "' --tokens 100 --temperature 0");
  ASSERT_EQ(r.status, 0) << r.err;
  // Exact text is safe only while no greedy step is a near tie on PyTorch's side (GEMM results
  // differ in the last bits between CPUs): the fixture records the smallest top-2 gap.
  EXPECT_GT(all[GetParam()]["min_top2_gap"].get<double>(), 1e-3);
  EXPECT_EQ(r.out, prompt + all[GetParam()]["generated"].get<std::string>() + "\n");
}

TEST_P(CharLM, TwentyFiveStepsFollowPyTorchsLosses) {
  const json all = fixture();
  const fs::path dir = fs::temp_directory_path() / ("torchlite_test_" + GetParam());
  fs::remove_all(dir);
  fs::create_directories(dir);
  const Result r = cli(train_options(all, GetParam()) + " --steps 25 --step-losses " +
                             (dir / "steps.txt").string() + " --metrics " +
                             (dir / "metrics.jsonl").string() + " --save " +
                             (dir / "model.pt").string());
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  std::ifstream steps(dir / "steps.txt");
  std::vector<double> losses;
  for (double v; steps >> v;) losses.push_back(v);
  const auto want = all[GetParam()]["losses"].get<std::vector<double>>();
  ASSERT_EQ(losses.size(), want.size());
  double worst = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    worst = std::max(worst, std::abs(losses[i] - want[i]) / want[i]);
    EXPECT_NEAR(losses[i], want[i], 1e-4 * want[i]) << "step " << i;
  }
  std::printf("%s: 25 losses within %.2e relative of PyTorch's\n", GetParam().c_str(), worst);

  // Metrics: one line per epoch (the 25 steps span two), with the perplexity.
  std::ifstream metrics(dir / "metrics.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(metrics, line));
  const json first = json::parse(line);
  EXPECT_NEAR(first["perplexity"].get<double>(), std::exp(first["train_loss"].get<double>()),
              1e-9);

  // The checkpoint generates without anything else.
  const Result gen = cli("generate --checkpoint " + (dir / "model.pt").string() +
                         " --tokens 20 --top-k 5 --seed 3");
  EXPECT_EQ(gen.status, 0) << gen.err;
  // The default prompt, then 20 sampled characters and a newline.
  EXPECT_EQ(gen.out.rfind("The ", 0), 0u) << gen.out;
  EXPECT_GE(gen.out.size(), std::string("The ").size() + 20 + 1) << gen.out;
  EXPECT_EQ(gen.out.back(), '\n') << gen.out;
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Models, CharLM, ::testing::Values("char-lstm", "char-gpt"),
                         [](const auto& info) {
                           return info.param == "char-lstm" ? std::string("LSTM")
                                                            : std::string("GPT");
                         });

// torch.load(weights_only=True) reads what `train --save` writes, and the twins of
// bench/char_lm_torch.py load its 'model' strictly (one Python process for both models).
TEST(CharLMCheckpoint, TorchLoadsItIntoThePyTorchTwinStrictly) {
  const json all = fixture();
  const fs::path dir = fs::temp_directory_path() / "torchlite_test_char_lm_torch_load";
  fs::create_directories(dir);
  std::string paths;
  for (const std::string model : {"char-lstm", "char-gpt"}) {
    const fs::path path = dir / (model + ".pt");
    const Result r = cli(train_options(all, model) + " --steps 1 --save " + path.string());
    ASSERT_EQ(r.status, 0) << r.out << r.err;
    paths += "'" + path.string() + "', ";
  }
  const Result py = sh(
      "/usr/bin/python3 -c \"import sys\ntry:\n import torch\nexcept ImportError:\n "
      "print('no torch'); sys.exit()\nsys.path.insert(0, '" + kBench + "')\n"
      "import char_lm_torch as lm\nfor p in [" + paths + "]:\n"
      " c = torch.load(p, weights_only=True)\n"
      " print(lm.make_model(c['config']).load_state_dict(c['model'], strict=True), "
      "len(c['vocab']))\"");
  if (py.out == "no torch\n") GTEST_SKIP() << "/usr/bin/python3 has no torch";
  const std::string line =
      "<All keys matched successfully> " + std::to_string(all["vocab"].size()) + "\n";
  EXPECT_EQ(py.out, line + line) << py.err;
  fs::remove_all(dir);
}

TEST(CharLMBadInput, EmptyAndNonUtf8TextsAreErrorsNamingTheFile) {
  const fs::path dir = fs::temp_directory_path() / "torchlite_test_char_lm_bad";
  fs::create_directories(dir);
  std::ofstream(dir / "empty.txt").close();
  std::ofstream(dir / "latin1.txt", std::ios::binary) << "na\xefve\n";
  Result r = cli("train --model char-lstm --text " + (dir / "empty.txt").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "torchlite: error: " + (dir / "empty.txt").string() +
                       ": empty text file (a language model needs some text)\n");
  r = cli("train --model char-gpt --text " + (dir / "latin1.txt").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "torchlite: error: " + (dir / "latin1.txt").string() +
                       ": not valid UTF-8 at byte offset 2\n");
  fs::remove_all(dir);
}

TEST(CharLMBadInput, PromptCharactersOutsideTheVocabularyReadAsUnk) {
  const Result r = cli("generate --checkpoint " + kFixtures +
                             "char-lstm.pt --prompt 'Zebra\xf0\x9f\x98\x80' --tokens 5");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err,
            "torchlite: warning: characters not in the vocabulary read as <unk>: Z\xf0\x9f\x98\x80\n");
  EXPECT_EQ(r.out.rfind("Zebra\xf0\x9f\x98\x80", 0), 0u);
}

TEST(CharLMBadInput, CheckpointWithoutAVocabularyIsAnError) {
  const fs::path path = fs::temp_directory_path() / "torchlite_test_char_lm_no_vocab.pt";
  torchlite::nn::StateDict sd;
  sd.insert("head.weight", torchlite::zeros({2, 2}));
  torchlite::save(sd, path.string());
  const Result r = cli("generate --checkpoint " + path.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "torchlite: error: " + path.string() +
                       ": no 'vocab' entry: not a checkpoint of `torchlite train --model char-*` "
                       "(a dict with 'model', 'vocab' and 'config')\n");
  fs::remove(path);
}
