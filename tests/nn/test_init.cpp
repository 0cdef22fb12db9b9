// nn::init against PyTorch 1.13: every initialiser's values and draw consumption, nn.Linear's
// construction stream, calculate_gain, fans and errors (fixtures from tools/gen_rng_fixtures.py).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>

#include "core/rng_vectors.h"
#include "torchlite/nn/init.h"

namespace tl = torchlite;
namespace init = torchlite::nn::init;
using rngtest::json;

namespace {

// Replays init.* and nn.Linear (Linear through reset_linear_parameters_), else the core ops.
bool replay_nn(const std::string& op, const json& a, std::optional<tl::Generator> gen,
               std::vector<tl::Tensor>& outs) {
  const tl::Dtype dtype = tl::dtype_from_name(a.value("dtype", "float32"));
  if (op == "nn.Linear") {
    const auto out = a["out_features"].get<int64_t>();
    tl::Tensor weight = tl::empty({out, a["in_features"].get<int64_t>()}, dtype);
    tl::Tensor bias = a["bias"].get<bool>() ? tl::empty({out}, dtype) : tl::Tensor();
    init::reset_linear_parameters_(weight, bias, gen);
    outs = bias.defined() ? std::vector<tl::Tensor>{weight, bias} : std::vector{weight};
    return true;
  }
  if (op.rfind("init.", 0) != 0) return rngtest::replay_core(op, a, gen, outs);
  tl::Tensor t = tl::empty(rngtest::sizes_of(a["shape"]), dtype);
  const std::string name = op.substr(5);
  if (name == "uniform_") {
    init::uniform_(t, a["a"], a["b"], gen);
  } else if (name == "normal_") {
    init::normal_(t, a["mean"], a["std"], gen);
  } else if (name == "constant_") {
    init::constant_(t, a["val"]);
  } else if (name == "eye_") {
    init::eye_(t);
  } else if (name == "dirac_") {
    init::dirac_(t, a["groups"]);
  } else if (name == "xavier_uniform_") {
    init::xavier_uniform_(t, a["gain"], gen);
  } else if (name == "xavier_normal_") {
    init::xavier_normal_(t, a["gain"], gen);
  } else if (name == "kaiming_uniform_") {
    init::kaiming_uniform_(t, a["a"], a["mode"], a["nonlinearity"], gen);
  } else if (name == "kaiming_normal_") {
    init::kaiming_normal_(t, a["a"], a["mode"], a["nonlinearity"], gen);
  } else if (name == "orthogonal_") {
    init::orthogonal_(t, a["gain"], gen);
  } else if (name == "trunc_normal_") {
    init::trunc_normal_(t, a["mean"], a["std"], a["a"], a["b"], gen);
  } else {
    return false;
  }
  outs = {t};
  return true;
}

/// Exact bits, except orthogonal_'s Q, which comes out of LAPACK's QR (geqrf/orgqr): its last
/// bits follow the CPU's kernels (a fixture made on one CPU is 1-2 ulps off on another). Its
/// elements lie in [-gain, gain]; Householder QR's error grows with n eps, so each element must be
/// within max(8, n) * eps * gain of PyTorch's, n the larger side of the flattened matrix. A wrong
/// draw, sign or scale is off by orders of magnitude more.
::testing::AssertionResult compare_init(const std::string& op, const json& a, const tl::Tensor& out,
                                        const json& rec) {
  if (op != "init.orthogonal_") return rngtest::same(out, rec);
  const double eps = out.dtype() == tl::kFloat64 ? 0x1p-52 : 0x1p-23;
  const int64_t n = std::max(out.size(0), out.numel() / std::max<int64_t>(out.size(0), 1));
  return rngtest::close(out, rec, static_cast<double>(std::max<int64_t>(8, n)) * eps *
                                      a["gain"].get<double>());
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const tl::Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(InitConformance, ReferenceVectorsAvx2AllOps) {
  const json doc = rngtest::load("rng_vectors_avx2.json");
  rngtest::Tally tally("rng_vectors_avx2.json (all ops)");
  rngtest::check_vectors(doc["vectors"], tally, 0, replay_nn, compare_init);
  EXPECT_EQ(tally.skipped(), 0);
}

TEST(InitConformance, ExtraInitAndLinearVectors) {
  const json doc = rngtest::load("rng_extra.json");
  rngtest::Tally tally("rng_extra.json nn");
  rngtest::check_vectors(doc["nn"], tally, 0, replay_nn, compare_init);
  EXPECT_EQ(tally.skipped(), 0);
}

TEST(Init, CalculateGainMatchesPyTorchBits) {
  const json doc = rngtest::load("rng_extra.json");
  for (const auto& g : doc["gains"]) {
    std::optional<double> param;
    if (!g["param"].is_null()) param = g["param"].get<double>();
    const double gain = init::calculate_gain(g["nonlinearity"], param);
    uint64_t bits = 0;
    std::memcpy(&bits, &gain, sizeof bits);
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(bits));
    EXPECT_EQ(buf, g["hex"].get<std::string>()) << g["nonlinearity"] << " " << g["param"];
  }
  EXPECT_EQ(message_of([] { init::calculate_gain("softmax"); }),
            "Unsupported nonlinearity softmax");
}

TEST(Init, FansAndErrors) {
  EXPECT_EQ(init::calculate_fan_in_and_fan_out(tl::empty({16, 8, 3, 3})),
            std::make_pair(int64_t{72}, int64_t{144}));
  EXPECT_EQ(init::calculate_fan_in_and_fan_out(tl::empty({5, 7})),
            std::make_pair(int64_t{7}, int64_t{5}));
  tl::Tensor vec = tl::empty({5});
  EXPECT_EQ(message_of([&] { init::xavier_uniform_(vec); }),
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
  EXPECT_EQ(message_of([&] { init::kaiming_normal_(vec); }),
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
  tl::Tensor w = tl::empty({3, 4});
  EXPECT_EQ(message_of([&] { init::kaiming_uniform_(w, 0, "fan_avg"); }),
            "Mode fan_avg not supported, please use one of ['fan_in', 'fan_out']");
  EXPECT_EQ(message_of([&] { init::eye_(vec); }), "Only tensors with 2 dimensions are supported");
  EXPECT_EQ(message_of([&] { init::dirac_(w); }),
            "Only tensors with 3, 4, or 5 dimensions are supported");
  tl::Tensor conv = tl::empty({3, 2, 3});
  EXPECT_EQ(message_of([&] { init::dirac_(conv, 2); }), "dim 0 must be divisible by groups");
}

TEST(Init, WorksOnLeavesThatRequireGradAndBumpsVersion) {
  tl::Tensor w = tl::empty({4, 3}).requires_grad_();
  const uint32_t v0 = w.version();
  init::kaiming_uniform_(w, std::sqrt(5.0));
  init::zeros_(w);
  EXPECT_GT(w.version(), v0);
  EXPECT_TRUE(w.requires_grad());
  EXPECT_EQ(w.grad_fn(), nullptr);
  EXPECT_TRUE(tl::is_grad_enabled());
  init::ones_(w);
  EXPECT_EQ(w.sum().item<float>(), 12.0f);
}

TEST(Init, ZeroElementKaimingDrawsNothing) {
  tl::manual_seed(4);
  const uint32_t first = tl::default_generator().random();
  tl::manual_seed(4);
  tl::Tensor w = tl::empty({3, 0});
  init::kaiming_uniform_(w, std::sqrt(5.0));
  init::kaiming_normal_(w);
  EXPECT_EQ(tl::default_generator().random(), first);
}

TEST(Init, OwnGeneratorLeavesDefaultUntouched) {
  tl::manual_seed(6);
  const uint32_t first = tl::default_generator().random();
  tl::manual_seed(6);
  tl::Generator g(6);
  tl::Tensor a = tl::empty({5, 5});
  init::xavier_uniform_(a, 1.0, g);
  tl::Tensor b = tl::empty({5, 5});
  tl::manual_seed(6);
  init::xavier_uniform_(b);
  EXPECT_TRUE(a.equal(b));
  tl::manual_seed(6);
  init::trunc_normal_(a, 0.0, 1.0, -2.0, 2.0, g);
  EXPECT_EQ(tl::default_generator().random(), first);
}
