// Every op of tests/ops/op_table.h against real PyTorch: values, dtype, grad_fn name and input
// gradients from tests/fixtures/ops/ops.json (tools/gen_ops_fixtures.py).
#include <gtest/gtest.h>

#include "ops/op_table.h"
#include "torchlite/autograd/node.h"

namespace tl = torchlite;
using op_table::from_json;

namespace {

void expect_close(const tl::Tensor& got, const nlohmann::json& want, const std::string& what) {
  ASSERT_TRUE(got.defined()) << what << ": undefined";
  tl::Sizes shape = want["shape"].get<std::vector<int64_t>>();
  ASSERT_EQ(got.sizes(), shape) << what;
  EXPECT_EQ(got.dtype(), tl::dtype_from_name(want["dtype"])) << what;
  tl::Tensor expected = from_json({{"values", want["values"]},
                                   {"shape", want["shape"]},
                                   {"dtype", "float64"},
                                   {"requires_grad", false}});
  // The tolerance stated in op_table.h: libm and BLAS round last bits differently per machine.
  double rtol = got.dtype() == tl::kFloat32 ? 1e-5 : 1e-10;
  EXPECT_TRUE(got.detach().to(tl::kFloat64).allclose(expected, rtol, rtol))
      << what << "\n got " << got << "\nwant " << expected;
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& c : op_table::fixture_cases()) names.push_back(c["name"]);
  return names;
}

}  // namespace

class OpsVsTorch : public ::testing::TestWithParam<std::string> {};

// One GoogleTest case per fixture case, so the summary counts how many match PyTorch.
TEST_P(OpsVsTorch, MatchesPyTorch) {
  const std::string name = GetParam();
  const nlohmann::json* found = nullptr;
  for (const auto& c : op_table::fixture_cases())
    if (c["name"] == name) found = &c;
  ASSERT_NE(found, nullptr);
  const nlohmann::json& c = *found;
  const op_table::OpCase* op = op_table::find(name);
  ASSERT_NE(op, nullptr) << "case " << name << " is no longer in tests/ops/op_table.h";
  ASSERT_EQ(c["make"].get<std::string>(), op->inputs) << "stale fixture: rerun gen_ops_fixtures";
  ASSERT_EQ(c["torch"].get<std::string>(), op->torch) << "stale fixture: rerun gen_ops_fixtures";
  op_table::Inputs inputs;
  for (const auto& in : c["inputs"]) inputs.push_back(from_json(in));
  tl::Tensor y = op->run(inputs);
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

TEST(OpsVsTorchTable, EveryTableEntryHasAFixtureCase) {
  for (const op_table::OpCase& op : op_table::kOps) {
    bool found = false;
    for (const auto& c : op_table::fixture_cases()) found = found || c["name"] == op.name;
    EXPECT_TRUE(found) << op.name << ": rerun tools/gen_ops_fixtures.py";
  }
}
