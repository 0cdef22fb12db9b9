// Normalisation layers, Dropout2d, the new activation layers and Unflatten against PyTorch 1.13
// (tests/fixtures/nn/normalization.json from tools/gen_norm_fixtures.py): reprs, state dicts,
// BatchNorm's running statistics over train steps and eval, forward and gradients, float64
// gradchecks, Dropout2d's masks bit for bit, and every bad-input message.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nn/nn_fixture_util.h"
#include "torchlite/autograd/node.h"
#include "torchlite/nn/activation.h"
#include "torchlite/nn/dropout.h"
#include "torchlite/nn/functional.h"
#include "torchlite/nn/linear.h"
#include "torchlite/nn/normalization.h"
#include "torchlite/nn/sequential.h"

namespace tl = torchlite;
namespace nn = torchlite::nn;
namespace F = torchlite::nn::functional;
using nlohmann::json;

namespace {

const json& fixture() {
  static const json all = nnfx::load("normalization.json");
  return all;
}

/// A fixture tensor ({shape, dtype, values}) as a new contiguous tensor.
tl::Tensor from_json(const json& j) {
  std::vector<double> values = j["values"];
  tl::Sizes shape = j["shape"].get<std::vector<int64_t>>();
  return tl::from_blob(values.data(), {static_cast<int64_t>(values.size())}, tl::kFloat64)
      .to(tl::dtype_from_name(j["dtype"]))
      .reshape(shape)
      .clone();
}

/// Float tolerance of a dtype: float64 fixtures agree to ~1e-10, float32 to ~1e-5.
double tol(tl::Dtype d) { return d == tl::kFloat64 ? 1e-10 : 2e-5; }

void expect_close(const tl::Tensor& got, const json& want, const std::string& what) {
  ASSERT_TRUE(got.defined()) << what;
  tl::Tensor w = from_json(want);
  ASSERT_EQ(got.sizes(), w.sizes()) << what;
  ASSERT_EQ(got.dtype(), w.dtype()) << what;
  const double t = tol(w.dtype());
  EXPECT_TRUE(got.detach().to(tl::kFloat64).allclose(w.to(tl::kFloat64), t, t))
      << what << "\n got " << got << "\nwant " << w;
}

/// The leaf input of a case and the (possibly transposed) view the layer gets.
std::pair<tl::Tensor, tl::Tensor> input_of(const json& input, const json& transpose) {
  tl::Tensor base = from_json(input).requires_grad_();
  if (transpose.is_null()) return {base, base};
  return {base, base.transpose(transpose[0].get<int64_t>(), transpose[1].get<int64_t>())};
}

std::string repr_of(const nn::Module& m) { return nn::repr(m); }

using nnfx::gradcheck;

}  // namespace

