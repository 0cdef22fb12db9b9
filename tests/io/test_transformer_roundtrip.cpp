// A TransformerEncoder state dict both ways with the installed torch 1.13 (skipped when
// /usr/bin/python3 has no torch): torch's trained state dict loads strictly into
// nn::TransformerEncoder and gives PyTorch's eval output under a causal mask; torchlite takes an
// SGD step, saves, and torch loads the result strictly with weights_only=True, equal to its own
// step (tests/io/transformer_roundtrip.py does the torch side).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <string>

#include "torchlite/io/serialize.h"
#include "torchlite/nn/transformer.h"

namespace tl = torchlite;
namespace nn = torchlite::nn;

namespace {

const std::string kPython = "/usr/bin/python3";
const std::string kScript = std::string(TORCHLITE_FIXTURES) + "/../io/transformer_roundtrip.py";

int run(const std::string& cmd) {
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

nn::TransformerEncoder build() {
  return nn::TransformerEncoder(
      nn::TransformerEncoderLayer(16, 4,
                                  {.dim_feedforward = 32, .dropout = 0.0, .batch_first = true}),
      2, {.norm = nn::LayerNorm(16)});
}

}  // namespace

TEST(IoTransformerRoundTrip, TorchToTorchliteToTorch) {
  if (run(kPython + " -c 'import torch' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << kPython << " cannot import torch";
  char tmpl[] = "/tmp/torchlite-enc-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  ASSERT_EQ(run(kPython + " " + kScript + " write " + dir), 0);

  auto enc = build();
  enc->load_state_dict(tl::load(dir + "/torch_enc.pt"));
  const nn::StateDict eval = tl::load(dir + "/eval.pt");
  enc->eval();
  tl::Tensor y = enc->forward(eval["x"], {.mask = eval["mask"]});
  EXPECT_TRUE(y.allclose(eval["y"], 1e-5, 1e-5)) << y << "\n" << eval["y"];

  enc->train();
  const nn::StateDict train = tl::load(dir + "/train.pt");
  const tl::Tensor mask = nn::TransformerImpl::generate_square_subsequent_mask(4);
  (enc->forward(train["x"], {.mask = mask}) * train["w"]).sum().backward();
  {
    tl::NoGradGuard no_grad;  // plain SGD, lr 0.1 (the io layer does not link optim)
    for (tl::Tensor p : enc->parameters()) p.add_(p.grad(), -0.1);
  }
  tl::save(enc->state_dict(), dir + "/tl_enc.pt");
  EXPECT_EQ(run(kPython + " " + kScript + " check " + dir), 0);
  run("rm -rf '" + dir + "'");
}
