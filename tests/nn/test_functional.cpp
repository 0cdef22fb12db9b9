// nn::functional losses, softmax and dropout against PyTorch 1.13
// (tests/fixtures/train/losses.json).
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "common/train_fixture_util.h"
#include "torchlite/autograd/node.h"
#include "torchlite/nn/functional.h"

namespace tl = torchlite;
namespace F = torchlite::nn::functional;
using train_fixtures::json;
using train_fixtures::to_tensor;

namespace {

/// Runs the case's function on (x, t) with its keyword arguments.
tl::Tensor call(const json& c, const tl::Tensor& x, const tl::Tensor& t) {
  const std::string fn = c["fn"];
  const json& kw = c["kwargs"];
  const std::string red = kw.value("reduction", std::string("mean"));
  const tl::Tensor w = kw.contains("weight") ? to_tensor(kw["weight"]) : tl::Tensor();
  if (fn == "cross_entropy")
    return F::cross_entropy(x, t,
                            {.weight = w,
                             .ignore_index = kw.value("ignore_index", int64_t{-100}),
                             .reduction = red,
                             .label_smoothing = kw.value("label_smoothing", 0.0)});
  if (fn == "nll_loss")
    return F::nll_loss(
        x, t,
        {.weight = w, .ignore_index = kw.value("ignore_index", int64_t{-100}), .reduction = red});
  if (fn == "mse_loss") return F::mse_loss(x, t, red);
  if (fn == "l1_loss") return F::l1_loss(x, t, red);
  if (fn == "binary_cross_entropy_with_logits") {
    const tl::Tensor pw = kw.contains("pos_weight") ? to_tensor(kw["pos_weight"]) : tl::Tensor();
    return F::binary_cross_entropy_with_logits(x, t,
                                               {.weight = w, .reduction = red, .pos_weight = pw});
  }
  if (fn == "softmax") return F::softmax(x, kw["dim"].get<int64_t>());
  if (fn == "log_softmax") return F::log_softmax(x, kw["dim"].get<int64_t>());
  ADD_FAILURE() << "unknown fn " << fn;
  return {};
}

std::string describe(const json& c) {
  return c["fn"].get<std::string>() + " " + c["kwargs"].dump();
}

}  // namespace

TEST(Functional, MatchesPyTorchValuesGradFnAndGradients) {
  int checked = 0;
  for (const json& c : train_fixtures::load("losses.json")) {
    if (c["fn"] == "dropout") continue;
    SCOPED_TRACE(describe(c));
    tl::Tensor x = to_tensor(c["input"]);
    x.requires_grad_(true);
    const bool target_grad = c.contains("grad_target") && !c["grad_target"].is_null();
    tl::Tensor t = c.contains("target") ? to_tensor(c["target"]) : tl::Tensor();
    if (target_grad) t.requires_grad_(true);
    const tl::Tensor out = call(c, x, t);
    const bool f64 = x.dtype() == tl::kFloat64;
    const double rtol = f64 ? 1e-10 : 2e-5, atol = f64 ? 1e-12 : 1e-6;
    train_fixtures::expect_close(out, c["output"], rtol, atol, "output");
    ASSERT_TRUE(out.grad_fn() != nullptr);
    EXPECT_EQ(out.grad_fn()->name(), c["grad_fn"].get<std::string>());
    out.backward(to_tensor(c["grad_output"]));
    train_fixtures::expect_close(x.grad(), c["grad_input"], rtol, atol, "grad_input");
    if (target_grad)
      train_fixtures::expect_close(t.grad(), c["grad_target"], rtol, atol, "grad_target");
    ++checked;
  }
  EXPECT_GT(checked, 100);
}