TEST(Normalization, ReprsMatchPyTorch) {
  const std::map<std::string, std::function<std::string()>> made = {
      {"bn2d_64", [] { return repr_of(*nn::BatchNorm2d(64)); }},
      {"bn2d_none", [] { return repr_of(*nn::BatchNorm2d(64, {.momentum = std::nullopt})); }},
      {"bn1d_opts",
       [] {
         return repr_of(*nn::BatchNorm1d(
             3, {.eps = 1e-3, .momentum = 0.25, .affine = false, .track_running_stats = false}));
       }},
      {"ln_16", [] { return repr_of(*nn::LayerNorm(16)); }},
      {"ln_34",
       [] {
         return repr_of(*nn::LayerNorm({3, 4}, {.eps = 1e-6, .elementwise_affine = false}));
       }},
      {"gn_2_6", [] { return repr_of(*nn::GroupNorm(2, 6)); }},
      {"gn_opts", [] { return repr_of(*nn::GroupNorm(3, 6, {.eps = 0.1, .affine = false})); }},
      {"dropout2d", [] { return repr_of(*nn::Dropout2d()); }},
      {"dropout2d_opts", [] { return repr_of(*nn::Dropout2d(0.25, true)); }},
      {"leaky", [] { return repr_of(*nn::LeakyReLU()); }},
      {"leaky_opts", [] { return repr_of(*nn::LeakyReLU(0.2, true)); }},
      {"leaky_int", [] { return repr_of(*nn::LeakyReLU(1)); }},
      {"gelu", [] { return repr_of(*nn::GELU()); }},
      {"gelu_tanh", [] { return repr_of(*nn::GELU("tanh")); }},
      {"silu", [] { return repr_of(*nn::SiLU()); }},
      {"silu_inplace", [] { return repr_of(*nn::SiLU(true)); }},
      {"elu", [] { return repr_of(*nn::ELU()); }},
      {"elu_opts", [] { return repr_of(*nn::ELU(0.5, true)); }},
      {"relu6", [] { return repr_of(*nn::ReLU6()); }},
      {"relu6_inplace", [] { return repr_of(*nn::ReLU6(true)); }},
      {"hardtanh", [] { return repr_of(*nn::Hardtanh()); }},
      {"hardtanh_int", [] { return repr_of(*nn::Hardtanh(-2, 3, true)); }},
      {"hardtanh_float", [] { return repr_of(*nn::Hardtanh(-2.5, 3.5)); }},
      {"hardswish", [] { return repr_of(*nn::Hardswish()); }},
      {"hardswish_inplace", [] { return repr_of(*nn::Hardswish(true)); }},
      {"softplus", [] { return repr_of(*nn::Softplus()); }},
      {"softplus_int", [] { return repr_of(*nn::Softplus(2, 10)); }},
      {"softplus_float", [] { return repr_of(*nn::Softplus(0.5, 20.5)); }},
      {"unflatten",
       [] {
         return repr_of(*nn::Unflatten(1, {16, 5, 5}));
       }},
      {"unflatten_one", [] { return repr_of(*nn::Unflatten(-1, {6})); }},
      {"tree",
       [] {
         return repr_of(*nn::Sequential(nn::BatchNorm2d(6), nn::LeakyReLU(), nn::Dropout2d(0.1),
                                        nn::Flatten(), nn::Unflatten(1, {6, 4}), nn::LayerNorm(4),
                                        nn::GELU()));
       }},
  };
  const json& want = fixture()["repr"];
  ASSERT_EQ(want.size(), made.size());
  for (const auto& [name, text] : want.items()) {
    ASSERT_TRUE(made.contains(name)) << name;
    EXPECT_EQ(made.at(name)(), text.get<std::string>()) << name;
  }
}

TEST(Normalization, StateDictsMatchPyTorch) {
  const std::map<std::string, std::function<std::shared_ptr<nn::Module>()>> made = {
      {"bn2d", [] { return nn::BatchNorm2d(3).ptr(); }},
      {"bn1d_no_affine", [] { return nn::BatchNorm1d(2, {.affine = false}).ptr(); }},
      {"bn1d_no_track", [] { return nn::BatchNorm1d(2, {.track_running_stats = false}).ptr(); }},
      {"ln",
       [] {
         return nn::LayerNorm({2, 2}).ptr();
       }},
      {"gn", [] { return nn::GroupNorm(1, 2).ptr(); }},
      {"tree",
       [] { return nn::Sequential(nn::Linear(2, 3), nn::BatchNorm1d(3), nn::ReLU()).ptr(); }},
  };
  for (const auto& [name, want] : fixture()["state_dict"].items()) {
    SCOPED_TRACE(name);
    auto m = made.at(name)();
    const nn::StateDict sd = m->state_dict();
    std::vector<std::string> keys, text;
    for (const auto& [k, v] : sd) {
      keys.push_back(k);
      // The tree's Linear draws random values: its entries are compared by key only.
      text.push_back(name == "tree" && k.rfind("0.", 0) == 0 ? "" : nnfx::str(v));
    }
    EXPECT_EQ(keys, want["keys"].get<std::vector<std::string>>());
    if (!want["print"].is_null()) EXPECT_EQ(nn::repr(sd), want["print"].get<std::string>());
    for (size_t i = 0; i < text.size(); ++i)
      if (!text[i].empty()) EXPECT_EQ(text[i], want["text"][i].get<std::string>()) << keys[i];
    std::vector<std::string> buffers, parameters;
    for (const auto& [k, v] : m->named_buffers()) buffers.push_back(k);
    for (const auto& [k, v] : m->named_parameters()) parameters.push_back(k);
    EXPECT_EQ(buffers, want["buffers"].get<std::vector<std::string>>());
    EXPECT_EQ(parameters, want["parameters"].get<std::vector<std::string>>());
  }
  auto bn = nn::BatchNorm2d(3);
  EXPECT_EQ(bn->num_batches_tracked.dtype(), tl::kInt64);
  EXPECT_EQ(bn->num_batches_tracked.dim(), 0);
}

