// Autograd behaviour: finite-difference gradcheck of every differentiable op (float64), leaf
// accumulation, retain_graph, the version-counter error, no-grad mode, detach/data.
#include <gtest/gtest.h>

#include <functional>
#include <thread>
#include <vector>

#include "torchlite/autograd/node.h"
#include "torchlite/tensor.h"

namespace tl = torchlite;
using Fn = std::function<tl::Tensor(const std::vector<tl::Tensor>&)>;

namespace {

/// Compares backward() with central differences of sum(f(x) * w) for a fixed random w.
void gradcheck(const std::string& name, const Fn& f, std::vector<tl::Tensor> inputs) {
  for (auto& x : inputs) x.requires_grad_();
  tl::Tensor y = f(inputs);
  tl::Tensor w = tl::randn(y.sizes(), tl::kFloat64);
  (y * w).sum().backward();
  const double eps = 1e-6;
  for (size_t k = 0; k < inputs.size(); ++k) {
    tl::Tensor x = inputs[k];
    ASSERT_TRUE(x.grad().defined()) << name << " input " << k;
    tl::Tensor analytic = x.grad().contiguous();
    tl::NoGradGuard no_grad;
    for (int64_t i = 0; i < x.numel(); ++i) {
      double* p = x.data_ptr<double>() + i;
      const double orig = *p;
      *p = orig + eps;
      double plus = (f(inputs) * w).sum().item<double>();
      *p = orig - eps;
      double minus = (f(inputs) * w).sum().item<double>();
      *p = orig;
      double numeric = (plus - minus) / (2 * eps);
      EXPECT_NEAR(analytic.data_ptr<double>()[i], numeric, 1e-5 + 1e-5 * std::abs(numeric))
          << name << " input " << k << " element " << i;
    }
  }
}

tl::Tensor r(tl::Sizes s) { return tl::randn(std::move(s), tl::kFloat64); }
tl::Tensor pos(tl::Sizes s) { return tl::rand(std::move(s), tl::kFloat64) + 0.5; }

}  // namespace

TEST(Gradcheck, EveryDifferentiableOp) {
  tl::manual_seed(3);
  using V = const std::vector<tl::Tensor>&;
  gradcheck("add", [](V x) { return x[0].add(x[1], 0.7); }, {r({2, 3}), r({3})});
  gradcheck("sub", [](V x) { return x[0] - x[1]; }, {r({2, 3}), r({2, 1})});
  gradcheck("rsub", [](V x) { return 3.0 - x[0]; }, {r({4})});
  gradcheck("mul", [](V x) { return x[0] * x[1]; }, {r({2, 3}), r({1, 3})});
  gradcheck("div", [](V x) { return x[0] / x[1]; }, {r({2, 3}), pos({3})});
  gradcheck("rdiv", [](V x) { return 2.0 / x[0]; }, {pos({3})});
  gradcheck("neg", [](V x) { return -x[0]; }, {r({3})});
  gradcheck("abs", [](V x) { return x[0].abs(); }, {r({5})});
  gradcheck("exp", [](V x) { return x[0].exp(); }, {r({5})});
  gradcheck("log", [](V x) { return x[0].log(); }, {pos({5})});
  gradcheck("sqrt", [](V x) { return x[0].sqrt(); }, {pos({5})});
  gradcheck("pow", [](V x) { return x[0].pow(3.5); }, {pos({5})});
  gradcheck("pow_tensor", [](V x) { return x[0].pow(x[1]); }, {pos({4}), r({4})});
  gradcheck("relu", [](V x) { return x[0].relu(); }, {r({6})});
  gradcheck("sigmoid", [](V x) { return x[0].sigmoid(); }, {r({6})});
  gradcheck("tanh", [](V x) { return x[0].tanh(); }, {r({6})});
  gradcheck("clamp", [](V x) { return x[0].clamp(-0.3, 0.4); }, {r({6})});
  gradcheck("maximum", [](V x) { return x[0].maximum(x[1]); }, {r({2, 3}), r({3})});
  gradcheck("minimum", [](V x) { return x[0].minimum(x[1]); }, {r({2, 3}), r({2, 3})});
  gradcheck("where", [](V x) { return tl::where(x[0].gt(0), x[0], x[1]); }, {r({5}), r({5})});
  gradcheck("sum", [](V x) { return x[0].sum(); }, {r({2, 3})});
  gradcheck("sum_dims", [](V x) { return x[0].sum({0, 2}, true); }, {r({2, 3, 2})});
  gradcheck("mean", [](V x) { return x[0].mean(); }, {r({2, 3})});
  gradcheck("mean_dim", [](V x) { return x[0].mean(1); }, {r({2, 3})});
  gradcheck("max", [](V x) { return x[0].max(); }, {r({2, 3})});
  gradcheck("max_dim", [](V x) { return x[0].max(1).first; }, {r({3, 4})});
  gradcheck("min_dim", [](V x) { return x[0].min(0, true).first; }, {r({3, 4})});
  gradcheck("mm", [](V x) { return x[0].mm(x[1]); }, {r({2, 3}), r({3, 4})});
  gradcheck("addmm", [](V x) { return tl::addmm(x[0], x[1], x[2]); }, {r({4}), r({2, 3}), r({3, 4})});
  gradcheck("matmul_mv", [](V x) { return x[0].matmul(x[1]); }, {r({2, 3}), r({3})});
  gradcheck("matmul_dot", [](V x) { return x[0].matmul(x[1]); }, {r({3}), r({3})});
  gradcheck("matmul_batched", [](V x) { return x[0].matmul(x[1]); }, {r({2, 2, 3}), r({3, 2})});
  gradcheck("matmul_bmm", [](V x) { return x[0].matmul(x[1]); }, {r({2, 2, 3}), r({2, 3, 2})});
  gradcheck("view", [](V x) { return x[0].view({3, 2}); }, {r({2, 3})});
  gradcheck("reshape", [](V x) { return x[0].t().reshape({6}); }, {r({2, 3})});
  gradcheck("transpose", [](V x) { return x[0].transpose(0, 1); }, {r({2, 3})});
  gradcheck("permute", [](V x) { return x[0].permute({1, 2, 0}); }, {r({2, 3, 2})});
  gradcheck("select", [](V x) { return x[0].select(0, 1); }, {r({2, 3})});
  gradcheck("slice", [](V x) { return x[0].slice(1, 0, 3, 2); }, {r({2, 4})});
  gradcheck("expand", [](V x) { return x[0].expand({3, 2, 3}); }, {r({2, 1})});
  gradcheck("unsqueeze", [](V x) { return x[0].unsqueeze(0).squeeze(0); }, {r({3})});
  gradcheck("index_select", [](V x) { return x[0].index_select(1, tl::tensor({2, 0, 2})); }, {r({2, 3})});
  gradcheck("cat", [](V x) { return tl::cat({x[0], x[1]}, 1); }, {r({2, 1}), r({2, 3})});
  gradcheck("stack", [](V x) { return tl::stack({x[0], x[1]}); }, {r({3}), r({3})});
}

