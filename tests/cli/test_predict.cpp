// `torchlite predict` and `torchlite inspect --model` against torchvision 0.14 (skipped when
// /usr/bin/python3 has no torchvision): tests/cli/predict_live.py saves a random resnet18 and
// torchvision's top-5 for images of tests/fixtures/predict/; predict --json gives the same classes
// and probabilities (to 1e-3); bad images, wrong architectures and class counts fail clearly.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "torchlite/error.h"
#include "torchlite/io/serialize.h"
#include "torchlite/models/resnet.h"

namespace fs = std::filesystem;
namespace tl = torchlite;
using nlohmann::json;

namespace {

const std::string kPython = "/usr/bin/python3";
const std::string kImages = std::string(TORCHLITE_FIXTURES) + "/predict/images/";
const std::string kScript = std::string(TORCHLITE_FIXTURES) + "/../cli/predict_live.py";

struct Result {
  int status = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream f(p);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

Result run(const fs::path& dir, const std::string& args) {
  const fs::path out = dir / "stdout", err = dir / "stderr";
  const std::string cmd = std::string(TORCHLITE_BINARY_DIR) + "/torchlite " + args + " >" +
                          out.string() + " 2>" + err.string();
  const int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
}

const std::vector<std::string> kLive = {"rgb_landscape.jpg", "gray.png", "rgba.png", "small.png",
                                        "cmyk.jpg"};

// One test, so that torch and the checkpoints are made once (each test runs as its own process).
TEST(Predict, AgainstTorchvision) {
  if (std::system((kPython + " -c 'import torchvision' >/dev/null 2>&1").c_str()) != 0)
    GTEST_SKIP() << kPython << " cannot import torchvision";
  char tmpl[] = "/tmp/torchlite-predict-XXXXXX";
  const fs::path dir = ::mkdtemp(tmpl);
  struct Cleanup {
    fs::path dir;
    ~Cleanup() { fs::remove_all(dir); }
  } cleanup{dir};
  std::string cmd = kPython + " " + kScript + " write " + dir.string();
  for (const std::string& name : kLive) cmd += " " + kImages + name;
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const std::string r18 = (dir / "resnet18.pth").string(), r34 = (dir / "resnet34.pth").string(),
                    r18_10 = (dir / "resnet18_10.pth").string();
  const json want = json::parse(slurp(dir / "expected.json"));
  {
    SCOPED_TRACE("predict --json: torchvision's top 5");
    std::string args = "predict --model resnet18 --weights " + r18 + " --json";
    for (const std::string& name : kLive) args += " " + kImages + name;
    const Result r = run(dir, args);
    ASSERT_EQ(r.status, 0) << r.err;
    const json got = json::parse(r.out);
    ASSERT_EQ(got["images"].size(), kLive.size());
    for (const json& image : got["images"]) {
      const std::string path = image["image"];
      SCOPED_TRACE(path);
      const json& top = image["top"];
      ASSERT_EQ(top.size(), 5u);
      for (size_t k = 0; k < 5; ++k) {
        EXPECT_EQ(top[k]["index"].get<int64_t>(), want[path][k][0].get<int64_t>()) << k;
        EXPECT_NEAR(top[k]["probability"].get<double>(), want[path][k][1].get<double>(), 1e-3) << k;
      }
      // Class names are torchvision's _IMAGENET_CATEGORIES.
      if (top[0]["index"] == 379) EXPECT_EQ(top[0]["label"], "howler monkey");
      if (top[0]["index"] == 874) EXPECT_EQ(top[0]["label"], "trolleybus");
    }
  }

  {
    SCOPED_TRACE("predict: text, bad images do not stop the others");
    const Result r = run(dir, "predict --model resnet18 --weights " + r18 + " --topk 3 " + kImages +
                                  "truncated.jpg " + kImages + "rgb_landscape.jpg " + kImages +
                                  "not_image.jpg " + kImages + "missing.png");
    EXPECT_EQ(r.status, 1);
    // "<image>\n  <probability>  <class name>\n" per top class; the probability (GEMM and exp
    // on both sides) within 1e-3 of torchvision's rather than to the printed digit.
    const json& top = want[kImages + "rgb_landscape.jpg"];
    const std::string head = kImages + "rgb_landscape.jpg\n  ";
    ASSERT_EQ(r.out.rfind(head, 0), 0u) << r.out;
    const size_t end = r.out.find('\n', head.size());
    const std::string line = r.out.substr(head.size(), end - head.size());
    EXPECT_NEAR(std::stod(line), top[0][1].get<double>(), 1e-3) << r.out;
    EXPECT_EQ(line.substr(line.find("  ")), "  howler monkey") << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 4) << r.out;
    EXPECT_NE(r.err.find(kImages + "truncated.jpg: image file is truncated"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find(kImages + "not_image.jpg: cannot identify image file"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find(kImages + "missing.png: cannot open file"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("3 of 4 images could not be classified"), std::string::npos) << r.err;
  }

  {
    SCOPED_TRACE("predict: another architecture or class count");
    Result r = run(dir, "predict --model resnet18 --weights " + r34 + " " + kImages + "small.png");
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find("Unexpected key(s) in state_dict: \"layer1.2.conv1.weight\""),
              std::string::npos)
        << r.err;
    r = run(dir, "predict --model resnet18 --weights " + r18_10 + " " + kImages + "small.png");
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("size mismatch for fc.weight: copying a param with shape "
                         "torch.Size([10, 512]) from checkpoint, the shape in current model is "
                         "torch.Size([1000, 512])."),
              std::string::npos)
        << r.err;
  }

  {
    SCOPED_TRACE("inspect --model");
    Result r = run(dir, "inspect --model resnet18 " + r18);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("  match       conv1.weight"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\n122 match, 0 missing, 0 unexpected, 0 shape mismatches\n"),
              std::string::npos)
        << r.out;

    r = run(dir, "inspect --model resnet18 " + r34);
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.out.find("  unexpected  layer1.2.conv1.weight"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\n122 match, 0 missing, 96 unexpected, 0 shape mismatches\n"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.err.find("does not load strictly into resnet18"), std::string::npos) << r.err;

    r = run(dir, "inspect --model resnet34 " + r18);
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.out.find("  missing     layer4.2.bn2.num_batches_tracked"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("\n122 match, 96 missing, 0 unexpected, 0 shape mismatches\n"),
              std::string::npos)
        << r.out;

    r = run(dir, "inspect --model resnet18 " + r18_10);
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.out.find("checkpoint [10, 512], model [1000, 512]\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\n120 match, 0 missing, 0 unexpected, 2 shape mismatches\n"),
              std::string::npos)
        << r.out;
  }
}

TEST(Predict, StrictLoadingIsAllOrNothing) {
  // Every key present and zero, the classifier of another size: nothing is copied.
  auto model = tl::models::resnet18();
  const tl::Tensor before = model->conv1->weight.clone();
  tl::nn::StateDict other;
  for (const auto& [key, t] : model->state_dict())
    other.insert(key, key == "fc.weight" ? tl::zeros({10, 512}) : tl::zeros_like(t));
  EXPECT_THROW(model->load_state_dict(other), tl::Error);
  EXPECT_TRUE(model->conv1->weight.equal(before));
}

}  // namespace
