// Pooling layers, their nn::functional forms and F::interpolate against PyTorch 1.13
// (tests/fixtures/nn/pooling.json from tools/gen_pooling_fixtures.py): repr of each layer variant,
// forward, indices and input gradients over a grid of arguments, PyTorch's error messages, and
// float64 finite-difference gradchecks.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/train_fixture_util.h"
#include "nn/nn_fixture_util.h"
#include "torchlite/nn/activation.h"
#include "torchlite/nn/functional.h"
#include "torchlite/nn/pooling.h"
#include "torchlite/nn/sequential.h"

namespace tl = torchlite;
namespace nn = torchlite::nn;
namespace F = torchlite::nn::functional;
using nlohmann::json;
using train_fixtures::expect_close;
using train_fixtures::to_tensor;

namespace {

const json& fixture() {
  static const json f = nnfx::load("pooling.json");
  return f;
}

/// An int (scalar form) or a list (tuple form).
template <size_t D>
nn::ExpandingArray<D> expanding(const json& j) {
  if (j.is_number()) return nn::ExpandingArray<D>(j.get<int64_t>());
  std::array<int64_t, D> v{};
  for (size_t i = 0; i < D; ++i) v[i] = j[i].get<int64_t>();
  return nn::ExpandingArray<D>(v);
}

template <size_t D>
nn::ExpandingArray<D> expanding_or(const json& kw, const char* key, int64_t fallback) {
  return kw.contains(key) ? expanding<D>(kw[key]) : nn::ExpandingArray<D>(fallback);
}

template <size_t D>
nn::OptionalExpandingArray<D> stride_of(const json& kw) {
  if (!kw.contains("stride") || kw["stride"].is_null()) return std::nullopt;
  return expanding<D>(kw["stride"]);
}

std::optional<int64_t> opt_int(const json& j) {
  return j.is_null() ? std::nullopt : std::optional<int64_t>(j.get<int64_t>());
}

nn::ExpandingArrayWithOptionalElem<2> adaptive_size(const json& j) {
  if (j.is_number()) return j.get<int64_t>();
  return {opt_int(j[0]), opt_int(j[1])};
}

template <size_t D>
nn::MaxPoolOptions<D> max_options(const json& kw) {
  return {.stride = stride_of<D>(kw),
          .padding = expanding_or<D>(kw, "padding", 0),
          .dilation = expanding_or<D>(kw, "dilation", 1),
          .ceil_mode = kw.value("ceil_mode", false)};
}

nn::AvgPool1dOptions avg1_options(const json& kw) {
  return {.stride = stride_of<1>(kw),
          .padding = expanding_or<1>(kw, "padding", 0),
          .ceil_mode = kw.value("ceil_mode", false),
          .count_include_pad = kw.value("count_include_pad", true)};
}

nn::AvgPool2dOptions avg2_options(const json& kw) {
  return {.stride = stride_of<2>(kw),
          .padding = expanding_or<2>(kw, "padding", 0),
          .ceil_mode = kw.value("ceil_mode", false),
          .count_include_pad = kw.value("count_include_pad", true),
          .divisor_override =
              kw.contains("divisor_override") ? opt_int(kw["divisor_override"]) : std::nullopt};
}

template <class T>
tl::SpatialArg<T> spatial(const json& kw, const char* key) {
  if (!kw.contains(key)) return {};
  const json& j = kw[key];
  if (j.is_number()) return j.get<T>();
  return j.get<std::vector<T>>();
}

tl::InterpolateOptions interpolate_options(const json& kw) {
  tl::InterpolateOptions o;
  o.size = spatial<int64_t>(kw, "size");
  o.scale_factor = spatial<double>(kw, "scale_factor");
  o.mode = kw.value("mode", std::string("nearest"));
  if (kw.contains("align_corners")) o.align_corners = kw["align_corners"].get<bool>();
  if (kw.contains("recompute_scale_factor"))
    o.recompute_scale_factor = kw["recompute_scale_factor"].get<bool>();
  return o;
}

struct Result {
  tl::Tensor output, indices;
};

/// Runs the fixture function `fn` on x with its keyword arguments.
Result call(const std::string& fn, const tl::Tensor& x, const json& kw) {
  if (fn == "max_pool2d")
    return {F::max_pool2d(x, expanding<2>(kw["kernel_size"]), max_options<2>(kw))};
  if (fn == "max_pool2d_with_indices") {
    auto [y, i] =
        F::max_pool2d_with_indices(x, expanding<2>(kw["kernel_size"]), max_options<2>(kw));
    return {y, i};
  }
  if (fn == "max_pool1d")
    return {F::max_pool1d(x, expanding<1>(kw["kernel_size"]), max_options<1>(kw))};
  if (fn == "max_pool1d_with_indices") {
    auto [y, i] =
        F::max_pool1d_with_indices(x, expanding<1>(kw["kernel_size"]), max_options<1>(kw));
    return {y, i};
  }
  if (fn == "avg_pool1d")
    return {F::avg_pool1d(x, expanding<1>(kw["kernel_size"]), avg1_options(kw))};
  if (fn == "avg_pool2d")
    return {F::avg_pool2d(x, expanding<2>(kw["kernel_size"]), avg2_options(kw))};
  if (fn == "adaptive_avg_pool1d")
    return {F::adaptive_avg_pool1d(x, expanding<1>(kw["output_size"]))};
  if (fn == "adaptive_avg_pool2d")
    return {F::adaptive_avg_pool2d(x, adaptive_size(kw["output_size"]))};
  if (fn == "adaptive_max_pool2d")
    return {F::adaptive_max_pool2d(x, adaptive_size(kw["output_size"]))};
  if (fn == "adaptive_max_pool2d_with_indices") {
    auto [y, i] = F::adaptive_max_pool2d_with_indices(x, adaptive_size(kw["output_size"]));
    return {y, i};
  }
  if (fn == "interpolate") return {F::interpolate(x, interpolate_options(kw))};
  ADD_FAILURE() << "unknown fn " << fn;
  return {};
}

/// The fixtures' upstream gradient: 1 + (i % 5) / 4 in row-major order.
tl::Tensor grad_output_like(const tl::Tensor& out) {
  tl::Tensor g = tl::empty(out.sizes(), tl::kFloat64);
  for (int64_t i = 0; i < g.numel(); ++i) g.data_ptr<double>()[i] = 1 + (i % 5) / 4.0;
  return g.to(out.dtype());
}

/// A layer from the fixture's class name and keyword arguments.
std::shared_ptr<nn::Module> make_layer(const std::string& cls, const json& kw) {
  if (cls == "MaxPool2d") return nn::MaxPool2d(expanding<2>(kw["kernel_size"]), max_options<2>(kw));
  if (cls == "MaxPool1d") return nn::MaxPool1d(expanding<1>(kw["kernel_size"]), max_options<1>(kw));
  if (cls == "AvgPool2d") return nn::AvgPool2d(expanding<2>(kw["kernel_size"]), avg2_options(kw));
  if (cls == "AvgPool1d") return nn::AvgPool1d(expanding<1>(kw["kernel_size"]), avg1_options(kw));
  if (cls == "AdaptiveAvgPool2d") return nn::AdaptiveAvgPool2d(adaptive_size(kw["output_size"]));
  if (cls == "AdaptiveAvgPool1d") return nn::AdaptiveAvgPool1d(expanding<1>(kw["output_size"]));
  if (cls == "AdaptiveMaxPool2d") return nn::AdaptiveMaxPool2d(adaptive_size(kw["output_size"]));
  ADD_FAILURE() << "unknown layer " << cls;
  return nullptr;
}

std::string describe(const json& c) {
  return c["fn"].get<std::string>() + " " + c["kwargs"].dump() + " input " +
         c["input"]["dtype"].get<std::string>() + c["input"]["shape"].dump() +
         (c["transpose"].get<bool>() ? " transposed" : "");
}

}  // namespace