TEST(Autograd, GradIsNoneUntilBackwardThenAccumulates) {
  tl::Tensor x = tl::ones({2}).requires_grad_();
  EXPECT_FALSE(x.grad().defined());
  (x * 3).sum().backward();
  EXPECT_TRUE(x.grad().equal(tl::tensor({3.f, 3.f})));
  (x * 2).sum().backward();
  EXPECT_TRUE(x.grad().equal(tl::tensor({5.f, 5.f})));
}

TEST(Autograd, SharedLeafGradsDoNotAlias) {
  tl::Tensor a = tl::ones({2}).requires_grad_();
  tl::Tensor b = tl::ones({2}).requires_grad_();
  (a + b).sum().backward();
  a.grad().add_(tl::ones({2}));
  EXPECT_TRUE(b.grad().equal(tl::ones({2})));
}

// Leaves own their gradient accumulator; a graph only watches the leaf.
TEST(Autograd, LeafAccumulatorIsReusedAndAGraphMayOutliveItsLeaf) {
  tl::Tensor x = tl::ones({2}).requires_grad_();
  tl::Tensor y1 = x * 2, y2 = x * 3;
  EXPECT_EQ(y1.grad_fn()->next_edges[0].node, y2.grad_fn()->next_edges[0].node);
  EXPECT_EQ(y1.grad_fn()->next_edges[0].node->name(), "AccumulateGrad");
  tl::Tensor orphan;
  {
    tl::Tensor leaf = tl::ones({2}).requires_grad_();
    orphan = (leaf * leaf + x).sum();
  }
  orphan.backward();  // the dead leaf's gradient goes nowhere; x's still arrives
  EXPECT_TRUE(x.grad().equal(tl::ones({2})));
}

// Ops that save their own output (exp, relu, sigmoid, tanh, sqrt, pow) must not make the output
// own itself: a graph that is never run backward (inference with grad on) is freed.
TEST(Autograd, AGraphNeverRunBackwardIsFreed) {
  std::weak_ptr<tl::TensorImpl> out;
  std::weak_ptr<tl::autograd::Node> node;
  {
    tl::Tensor x = tl::ones({2}).requires_grad_();
    tl::Tensor y = x.exp().relu().sigmoid().tanh().sqrt().pow(2);
    out = y.impl_ptr();
    node = y.grad_fn();
  }
  EXPECT_TRUE(out.expired());
  EXPECT_TRUE(node.expired());
}

