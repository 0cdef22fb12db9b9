// A BatchNorm2d state dict both ways with the installed torch 1.13 (skipped when
// /usr/bin/python3 has no torch): torch's trained state dict loads strictly into nn::BatchNorm2d
// and gives PyTorch's eval output; torchlite trains on, saves, and torch loads the result
// strictly with weights_only=True, int64 num_batches_tracked included, equal to its own
// training (tests/io/batchnorm_roundtrip.py does the torch side).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <string>

#include "torchlite/io/serialize.h"
#include "torchlite/nn/normalization.h"

namespace tl = torchlite;
namespace nn = torchlite::nn;

namespace {

const std::string kPython = "/usr/bin/python3";
const std::string kScript = std::string(TORCHLITE_FIXTURES) + "/../io/batchnorm_roundtrip.py";

int run(const std::string& cmd) {
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(IoBatchNormRoundTrip, TorchToTorchliteToTorch) {
  if (run(kPython + " -c 'import torch' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << kPython << " cannot import torch";
  char tmpl[] = "/tmp/torchlite-bn-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  ASSERT_EQ(run(kPython + " " + kScript + " write " + dir), 0);

  auto bn = nn::BatchNorm2d(4);
  bn->load_state_dict(tl::load(dir + "/torch_bn.pt"));
  EXPECT_EQ(bn->num_batches_tracked.dtype(), tl::kInt64);
  EXPECT_EQ(bn->num_batches_tracked.item<int64_t>(), 3);
  const nn::StateDict eval = tl::load(dir + "/eval.pt");
  bn->eval();
  tl::Tensor y = bn(eval["x"]);
  EXPECT_TRUE(y.allclose(eval["y"], 1e-6, 1e-6)) << y << "\n" << eval["y"];

  bn->train();
  const nn::StateDict train = tl::load(dir + "/train.pt");
  bn(train["a"]);
  bn(train["b"]);
  tl::save(bn->state_dict(), dir + "/tl_bn.pt");
  EXPECT_EQ(run(kPython + " " + kScript + " check " + dir), 0);
  run("rm -rf '" + dir + "'");
}

}  // namespace
