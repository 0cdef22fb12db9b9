// main() of the distributed tests: joins the job, runs the same tests in the same order on every
// rank (so that their collectives match) and fails the job when any rank failed.
#pragma once

#include <gtest/gtest.h>

#include "torchlite/distributed/collectives.h"
#include "torchlite/distributed/process_group.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  torchlite::distributed::init_process_group();
  // Only rank 0 prints progress; every rank prints its failures.
  if (torchlite::distributed::get_rank() != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  torchlite::Tensor failed = torchlite::tensor({static_cast<int64_t>(RUN_ALL_TESTS())});
  torchlite::distributed::all_reduce(failed, torchlite::distributed::ReduceOp::MAX);
  torchlite::distributed::destroy_process_group();
  return static_cast<int>(failed.item<int64_t>());
}