TEST(Normalization, BatchNormTrainStepsThenEvalMatchPyTorch) {
  for (const json& c : fixture()["batch_norm"]) {
    const std::string name = c["name"];
    SCOPED_TRACE(name);
    const nn::BatchNormOptions opts{
        .eps = c["eps"],
        .momentum = c["momentum"].is_null() ? std::nullopt
                                            : std::optional<double>(c["momentum"].get<double>()),
        .affine = c["affine"],
        .track_running_stats = c["track_running_stats"]};
    std::shared_ptr<nn::BatchNormImplBase> bn;
    if (c["kind"] == "BatchNorm2d")
      bn = nn::BatchNorm2d(c["num_features"].get<int64_t>(), opts).ptr();
    else
      bn = nn::BatchNorm1d(c["num_features"].get<int64_t>(), opts).ptr();
    bn->to(tl::dtype_from_name(c["dtype"]));
    if (bn->affine) {
      tl::NoGradGuard no_grad;
      bn->weight.copy_(from_json(c["weight"]));
      bn->bias.copy_(from_json(c["bias"]));
    }
    int step = 0;
    for (const json& s : c["steps"]) {
      SCOPED_TRACE("step " + std::to_string(step++));
      bn->train(s["training"].get<bool>());
      auto [base, x] = input_of(s["input"], c["transpose"]);
      bn->zero_grad();
      tl::Tensor y = bn->forward(x);
      expect_close(y, s["output"], "output");
      EXPECT_EQ(y.grad_fn()->name(), "NativeBatchNormBackward0");
      y.backward(from_json(s["upstream"]));
      expect_close(base.grad(), s["grad_input"], "grad_input");
      if (bn->affine) {
        expect_close(bn->weight.grad(), s["grad_weight"], "grad_weight");
        expect_close(bn->bias.grad(), s["grad_bias"], "grad_bias");
      }
      if (bn->track_running_stats) {
        expect_close(bn->running_mean, s["running_mean"], "running_mean");
        expect_close(bn->running_var, s["running_var"], "running_var");
        EXPECT_EQ(bn->num_batches_tracked.item<int64_t>(), s["num_batches_tracked"].get<int64_t>());
      } else {
        EXPECT_FALSE(bn->running_mean.defined());
        EXPECT_TRUE(s["running_mean"].is_null());
      }
    }
  }
}

