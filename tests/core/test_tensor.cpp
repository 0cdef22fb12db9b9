// Tensor API: misuse errors worded as PyTorch words them (tests/fixtures/errors/errors.json, from
// tools/gen_error_fixtures.py), storage sharing of views, factories and conversions.
#include <gtest/gtest.h>

#include <fstream>
#include <array>
#include <cmath>
#include <functional>
#include <map>
#include <thread>
#include <nlohmann/json.hpp>

#include "torchlite/autograd/node.h"
#include "torchlite/tensor.h"

namespace tl = torchlite;

namespace {

const std::map<std::string, std::function<void()>> kMisuse = {
    {"broadcast_add", [] { tl::ones({2, 3}) + tl::ones({4}); }},
    {"broadcast_mul", [] { tl::ones({2, 3}) * tl::ones({2, 2}); }},
    {"mm_shapes", [] { tl::ones({2, 3}).mm(tl::ones({4, 5})); }},
    {"view_invalid", [] { tl::ones({2, 3}).view({4, 2}); }},
    {"view_two_infer", [] { tl::ones({2, 3}).view({-1, -1}); }},
    {"view_noncontiguous", [] { tl::ones({2, 3}).t().view({6}); }},
    {"dim_out_of_range", [] { tl::ones({2, 3}).sum(2); }},
    {"select_out_of_range", [] { tl::ones({2, 3}).select(1, 3); }},
    {"index_out_of_range", [] { tl::ones({2, 3})[2]; }},
    {"item_many", [] { tl::ones({2}).item<float>(); }},
    {"expand_bad", [] { tl::ones({2, 3}).expand({3, 3}); }},
    {"cat_sizes", [] { tl::cat({tl::ones({2, 3}), tl::ones({2, 4})}); }},
    {"stack_sizes", [] { tl::stack({tl::ones({2, 3}), tl::ones({3, 2})}); }},
    {"mean_int", [] { tl::ones({2}, tl::kInt64).mean(); }},
    {"requires_grad_int", [] { tl::ones({2}, tl::kInt64).requires_grad_(); }},
    {"backward_nonscalar", [] { (tl::ones({2}).requires_grad_() * 2).backward(); }},
    {"backward_no_grad", [] { tl::ones({2}).sum().backward(); }},
    {"leaf_inplace", [] { tl::ones({2}).requires_grad_().add_(1); }},
    {"bool_sub", [] { tl::ones({2}, tl::kBool) - tl::ones({2}, tl::kBool); }},
    {"neg_bool", [] { -tl::ones({2}, tl::kBool); }},
    {"negative_size", [] { tl::empty({2, -1}); }},
    {"permute_dup", [] { tl::ones({2, 3}).permute({0, 0}); }},
    {"t_3d", [] { tl::ones({2, 3, 4}).t(); }},
    {"max_empty", [] { tl::ones({0}).max(); }},
    {"flatten_args", [] { tl::ones({2, 3, 4}).flatten(2, 1); }},
    {"index_select_range", [] { tl::ones({2, 3}).index_select(0, tl::tensor({5})); }},
    {"int_neg_pow", [] { tl::tensor({2}).pow(-1); }},
    {"uniform_range", [] { tl::empty({3}).uniform_(1, 0); }},
    {"normal_std", [] { tl::empty({3}).normal_(0, -1); }},
    {"randint_range", [] { tl::randint(5, 5, {2}); }},
    {"inplace_cast", [] { tl::arange(4).add_(1.5); }},
    {"inplace_cast_bool", [] { tl::ones({4}, tl::kBool).add_(tl::ones({4}, tl::kInt32)); }},
    {"inplace_broadcast", [] { tl::ones({4}).add_(tl::ones({2, 4})); }},
    {"inplace_partial_overlap", [] { tl::Tensor a = tl::ones({2, 2}); a.add_(a.t()); }},
    {"inplace_row_overlap", [] { tl::Tensor a = tl::ones({2, 2}); a.mul_(a[0]); }},
    {"inplace_internal_overlap", [] { tl::zeros({3}).expand({2, 3}).relu_(); }},
};

nlohmann::json expected_messages() {
  std::ifstream f(std::string(TORCHLITE_FIXTURES) + "/errors/errors.json");
  if (!f.good()) throw std::runtime_error("missing tests/fixtures/errors/errors.json");
  return nlohmann::json::parse(f);
}

}  // namespace

