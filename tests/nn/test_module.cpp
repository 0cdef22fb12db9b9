// nn::Module, Linear and Sequential against PyTorch: init bits, gradients, registration order,
// state_dict / load_state_dict behaviour and errors.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "nn/nn_fixture_util.h"
#include "torchlite/torchlite.h"

namespace tl = torchlite;
namespace nn = torchlite::nn;

namespace {

using nnfx::load;
using nnfx::hex32;

tl::Tensor from_values(const nlohmann::json& values, const nlohmann::json& shape) {
  std::vector<double> v = values;
  return tl::from_blob(v.data(), {static_cast<int64_t>(v.size())}, tl::kFloat64)
      .clone()
      .reshape(shape.get<std::vector<int64_t>>());
}

/// A user-defined module, as a PyTorch user would write one.
class Net : public nn::Module {
 public:
  Net() : Module("Net") {
    fc = register_module("fc", nn::Linear(3, 2));
    body = register_module("body", nn::Sequential(nn::Linear(2, 2), nn::ReLU()));
    register_buffer("running", tl::zeros({2}));
    register_buffer("scratch", tl::ones({1}), /*persistent=*/false);
  }
  tl::Tensor forward(const tl::Tensor& x) override { return body->forward(fc->forward(x)); }
  std::shared_ptr<nn::LinearImpl> fc;
  std::shared_ptr<nn::SequentialImpl> body;
};

}  // namespace

TEST(Linear, InitialisationBitsMatchPyTorch) {
  int passed = 0;
  auto cases = load("linear_init.json");
  for (const auto& c : cases) {
    tl::manual_seed(c["seed"].get<uint64_t>());
    nn::Linear m(c["in"].get<int64_t>(), c["out"].get<int64_t>(), c["bias"].get<bool>());
    std::vector<int64_t> probe = c["probe"];
    tl::Tensor next = tl::randint(0, int64_t{1} << 31, {2});
    bool ok = hex32(m->weight) == c["weight"].get<std::string>() &&
              (c["bias_hex"].is_null() ? !m->bias.defined()
                                       : hex32(m->bias) == c["bias_hex"].get<std::string>()) &&
              next.data_ptr<int64_t>()[0] == probe[0] && next.data_ptr<int64_t>()[1] == probe[1];
    EXPECT_TRUE(ok) << "Linear(" << c["in"] << ", " << c["out"] << ") seed " << c["seed"];
    passed += ok;
  }
  std::cout << passed << "/" << cases.size() << " Linear initialisations bit-identical\n";
}

TEST(Mlp, GradientsMatchPyTorchInFloat64) {
  auto fx = load("mlp_grads.json");
  auto net = nn::Sequential(nn::Linear(6, 8), nn::ReLU(), nn::Linear(8, 5), nn::Tanh(), nn::Linear(5, 3));
  net->to(tl::kFloat64);
  nn::StateDict sd;
  for (const auto& name : fx["order"]) sd.insert(name, from_values(fx["params"][name], fx["shapes"][name]));
  net->load_state_dict(sd);
  tl::Tensor x = from_values(fx["x"], fx["x_shape"]);
  tl::Tensor target = from_values(fx["target"], fx["target_shape"]);
  tl::Tensor loss = (net->forward(x) - target).pow(2).mean();
  EXPECT_NEAR(loss.item<double>(), fx["loss"].get<double>(), 1e-12);
  loss.backward();
  auto params = net->named_parameters();
  ASSERT_EQ(params.size(), fx["order"].size());
  for (size_t i = 0; i < params.size(); ++i) {
    const auto& [name, p] = params[i];
    EXPECT_EQ(name, fx["order"][i].get<std::string>());
    tl::Tensor want = from_values(fx["grads"][name], fx["shapes"][name]);
    ASSERT_TRUE(p.grad().defined()) << name;
    EXPECT_TRUE(p.grad().allclose(want, 1e-6, 1e-12)) << name << "\n" << p.grad() << "\n" << want;
  }
}

TEST(Module, RegistrationOrderAndNames) {
  auto net = std::make_shared<Net>();
  std::vector<std::string> names;
  for (const auto& [name, p] : net->named_parameters()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"fc.weight", "fc.bias", "body.0.weight", "body.0.bias"}));
  EXPECT_EQ(net->named_parameters(false).size(), 0u);
  EXPECT_EQ(net->named_buffers().size(), 2u);
  EXPECT_EQ(net->state_dict().keys(),
            (std::vector<std::string>{"running", "fc.weight", "fc.bias", "body.0.weight", "body.0.bias"}));
  std::vector<std::string> modules;
  for (const auto& [name, m] : net->named_modules()) modules.push_back(name);
  EXPECT_EQ(modules, (std::vector<std::string>{"", "fc", "body", "body.0", "body.1"}));
  EXPECT_EQ(nn::repr(*net),
            "Net(\n  (fc): Linear(in_features=3, out_features=2, bias=True)\n  (body): Sequential(\n"
            "    (0): Linear(in_features=2, out_features=2, bias=True)\n    (1): ReLU()\n  )\n)");
}

TEST(Module, StateDictIsDetachedAndSharesStorage) {
  auto net = nn::Linear(2, 3);
  auto sd = net->state_dict();
  EXPECT_FALSE(sd["weight"].requires_grad());
  EXPECT_FALSE(sd["weight"].impl()->is_parameter);
  tl::NoGradGuard guard;
  net->weight.fill_(2.0);
  EXPECT_EQ(sd["weight"].sum().item<float>(), 12.0f);
}