TEST(Normalization, LayerNormMatchesPyTorch) {
  for (const json& c : fixture()["layer_norm"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    auto [base, x] = input_of(c["input"], c["transpose"]);
    tl::Tensor w = c["weight"].is_null() ? tl::Tensor() : from_json(c["weight"]).requires_grad_();
    tl::Tensor b = c["bias"].is_null() ? tl::Tensor() : from_json(c["bias"]).requires_grad_();
    tl::Tensor y = F::layer_norm(x, c["normalized_shape"].get<std::vector<int64_t>>(),
                                 {.weight = w, .bias = b, .eps = c["eps"]});
    expect_close(y, c["output"], "output");
    EXPECT_EQ(y.grad_fn()->name(), c["grad_fn"].get<std::string>());
    y.backward(from_json(c["upstream"]));
    expect_close(base.grad(), c["grad_input"], "grad_input");
    if (w.defined()) expect_close(w.grad(), c["grad_weight"], "grad_weight");
    if (b.defined()) expect_close(b.grad(), c["grad_bias"], "grad_bias");
  }
}

TEST(Normalization, GroupNormMatchesPyTorch) {
  for (const json& c : fixture()["group_norm"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    auto [base, x] = input_of(c["input"], c["transpose"]);
    tl::Tensor w = c["weight"].is_null() ? tl::Tensor() : from_json(c["weight"]).requires_grad_();
    tl::Tensor b = c["bias"].is_null() ? tl::Tensor() : from_json(c["bias"]).requires_grad_();
    tl::Tensor y = F::group_norm(x, c["num_groups"], {.weight = w, .bias = b, .eps = c["eps"]});
    expect_close(y, c["output"], "output");
    EXPECT_EQ(y.grad_fn()->name(), c["grad_fn"].get<std::string>());
    y.backward(from_json(c["upstream"]));
    expect_close(base.grad(), c["grad_input"], "grad_input");
    if (w.defined()) expect_close(w.grad(), c["grad_weight"], "grad_weight");
    if (b.defined()) expect_close(b.grad(), c["grad_bias"], "grad_bias");
  }
}

TEST(Normalization, LayersMatchTheirFunctionalForms) {
  tl::manual_seed(2);
  auto ln = nn::LayerNorm({3, 4}, {.eps = 1e-6});
  tl::Tensor x = tl::randn({2, 3, 4});
  EXPECT_TRUE(
      ln(x).equal(F::layer_norm(x, {3, 4}, {.weight = ln->weight, .bias = ln->bias, .eps = 1e-6})));
  auto gn = nn::GroupNorm(2, 6, {.affine = false});
  tl::Tensor z = tl::randn({3, 6, 5});
  EXPECT_TRUE(gn(z).equal(F::group_norm(z, 2)));
  EXPECT_FALSE(gn->weight.defined());
  auto un = nn::Unflatten(1, {4, -1});
  EXPECT_EQ(un(tl::randn({2, 12})).sizes(), (tl::Sizes{2, 4, 3}));
}

TEST(Normalization, ActivationLayersMatchPyTorch) {
  const std::map<std::string, std::function<std::shared_ptr<nn::Module>()>> made = {
      {"leaky", [] { return nn::LeakyReLU().ptr(); }},
      {"leaky_opts", [] { return nn::LeakyReLU(0.2, true).ptr(); }},
      {"gelu", [] { return nn::GELU().ptr(); }},
      {"gelu_tanh", [] { return nn::GELU("tanh").ptr(); }},
      {"silu", [] { return nn::SiLU().ptr(); }},
      {"silu_inplace", [] { return nn::SiLU(true).ptr(); }},
      {"elu", [] { return nn::ELU().ptr(); }},
      {"elu_opts", [] { return nn::ELU(0.5, true).ptr(); }},
      {"relu6", [] { return nn::ReLU6().ptr(); }},
      {"relu6_inplace", [] { return nn::ReLU6(true).ptr(); }},
      {"hardtanh", [] { return nn::Hardtanh().ptr(); }},
      {"hardtanh_int", [] { return nn::Hardtanh(-2, 3, true).ptr(); }},
      {"hardtanh_float", [] { return nn::Hardtanh(-2.5, 3.5).ptr(); }},
      {"hardswish", [] { return nn::Hardswish().ptr(); }},
      {"hardswish_inplace", [] { return nn::Hardswish(true).ptr(); }},
      {"softplus", [] { return nn::Softplus().ptr(); }},
      {"softplus_int", [] { return nn::Softplus(2, 10).ptr(); }},
      {"softplus_float", [] { return nn::Softplus(0.5, 20.5).ptr(); }},
      {"unflatten",
       [] {
         return nn::Unflatten(1, {2, 3, 2}).ptr();
       }},
  };
  const json& cases = fixture()["activations"];
  ASSERT_EQ(cases.size(), made.size());
  for (const auto& [name, c] : cases.items()) {
    SCOPED_TRACE(name);
    auto m = made.at(name)();
    tl::Tensor x = from_json(c["input"]).requires_grad_();
    tl::Tensor mid = x * 1;
    tl::Tensor y = m->forward(mid);
    expect_close(y, c["output"], "output");
    EXPECT_EQ(y.grad_fn()->name(), c["grad_fn"].get<std::string>());
    y.backward(from_json(c["upstream"]));
    expect_close(x.grad(), c["grad_input"], "grad_input");
  }
}

TEST(Normalization, GradchecksInFloat64) {
  tl::manual_seed(11);
  tl::Tensor x = tl::randn({4, 3, 2, 3}, tl::kFloat64).requires_grad_();
  tl::Tensor w = (tl::rand({3}, tl::kFloat64) + 0.5).requires_grad_();
  tl::Tensor b = tl::randn({3}, tl::kFloat64).requires_grad_();
  gradcheck("batch_norm train",
            [&] {
              return F::batch_norm(x, tl::Tensor(), tl::Tensor(),
                                   {.weight = w, .bias = b, .training = true});
            },
            {x, w, b});
  tl::Tensor rm = tl::randn({3}, tl::kFloat64), rv = tl::rand({3}, tl::kFloat64) + 0.5;
  gradcheck("batch_norm eval", [&] { return F::batch_norm(x, rm, rv, {.weight = w, .bias = b}); },
            {x, w, b});
  tl::Tensor x2 = tl::randn({5, 3}, tl::kFloat64).requires_grad_();
  gradcheck("batch_norm 2d no affine",
            [&] { return F::batch_norm(x2, tl::Tensor(), tl::Tensor(), {.training = true}); },
            {x2});
  tl::Tensor lw = (tl::rand({2, 3}, tl::kFloat64) + 0.5).requires_grad_();
  tl::Tensor lb = tl::randn({2, 3}, tl::kFloat64).requires_grad_();
  tl::Tensor xl = tl::randn({3, 2, 3}, tl::kFloat64).requires_grad_();
  gradcheck("layer_norm",
            [&] {
              return F::layer_norm(xl.transpose(0, 1).transpose(0, 1), {2, 3},
                                   {.weight = lw, .bias = lb});
            },
            {xl, lw, lb});
  tl::Tensor gw = (tl::rand({6}, tl::kFloat64) + 0.5).requires_grad_();
  tl::Tensor gb = tl::randn({6}, tl::kFloat64).requires_grad_();
  tl::Tensor xg = tl::randn({2, 6, 2, 2}, tl::kFloat64).requires_grad_();
  gradcheck("group_norm", [&] { return F::group_norm(xg, 3, {.weight = gw, .bias = gb}); },
            {xg, gw, gb});
  tl::Tensor xg2 = tl::randn({3, 4}, tl::kFloat64).requires_grad_();
  gradcheck("group_norm no affine", [&] { return F::group_norm(xg2, 2); }, {xg2});
}

TEST(Normalization, Dropout2dMasksAreBitExact) {
  for (const json& c : fixture()["dropout2d"]) {
    const int64_t seed = c["seed"];
    SCOPED_TRACE("seed " + std::to_string(seed));
    tl::manual_seed(seed);
    tl::Tensor x = tl::randn(tl::Sizes(c["shape"].get<std::vector<int64_t>>()));
    tl::manual_seed(seed + 1000);
    tl::Tensor y;
    const double p = c["p"];
    const bool training = c["training"], inplace = c["inplace"];
    if (c["module"].get<bool>()) {
      auto m = nn::Dropout2d(p, inplace);
      m->train(training);
      y = m(x.clone());
    } else {
      y = F::dropout2d(x.clone(), p, training, inplace);
    }
    EXPECT_EQ(nnfx::hex32(y), c["output"].get<std::string>());
    EXPECT_EQ(nnfx::hex32(tl::randn({3})), c["next"].get<std::string>());
  }
}

TEST(Normalization, Dropout2dGradientIsTheMask) {
  tl::manual_seed(3);
  tl::Tensor x = tl::randn({4, 5, 2, 2}).requires_grad_();
  tl::Tensor y = F::dropout2d(x, 0.4);
  EXPECT_EQ(y.grad_fn()->name(), "MulBackward0");
  y.sum().backward();
  // The gradient is the scaled mask: 0 or 1 / (1 - p) per channel, and y = x * mask.
  EXPECT_TRUE((x.detach() * x.grad()).equal(y.detach()));
  const float kept = 1.0f / 0.6f;
  for (int64_t i = 0; i < x.numel(); ++i) {
    const float g = x.grad().contiguous().data_ptr<float>()[i];
    EXPECT_TRUE(g == 0.0f || g == kept) << g;
  }
}

TEST(Normalization, StrictLoadRefusesBrokenBatchNormBuffers) {
  const json& want = fixture()["load_state_dict"];
  auto attempt = [](const std::function<void(nn::StateDict&)>& edit) -> std::optional<std::string> {
    auto bn = nn::BatchNorm2d(3);
    nn::StateDict sd;
    for (const auto& [k, v] : bn->state_dict()) sd.insert(k, v.clone());
    edit(sd);
    try {
      bn->load_state_dict(sd);
      return std::nullopt;
    } catch (const tl::Error& e) {
      return std::string(e.what());
    }
  };
  auto without = [](const std::string& key) {
    return [key](nn::StateDict& sd) {
      nn::StateDict out;
      for (const auto& [k, v] : sd)
        if (k != key) out.insert(k, v);
      sd = out;
    };
  };
  EXPECT_EQ(attempt(without("running_var")), want["missing_running_var"].get<std::string>());
  EXPECT_EQ(attempt(without("num_batches_tracked")),
            want["missing_num_batches_tracked"].get<std::string>());
  EXPECT_EQ(attempt([](nn::StateDict& sd) { sd.insert("running_mean", tl::zeros({4})); }),
            want["wrong_running_mean"].get<std::string>());
  // PyTorch loads a one-element 1-D tensor into the 0-dim num_batches_tracked.
  EXPECT_TRUE(want["wrong_num_batches_tracked"].is_null());
  EXPECT_EQ(attempt([](nn::StateDict& sd) { sd.insert("num_batches_tracked", tl::tensor({0})); }),
            std::nullopt);
}

TEST(Normalization, BadInputRaisesPyTorchsMessages) {
  using tl::randn;
  const std::map<std::string, std::function<void()>> cases = {
      {"bn1d_one_value",
       [] {
         nn::BatchNorm1d(4)(randn({1, 4}));
       }},
      {"bn1d_one_value_3d",
       [] {
         nn::BatchNorm1d(4)(randn({1, 4, 1}));
       }},
      {"bn2d_one_value",
       [] {
         nn::BatchNorm2d(4)(randn({1, 4, 1, 1}));
       }},
      {"bn1d_4d",
       [] {
         nn::BatchNorm1d(4)(randn({2, 4, 3, 3}));
       }},
      {"bn1d_1d", [] { nn::BatchNorm1d(4)(randn({4})); }},
      {"bn2d_3d",
       [] {
         nn::BatchNorm2d(4)(randn({2, 4, 3}));
       }},
      {"bn2d_channels",
       [] {
         nn::BatchNorm2d(4)(randn({2, 3, 3, 3}));
       }},
      {"bn2d_channels_eval",
       [] {
         auto bn = nn::BatchNorm2d(4);
         bn->eval();
         bn(randn({2, 3, 3, 3}));
       }},
      {"bn_weight_size",
       [] {
         F::batch_norm(randn({2, 3}), tl::zeros({3}), tl::ones({3}), {.weight = tl::ones({4})});
       }},
      {"bn_bias_size",
       [] {
         F::batch_norm(randn({2, 3}), tl::Tensor(), tl::Tensor(),
                       {.bias = tl::ones({4}), .training = true});
       }},
      {"bn_eval_no_stats",
       [] {
         F::batch_norm(randn({2, 3}), tl::Tensor(), tl::Tensor());
       }},
      {"bn_1d_input", [] { F::batch_norm(randn({3}), tl::zeros({3}), tl::ones({3})); }},
      {"ln_shape",
       [] {
         nn::LayerNorm(4)(randn({2, 3}));
       }},
      {"ln_shape2",
       [] {
         nn::LayerNorm({3, 4})(randn({2, 4, 3}));
       }},
      {"ln_weight",
       [] {
         F::layer_norm(randn({2, 3}), {3}, {.weight = tl::ones({4})});
       }},
      {"ln_bias",
       [] {
         F::layer_norm(randn({2, 3}), {3}, {.bias = tl::ones({2})});
       }},
      {"ln_empty_shape",
       [] {
         F::layer_norm(randn({2, 3}), {});
       }},
      {"gn_ctor", [] { nn::GroupNorm(4, 6); }},
      {"gn_channels",
       [] {
         nn::GroupNorm(2, 6)(randn({2, 4, 3}));
       }},
      {"gn_divisible",
       [] {
         F::group_norm(randn({2, 6}), 4);
       }},
      {"gn_1d", [] { nn::GroupNorm(2, 6)(randn({6})); }},
      {"gn_one_value",
       [] {
         F::group_norm(randn({1, 2}), 2);
       }},
      {"dropout2d_p", [] { nn::Dropout2d(1.5); }},
      {"dropout2d_f_p",
       [] {
         F::dropout2d(randn({2, 3}), -0.1);
       }},
      {"dropout2d_1d", [] { F::dropout2d(randn({3}), 0.5); }},
      {"gelu_approximate", [] { F::gelu(randn({3}), "foo"); }},
      {"unflatten_size",
       [] {
         nn::Unflatten(1, {4, 4})(randn({2, 15}));
       }},
      {"unflatten_infer",
       [] {
         nn::Unflatten(1, {4, -1})(randn({2, 15}));
       }},
      {"unflatten_two_infer",
       [] {
         nn::Unflatten(1, {-1, -1})(randn({2, 15}));
       }},
  };
  const json& want = fixture()["errors"];
  ASSERT_EQ(want.size(), cases.size());
  for (const auto& [name, message] : want.items()) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(cases.contains(name));
    try {
      cases.at(name)();
      ADD_FAILURE() << "no error";
    } catch (const tl::Error& e) {
      EXPECT_EQ(std::string(e.what()), message.get<std::string>());
    }
  }
}
