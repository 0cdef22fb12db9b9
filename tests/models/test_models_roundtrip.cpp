// torchlite's model state dicts load back into torchvision 0.14 strictly (a live round trip with
// the installed torch, skipped when /usr/bin/python3 has no torchvision): each model takes one
// SGD step in train mode (so running statistics and num_batches_tracked move), is saved with
// torchlite's .pt writer, and tests/models/models_roundtrip.py loads it with weights_only=True
// into torchvision's model and compares the eval logits with torchlite's.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "torchlite/generator.h"
#include "torchlite/io/serialize.h"
#include "torchlite/models/mobilenet.h"
#include "torchlite/models/resnet.h"
#include "torchlite/nn/functional.h"
#include "torchlite/optim/sgd.h"

namespace tl = torchlite;
namespace models = torchlite::models;

namespace {

const std::string kPython = "/usr/bin/python3";
const std::string kScript = std::string(TORCHLITE_FIXTURES) + "/../models/models_roundtrip.py";

int run(const std::string& cmd) {
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// One training step, then the state dict and an eval input with torchlite's logits in `dir`.
void train_and_save(tl::nn::Module& model, const std::string& name, int64_t size,
                    const std::string& dir) {
  tl::manual_seed(3);
  model.train();
  const tl::Tensor x = tl::randn({2, 3, size, size});
  tl::optim::SGD opt(model.parameters(), {.lr = 0.1, .momentum = 0.9});
  tl::nn::functional::cross_entropy(model.forward(x), tl::tensor({3, 4}, tl::kInt64)).backward();
  opt.step();
  model.eval();
  tl::NoGradGuard no_grad;
  tl::nn::StateDict io;
  io.insert("x", x);
  io.insert("logits", model.forward(x));
  tl::save(model.state_dict(), dir + "/" + name + ".pt");
  tl::save(io, dir + "/" + name + "_io.pt");
}

TEST(ModelsRoundTrip, TorchliteStateDictLoadsIntoTorchvision) {
  if (run(kPython + " -c 'import torchvision' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << kPython << " cannot import torchvision";
  char tmpl[] = "/tmp/torchlite-models-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  // VGG's and AlexNet's 500 MB and 230 MB state dicts add seconds and check nothing the others
  // do not (their keys and shapes are test_models.cpp's).
  tl::manual_seed(0);
  train_and_save(*models::resnet18({.num_classes = 10}), "resnet18", 64, dir);
  tl::manual_seed(1);
  train_and_save(*models::resnet50({.num_classes = 10}), "resnet50", 64, dir);
  tl::manual_seed(2);
  train_and_save(*models::mobilenet_v2({.num_classes = 10}), "mobilenet_v2", 64, dir);
  EXPECT_EQ(run(kPython + " " + kScript + " " + dir + " resnet18 resnet50 mobilenet_v2"), 0);
  run("rm -rf '" + dir + "'");
}

}  // namespace
