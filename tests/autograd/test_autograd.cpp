// Autograd behaviour: finite-difference gradcheck of every float64 case of tests/ops/op_table.h,
// leaf accumulation, retain_graph, the version-counter error, no-grad mode, detach/data.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "ops/op_table.h"
#include "torchlite/autograd/node.h"
#include "torchlite/tensor.h"

namespace tl = torchlite;
using Fn = std::function<tl::Tensor(const std::vector<tl::Tensor>&)>;

namespace {

/// Compares backward() with central differences of sum(f(x) * w), for every float64 input that
/// requires grad.
void gradcheck(const std::string& name, const Fn& f, std::vector<tl::Tensor> inputs,
               const tl::Tensor& w) {
  tl::Tensor y = f(inputs);
  (y * w).sum().backward();
  const double eps = 1e-6;
  for (size_t k = 0; k < inputs.size(); ++k) {
    tl::Tensor x = inputs[k];
    if (!x.requires_grad()) continue;
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

/// The op-table cases that are float64 throughout: every input that requires grad and the output.
std::vector<std::string> float64_cases() {
  std::vector<std::string> names;
  for (const auto& c : op_table::fixture_cases()) {
    if (!c.contains("grads") || c["output"]["dtype"] != "float64") continue;
    if (op_table::kNoGradcheck.contains(c["name"].get<std::string>())) continue;
    bool f64 = true;
    for (const auto& in : c["inputs"])
      f64 = f64 && (!in["requires_grad"].get<bool>() || in["dtype"] == "float64");
    if (f64) names.push_back(c["name"]);
  }
  return names;
}

}  // namespace

class Gradcheck : public ::testing::TestWithParam<std::string> {};

// Every float64 entry of tests/ops/op_table.h, on its fixture inputs, weighted by its upstream
// gradient.
TEST_P(Gradcheck, OpTableCase) {
  const std::string name = GetParam();
  const op_table::OpCase* op = op_table::find(name);
  ASSERT_NE(op, nullptr) << name;
  for (const auto& c : op_table::fixture_cases()) {
    if (c["name"] != name) continue;
    op_table::Inputs inputs;
    for (const auto& in : c["inputs"]) inputs.push_back(op_table::from_json(in));
    gradcheck(name, op->run, inputs, op_table::from_json(c["upstream"]));
  }
}

INSTANTIATE_TEST_SUITE_P(OpTable, Gradcheck, ::testing::ValuesIn(float64_cases()),
                         [](const auto& info) { return info.param; });

TEST(Autograd, GradIsNoneUntilBackwardThenAccumulates) {
  tl::Tensor x = tl::ones({2}).requires_grad_();
  EXPECT_FALSE(x.grad().defined());
  (x * 3).sum().backward();
  EXPECT_TRUE(x.grad().equal(tl::tensor({3.f, 3.f})));
  (x * 2).sum().backward();
  EXPECT_TRUE(x.grad().equal(tl::tensor({5.f, 5.f})));
}

// PyTorch 2.1's register_post_accumulate_grad_hook: called once per backward per leaf, after the
// gradient (summed over the leaf's uses) is in .grad; removal stops it; non-leaves are refused.
TEST(Autograd, PostAccumulateGradHook) {
  tl::Tensor x = tl::ones({2}).requires_grad_();
  tl::Tensor w = tl::full({2}, 2.0).requires_grad_();
  std::vector<std::string> seen;
  const size_t id = x.register_post_accumulate_grad_hook([&](const tl::Tensor& leaf) {
    EXPECT_TRUE(leaf.is_same(x));
    seen.push_back("x" + std::to_string(leaf.grad().sum().item<float>()));
  });
  w.register_post_accumulate_grad_hook([&](const tl::Tensor&) { seen.push_back("w"); });
  (x * w + x * 3).sum().backward();  // dx = w + 3 = 5 per element
  (x * 1).sum().backward();          // accumulates: 6 per element
  ASSERT_EQ(seen.size(), 3u);
  // the two leaves of the first backward in either order
  EXPECT_TRUE((seen[0].substr(0, 3) == "x10" && seen[1] == "w") ||
              (seen[1].substr(0, 3) == "x10" && seen[0] == "w"));
  EXPECT_EQ(seen[2].substr(0, 3), "x12");
  x.remove_post_accumulate_grad_hook(id);
  (x * 1).sum().backward();
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_THROW((x * 2).register_post_accumulate_grad_hook([](const tl::Tensor&) {}), tl::Error);
  EXPECT_THROW(tl::ones({1}).register_post_accumulate_grad_hook([](const tl::Tensor&) {}),
               tl::Error);
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

// relu_ under autograd writes in place and saves its result, as PyTorch's (checked against
// torch 1.13: same storage, ReluBackward0, and this message after a later in-place change).
TEST(Autograd, RecordedReluInPlaceSavesItsResult) {
  tl::Tensor x = tl::tensor({-1.f, 2.f, 3.f}).requires_grad_();
  tl::Tensor y = x * 1;
  const float* storage = y.data_ptr<float>();
  y.relu_();
  EXPECT_EQ(y.data_ptr<float>(), storage);
  EXPECT_EQ(y.grad_fn()->name(), "ReluBackward0");
  y.sum().backward({}, true);
  EXPECT_TRUE(x.grad().equal(tl::tensor({0.f, 1.f, 1.f})));
  y.add_(1);
  try {
    y.sum().backward();
    FAIL() << "modified result of relu_ not detected";
  } catch (const tl::Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("[torch.FloatTensor [3]], which is output 0 of ReluBackward0, is at "
                       "version 2; expected version 1 instead."),
              std::string::npos)
        << msg;
  }
}

// Elementwise backwards (ReLU, BatchNorm) and the sums at junctions write into the gradient
// they were given when nothing else holds it; a gradient handed to two consumers (add's
// backward) must reach the second one unmasked.
TEST(Autograd, SharedGradientsAreNotOverwrittenInPlace) {
  tl::Tensor x = tl::tensor({-1.f, 2.f, -3.f, 4.f}).requires_grad_();
  tl::Tensor a = x * 1, b = x * 1;
  (a.relu() + b).backward(tl::ones({4}));
  EXPECT_TRUE(x.grad().equal(tl::tensor({1.f, 2.f, 1.f, 2.f})));
  tl::Tensor c = x * 1;
  tl::Tensor d = c.relu();
  (d * 3 + d.relu() + c).sum().backward();  // a junction at d, then two gradients into c
  EXPECT_TRUE(x.grad().equal(tl::tensor({1.f, 2.f, 1.f, 2.f}) + tl::tensor({1.f, 5.f, 1.f, 5.f})));
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
