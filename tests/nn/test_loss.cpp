// Loss, Dropout, Softmax and LogSoftmax modules: repr, buffers, train/eval, same values as F::.
#include <gtest/gtest.h>

#include "torchlite/nn/activation.h"
#include "torchlite/nn/dropout.h"
#include "torchlite/nn/functional.h"
#include "torchlite/nn/loss.h"

namespace tl = torchlite;
namespace nn = torchlite::nn;
namespace F = torchlite::nn::functional;

TEST(LossModules, ReprIsPyTorchs) {
  EXPECT_EQ(nn::repr(*nn::CrossEntropyLoss()), "CrossEntropyLoss()");
  EXPECT_EQ(nn::repr(*nn::NLLLoss()), "NLLLoss()");
  EXPECT_EQ(nn::repr(*nn::MSELoss()), "MSELoss()");
  EXPECT_EQ(nn::repr(*nn::L1Loss()), "L1Loss()");
  EXPECT_EQ(nn::repr(*nn::BCEWithLogitsLoss()), "BCEWithLogitsLoss()");
  EXPECT_EQ(nn::repr(*nn::Dropout()), "Dropout(p=0.5, inplace=False)");
  EXPECT_EQ(nn::repr(*nn::Dropout(0.1, true)), "Dropout(p=0.1, inplace=True)");
  EXPECT_EQ(nn::repr(*nn::Softmax(1)), "Softmax(dim=1)");
  EXPECT_EQ(nn::repr(*nn::LogSoftmax(-1)), "LogSoftmax(dim=-1)");
}

TEST(LossModules, ForwardEqualsFunctional) {
  tl::manual_seed(3);
  const tl::Tensor x = tl::randn({6, 4});
  const tl::Tensor t = tl::tensor({0, 3, 1, 2, -100, 1});
  const tl::Tensor w = tl::rand({4});
  nn::CrossEntropyLoss ce({.weight = w, .reduction = "sum", .label_smoothing = 0.2});
  EXPECT_TRUE(ce(x, t).equal(
      F::cross_entropy(x, t, {.weight = w, .reduction = "sum", .label_smoothing = 0.2})));
  nn::NLLLoss nll({.ignore_index = 1});
  EXPECT_TRUE(nll(x, t.clamp(0)).equal(F::nll_loss(x, t.clamp(0), {.ignore_index = 1})));
  const tl::Tensor y = tl::randn({6, 4});
  EXPECT_TRUE(nn::MSELoss("none")(x, y).equal(F::mse_loss(x, y, "none")));
  EXPECT_TRUE(nn::L1Loss("sum")(x, y).equal(F::l1_loss(x, y, "sum")));
  const tl::Tensor p = tl::rand({6, 4});
  nn::BCEWithLogitsLoss bce({.pos_weight = tl::ones({4}) * 2.0});
  EXPECT_TRUE(bce(x, p).equal(
      F::binary_cross_entropy_with_logits(x, p, {.pos_weight = tl::ones({4}) * 2.0})));
  EXPECT_TRUE(nn::LogSoftmax(1)(x).equal(F::log_softmax(x, 1)));
  EXPECT_TRUE(nn::Softmax(0)(x).equal(F::softmax(x, 0)));
}

TEST(LossModules, WeightsAreBuffersInTheStateDict) {
  nn::CrossEntropyLoss ce({.weight = tl::tensor({1.0f, 2.0f, 3.0f})});
  const auto sd = ce->state_dict();
  ASSERT_EQ(sd.size(), 1u);
  EXPECT_TRUE(ce->named_buffers()[0].second.equal(tl::tensor({1.0f, 2.0f, 3.0f})));
  EXPECT_EQ(ce->named_buffers()[0].first, "weight");
  EXPECT_TRUE(nn::CrossEntropyLoss()->state_dict().empty());
  nn::BCEWithLogitsLoss bce({.weight = tl::ones({3}), .pos_weight = tl::ones({3})});
  ASSERT_EQ(bce->named_buffers().size(), 2u);
  EXPECT_EQ(bce->named_buffers()[1].first, "pos_weight");
}

TEST(LossModules, DropoutFollowsTrainAndEval) {
  nn::Dropout drop(0.5);
  const tl::Tensor x = tl::ones({200});
  drop->eval();
  EXPECT_TRUE(drop(x).equal(x));
  drop->train();
  const tl::Tensor y = drop(x);
  EXPECT_FALSE(y.equal(x));
  EXPECT_TRUE((y.eq(0.0f).sum() + y.eq(2.0f).sum()).item_double() == 200);
  EXPECT_THROW(nn::Dropout(1.5), tl::Error);
}