TEST(TensorErrors, MisuseThrowsWithPyTorchsWording) {
  auto expected = expected_messages();
  int passed = 0;
  for (const auto& [name, message] : expected.items()) {
    auto it = kMisuse.find(name);
    ASSERT_NE(it, kMisuse.end()) << name;
    std::string got;
    try {
      it->second();
    } catch (const tl::Error& e) {
      got = e.what();
    }
    bool ok = got.find(message.get<std::string>()) != std::string::npos;
    EXPECT_TRUE(ok) << name << "\n   got: " << got << "\n  want: " << message.get<std::string>();
    passed += ok;
  }
  std::cout << passed << "/" << expected.size() << " misuse messages match PyTorch\n";
}

TEST(Tensor, ViewsShareStorageAndCopiesDoNot) {
  tl::Tensor x = tl::arange(6).view({2, 3});
  tl::Tensor v = x.t();
  tl::Tensor s = x.select(1, 2);
  tl::Tensor c = x.clone();
  x.fill_(7);
  EXPECT_EQ(v.sum().item<int64_t>(), 42);
  EXPECT_EQ(s.sum().item<int64_t>(), 14);
  EXPECT_EQ(c.sum().item<int64_t>(), 15);
  EXPECT_FALSE(v.is_contiguous());
  EXPECT_TRUE(v.contiguous().is_contiguous());
  EXPECT_EQ(x.slice(1, 0, 3, 2).sizes(), tl::Sizes({2, 2}));
}

TEST(Tensor, FromBlobIsANonOwningView) {
  float data[4] = {1, 2, 3, 4};
  tl::Tensor t = tl::from_blob(data, {2, 2});
  t.mul_(2);
  EXPECT_EQ(data[3], 8.0f);
  EXPECT_EQ(t.data_ptr<float>(), data);
}

TEST(Tensor, FactoriesAndInference) {
  EXPECT_EQ(tl::tensor({1, 2}).dtype(), tl::kInt64);
  EXPECT_EQ(tl::tensor({1.5, 2}).dtype(), tl::kFloat32);
  EXPECT_EQ(tl::tensor({true, false}).dtype(), tl::kBool);
  EXPECT_EQ(tl::tensor({{1., 2.}, {3., 4.}}).sizes(), tl::Sizes({2, 2}));
  EXPECT_THROW(tl::tensor({{1., 2.}, {3.}}), tl::Error);
  EXPECT_EQ(tl::arange(0, 1, 0.25).numel(), 4);
  EXPECT_EQ(tl::arange(5).dtype(), tl::kInt64);
  EXPECT_EQ(tl::full({2}, 2.5).dtype(), tl::kFloat32);
  EXPECT_EQ(tl::zeros({2, 3}, tl::kFloat64).sum().item<double>(), 0.0);
  EXPECT_EQ(tl::eye(3).sum().item<float>(), 3.0f);
  EXPECT_EQ(tl::scalar_tensor(3).dim(), 0);
  EXPECT_EQ(tl::rand({5, 3}, tl::kFloat64).dtype(), tl::kFloat64);
}

TEST(Tensor, ConversionsRoundTrip) {
  tl::Tensor x = tl::tensor({-1.5, 0.25, 3.0});
  EXPECT_TRUE(x.to(tl::kInt64).equal(tl::tensor({-1, 0, 3})));
  EXPECT_TRUE(x.to(tl::kFloat16).to(tl::kFloat32).equal(x));
  EXPECT_TRUE(x.to(tl::kBFloat16).to(tl::kFloat32).equal(x));
  EXPECT_TRUE(x.to(tl::kBool).equal(tl::tensor({true, true, true})));
  EXPECT_EQ(tl::tensor({65504.f}).to(tl::kFloat16).item<float>(), 65504.0f);
  EXPECT_TRUE(std::isinf(tl::tensor({65520.f}).to(tl::kFloat16).item<float>()));
  EXPECT_THROW(x.data_ptr<double>(), tl::Error);
}

TEST(Tensor, ReductionsAndIndices) {
  tl::Tensor x = tl::tensor({{1., 5., 3.}, {4., 2., 6.}});
  auto [v, i] = x.max(1);
  EXPECT_TRUE(v.equal(tl::tensor({5., 6.})));
  EXPECT_TRUE(i.equal(tl::tensor({1, 2})));
  EXPECT_EQ(x.argmax().item<int64_t>(), 5);
  EXPECT_EQ(x.sum(0, true).sizes(), tl::Sizes({1, 3}));
  EXPECT_TRUE(std::isnan(tl::tensor({1., NAN, 3.}).max().item<float>()));
}