TEST(Functional, DropoutDrawsThePyTorchMask) {
  for (const json& c : train_fixtures::load("losses.json")) {
    if (c["fn"] != "dropout") continue;
    tl::manual_seed(c["seed"].get<uint64_t>());
    tl::Tensor x = to_tensor(c["input"]);
    x.requires_grad_(true);
    const tl::Tensor out = F::dropout(x, c["kwargs"]["p"].get<double>());
    train_fixtures::expect_close(out, c["output"], 0, 0, "dropout mask");
    EXPECT_EQ(out.grad_fn()->name(), c["grad_fn"].get<std::string>());
  }
}

TEST(Functional, DropoutEvalAndEdgeProbabilities) {
  const tl::Tensor x = tl::ones({3, 4});
  EXPECT_TRUE(F::dropout(x, 0.5, false).is_same(x));
  EXPECT_TRUE(F::dropout(x, 0.0).is_same(x));
  EXPECT_TRUE(F::dropout(x, 1.0).equal(tl::zeros({3, 4})));
  // kept elements are scaled by 1 / (1 - p)
  const tl::Tensor y = F::dropout(tl::ones({1000}), 0.25);
  const float* p = y.data_ptr<float>();
  int kept = 0;
  for (int i = 0; i < 1000; ++i) {
    EXPECT_TRUE(p[i] == 0.0f || std::abs(p[i] - 1.0f / 0.75f) < 1e-6f);
    kept += p[i] != 0.0f;
  }
  EXPECT_GT(kept, 650);
  EXPECT_LT(kept, 850);
}

TEST(Functional, ErrorsReadLikePyTorch) {
  const json errors = train_fixtures::load("errors.json");
  auto message = [&](const std::string& name) {
    for (const json& e : errors)
      if (e["case"] == name) return e["message"].get<std::string>();
    ADD_FAILURE() << "no error case " << name;
    return std::string();
  };
  auto expect_error = [&](const std::string& name, auto&& fn) {
    try {
      fn();
      ADD_FAILURE() << name << " did not throw";
    } catch (const tl::Error& e) {
      EXPECT_EQ(std::string(e.what()), message(name)) << name;
    }
  };
  const tl::Tensor x = tl::randn({3, 5});
  expect_error("target_out_of_bounds", [&] { F::cross_entropy(x, tl::tensor({0, 12, 1})); });
  expect_error("negative_target", [&] { F::cross_entropy(x, tl::tensor({0, -1, 1})); });
  expect_error("batch_mismatch", [&] { F::cross_entropy(x, tl::tensor({0, 1})); });
  expect_error("bad_reduction", [&] {
    F::cross_entropy(x, tl::tensor({0, 1, 2}), {.reduction = "avg"});
  });
  expect_error("bad_label_smoothing", [&] {
    F::cross_entropy(x, tl::tensor({0, 1, 2}), {.label_smoothing = 1.5});
  });
  expect_error("bad_weight", [&] {
    F::cross_entropy(x, tl::tensor({0, 1, 2}), {.weight = tl::ones({3})});
  });
  expect_error("nd_target_shape", [&] {
    F::cross_entropy(tl::randn({2, 3, 4}), tl::zeros({2, 5}, tl::kInt64));
  });
  expect_error("multi_target", [&] { F::nll_loss(x, tl::zeros({3, 2}, tl::kInt64)); });
  expect_error("bce_size", [&] { F::binary_cross_entropy_with_logits(x, tl::rand({3, 4})); });
  expect_error("dropout_p", [&] { F::dropout(x, 1.5); });
  expect_error("int32_target", [&] { F::cross_entropy(x, tl::tensor({0, 1, 2}).to(tl::kInt32)); });
  expect_error("double_weight", [&] {
    F::cross_entropy(x, tl::tensor({0, 1, 2}), {.weight = tl::ones({5}, tl::kFloat64)});
  });
  EXPECT_THROW(F::softmax(x, 2), tl::Error);
  EXPECT_THROW(F::cross_entropy(tl::zeros({2, 3}, tl::kInt64), tl::tensor({0, 1})), tl::Error);
}

