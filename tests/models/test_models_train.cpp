// torchlite::models against torchvision 0.14 beyond float32 eval
// (tests/fixtures/models/models_train.json, written by tools/gen_models_train_fixtures.py):
// float64 eval logits, and train-mode outputs, every parameter's gradient, BatchNorm running
// statistics, parameters after one SGD (momentum) step and the output after it, in float32 and
// float64; and eval + no_grad records no graph.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "torchlite/generator.h"
#include "torchlite/models/alexnet.h"
#include "torchlite/models/mobilenet.h"
#include "torchlite/models/resnet.h"
#include "torchlite/models/vgg.h"
#include "torchlite/nn/functional.h"
#include "torchlite/optim/sgd.h"
#include "torchlite/tensor.h"

namespace tl = torchlite;
namespace models = torchlite::models;

namespace {

nlohmann::json load() {
  std::ifstream f(std::string(TORCHLITE_FIXTURES) + "/models/models_train.json");
  if (!f.good()) throw std::runtime_error("missing fixture models/models_train.json");
  return nlohmann::json::parse(f);
}

using Factory = std::function<std::shared_ptr<tl::nn::Module>()>;

std::shared_ptr<tl::nn::Module> make(const std::string& name) {
  static const std::map<std::string, Factory> f = {
      {"resnet18", [] { return models::resnet18({.num_classes = 10}); }},
      {"resnet34", [] { return models::resnet34({.num_classes = 10}); }},
      {"resnet50", [] { return models::resnet50({.num_classes = 10}); }},
      {"alexnet", [] { return models::alexnet({.num_classes = 10}); }},
      {"vgg11_bn", [] { return models::vgg11_bn({.num_classes = 10}); }},
      {"mobilenet_v2", [] { return models::mobilenet_v2({.num_classes = 10}); }},
  };
  return f.at(name)();
}

/// Compares `t` with a fixture summary: the sampled elements to `tol` times the tensor's largest
/// magnitude (at least 1e-3: some gradients are zero up to rounding noise, e.g. of a BatchNorm
/// bias whose output only feeds another BatchNorm), the sum to `tol` times that magnitude times
/// sqrt(numel) (float sums differ in order).
void expect_summary(const tl::Tensor& t, const nlohmann::json& want, double tol,
                    const std::string& what) {
  const std::string name = what + " " + want["name"].get<std::string>();
  ASSERT_EQ(t.numel(), want["numel"].get<int64_t>()) << name;
  const tl::Tensor flat = t.detach().to(tl::kFloat64).contiguous().flatten();
  const double* p = flat.data_ptr<double>();
  const double scale = std::max(want["abs_max"].get<double>(), 1e-3);
  const auto idx = want["idx"].get<std::vector<int64_t>>();
  const auto values = want["values"].get<std::vector<double>>();
  for (size_t i = 0; i < idx.size(); ++i)
    EXPECT_NEAR(p[idx[i]], values[i], tol * scale) << name << " [" << idx[i] << "]";
  double sum = 0;
  for (int64_t i = 0; i < flat.numel(); ++i) sum += p[i];
  EXPECT_NEAR(sum, want["sum"].get<double>(),
              tol * scale * std::sqrt(static_cast<double>(flat.numel())))
      << name << " sum";
}

/// The model of a case (same seed: torchvision's initial values) and its input [2, 3, size, size].
std::pair<std::shared_ptr<tl::nn::Module>, tl::Tensor> setup(const nlohmann::json& c,
                                                             tl::Dtype dtype) {
  tl::manual_seed(c["seed"].get<uint64_t>());
  auto model = make(c["model"].get<std::string>());
  model->to(dtype);
  tl::manual_seed(c["input_seed"].get<uint64_t>());
  const int64_t size = c["size"].get<int64_t>();
  return {model, tl::randn({2, 3, size, size}).to(dtype)};
}

void check_eval64(const nlohmann::json& c, const std::string& what) {
  auto [model, x] = setup(c, tl::kFloat64);
  model->eval();
  tl::NoGradGuard no_grad;
  expect_summary(model->forward(x), c["logits"], 1e-10, what);
}

void check_train(const nlohmann::json& c, tl::Dtype dtype, double tol, const std::string& what) {
  auto [model, x] = setup(c, dtype);
  model->train();
  const tl::Tensor out = model->forward(x);
  expect_summary(out, c["out"], tol, what);
  const tl::Tensor loss = tl::nn::functional::cross_entropy(out, tl::tensor({0, 1}, tl::kInt64));
  EXPECT_NEAR(loss.item_double(), c["loss"].get<double>(), tol * c["loss"].get<double>()) << what;
  loss.backward();
  const auto params = model->named_parameters();
  ASSERT_EQ(params.size(), c["grads"].size()) << what;
  size_t i = 0;
  for (const auto& [name, p] : params) {
    EXPECT_EQ(name, c["grads"][i]["name"].get<std::string>()) << what;
    expect_summary(p.grad(), c["grads"][i++], tol, what + " grad");
  }
  tl::optim::SGD(model->parameters(), {.lr = 0.1, .momentum = 0.9}).step();
  const auto buffers = model->named_buffers();
  ASSERT_EQ(buffers.size(), c["buffers"].size()) << what;
  i = 0;
  for (const auto& [name, b] : buffers) {
    EXPECT_EQ(name, c["buffers"][i]["name"].get<std::string>()) << what;
    expect_summary(b, c["buffers"][i++], tol, what + " buffer");
  }
  i = 0;
  for (const auto& [name, p] : model->named_parameters())
    expect_summary(p, c["params"][i++], tol, what + " stepped");
  expect_summary(model->forward(x), c["out2"], tol, what + " after the step");
}

void check_kind(const std::string& kind) {
  for (const auto& c : load()) {
    if (c["kind"] != kind) continue;
    const std::string what = c["model"].get<std::string>() + " seed " + c["seed"].dump();
    if (kind == "eval64") check_eval64(c, what);
    // float32 through a deep net in train mode (BatchNorm over 2 samples, 1x1 maps at the end):
    // summation order differences grow to ~1e-4 of a tensor's largest element.
    if (kind == "train32") check_train(c, tl::kFloat32, 2e-3, what);
    if (kind == "train64") check_train(c, tl::kFloat64, 1e-9, what);
  }
}

TEST(ModelsTrain, EvalFloat64MatchesTorchvision) { check_kind("eval64"); }
TEST(ModelsTrain, TrainStepFloat32MatchesTorchvision) { check_kind("train32"); }
TEST(ModelsTrain, TrainStepFloat64MatchesTorchvision) { check_kind("train64"); }

// eval() + NoGradGuard: the output is outside any graph and no parameter or buffer changes.
TEST(ModelsTrain, EvalNoGradRecordsNothing) {
  tl::manual_seed(0);
  auto model = models::resnet18({.num_classes = 10});
  model->eval();
  std::vector<uint32_t> versions;
  for (const auto& [name, t] : model->named_buffers()) versions.push_back(t.version());
  tl::NoGradGuard no_grad;
  const tl::Tensor y = model->forward(tl::randn({1, 3, 32, 32}));
  EXPECT_FALSE(y.requires_grad());
  EXPECT_EQ(y.grad_fn(), nullptr);
  size_t i = 0;
  for (const auto& [name, t] : model->named_buffers())
    EXPECT_EQ(t.version(), versions[i++]) << name;
}

}  // namespace
