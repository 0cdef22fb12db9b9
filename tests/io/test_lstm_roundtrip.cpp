// An LSTM (2 layers, bidirectional, proj_size) state dict both ways with the installed torch
// 1.13 (skipped when /usr/bin/python3 has no torch): torch's trained state dict loads strictly
// into nn::LSTM and gives PyTorch's output, states and gradients; torchlite takes one SGD step,
// saves, and torch loads the result strictly with weights_only=True, equal to its own step
// (tests/io/lstm_roundtrip.py does the torch side).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <string>

#include "torchlite/io/serialize.h"
#include "torchlite/nn/rnn.h"

namespace tl = torchlite;
namespace nn = torchlite::nn;

namespace {

const std::string kPython = "/usr/bin/python3";
const std::string kScript = std::string(TORCHLITE_FIXTURES) + "/../io/lstm_roundtrip.py";

int run(const std::string& cmd) {
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

tl::Tensor loss_of(nn::LSTM& m, const tl::Tensor& x) {
  auto [out, state] = m->forward(x);
  auto [h, c] = state;
  return out.sum() + (h * h).sum() + c.sum();
}

TEST(IoLstmRoundTrip, TorchToTorchliteToTorch) {
  if (run(kPython + " -c 'import torch' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << kPython << " cannot import torch";
  char tmpl[] = "/tmp/torchlite-lstm-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  ASSERT_EQ(run(kPython + " " + kScript + " write " + dir), 0);

  auto lstm = nn::LSTM(3, 5, {.num_layers = 2, .bidirectional = true, .proj_size = 2});
  lstm->load_state_dict(tl::load(dir + "/torch_lstm.pt"));
  const nn::StateDict eval = tl::load(dir + "/eval.pt");
  auto [out, state] = lstm->forward(eval["x"]);
  EXPECT_TRUE(out.allclose(eval["out"], 1e-5, 1e-6));
  EXPECT_TRUE(state.first.allclose(eval["h"], 1e-5, 1e-6));
  EXPECT_TRUE(state.second.allclose(eval["c"], 1e-5, 1e-6));
  loss_of(lstm, eval["x"]).backward();
  for (const auto& [name, p] : lstm->named_parameters())
    EXPECT_TRUE(p.grad().allclose(eval["grad." + name], 1e-5, 1e-6)) << name;
  {
    tl::NoGradGuard no_grad;
    for (tl::Tensor p : lstm->parameters()) p.detach().sub_(p.grad() * 0.1);
  }
  tl::save(lstm->state_dict(), dir + "/tl_lstm.pt");
  EXPECT_EQ(run(kPython + " " + kScript + " check " + dir), 0);
  run("rm -rf '" + dir + "'");
}

}  // namespace
