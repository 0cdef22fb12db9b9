// DataLoader batch order and generator draws against PyTorch 1.13 (fixtures/train/dataloader.json).
#include <gtest/gtest.h>

#include "common/train_fixture_util.h"
#include "torchlite/data/dataloader.h"

namespace tl = torchlite;
namespace data = torchlite::data;
using train_fixtures::json;

namespace {

/// Replays every fixture case with `workers` background workers.
void check_against_pytorch(int64_t workers) {
  for (const json& c : train_fixtures::load("dataloader.json")) {
    SCOPED_TRACE(c.dump().substr(0, 120));
    const int64_t n = c["n"];
    tl::manual_seed(c["seed"].get<uint64_t>());
    data::DataLoaderOptions opts{.batch_size = c["batch_size"],
                                 .shuffle = c["shuffle"],
                                 .num_workers = workers,
                                 .drop_last = c["drop_last"]};
    if (!c["generator_seed"].is_null())
      opts.generator = tl::Generator(c["generator_seed"].get<uint64_t>());
    data::DataLoader loader(data::TensorDataset(tl::arange(n), tl::arange(n) * 10), opts);
    EXPECT_EQ(loader.size(), c["len"].get<int64_t>());
    for (const json& pass : c["passes"]) {
      size_t b = 0;
      for (const auto& [x, y] : loader) {
        ASSERT_LT(b, pass.size());
        const auto expected = pass[b].get<std::vector<int64_t>>();
        ASSERT_EQ(x.numel(), static_cast<int64_t>(expected.size()));
        for (size_t i = 0; i < expected.size(); ++i) {
          EXPECT_EQ(x.data_ptr<int64_t>()[i], expected[i]) << "batch " << b;
          EXPECT_EQ(y.data_ptr<int64_t>()[i], expected[i] * 10);
        }
        ++b;
      }
      EXPECT_EQ(b, pass.size());
    }
    // the default generator is where PyTorch's is: same number of draws
    const tl::Tensor probe = tl::randint(0, 2147483647, {4});
    EXPECT_EQ(std::vector<int64_t>(probe.data_ptr<int64_t>(), probe.data_ptr<int64_t>() + 4),
              c["probe"].get<std::vector<int64_t>>());
  }
}

/// A dataset whose batch `bad` fails, to see the worker's error arrive at the consumer.
class Failing : public data::Dataset {
 public:
  int64_t size() const override { return 10; }
  data::Batch get_batch(const std::vector<int64_t>& indices) const override {
    TL_CHECK(indices[0] != 6, "example 6 is unreadable");
    const tl::Tensor x = tl::tensor({indices[0]});
    return {x, x};
  }
};

}  // namespace

TEST(DataLoader, ShuffleOrderAndDrawCountMatchPyTorch) { check_against_pytorch(0); }

TEST(DataLoader, BackgroundWorkersChangeNothingButWhenBatchesAreMade) {
  check_against_pytorch(1);
  check_against_pytorch(3);
}

TEST(DataLoader, WorkerErrorsReachTheConsumerAndEarlyExitsStopTheWorker) {
  data::DataLoader loader(Failing(), {.batch_size = 2, .num_workers = 2});
  std::vector<int64_t> firsts;
  try {
    for (const auto& [x, y] : loader) firsts.push_back(x.data_ptr<int64_t>()[0]);
    ADD_FAILURE() << "no error";
  } catch (const tl::Error& e) {
    EXPECT_STREQ(e.what(), "example 6 is unreadable");
  }
  EXPECT_EQ(firsts, (std::vector<int64_t>{0, 2, 4}));
  for (const auto& [x, y] : loader) {
    EXPECT_EQ(x.data_ptr<int64_t>()[0], 0);
    break;  // the pass ends here: its worker must stop, not hang
  }
  EXPECT_THROW(data::DataLoader(Failing(), {.num_workers = -1}), tl::Error);
}

TEST(DataLoader, SequentialBatchesAndLastPartialBatch) {
  data::DataLoader loader(data::TensorDataset(tl::arange(7), tl::arange(7)), {.batch_size = 3});
  std::vector<int64_t> sizes;
  for (const auto& [x, y] : loader) sizes.push_back(x.numel());
  EXPECT_EQ(sizes, (std::vector<int64_t>{3, 3, 1}));
  data::DataLoader dropping(data::TensorDataset(tl::arange(7), tl::arange(7)),
                            {.batch_size = 3, .drop_last = true});
  EXPECT_EQ(dropping.size(), 2);
  int batches = 0;
  for (const auto& batch : dropping) batches += batch.first.numel() == 3;
  EXPECT_EQ(batches, 2);
}

TEST(DataLoader, TensorDatasetKeepsRowShapesAndDtypes) {
  const tl::Tensor x = tl::arange(24).reshape({6, 2, 2}).to(tl::kFloat32);
  const tl::Tensor y = tl::arange(6);
  data::TensorDataset ds(x, y);
  const auto [bx, by] = ds.get_batch({5, 0});
  EXPECT_EQ(bx.sizes(), (tl::Sizes{2, 2, 2}));
  EXPECT_TRUE(bx[0].equal(x[5]));
  EXPECT_TRUE(bx[1].equal(x[0]));
  EXPECT_TRUE(by.equal(tl::tensor({5, 0})));
  EXPECT_THROW(ds.get_batch({6}), tl::Error);
  EXPECT_THROW(data::TensorDataset(x, tl::arange(5)), tl::Error);
  EXPECT_THROW(data::DataLoader(ds, {.batch_size = 0}), tl::Error);
}
