// print(torch.load(f)): the repr of loaded checkpoints equals what torch 1.13 printed for
// files it wrote (tests/fixtures/io/torch, made by tools/gen_io_fixtures.py).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>

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
                         ::testing::Values("linear_3x2", "seq_bn", "dtypes", "views", "params",
                                           "long_values", "single_tensor", "checkpoint"));

TEST(IoReprStateDict, LoadedStateDictPrintsLikeTorch) {
  // The StateDict printer gives the same text for files that hold only tensors.
  for (const char* name : {"linear_3x2", "seq_bn", "views", "params"}) {
    const std::string want = slurp(fixture(std::string("torch/") + name + ".print.txt"));
    EXPECT_EQ(tl::nn::repr(tl::load(fixture(std::string("torch/") + name + ".pt"))) + "\n", want)
        << name;
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

namespace {

// The `torchlite` executable, when it has been built next to the tests.
std::string cli() { return std::string(TORCHLITE_BINARY_DIR) + "/torchlite"; }

int sh(const std::string& cmd) {
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(IoCli, InspectConvertAndErrors) {
  if (sh("test -x '" + cli() + "'") != 0) GTEST_SKIP() << cli() << " is not built";
  char tmpl[] = "/tmp/torchlite-cli-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  for (const char* name : {"linear_3x2", "views", "params", "checkpoint", "single_tensor"}) {
    SCOPED_TRACE(name);
    ASSERT_EQ(sh("'" + cli() + "' inspect '" + fixture(std::string("torch/") + name + ".pt") +
                 "' > " + dir + "/out"),
              0);
    EXPECT_EQ(slurp(dir + "/out"), slurp(fixture(std::string("torch/") + name + ".print.txt")));
  }
  ASSERT_EQ(sh("'" + cli() + "' inspect --summary '" + fixture("torch/checkpoint.pt") + "' > " +
               dir + "/out"),
            0);
  EXPECT_EQ(slurp(dir + "/out"),
            "name               dtype    shape   numel  bytes\n"
            "model.weight       float32  [1, 2]      2      8\n"
            "model.bias         float32  [1]         1      4\n"
            "total (2 tensors)                       3     12\n");
  // .pt -> .safetensors -> .pt keeps the values; views become contiguous.
  ASSERT_EQ(sh("'" + cli() + "' convert '" + fixture("torch/views.pt") + "' " + dir +
               "/v.safetensors > /dev/null"),
            0);
  ASSERT_EQ(sh("'" + cli() + "' convert " + dir + "/v.safetensors " + dir + "/v.pt > /dev/null"),
            0);
  tl::nn::StateDict a = tl::load(fixture("torch/views.pt")), b = tl::load(dir + "/v.pt");
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [k, t] : a) {
    EXPECT_TRUE(t.equal(b[k])) << k;
    EXPECT_TRUE(b[k].is_contiguous()) << k;
  }
  // Refusals go to stderr with a non-zero status, and write nothing.
  EXPECT_NE(sh("'" + cli() + "' inspect '" + fixture("serial/pt/bad_global_os_getcwd.pt") + "' > " +
               dir + "/out 2> " + dir + "/err"),
            0);
  EXPECT_EQ(slurp(dir + "/out"), "");
  EXPECT_NE(slurp(dir + "/err").find("DisallowedGlobal: os.getcwd"), std::string::npos);
  EXPECT_NE(sh("'" + cli() + "' convert '" + fixture("serial/pt/legacy_linear_2x2.pt") + "' " +
               dir + "/x.safetensors 2> " + dir + "/err"),
            0);
  EXPECT_NE(slurp(dir + "/err").find("convert to safetensors"), std::string::npos);
  EXPECT_NE(sh("test -e " + dir + "/x.safetensors"), 0);
  sh("rm -rf '" + dir + "'");
}

}  // namespace
