// DistributedSampler: indices equal PyTorch 1.13's for a grid of (size, replicas, seed, epoch,
// drop_last, shuffle) (tests/fixtures/distributed/sampler.json), its errors, and DataLoader
// batches drawn through it.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "torchlite/data/dataloader.h"
#include "torchlite/data/sampler.h"

namespace tl = torchlite;
using nlohmann::json;

TEST(DistributedSampler, IndicesEqualPyTorch) {
  std::ifstream f(std::string(TORCHLITE_FIXTURES) + "/distributed/sampler.json");
  ASSERT_TRUE(f.good());
  const json cases = json::parse(f)["cases"];
  ASSERT_GT(cases.size(), 100u);
  for (const json& c : cases) {
    const int64_t replicas = c["replicas"].get<int64_t>();
    for (int64_t rank = 0; rank < replicas; ++rank) {
      tl::data::DistributedSampler s(c["size"].get<int64_t>(), replicas, rank,
                                     {.shuffle = c["shuffle"].get<bool>(),
                                      .seed = c["seed"].get<uint64_t>(),
                                      .drop_last = c["drop_last"].get<bool>()});
      s.set_epoch(c["epoch"].get<int64_t>());
      const auto expected = c["indices"][rank].get<std::vector<int64_t>>();
      EXPECT_EQ(s.indices(), expected) << c.dump().substr(0, 120) << " rank " << rank;
      EXPECT_EQ(s.size(), static_cast<int64_t>(expected.size()));
    }
  }
}

TEST(DistributedSampler, Errors) {
  EXPECT_THROW(tl::data::DistributedSampler(10, 2, 2), tl::Error);
  EXPECT_THROW(tl::data::DistributedSampler(10, 0, 0), tl::Error);
  try {
    tl::data::DistributedSampler(10, 4, -1);
  } catch (const tl::Error& e) {
    EXPECT_STREQ(e.what(), "Invalid rank -1, rank should be in the interval [0, 3]");
  }
  tl::data::TensorDataset ds(tl::arange(10), tl::arange(10));
  auto sampler = std::make_shared<tl::data::DistributedSampler>(10, 2, 0);
  try {
    tl::data::DataLoader(ds, {.shuffle = true, .sampler = sampler});
    ADD_FAILURE() << "no error";
  } catch (const tl::Error& e) {
    EXPECT_STREQ(e.what(), "sampler option is mutually exclusive with shuffle");
  }
}

TEST(DistributedSampler, DataLoaderFollowsItAndSetEpoch) {
  tl::data::TensorDataset ds(tl::arange(10), tl::arange(10));
  auto sampler = std::make_shared<tl::data::DistributedSampler>(
      10, 3, 1, tl::data::DistributedSamplerOptions{.seed = 5});
  tl::data::DataLoader loader(ds, {.batch_size = 3, .sampler = sampler});
  EXPECT_EQ(loader.size(), 2);  // 4 indices per rank: batches of 3 and 1
  for (int64_t epoch : {0, 1}) {
    sampler->set_epoch(epoch);
    const std::vector<int64_t> expected = sampler->indices();
    std::vector<int64_t> seen;
    for (const auto& [x, y] : loader)
      for (int64_t i = 0; i < x.numel(); ++i) seen.push_back(x.data_ptr<int64_t>()[i]);
    EXPECT_EQ(seen, expected) << "epoch " << epoch;
  }
}