TEST(Pooling, ReprMatchesPyTorch) {
  for (const json& r : fixture()["reprs"]) {
    auto layer = make_layer(r["cls"], r["kwargs"]);
    ASSERT_TRUE(layer);
    EXPECT_EQ(nn::repr(*layer), r["repr"].get<std::string>()) << r["kwargs"].dump();
  }
}

TEST(Pooling, FunctionalMatchesPyTorchOverTheGrid) {
  int checked = 0;
  for (const json& c : fixture()["cases"]) {
    SCOPED_TRACE(describe(c));
    tl::Tensor base = to_tensor(c["input"]);
    base.requires_grad_(true);
    const tl::Tensor x = c["transpose"].get<bool>() ? base.transpose(-1, -2) : base;
    if (c["transpose"].get<bool>()) ASSERT_FALSE(x.is_contiguous());
    const Result r = call(c["fn"], x, c["kwargs"]);
    ASSERT_TRUE(r.output.defined());
    const bool f64 = base.dtype() == tl::kFloat64;
    const double rtol = f64 ? 1e-10 : 1e-5, atol = f64 ? 1e-12 : 1e-6;
    expect_close(r.output, c["output"], rtol, atol, "output");
    if (c.contains("indices")) {
      ASSERT_TRUE(r.indices.defined());
      const tl::Tensor want = to_tensor(c["indices"]);
      ASSERT_EQ(r.indices.sizes(), want.sizes());
      EXPECT_TRUE(r.indices.contiguous().equal(want)) << "indices";
    }
    (r.output * grad_output_like(r.output)).sum().backward();
    ASSERT_TRUE(base.grad().defined());
    const tl::Tensor grad =
        c["transpose"].get<bool>() ? base.grad().transpose(-1, -2) : base.grad();
    expect_close(grad, c["grad_input"], rtol, atol, "grad_input");
    ++checked;
  }
  EXPECT_GT(checked, 250);
}

