// Every op against real PyTorch: values, dtype, grad_fn name and input gradients from
// tests/fixtures/ops/ops.json (tools/gen_ops_fixtures.py). A new op is one line in kOps.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "torchlite/autograd/node.h"
#include "torchlite/tensor.h"

namespace tl = torchlite;
using Inputs = std::vector<tl::Tensor>;
using Op = std::function<tl::Tensor(const Inputs&)>;

namespace {

tl::Tensor from_json(const nlohmann::json& j) {
  std::vector<double> values = j["values"];
  tl::Sizes shape = j["shape"].get<std::vector<int64_t>>();
  tl::Tensor t = tl::from_blob(values.data(), {static_cast<int64_t>(values.size())}, tl::kFloat64)
                     .to(tl::dtype_from_name(j["dtype"]))
                     .clone()
                     .reshape(shape)
                     .contiguous();
  if (j["requires_grad"].get<bool>()) t.requires_grad_();
  return t;
}

// One line per op: the same expression as in tools/gen_ops_fixtures.py.
/// x * k with the generator just seeded with 7, as the generator's random in-place cases are.
tl::Tensor seeded_copy(const tl::Tensor& x, double k) {
  tl::manual_seed(7);
  return x * k;
}

const std::map<std::string, Op> kOps = {
    {"add", [](const Inputs& x) { return x[0] + x[1]; }},
    {"add_broadcast", [](const Inputs& x) { return x[0] + x[1]; }},
    {"add_broadcast_both", [](const Inputs& x) { return x[0] + x[1]; }},
    {"add_alpha", [](const Inputs& x) { return x[0].add(x[1], 2.5); }},
    {"add_scalar", [](const Inputs& x) { return x[0] + 1.5; }},
    {"sub", [](const Inputs& x) { return x[0] - x[1]; }},
    {"sub_broadcast", [](const Inputs& x) { return x[0] - x[1]; }},
    {"rsub_scalar", [](const Inputs& x) { return 2.0 - x[0]; }},
    {"mul", [](const Inputs& x) { return x[0] * x[1]; }},
    {"mul_broadcast", [](const Inputs& x) { return x[0] * x[1]; }},
    {"mul_scalar", [](const Inputs& x) { return x[0] * -3.0; }},
    {"div", [](const Inputs& x) { return x[0] / x[1]; }},
    {"div_broadcast", [](const Inputs& x) { return x[0] / x[1]; }},
    {"rdiv_scalar", [](const Inputs& x) { return 2.0 / x[0]; }},
    {"neg", [](const Inputs& x) { return -x[0]; }},
    {"abs", [](const Inputs& x) { return x[0].abs(); }},
    {"exp", [](const Inputs& x) { return x[0].exp(); }},
    {"log", [](const Inputs& x) { return x[0].log(); }},
    {"sqrt", [](const Inputs& x) { return x[0].sqrt(); }},
    {"pow2", [](const Inputs& x) { return x[0].pow(2); }},
    {"pow_frac", [](const Inputs& x) { return x[0].pow(2.5); }},
    {"pow_neg", [](const Inputs& x) { return x[0].pow(-1.5); }},
    {"pow_tensor", [](const Inputs& x) { return x[0].pow(x[1]); }},
    {"relu", [](const Inputs& x) { return x[0].relu(); }},
    {"sigmoid", [](const Inputs& x) { return x[0].sigmoid(); }},
    {"tanh", [](const Inputs& x) { return x[0].tanh(); }},
    {"clamp", [](const Inputs& x) { return x[0].clamp(-0.5, 0.5); }},
    {"maximum", [](const Inputs& x) { return x[0].maximum(x[1]); }},
    {"minimum", [](const Inputs& x) { return x[0].minimum(x[1]); }},
    {"where", [](const Inputs& x) { return tl::where(x[0].gt(x[1]), x[0], x[1] * 2); }},
    {"sum_all", [](const Inputs& x) { return x[0].sum(); }},
    {"sum_dim0", [](const Inputs& x) { return x[0].sum(0); }},
    {"sum_dim1_keep", [](const Inputs& x) { return x[0].sum(1, true); }},
    {"sum_dims", [](const Inputs& x) { return x[0].sum({0, 2}); }},
    {"sum_neg_dim", [](const Inputs& x) { return x[0].sum(-1); }},
    {"mean_all", [](const Inputs& x) { return x[0].mean(); }},
    {"mean_dim", [](const Inputs& x) { return x[0].mean(1); }},
    {"mean_dims_keep", [](const Inputs& x) { return x[0].mean({1, 2}, true); }},
    {"max_all", [](const Inputs& x) { return x[0].max(); }},
    {"max_dim", [](const Inputs& x) { return x[0].max(1).first; }},
    {"max_dim0_keep", [](const Inputs& x) { return x[0].max(0, true).first; }},
    {"min_dim", [](const Inputs& x) { return x[0].min(1).first; }},
    {"mm", [](const Inputs& x) { return x[0].mm(x[1]); }},
    {"mm_transposed", [](const Inputs& x) { return x[0].t().mm(x[1].t()); }},
    {"matmul_mv", [](const Inputs& x) { return x[0].matmul(x[1]); }},
    {"matmul_dot", [](const Inputs& x) { return x[0].matmul(x[1]); }},
    {"matmul_vm", [](const Inputs& x) { return x[0].matmul(x[1]); }},
    {"matmul_batched", [](const Inputs& x) { return x[0].matmul(x[1]); }},
    {"matmul_broadcast", [](const Inputs& x) { return x[0].matmul(x[1]); }},
    {"matmul_batch_broadcast", [](const Inputs& x) { return x[0].matmul(x[1]); }},
    {"addmm", [](const Inputs& x) { return tl::addmm(x[0], x[1], x[2]); }},
    {"view", [](const Inputs& x) { return x[0].view({3, 4}) * 2; }},
    {"view_infer", [](const Inputs& x) { return x[0].view({-1, 3}) * 2; }},
    {"reshape_copy", [](const Inputs& x) { return x[0].t().reshape({12}) * 2; }},
    {"transpose", [](const Inputs& x) { return x[0].transpose(0, 2) * 1.5; }},
    {"permute", [](const Inputs& x) { return x[0].permute({2, 0, 1}) * 1.5; }},
    {"flatten", [](const Inputs& x) { return x[0].flatten(1) * 1.5; }},
    {"unsqueeze_squeeze", [](const Inputs& x) { return x[0].unsqueeze(1).squeeze(1) * 2; }},
    {"select", [](const Inputs& x) { return x[0].select(1, 2) * 2; }},
    {"index_int", [](const Inputs& x) { return x[0][1] * 2; }},
    {"slice", [](const Inputs& x) { return x[0].slice(0, 1, 5, 2) * 2; }},
    {"narrow", [](const Inputs& x) { return x[0].narrow(1, 2, 3) * 2; }},
    {"expand", [](const Inputs& x) { return x[0].expand({2, 3, 4}) * 2; }},
    {"index_select", [](const Inputs& x) { return x[0].index_select(0, tl::tensor({3, 0, 3})) * 2; }},
    {"cat", [](const Inputs& x) { return tl::cat({x[0], x[1]}); }},
    {"cat_dim1", [](const Inputs& x) { return tl::cat({x[0], x[1]}, 1); }},
    {"stack", [](const Inputs& x) { return tl::stack({x[0], x[1]}, 1); }},
    {"clone", [](const Inputs& x) { return x[0].clone(); }},
    {"contiguous_of_t", [](const Inputs& x) { return x[0].t().contiguous() * 2; }},
    {"to_float32", [](const Inputs& x) { return x[0].to(tl::kFloat32).to(tl::kFloat64) * 2; }},
    {"composite", [](const Inputs& x) { return ((x[0] * x[1]).sigmoid() + x[0].tanh()).pow(2).mean(0); }},
    {"softplus_like", [](const Inputs& x) { return (x[0].exp() + 1).log(); }},
    {"int_add", [](const Inputs& x) { return x[0] + x[1]; }},
    {"int_div", [](const Inputs& x) { return x[0] / x[1]; }},
    {"int_float_promote", [](const Inputs& x) { return x[0] * x[1]; }},
    {"int_scalar_float", [](const Inputs& x) { return x[0] * 0.5; }},
    {"int_sum", [](const Inputs& x) { return x[0].sum(1); }},
    {"compare_gt", [](const Inputs& x) { return x[0].gt(x[1]); }},
    {"compare_eq_scalar", [](const Inputs& x) { return x[0].eq(2); }},
    {"argmax_dim", [](const Inputs& x) { return x[0].argmax(1); }},
    {"argmax_all", [](const Inputs& x) { return x[0].argmax(); }},
    {"float32_matmul", [](const Inputs& x) { return x[0].mm(x[1]); }},
    {"inplace_clamp", [](const Inputs& x) { return (x[0] * 1).clamp_(-0.5, 0.5); }},
    {"inplace_relu", [](const Inputs& x) { return (x[0] * 1).relu_(); }},
    {"inplace_mul", [](const Inputs& x) { return (x[0] * 1).mul_(x[1]); }},
    {"inplace_div", [](const Inputs& x) { return (x[0] * 2).div_(x[1]); }},
    {"inplace_chain",
     [](const Inputs& x) { return (x[0] * 1).add_(x[1], 2).mul_(x[1]).sub_(x[0]).div_(3); }},
    {"inplace_on_plain_tensor", [](const Inputs& x) { return x[0].clone().mul_(x[1]).add_(x[1]); }},
    {"inplace_zero", [](const Inputs& x) { return (x[0] * 2).zero_(); }},
    {"inplace_fill_then_mul", [](const Inputs& x) { return (x[0] * 2).fill_(1.5).mul_(x[1]); }},
    {"inplace_fill", [](const Inputs& x) { return (x[0] * 2).fill_(-3); }},
    {"inplace_copy", [](const Inputs& x) { return (x[0] * 1).copy_(x[1]); }},
    {"inplace_copy_broadcast_dtype", [](const Inputs& x) { return (x[0] * 1).copy_(x[1]); }},
    {"copy_into_plain_tensor", [](const Inputs& x) { return tl::zeros({2, 3}).copy_(x[0]); }},
    // Random in-place draws on intermediates (seed 7 just before the draw, as in the generator).
    {"inplace_uniform", [](const Inputs& x) { return seeded_copy(x[0], 2).uniform_(-1, 1); }},
    {"inplace_normal", [](const Inputs& x) { return seeded_copy(x[0], 1).normal_(0.5, 2); }},
    {"inplace_bernoulli", [](const Inputs& x) { return seeded_copy(x[0], 1).bernoulli_(0.3); }},
    {"inplace_random", [](const Inputs& x) { return seeded_copy(x[0], 1).random_(0, 5); }},
    {"cat_five", [](const Inputs& x) { return tl::cat(x) * 2; }},
};

void expect_close(const tl::Tensor& got, const nlohmann::json& want, const std::string& what) {
  ASSERT_TRUE(got.defined()) << what << ": undefined";
  tl::Sizes shape = want["shape"].get<std::vector<int64_t>>();
  ASSERT_EQ(got.sizes(), shape) << what;
  EXPECT_EQ(got.dtype(), tl::dtype_from_name(want["dtype"])) << what;
  tl::Tensor expected = from_json({{"values", want["values"]}, {"shape", want["shape"]},
                                   {"dtype", "float64"}, {"requires_grad", false}});
  double rtol = got.dtype() == tl::kFloat32 ? 1e-5 : 1e-10;
  EXPECT_TRUE(got.detach().to(tl::kFloat64).allclose(expected, rtol, rtol))
      << what << "\n got " << got << "\nwant " << expected;
}

}  // namespace

