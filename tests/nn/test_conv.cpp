// nn::Conv1d/Conv2d/ConvTranspose2d and F::conv1d/conv2d/conv_transpose2d/pad against PyTorch 1.13
// (tests/fixtures/nn/conv.json from tools/gen_conv_fixtures.py): default initialisation bits,
// repr, forward and gradients over a grid, error messages; plus finite-difference gradchecks.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "nn/nn_fixture_util.h"
#include "torchlite/autograd/node.h"
#include "torchlite/nn/activation.h"
#include "torchlite/nn/conv.h"
#include "torchlite/nn/functional.h"
#include "torchlite/ops/conv.h"
#include "torchlite/nn/sequential.h"
#include "torchlite/ops/pad.h"

namespace tl = torchlite;
namespace nn = torchlite::nn;
namespace F = torchlite::nn::functional;
using nlohmann::json;

namespace {

const json& fixture() {
  static const json f = nnfx::load("conv.json");
  return f;
}

using nnfx::dtype_of;
using nnfx::gradcheck;
using nnfx::sizes_of;
using nnfx::value;

/// The generator's make_input(): "transposed" lays the values out with the last two dims
/// swapped and views them back (non-contiguous).
tl::Tensor make_input(const tl::Sizes& shape, int64_t salt, tl::Dtype dtype,
                      const std::string& layout) {
  if (layout != "transposed") return value(shape, salt, dtype);
  tl::Sizes swapped = shape;
  std::swap(swapped[swapped.size() - 1], swapped[swapped.size() - 2]);
  return value(swapped, salt, dtype).transpose(-1, -2);
}

template <size_t D>
nn::ExpandingArray<D> array_of(const json& j) {
  if (j.is_number()) return nn::ExpandingArray<D>(j.get<int64_t>());
  std::array<int64_t, D> a{};
  for (size_t i = 0; i < D; ++i) a[i] = j[i].get<int64_t>();
  return nn::ExpandingArray<D>(a);
}

template <size_t D>
nn::ConvPadding<D> padding_of(const json& j) {
  if (j.is_string()) return nn::ConvPadding<D>(j.get<std::string>());
  return nn::ConvPadding<D>(array_of<D>(j));
}

template <size_t D>
nn::ConvOptions<D> conv_options(const json& kw) {
  nn::ConvOptions<D> o;
  if (kw.contains("stride")) o.stride = array_of<D>(kw["stride"]);
  if (kw.contains("padding")) o.padding = padding_of<D>(kw["padding"]);
  if (kw.contains("dilation")) o.dilation = array_of<D>(kw["dilation"]);
  if (kw.contains("groups")) o.groups = kw["groups"];
  if (kw.contains("bias")) o.bias = kw["bias"];
  if (kw.contains("padding_mode")) o.padding_mode = kw["padding_mode"];
  return o;
}

nn::ConvTranspose2dOptions transpose_options(const json& kw) {
  nn::ConvTranspose2dOptions o;
  if (kw.contains("stride")) o.stride = array_of<2>(kw["stride"]);
  if (kw.contains("padding")) o.padding = array_of<2>(kw["padding"]);
  if (kw.contains("output_padding")) o.output_padding = array_of<2>(kw["output_padding"]);
  if (kw.contains("groups")) o.groups = kw["groups"];
  if (kw.contains("bias")) o.bias = kw["bias"];
  if (kw.contains("dilation")) o.dilation = array_of<2>(kw["dilation"]);
  if (kw.contains("padding_mode")) o.padding_mode = kw["padding_mode"];
  return o;
}

/// The module a fixture case describes: kind, positional args, keyword args.
std::shared_ptr<nn::Module> build(const std::string& kind, const json& args, const json& kw) {
  const int64_t in = args[0], out = args[1];
  if (kind == "Conv1d") return nn::Conv1d(in, out, array_of<1>(args[2]), conv_options<1>(kw)).ptr();
  if (kind == "Conv2d") return nn::Conv2d(in, out, array_of<2>(args[2]), conv_options<2>(kw)).ptr();
  if (kind == "ConvTranspose2d")
    return nn::ConvTranspose2d(in, out, array_of<2>(args[2]), transpose_options(kw)).ptr();
  throw std::runtime_error("unknown module " + kind);
}

std::string repr_of(const nn::Module& m) {
  std::ostringstream os;
  os << m;
  return os.str();
}

/// Expects `actual` to have `shape` and the listed values within atol + rtol * |expected|.
void expect_values(const tl::Tensor& actual, const tl::Sizes& shape, const json& expected,
                   double tol, const std::string& what) {
  ASSERT_TRUE(actual.defined()) << what;
  ASSERT_EQ(actual.sizes(), shape) << what;
  const tl::Tensor a = actual.contiguous().to(tl::kFloat64);
  ASSERT_EQ(static_cast<size_t>(a.numel()), expected.size()) << what;
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double e = expected[i].get<double>();
    ASSERT_NEAR(a.data_ptr<double>()[i], e, tol + tol * std::abs(e)) << what << " [" << i << "]";
  }
}