TEST(Functional, CrossEntropyIsStableForHugeLogits) {
  const tl::Tensor x = tl::tensor({{1000.0f, 0.0f, -1000.0f}, {-5000.0f, 5000.0f, 0.0f}});
  const tl::Tensor loss = F::cross_entropy(x, tl::tensor({0, 0}), {.reduction = "none"});
  EXPECT_FLOAT_EQ(loss.data_ptr<float>()[0], 0.0f);
  EXPECT_FLOAT_EQ(loss.data_ptr<float>()[1], 10000.0f);
  const tl::Tensor lsm = F::log_softmax(x, 1);
  EXPECT_FLOAT_EQ(lsm.data_ptr<float>()[2], -2000.0f);
}

TEST(Functional, FusedCrossEntropyEqualsItsPlainTwin) {
  // the fused kernel against the composition it replaces: nll_loss(log_softmax(x)) (+ smoothing)
  tl::manual_seed(11);
  for (const std::string red : {"mean", "sum", "none"}) {
    for (const double ls : {0.0, 0.25}) {
      tl::Tensor x = (tl::randn({33, 7}) * 4.0).requires_grad_(true);
      tl::Tensor x2 = x.detach().clone().requires_grad_(true);
      const tl::Tensor t = tl::randint(0, 7, {33});
      const tl::Tensor w = tl::rand({7}) + 0.5;
      const tl::Tensor fused =
          F::cross_entropy(x, t, {.weight = w, .reduction = red, .label_smoothing = ls});
      const tl::Tensor lp = F::log_softmax(x2, 1);
      tl::Tensor plain = F::nll_loss(lp, t, {.weight = w, .reduction = red});
      if (ls > 0) {
        tl::Tensor smooth = -(lp * w).sum(1);
        if (red == "mean") smooth = smooth.sum() / w.index_select(0, t).sum();
        if (red == "sum") smooth = smooth.sum();
        plain = plain * (1 - ls) + smooth * (ls / 7);
      }
      EXPECT_TRUE(fused.allclose(plain, 1e-5, 1e-6)) << red << " " << ls;
      const tl::Tensor g = fused.dim() ? tl::rand(fused.sizes()) : tl::ones({});
      fused.backward(g);
      plain.backward(g);
      EXPECT_TRUE(x.grad().allclose(x2.grad(), 1e-5, 1e-6)) << red << " " << ls;
    }
  }
}

TEST(Functional, InplaceDropoutWritesItsInput) {
  tl::manual_seed(5);
  tl::Tensor x = tl::ones({50});
  const tl::Tensor y = F::dropout(x, 0.5, true, true);
  EXPECT_TRUE(y.is_same(x));
  EXPECT_GT(x.eq(0.0f).sum().item_double(), 0);
  EXPECT_GT(x.eq(2.0f).sum().item_double(), 0);
}

// MseLossBackward0 and BinaryCrossEntropyWithLogitsBackward0 save their operands, so PyTorch's
// in-place modification check applies.
TEST(Functional, LossesCatchAnInPlaceChangeOfTheirInput) {
  auto loss_of = [](const std::string& fn, const tl::Tensor& y) {
    return fn == "mse_loss" ? F::mse_loss(y, tl::randn({3}))
                            : F::binary_cross_entropy_with_logits(y, tl::rand({2, 3}));
  };
  for (const std::string fn : {"mse_loss", "binary_cross_entropy_with_logits"}) {
    tl::Tensor x = tl::randn({2, 3}).requires_grad_(true);
    tl::Tensor y = x * 2;
    const tl::Tensor loss = loss_of(fn, y);
    y.add_(1);
    try {
      loss.backward();
      ADD_FAILURE() << fn << ": modified saved tensor not detected";
    } catch (const tl::Error& e) {
      EXPECT_NE(std::string(e.what()).find(
                    "one of the variables needed for gradient computation has been modified by "
                    "an inplace operation: [torch.FloatTensor [2, 3]], which is output 0 of "
                    "AddBackward0, is at version 1; expected version 0 instead."),
                std::string::npos)
          << fn << ": " << e.what();
    }
  }
}