// Small tensors come from a per-thread pool; one may die on another thread, even after the
// thread that made it has ended.
TEST(Tensor, SmallTensorsOutliveAndCrossTheirThreads) {
  std::vector<tl::Tensor> made;
  std::thread maker([&] {
    for (int i = 0; i < 100; ++i) made.push_back(tl::full({2}, i) + 1);
  });
  maker.join();
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(made[i].equal(tl::full({2}, i + 1))) << i;
  std::thread dropper([&] { made.clear(); });
  dropper.join();
  tl::Tensor a = tl::ones({3}), b = a + 1;
  a = tl::Tensor();
  EXPECT_TRUE((b + tl::ones({3})).equal(tl::full({3}, 3.0)));
}

TEST(Tensor, SizesPrintLikeTorchSize) {
  std::ostringstream os;
  os << tl::ones({2, 2}).sizes();
  EXPECT_EQ(os.str(), "torch.Size([2, 2])");
}

// Each fast path against its plain twin: BLAS/tiny-loop GEMM against the broadcast definition,
// the blocked full sum against the per-dim reduction, row memcpy against the strided copy.
TEST(FastPaths, MatchTheirReferenceTwins) {
  tl::manual_seed(11);
  for (auto [n, k, m] : std::vector<std::array<int64_t, 3>>{{2, 2, 2}, {3, 5, 7}, {17, 33, 19},
                                                             {64, 70, 3}, {1, 300, 40}}) {
    for (bool transposed : {false, true}) {
      tl::Tensor a = transposed ? tl::randn({k, n}, tl::kFloat64).t() : tl::randn({n, k}, tl::kFloat64);
      tl::Tensor b = tl::randn({k, m}, tl::kFloat64);
      tl::Tensor reference = (a.unsqueeze(2) * b.unsqueeze(0)).sum(1);
      EXPECT_TRUE(a.mm(b).allclose(reference, 1e-12, 1e-12)) << n << "x" << k << "x" << m;
      tl::Tensor bias = tl::randn({m}, tl::kFloat64);
      EXPECT_TRUE(tl::addmm(bias, a, b).allclose(reference + bias, 1e-12, 1e-12));
    }
  }
  // The fused linear (bias rows copied in, transposes without views, bias gradient as column
  // sums) against mm + add, through strided inputs and biases and a broadcast gradient.
  for (auto [n, k, m] : std::vector<std::array<int64_t, 3>>{{1, 2, 2}, {5, 3, 4}, {64, 70, 30}}) {
    for (bool strided : {false, true}) {
      tl::Tensor x =
          strided ? tl::randn({k, n}, tl::kFloat64).t() : tl::randn({n, k}, tl::kFloat64);
      tl::Tensor w = tl::randn({m, k}, tl::kFloat64).requires_grad_();
      tl::Tensor b = tl::randn({m, 2}, tl::kFloat64).requires_grad_();
      tl::Tensor r = strided ? tl::randn({m}, tl::kFloat64).expand({n, m})
                             : tl::randn({n, m}, tl::kFloat64);
      tl::Tensor y = tl::linear(x, w, b.select(1, 0));
      (y * r).sum().backward();
      tl::Tensor gw = w.grad(), gb = b.grad();
      w.set_grad(tl::Tensor());
      b.set_grad(tl::Tensor());
      tl::Tensor reference = x.mm(w.t()) + b.select(1, 0);
      (reference * r).sum().backward();
      EXPECT_TRUE(y.allclose(reference, 1e-12, 1e-12)) << n << "x" << k << "x" << m;
      EXPECT_TRUE(gw.allclose(w.grad(), 1e-12, 1e-12));
      EXPECT_TRUE(gb.allclose(b.grad(), 1e-12, 1e-12));
      EXPECT_EQ(y.grad_fn()->name(), "AddmmBackward0");
    }
  }
  for (int64_t n : {1, 15, 1024, 1025, 5000, 1 << 16}) {
    tl::Tensor x = tl::randn({n}, tl::kFloat64);
    EXPECT_NEAR(x.sum().item<double>(), x.view({1, n}).sum(1).item<double>(), 1e-9) << n;
    tl::Tensor f = x.to(tl::kFloat32);
    EXPECT_NEAR(f.sum().item<float>(), f.to(tl::kFloat64).view({1, n}).sum(1).item<double>(),
                1e-5 * std::sqrt(static_cast<double>(n)))
        << n;
  }
  tl::Tensor src = tl::randn({6, 5});
  tl::Tensor fast = tl::empty({6, 5});
  fast.copy_(src);
  tl::Tensor strided = tl::empty({5, 6}).t();
  strided.copy_(src);
  EXPECT_TRUE(fast.equal(strided));
}