/// Runs a functional fixture case's call on (x, w, b).
tl::Tensor call(const json& c, const tl::Tensor& x, const tl::Tensor& w, const tl::Tensor& b) {
  const std::string fn = c["fn"];
  const json& kw = c["kwargs"];
  if (fn == "pad") {
    F::PadFuncOptions o;
    if (kw.contains("mode")) o.mode = kw["mode"];
    if (kw.contains("value") && !kw["value"].is_null()) o.value = kw["value"].get<double>();
    return F::pad(x, kw["pad"].get<std::vector<int64_t>>(), o);
  }
  if (fn == "conv_transpose2d") {
    F::ConvTranspose2dFuncOptions o{.bias = b};
    if (kw.contains("stride")) o.stride = array_of<2>(kw["stride"]);
    if (kw.contains("padding")) o.padding = array_of<2>(kw["padding"]);
    if (kw.contains("output_padding")) o.output_padding = array_of<2>(kw["output_padding"]);
    if (kw.contains("groups")) o.groups = kw["groups"];
    if (kw.contains("dilation")) o.dilation = array_of<2>(kw["dilation"]);
    return F::conv_transpose2d(x, w, o);
  }
  auto fill = [&](auto o) {
    using D = decltype(o.stride);
    constexpr size_t kD = D::size();
    o.bias = b;
    if (kw.contains("stride")) o.stride = array_of<kD>(kw["stride"]);
    if (kw.contains("padding")) o.padding = padding_of<kD>(kw["padding"]);
    if (kw.contains("dilation")) o.dilation = array_of<kD>(kw["dilation"]);
    if (kw.contains("groups")) o.groups = kw["groups"];
    return o;
  };
  if (fn == "conv1d") return F::conv1d(x, w, fill(F::Conv1dFuncOptions{}));
  return F::conv2d(x, w, fill(F::Conv2dFuncOptions{}));
}

tl::Tensor leaf(const tl::Sizes& shape, int64_t salt) {
  return value(shape, salt, tl::kFloat64).requires_grad_(true);
}

}  // namespace