TEST(Pooling, ModulesMatchPyTorch) {
  for (const json& c : fixture()["modules"]) {
    SCOPED_TRACE(c["cls"].get<std::string>() + " " + c["kwargs"].dump());
    auto layer = make_layer(c["cls"], c["kwargs"]);
    tl::Tensor x = to_tensor(c["input"]);
    x.requires_grad_(true);
    const tl::Tensor y = layer->forward(x);
    expect_close(y, c["output"], 1e-10, 1e-12, "output");
    (y * grad_output_like(y)).sum().backward();
    expect_close(x.grad(), c["grad_input"], 1e-10, 1e-12, "grad_input");
  }
}

TEST(Pooling, BadArgumentsRaisePyTorchsMessages) {
  int checked = 0;
  for (const json& e : fixture()["errors"]) {
    tl::Sizes shape;
    for (const auto& s : e["shape"]) shape.push_back(s.get<int64_t>());
    tl::Tensor x = tl::zeros(shape);
    if (e["requires_grad"].get<bool>()) x.requires_grad_(true);
    SCOPED_TRACE(e["fn"].get<std::string>() + " " + e["kwargs"].dump());
    try {
      call(e["fn"], x, e["kwargs"]);
      ADD_FAILURE() << "no error";
    } catch (const tl::Error& err) {
      EXPECT_EQ(std::string(err.what()), e["message"].get<std::string>());
    }
    ++checked;
  }
  EXPECT_GT(checked, 60);
}