nlohmann::json load_cases() {
  std::ifstream f(std::string(TORCHLITE_FIXTURES) + "/ops/ops.json");
  if (!f.good()) throw std::runtime_error("missing tests/fixtures/ops/ops.json");
  return nlohmann::json::parse(f);
}

const nlohmann::json& cases() {
  static const nlohmann::json all = load_cases();
  return all;
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& c : cases()) names.push_back(c["name"]);
  return names;
}

class OpsVsTorch : public ::testing::TestWithParam<std::string> {};

// One GoogleTest case per fixture case, so the summary counts how many match PyTorch.
TEST_P(OpsVsTorch, MatchesPyTorch) {
  const std::string name = GetParam();
  const nlohmann::json* found = nullptr;
  for (const auto& c : cases())
    if (c["name"] == name) found = &c;
  ASSERT_NE(found, nullptr);
  const nlohmann::json& c = *found;
  auto op = kOps.find(name);
  ASSERT_NE(op, kOps.end()) << "no torchlite expression for case " << name;
  Inputs inputs;
  for (const auto& in : c["inputs"]) inputs.push_back(from_json(in));
  tl::Tensor y = op->second(inputs);
  expect_close(y, c["output"], name + " output");
  if (!c["grad_fn"].is_null()) {
    ASSERT_TRUE(y.grad_fn() != nullptr) << name;
    EXPECT_EQ(y.grad_fn()->name(), c["grad_fn"].get<std::string>()) << name;
  }
  if (c.contains("grads")) {
    y.backward(from_json(c["upstream"]));
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (c["grads"][i].is_null()) continue;
      expect_close(inputs[i].grad(), c["grads"][i], name + " grad of input " + std::to_string(i));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Fixture, OpsVsTorch, ::testing::ValuesIn(case_names()),
                         [](const auto& info) { return info.param; });

TEST(OpsVsTorchTable, EveryExpressionHasAFixtureCase) {
  for (const auto& [name, op] : kOps) {
    bool found = false;
    for (const auto& c : cases()) found = found || c["name"] == name;
    EXPECT_TRUE(found) << name;
  }
}