TEST(Conv, DefaultInitBitExactReprAndStateDict) {
  int checked = 0;
  for (const json& c : fixture()["modules"]) {
    SCOPED_TRACE(c["repr"].get<std::string>() + " seed " +
                 std::to_string(c["seed"].get<int64_t>()));
    tl::manual_seed(c["seed"].get<uint64_t>());
    auto m = build(c["kind"], c["args"], c["kwargs"]);
    const tl::Tensor probe = tl::randint(0, int64_t{1} << 31, {2});
    EXPECT_EQ(repr_of(*m), c["repr"].get<std::string>());
    const nn::StateDict sd = m->state_dict();
    EXPECT_EQ(sd.keys(), c["state_dict_keys"].get<std::vector<std::string>>());
    EXPECT_EQ(sd.at("weight").sizes(), sizes_of(c["weight_shape"]));
    EXPECT_EQ(nnfx::hex32(sd.at("weight")), c["weight"].get<std::string>());
    if (c["bias"].is_null())
      EXPECT_FALSE(sd.contains("bias"));
    else
      EXPECT_EQ(nnfx::hex32(sd.at("bias")), c["bias"].get<std::string>());
    EXPECT_EQ(probe.data_ptr<int64_t>()[0], c["probe"][0].get<int64_t>());
    EXPECT_EQ(probe.data_ptr<int64_t>()[1], c["probe"][1].get<int64_t>());
    ++checked;
  }
  EXPECT_GE(checked, 30);
}

TEST(Conv, ResetParametersRedrawsAsPyTorch) {
  // reset_parameters() draws what a second construction would (PyTorch's draws, in order).
  for (int transposed = 0; transposed < 2; ++transposed) {
    auto make = [&]() -> std::shared_ptr<nn::Module> {
      if (transposed) return nn::ConvTranspose2d(4, 6, {2, 3}, {.groups = 2}).ptr();
      return nn::Conv2d(3, 8, 3).ptr();
    };
    tl::manual_seed(3);
    auto a = make();
    a->reset_parameters();
    tl::manual_seed(3);
    make();
    auto b = make();
    for (const auto& [name, p] : a->named_parameters())
      EXPECT_TRUE(p.equal(b->state_dict().at(name))) << name << " transposed " << transposed;
  }
}

TEST(Conv, FunctionalForwardAndGradientsMatchPyTorch) {
  int checked = 0;
  for (const json& c : fixture()["functional"]) {
    SCOPED_TRACE(c["fn"].get<std::string>() + " " + c["input_shape"].dump() + " " +
                 c["weight_shape"].dump() + " " + c["kwargs"].dump() + " " +
                 c["dtype"].get<std::string>() + " " + c["layout"].get<std::string>());
    const tl::Dtype dtype = dtype_of(c["dtype"]);
    const double tol = dtype == tl::kFloat64 ? 1e-10 : 1e-5;
    tl::Tensor x = make_input(sizes_of(c["input_shape"]), 1, dtype, c["layout"]);
    EXPECT_EQ(x.is_contiguous(), c["layout"] != "transposed" || x.size(-1) == 1 || x.size(-2) == 1);
    x.requires_grad_(true);
    tl::Tensor w, b;
    if (c["fn"] != "pad") {
      w = value(sizes_of(c["weight_shape"]), 2, dtype).requires_grad_(true);
      if (c["bias"].get<bool>()) {
        const int64_t groups = c["kwargs"].value("groups", int64_t{1});
        const int64_t out = c["fn"] == "conv_transpose2d" ? w.size(1) * groups : w.size(0);
        b = value({out}, 3, dtype).requires_grad_(true);
      }
    }
    tl::Tensor y = call(c, x, w, b);
    EXPECT_EQ(y.grad_fn()->name(), c["grad_fn"].get<std::string>());
    const tl::Sizes out_shape = sizes_of(c["output_shape"]);
    expect_values(y, out_shape, c["output"], tol, "output");
    (y * value(out_shape, 4, dtype)).sum().backward();
    expect_values(x.grad(), x.sizes(), c["grad_input"], tol, "grad_input");
    if (w.defined()) expect_values(w.grad(), w.sizes(), c["grad_weight"], tol, "grad_weight");
    if (b.defined()) expect_values(b.grad(), b.sizes(), c["grad_bias"], tol, "grad_bias");
    ++checked;
  }
  EXPECT_GE(checked, 50);
}