// In-place ops write self through its strides, broadcast the other operand and convert to
// self's dtype; expected values printed by PyTorch 1.13 for the same calls.
TEST(Inplace, WritesSelfAsPyTorchDoes) {
  tl::Tensor b = tl::tensor({{1., 2., 3.}, {4., 5., 6.}}).t().contiguous().t();
  b.add_(tl::tensor({10., 20., 30.}), 2);
  EXPECT_TRUE(b.equal(tl::tensor({{21., 42., 63.}, {24., 45., 66.}})));
  EXPECT_EQ(b.strides(), tl::IntVector({1, 2}));
  tl::Tensor c = tl::tensor({{1., 2.}, {3., 4.}});
  c.t().mul_(tl::tensor({{1.}, {10.}}));
  EXPECT_TRUE(c.equal(tl::tensor({{1., 20.}, {3., 40.}})));
  tl::Tensor d = tl::ones({3});
  d.add_(tl::tensor({0.1, 0.2, 0.3}, tl::kFloat64));
  EXPECT_EQ(d.dtype(), tl::kFloat32);
  EXPECT_TRUE(d.equal(tl::tensor({1.1f, 1.2f, 1.3f})));
  tl::Tensor e = tl::arange(6).view({2, 3});
  e.mul_(tl::tensor({1, 2, 3}, tl::kInt32));
  EXPECT_TRUE(e.equal(tl::tensor({{0, 2, 6}, {3, 8, 15}})));
  EXPECT_EQ(e.dtype(), tl::kInt64);
  tl::Tensor f = tl::tensor({-1., 0.5, 2.});
  f.clamp_(std::nullopt, 1.);
  EXPECT_TRUE(f.equal(tl::tensor({-1., 0.5, 1.})));
  tl::Tensor g = tl::arange(6.).view({2, 3});
  g.select(1, 1).relu_();
  g[0].sub_(g[1], 0.5);
  EXPECT_TRUE(g.equal(tl::tensor({{-1.5, -1., -0.5}, {3., 4., 5.}})));
  tl::Tensor h = tl::tensor({1, 2, 3}, tl::kUInt8);
  h.add_(250);
  EXPECT_TRUE(h.equal(tl::tensor({251, 252, 253}, tl::kUInt8)));
  tl::Tensor i = tl::tensor({7., 8.});
  i.div_(tl::scalar_tensor(2));
  EXPECT_TRUE(i.equal(tl::tensor({3.5, 4.})));
  // Self as the other operand with the same geometry: PyTorch allows it ("full" overlap).
  tl::Tensor j = tl::arange(4.).view({2, 2});
  j.add_(j);
  EXPECT_TRUE(j.equal(tl::tensor({{0., 2.}, {4., 6.}})));
  tl::Tensor k = tl::arange(4.);
  k.add_(k.expand({4}));
  EXPECT_TRUE(k.equal(tl::tensor({0., 2., 4., 6.})));
}

// Without a graph, in-place ops keep self's identity and leaf status and bump its version; with
// one, self takes the op's node.
TEST(Inplace, VersionAndHistory) {
  tl::Tensor x = tl::ones({3}).requires_grad_();
  const float* data = x.data_ptr<float>();
  const uint32_t version = x.version();
  {
    tl::NoGradGuard no_grad;
    x.add_(1);
    x.mul_(tl::full({3}, 2.0));
  }
  EXPECT_EQ(x.version(), version + 2);
  EXPECT_TRUE(x.is_leaf());
  EXPECT_EQ(x.grad_fn(), nullptr);
  EXPECT_EQ(x.data_ptr<float>(), data);
  EXPECT_TRUE(x.equal(tl::full({3}, 4.0)));
  tl::Tensor y = x * 1;
  y.mul_(x);
  EXPECT_EQ(y.grad_fn()->name(), "MulBackward0");
  y.sum().backward();
  EXPECT_TRUE(x.grad().equal(tl::full({3}, 8.0)));
}

TEST(Dtype, NamesAsPyTorchWritesThem) {
  EXPECT_EQ(tl::dtype_from_name("torch.float64"), tl::kFloat64);
  EXPECT_EQ(tl::dtype_from_name("long"), tl::kInt64);
  EXPECT_EQ(tl::dtype_name(tl::dtype_from_name("bfloat16")), "torch.bfloat16");
  EXPECT_THROW(tl::dtype_from_name("complex64"), tl::Error);
}
