// parallel_for and the thread count: every index visited once, nested calls serial, the
// default size no larger than the cores the process may use.
#include <gtest/gtest.h>
#include <sched.h>

#include <atomic>
#include <vector>

#include "core/parallel.h"
#include "torchlite/config.h"
#include "torchlite/error.h"

namespace tl = torchlite;

TEST(Parallel, VisitsEveryIndexOnceForAnyThreadCountAndGrain) {
  const int saved = tl::get_num_threads();
  for (int threads : {1, 2, 5}) {
    tl::set_num_threads(threads);
    EXPECT_EQ(tl::get_num_threads(), threads);
    for (int64_t n : {0, 1, 7, 1000, 100003}) {
      for (int64_t grain : {1, 16, 5000}) {
        std::vector<std::atomic<int>> seen(n);
        tl::detail::parallel_for(0, n, grain, [&](int64_t b, int64_t e) {
          EXPECT_LT(b, e);
          for (int64_t i = b; i < e; ++i) seen[i].fetch_add(1);
        });
        for (int64_t i = 0; i < n; ++i) ASSERT_EQ(seen[i].load(), 1) << n << " " << grain << " " << i;
      }
    }
  }
  tl::set_num_threads(saved);
}

TEST(Parallel, NestedCallsRunOnTheCallingThread) {
  const int saved = tl::get_num_threads();
  tl::set_num_threads(4);
  std::atomic<int64_t> total{0};
  tl::detail::parallel_for(0, 8, 1, [&](int64_t b, int64_t e) {
    EXPECT_TRUE(tl::detail::in_parallel_region());
    for (int64_t i = b; i < e; ++i) {
      tl::detail::parallel_for(0, 100, 1, [&](int64_t b2, int64_t e2) {
        EXPECT_EQ(b2, 0);
        EXPECT_EQ(e2, 100);
        total += e2 - b2;
      });
    }
  });
  EXPECT_EQ(total.load(), 800);
  EXPECT_FALSE(tl::detail::in_parallel_region());
  tl::set_num_threads(saved);
}

TEST(Parallel, DefaultFollowsAffinityAndRejectsNonPositive) {
  cpu_set_t set;
  ASSERT_EQ(sched_getaffinity(0, sizeof set, &set), 0);
  if (!std::getenv("OMP_NUM_THREADS")) EXPECT_LE(tl::get_num_threads(), CPU_COUNT(&set));
  EXPECT_GE(tl::get_num_threads(), 1);
  EXPECT_THROW(tl::set_num_threads(0), tl::Error);
  EXPECT_NE(tl::config::show().find("intra-op threads: "), std::string::npos);
}