TEST(Module, LoadStateDictReportsKeysAndShapes) {
  auto net = nn::Linear(2, 3);
  nn::StateDict sd;
  sd.insert("weight", tl::ones({3, 2}));
  sd.insert("extra", tl::ones({1}));
  auto keys = net->load_state_dict(sd, /*strict=*/false);
  EXPECT_EQ(keys.missing_keys, std::vector<std::string>{"bias"});
  EXPECT_EQ(keys.unexpected_keys, std::vector<std::string>{"extra"});
  EXPECT_EQ(net->weight.sum().item<float>(), 6.0f);
  try {
    net->load_state_dict(sd);
    FAIL() << "strict load accepted missing and unexpected keys";
  } catch (const tl::Error& e) {
    EXPECT_EQ(
        std::string(e.what()),
        "Error(s) in loading state_dict for Linear:\n\tMissing key(s) in state_dict: \"bias\". "
        "\n\tUnexpected key(s) in state_dict: \"extra\". ");
  }
  nn::StateDict bad;
  bad.insert("weight", tl::ones({2, 3}));
  bad.insert("bias", tl::ones({3}));
  try {
    net->load_state_dict(bad);
    FAIL() << "shape mismatch accepted";
  } catch (const tl::Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "Error(s) in loading state_dict for Linear:\n\tsize mismatch for weight: copying a param "
              "with shape torch.Size([2, 3]) from checkpoint, the shape in current model is "
              "torch.Size([3, 2]).");
  }
}

TEST(Module, ApplyVisitsChildrenFirst) {
  auto seq = nn::Sequential(nn::Linear(1, 1), nn::Sequential(nn::ReLU()), nn::Flatten());
  std::vector<std::string> order;
  seq->apply([&](nn::Module& m) { order.push_back(m.name()); });
  EXPECT_EQ(order, (std::vector<std::string>{"Linear", "ReLU", "Sequential", "Flatten", "Sequential"}));
}

TEST(Module, AsFindsTheConcreteModule) {
  auto seq = nn::Sequential(nn::Flatten(), nn::Linear(4, 2));
  EXPECT_EQ(seq[0]->as<nn::Linear>(), nullptr);
  ASSERT_NE(seq[1]->as<nn::Linear>(), nullptr);
  EXPECT_EQ(seq[1]->as<nn::Linear>()->out_features, 2);
  EXPECT_EQ(seq->size(), 2u);
}

TEST(Module, TrainEvalZeroGradRequiresGrad) {
  auto net = std::make_shared<Net>();
  net->eval();
  EXPECT_FALSE(net->body->is_training());
  net->train();
  EXPECT_TRUE(net->fc->is_training());
  net->forward(tl::ones({4, 3})).sum().backward();
  EXPECT_TRUE(net->fc->weight.grad().defined());
  net->zero_grad();
  EXPECT_FALSE(net->fc->weight.grad().defined());
  net->requires_grad_(false);
  EXPECT_FALSE(net->fc->weight.requires_grad());
}

TEST(Module, ToDtypeKeepsParameterIdentity) {
  auto net = nn::Linear(2, 2);
  tl::Tensor handle = net->weight;
  net->to(tl::kFloat64);
  EXPECT_EQ(handle.dtype(), tl::kFloat64);
  EXPECT_EQ(net->named_parameters()[0].second.dtype(), tl::kFloat64);
  EXPECT_THROW(net->to(tl::kInt64), tl::Error);
}

TEST(Module, ForwardShapeErrorNamesShapes) {
  auto net = nn::Linear(3, 2);
  try {
    net->forward(tl::ones({4, 5}));
    FAIL();
  } catch (const tl::Error& e) {
    EXPECT_EQ(std::string(e.what()), "mat1 and mat2 shapes cannot be multiplied (4x5 and 3x2)");
  }
}

TEST(Module, SequentialPrintsLikePyTorch) {
  auto seq = nn::Sequential(nn::Flatten(), nn::Linear(784, 10));
  std::ostringstream os;
  os << seq;
  EXPECT_EQ(os.str(),
            "Sequential(\n  (0): Flatten(start_dim=1, end_dim=-1)\n  (1): Linear(in_features=784, "
            "out_features=10, bias=True)\n)");
  EXPECT_EQ(nn::repr(*nn::Sequential()), "Sequential()");
  EXPECT_EQ(nn::repr(*nn::ReLU(true)), "ReLU(inplace=True)");
}

TEST(Module, SequentialWithNamedChildren) {
  nn::Sequential seq;
  seq->push_back("fc", nn::Linear(2, 3));
  seq->push_back("act", nn::ReLU());
  EXPECT_EQ(seq->state_dict().keys(), (std::vector<std::string>{"fc.weight", "fc.bias"}));
  EXPECT_EQ(nn::repr(*seq),
            "Sequential(\n  (fc): Linear(in_features=2, out_features=3, bias=True)\n  (act): ReLU()\n)");
  EXPECT_THROW(seq->push_back("fc", nn::ReLU()), tl::Error);
  EXPECT_EQ(seq->forward(tl::ones({1, 2})).sizes(), tl::Sizes({1, 3}));
}

// nn.ReLU(inplace=True) after a layer: PyTorch 1.13 names the output's node ReluBackward0 and
// backpropagates through it as through the out-of-place ReLU.
TEST(Module, InplaceReLUBackpropagates) {
  tl::manual_seed(0);
  nn::Linear fc(3, 4);
  tl::Tensor x = tl::randn({2, 3});
  tl::Tensor y = nn::ReLU(true)->forward(fc->forward(x));
  EXPECT_EQ(y.grad_fn()->name(), "ReluBackward0");
  y.sum().backward();
  tl::Tensor g = fc->weight.grad();
  fc->zero_grad();
  fc->forward(x).relu().sum().backward();
  EXPECT_TRUE(g.equal(fc->weight.grad()));
}