// The forms the issue writes: positional kernel size, the rest by designated initializers.
TEST(Pooling, LayersTakeDesignatedInitializers) {
  EXPECT_EQ(nn::repr(*nn::MaxPool2d(2)),
            "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
  EXPECT_EQ(nn::repr(*nn::MaxPool2d(3, {.stride = 2, .padding = 1})),
            "MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)");
  EXPECT_EQ(nn::repr(*nn::MaxPool2d({3, 2}, {.stride = {2, 1}, .ceil_mode = true})),
            "MaxPool2d(kernel_size=(3, 2), stride=(2, 1), padding=0, dilation=1, ceil_mode=True)");
  EXPECT_EQ(nn::repr(*nn::AvgPool2d(2, {.stride = 2})),
            "AvgPool2d(kernel_size=2, stride=2, padding=0)");
  EXPECT_EQ(nn::repr(*nn::AdaptiveAvgPool2d({1, 1})), "AdaptiveAvgPool2d(output_size=(1, 1))");
  EXPECT_EQ(nn::repr(*nn::AdaptiveAvgPool2d({std::nullopt, 7})),
            "AdaptiveAvgPool2d(output_size=(None, 7))");
  nn::Sequential net{nn::AvgPool2d(2, {.stride = 2}), nn::Sigmoid(),
                     nn::MaxPool2d(3, {.stride = 2, .padding = 1})};
  EXPECT_EQ(nn::repr(*net),
            "Sequential(\n  (0): AvgPool2d(kernel_size=2, stride=2, padding=0)\n  (1): Sigmoid()\n"
            "  (2): MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)\n)");
  auto* pool = net[0]->as<nn::AvgPool2d>();
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(pool->kernel_size[0], 2);
  EXPECT_EQ(net->forward(tl::ones({2, 3, 8, 8})).sizes(), (tl::Sizes{2, 3, 2, 2}));
}

namespace {

using Fn = std::function<tl::Tensor(const tl::Tensor&)>;

/// backward() of sum(f(x) * w) against central differences, x float64.
void gradcheck(const std::string& name, const Fn& f, tl::Tensor x) {
  x.requires_grad_(true);
  const tl::Tensor y = f(x);
  const tl::Tensor w = grad_output_like(y);
  (y * w).sum().backward();
  const tl::Tensor analytic = x.grad().contiguous();
  tl::NoGradGuard no_grad;
  const double eps = 1e-6;
  tl::Tensor xc = x.detach();
  for (int64_t i = 0; i < xc.numel(); ++i) {
    double* p = xc.data_ptr<double>() + i;
    const double orig = *p;
    *p = orig + eps;
    const double plus = (f(xc) * w).sum().item<double>();
    *p = orig - eps;
    const double minus = (f(xc) * w).sum().item<double>();
    *p = orig;
    const double numeric = (plus - minus) / (2 * eps);
    EXPECT_NEAR(analytic.data_ptr<double>()[i], numeric, 1e-6 + 1e-6 * std::abs(numeric))
        << name << " element " << i;
  }
}

}  // namespace

TEST(Pooling, Float64Gradcheck) {
  tl::manual_seed(3);
  const tl::Tensor x4 = tl::randn({2, 2, 7, 6}, tl::kFloat64);
  const tl::Tensor x3 = tl::randn({2, 3, 9}, tl::kFloat64);
  gradcheck(
      "avg_pool2d",
      [](const tl::Tensor& x) {
        return F::avg_pool2d(
            x, 3, {.stride = 2, .padding = 1, .ceil_mode = true, .count_include_pad = false});
      },
      x4.clone());
  gradcheck(
      "avg_pool2d divisor",
      [](const tl::Tensor& x) {
        return F::avg_pool2d(x, {2, 3}, {.stride = {1, 2}, .divisor_override = 4});
      },
      x4.clone());
  gradcheck(
      "avg_pool1d",
      [](const tl::Tensor& x) {
        return F::avg_pool1d(x, 4, {.stride = 3, .padding = 2, .ceil_mode = true});
      },
      x3.clone());
  gradcheck(
      "adaptive_avg_pool2d",
      [](const tl::Tensor& x) {
        return F::adaptive_avg_pool2d(x, {4, std::nullopt});
      },
      x4.clone());
  gradcheck(
      "adaptive_avg_pool1d", [](const tl::Tensor& x) { return F::adaptive_avg_pool1d(x, 5); },
      x3.clone());
  for (bool ac : {false, true}) {
    gradcheck(
        "bilinear",
        [ac](const tl::Tensor& x) {
          return F::interpolate(x, {.size = {9, 4}, .mode = "bilinear", .align_corners = ac});
        },
        x4.clone());
    gradcheck(
        "linear",
        [ac](const tl::Tensor& x) {
          return F::interpolate(x, {.scale_factor = 1.7, .mode = "linear", .align_corners = ac});
        },
        x3.clone());
  }
  gradcheck(
      "nearest",
      [](const tl::Tensor& x) {
        return F::interpolate(x, {.scale_factor = {1.5, 0.7}});
      },
      x4.clone());
  // Max away from ties: a permutation spaced far beyond the finite-difference step.
  const tl::Tensor distinct =
      tl::randperm(2 * 2 * 7 * 6).to(tl::kFloat64).div(10).view({2, 2, 7, 6});
  gradcheck(
      "max_pool2d",
      [](const tl::Tensor& x) {
        return F::max_pool2d(x, 3,
                             {.stride = 2, .padding = 1, .dilation = {1, 2}, .ceil_mode = true});
      },
      distinct.clone());
  gradcheck(
      "adaptive_max_pool2d",
      [](const tl::Tensor& x) {
        return F::adaptive_max_pool2d(x, {3, 4});
      },
      distinct.clone());
  gradcheck(
      "max_pool1d",
      [](const tl::Tensor& x) { return F::max_pool1d(x, 3, {.stride = 2, .padding = 1}); },
      distinct.view({4, 7, 6}).clone());
}

TEST(Pooling, SavedIndicesModifiedInPlaceAreRefused) {
  tl::Tensor x = tl::randn({1, 1, 4, 4}, tl::kFloat64);
  x.requires_grad_(true);
  auto [y, indices] = F::max_pool2d_with_indices(x, 2);
  indices.fill_(0);
  EXPECT_THROW(y.sum().backward(), tl::Error);
}
