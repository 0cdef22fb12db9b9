// print(torch.load(f)): the repr of loaded checkpoints equals what torch 1.13 printed for
// files it wrote (tests/fixtures/io/torch, made by tools/gen_io_fixtures.py).
#include <gtest/gtest.h>

#include "io_test_util.h"
#include "torchlite/io/serialize.h"

namespace tl = torchlite;
using namespace iotest;

namespace {

class IoRepr : public ::testing::TestWithParam<const char*> {};

TEST_P(IoRepr, EqualsTorchPrint) {
  const std::string name = GetParam();
  const std::string want = slurp(fixture("torch/" + name + ".print.txt"));
  EXPECT_EQ(tl::io::repr(tl::io::load_object(fixture("torch/" + name + ".pt"))) + "\n", want);
}

INSTANTIATE_TEST_SUITE_P(TorchFiles, IoRepr,
                         ::testing::Values("linear_3x2", "seq_bn", "dtypes", "views", "params", "long_values",
                                           "single_tensor", "checkpoint"));

TEST(IoReprStateDict, LoadedStateDictPrintsLikeTorch) {
  // The StateDict printer gives the same text for files that hold only tensors.
  for (const char* name : {"linear_3x2", "seq_bn", "views", "params"}) {
    const std::string want = slurp(fixture(std::string("torch/") + name + ".print.txt"));
    EXPECT_EQ(tl::nn::repr(tl::load(fixture(std::string("torch/") + name + ".pt"))) + "\n", want) << name;
  }
}

TEST(IoReprScalars, PythonReprOfPlainValues) {
  tl::io::Object d;
  d.kind = tl::io::Object::Kind::Dict;
  auto num = [](double f) {
    tl::io::Object o;
    o.kind = tl::io::Object::Kind::Float;
    o.f = f;
    return o;
  };
  auto str = [](const std::string& s) {
    tl::io::Object o;
    o.kind = tl::io::Object::Kind::Str;
    o.s = s;
    return o;
  };
  // Expected strings are Python 3.11's repr of the same values.
  EXPECT_EQ(tl::io::repr(num(0.001)), "0.001");
  EXPECT_EQ(tl::io::repr(num(1e-05)), "1e-05");
  EXPECT_EQ(tl::io::repr(num(3.0)), "3.0");
  EXPECT_EQ(tl::io::repr(num(1e16)), "1e+16");
  EXPECT_EQ(tl::io::repr(num(123456789012345.6)), "123456789012345.6");
  EXPECT_EQ(tl::io::repr(num(-2.5e-300)), "-2.5e-300");
  EXPECT_EQ(tl::io::repr(num(0.1 + 0.2)), "0.30000000000000004");
  EXPECT_EQ(tl::io::repr(str("it's")), "\"it's\"");
  EXPECT_EQ(tl::io::repr(str("a'\"b\n")), "'a\\'\"b\\n'");
  EXPECT_EQ(tl::io::repr(str("\x01\x7f")), "'\\x01\\x7f'");
  tl::io::Object t;
  t.kind = tl::io::Object::Kind::Tuple;
  t.items.push_back(num(1.5));
  EXPECT_EQ(tl::io::repr(t), "(1.5,)");
}

}  // namespace