TEST(Conv, ModuleForwardWithPaddingModesMatchesPyTorch) {
  int checked = 0;
  for (const json& c : fixture()["module_forward"]) {
    SCOPED_TRACE(c["kind"].get<std::string>() + " " + c["args"].dump() + " " + c["kwargs"].dump());
    tl::manual_seed(c["seed"].get<uint64_t>());
    auto m = build(c["kind"], c["args"], c["kwargs"]);
    m->to(tl::kFloat64);
    tl::Tensor x = value(sizes_of(c["input_shape"]), 5, tl::kFloat64).requires_grad_(true);
    tl::Tensor y = m->forward(x);
    const tl::Sizes out_shape = sizes_of(c["output_shape"]);
    expect_values(y, out_shape, c["output"], 1e-10, "output");
    (y * value(out_shape, 6, tl::kFloat64)).sum().backward();
    expect_values(x.grad(), x.sizes(), c["grad_input"], 1e-10, "grad_input");
    for (const auto& [name, p] : m->named_parameters()) {
      const json& expected = c["grad_" + name];
      expect_values(p.grad(), p.sizes(), expected, 1e-10, "grad_" + name);
    }
    ++checked;
  }
  EXPECT_GE(checked, 5);
}

TEST(Conv, ErrorsUsePyTorchWording) {
  int checked = 0;
  for (const json& c : fixture()["errors"]) {
    SCOPED_TRACE(c.dump());
    const std::string expected = c["message"];
    std::string got = "(no error)";
    try {
      if (c.contains("module")) {
        build(c["module"], c["args"], c["kwargs"]);
      } else if (c.contains("module_forward")) {
        tl::manual_seed(0);
        auto m = build(c["module_forward"], c["args"], c["kwargs"]);
        m->forward(tl::zeros(sizes_of(c["input_shape"])));
      } else {
        const auto dt = c["dtypes"];
        tl::Tensor x = tl::zeros(sizes_of(c["input_shape"]), dtype_of(dt[0]));
        tl::Tensor w, b;
        if (!c["weight_shape"].is_null())
          w = tl::zeros(sizes_of(c["weight_shape"]), dtype_of(dt[1]));
        if (!c["bias_shape"].is_null()) b = tl::zeros(sizes_of(c["bias_shape"]), dtype_of(dt[2]));
        json cc = c;
        cc["layout"] = "contiguous";
        call(cc, x, w, b);
      }
    } catch (const tl::Error& e) {
      got = e.what();
    }
    EXPECT_EQ(got, expected);
    ++checked;
  }
  EXPECT_GE(checked, 45);
}

TEST(Conv, GradcheckConv2d) {
  gradcheck(
      "conv2d stride/pad/dilation/groups",
      [](const std::vector<tl::Tensor>& in) {
        return F::conv2d(
            in[0], in[1],
            {.bias = in[2], .stride = {2, 1}, .padding = {1, 2}, .dilation = {1, 2}, .groups = 2});
      },
      {leaf({2, 4, 5, 6}, 1), leaf({4, 2, 3, 2}, 2), leaf({4}, 3)});
  gradcheck("conv2d same, even kernel",
            [](const std::vector<tl::Tensor>& in) {
              return F::conv2d(in[0], in[1], {.bias = in[2], .padding = "same"});
            },
            {leaf({1, 2, 5, 4}, 4), leaf({3, 2, 2, 4}, 5), leaf({3}, 6)});
  gradcheck("conv1d",
            [](const std::vector<tl::Tensor>& in) {
              return F::conv1d(in[0], in[1], {.bias = in[2], .stride = 2, .padding = 1});
            },
            {leaf({2, 3, 7}, 7), leaf({2, 3, 3}, 8), leaf({2}, 9)});
}