// Each thread's backward keeps its own bookkeeping.
TEST(Autograd, ConcurrentBackwardOnSeparateGraphs) {
  std::vector<tl::Tensor> leaves;
  for (int i = 0; i < 4; ++i) leaves.push_back(tl::ones({3}).requires_grad_());
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      for (int step = 0; step < 200; ++step)
        ((leaves[i] * (i + 1)).exp() * 0 + leaves[i] * (i + 1)).sum().backward();
    });
  for (auto& t : threads) t.join();
  for (int i = 0; i < 4; ++i)
    EXPECT_TRUE(leaves[i].grad().equal(tl::full({3}, 200.0 * (i + 1)))) << i;
}

TEST(Autograd, RetainGraphAllowsASecondBackward) {
  tl::Tensor x = tl::ones({2}).requires_grad_();
  tl::Tensor y = (x * x).sum();
  y.backward(tl::Tensor(), /*retain_graph=*/true);
  y.backward();
  EXPECT_TRUE(x.grad().equal(tl::tensor({4.f, 4.f})));
  EXPECT_THROW(y.backward(), tl::Error);
}

TEST(Autograd, BackwardWithExplicitGradient) {
  tl::Tensor x = tl::tensor({1.f, 2.f}).requires_grad_();
  tl::Tensor y = x * 2;
  EXPECT_THROW(y.backward(), tl::Error);  // non-scalar needs a gradient
  y.backward(tl::tensor({1.f, 10.f}));
  EXPECT_TRUE(x.grad().equal(tl::tensor({2.f, 20.f})));
}

TEST(Autograd, InPlaceChangeOfSavedTensorIsCaught) {
  tl::Tensor x = tl::ones({2, 2}).requires_grad_();
  tl::Tensor y = x * 2;
  tl::Tensor z = y * y;
  y.add_(1);
  try {
    z.sum().backward();
    FAIL() << "modified saved tensor not detected";
  } catch (const tl::Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("one of the variables needed for gradient computation has been modified by "
                       "an inplace operation: [torch.FloatTensor [2, 2]], which is output 0 of "
                       "AddBackward0, is at version 1; expected version 0 instead."),
              std::string::npos)
        << msg;
  }
}

TEST(Autograd, InPlaceOnLeafRequiringGradIsRefused) {
  tl::Tensor x = tl::ones({2}).requires_grad_();
  EXPECT_THROW(x.add_(1), tl::Error);
  tl::NoGradGuard guard;
  x.add_(1);
  EXPECT_EQ(x.sum().item<float>(), 4.0f);
}

TEST(Autograd, InPlaceOnIntermediateRebasesHistory) {
  tl::Tensor x = tl::ones({2}).requires_grad_();
  tl::Tensor y = x * 3;
  y.mul_(2);
  EXPECT_EQ(y.grad_fn()->name(), "MulBackward0");
  y.sum().backward();
  EXPECT_TRUE(x.grad().equal(tl::tensor({6.f, 6.f})));
}

TEST(Autograd, NoGradGuardDetachAndData) {
  tl::Tensor x = tl::ones({2}).requires_grad_();
  {
    tl::NoGradGuard guard;
    EXPECT_FALSE((x * 2).requires_grad());
  }
  EXPECT_TRUE((x * 2).requires_grad());
  tl::Tensor d = x.detach();
  EXPECT_FALSE(d.requires_grad());
  EXPECT_EQ(d.data_ptr<float>(), x.data_ptr<float>());
  EXPECT_FALSE(x.data().requires_grad());
  EXPECT_THROW(tl::ones({2}).sum().backward(), tl::Error);
  EXPECT_THROW(tl::ones({2}, tl::kInt64).requires_grad_(), tl::Error);
}

TEST(Autograd, GradFnNamesOfCommonOps) {
  tl::Tensor x = tl::ones({2, 2}).requires_grad_();
  EXPECT_EQ((x + x).grad_fn()->name(), "AddBackward0");
  EXPECT_EQ((x * 2).grad_fn()->name(), "MulBackward0");
  EXPECT_EQ(x.sum().grad_fn()->name(), "SumBackward0");
  EXPECT_EQ(x.sum(0).grad_fn()->name(), "SumBackward1");
  EXPECT_EQ(tl::addmm(tl::ones({2}), x, x).grad_fn()->name(), "AddmmBackward0");
  EXPECT_EQ(x.t().grad_fn()->name(), "TBackward0");
  EXPECT_TRUE(x.is_leaf());
  EXPECT_FALSE((x * 2).is_leaf());
}