TEST(Conv, GradcheckConvTranspose2d) {
  gradcheck(
      "conv_transpose2d",
      [](const std::vector<tl::Tensor>& in) {
        return F::conv_transpose2d(
            in[0], in[1],
            {.bias = in[2], .stride = 2, .padding = 1, .output_padding = {1, 0}, .groups = 2});
      },
      {leaf({2, 4, 3, 3}, 1), leaf({4, 1, 3, 2}, 2), leaf({2}, 3)});
  gradcheck("conv_transpose2d dilated, unbatched",
            [](const std::vector<tl::Tensor>& in) {
              return F::conv_transpose2d(in[0], in[1], {.dilation = 2});
            },
            {leaf({2, 3, 2}, 4), leaf({2, 3, 2, 2}, 5)});
}

TEST(Conv, GradcheckPad) {
  for (const std::string mode : {"constant", "reflect", "replicate", "circular"}) {
    gradcheck("pad " + mode,
              [&](const std::vector<tl::Tensor>& in) {
                return F::pad(in[0], {2, 1, 1, 2}, {.mode = mode});
              },
              {leaf({2, 2, 3, 4}, 1)});
  }
  gradcheck("pad constant cropping",
            [](const std::vector<tl::Tensor>& in) {
              return F::pad(in[0], {-1, 2, 1, -1, 0, 1});
            },
            {leaf({2, 3, 4}, 2)});
}

TEST(Conv, OptionsByDesignatedInitializers) {
  nn::Conv2d a(1, 6, 5, {.padding = 2});
  EXPECT_EQ(repr_of(*a), "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))");
  nn::Conv2d b(3, 8, {3, 5}, {.padding = {1, 2}, .bias = false});
  EXPECT_EQ(repr_of(*b),
            "Conv2d(3, 8, kernel_size=(3, 5), stride=(1, 1), padding=(1, 2), bias=False)");
  nn::Conv2d c(3, 8, 3, {.padding = "same", .padding_mode = "reflect"});
  EXPECT_EQ(repr_of(*c),
            "Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=same, "
            "padding_mode=reflect)");
  nn::ConvTranspose2d t(16, 8, 3, {.stride = 2, .output_padding = 1});
  EXPECT_EQ(t->forward(tl::zeros({2, 16, 5, 5})).sizes(), (tl::Sizes{2, 8, 12, 12}));
  nn::Conv1d d(4, 4, 3, {.padding = 0, .groups = 4});
  EXPECT_EQ(d->weight.sizes(), (tl::Sizes{4, 1, 3}));
  EXPECT_THROW(nn::Conv2d(3, 8, 3, {.stride = 2, .padding = "same"}), tl::Error);
}

TEST(Conv, ReprInsideSequential) {
  nn::Sequential net{nn::Conv2d(1, 6, 5, {.padding = 2}), nn::Sigmoid(), nn::Conv2d(6, 16, 5),
                     nn::ConvTranspose2d(16, 8, 3, {.stride = 2, .bias = false}),
                     nn::Conv1d(8, 8, 3, {.groups = 8})};
  EXPECT_EQ(repr_of(*net), fixture()["sequential_repr"].get<std::string>());
}

TEST(Conv, UnbatchedInputMatchesBatchOfOne) {
  tl::manual_seed(4);
  nn::Conv2d conv(2, 3, 3, {.padding = 1, .padding_mode = "circular"});
  tl::Tensor x = tl::randn({2, 5, 4});
  tl::Tensor y = conv->forward(x);
  EXPECT_EQ(y.sizes(), (tl::Sizes{3, 5, 4}));
  EXPECT_TRUE(y.allclose(conv->forward(x.unsqueeze(0)).squeeze(0), 1e-6, 1e-6));
}

TEST(Conv, SavedInputModifiedInPlaceIsRefused) {
  tl::Tensor x = tl::randn({1, 1, 4, 4});
  tl::Tensor w = tl::randn({1, 1, 3, 3}).requires_grad_(true);
  tl::Tensor y = F::conv2d(x, w);
  x.add_(1.0);
  EXPECT_THROW(y.sum().backward(), tl::Error);
}
