// Reduction kernels: the blocked full sum and the bias column sums against sum_into, their
// reference twin, and the row max/min against a plain scan.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "core/tensor_util.h"
#include "kernels/reduce.h"
#include "torchlite/tensor.h"

namespace tl = torchlite;
namespace k = torchlite::kernels;
using tl::detail::view_of;

TEST(ReduceKernels, BlockedSumMatchesSumInto) {
  tl::manual_seed(6);
  for (int64_t n : {1, 15, 1024, 1025, 5000, 1 << 16}) {
    tl::Tensor x = tl::randn({n});
    tl::Tensor acc = tl::zeros({1}, tl::kFloat64);
    k::sum_into<float>(view_of(acc), view_of(x.view({1, n}).t()));
    EXPECT_NEAR(k::sum_contiguous(x.data_ptr<float>(), n), acc.item<double>(),
                1e-5 * std::sqrt(static_cast<double>(n)))
        << n;
    tl::Tensor xi = tl::randint(-100, 100, {n});
    tl::Tensor acci = tl::zeros({1}, tl::kInt64);
    k::sum_into<int64_t>(view_of(acci), view_of(xi.view({1, n}).t()));
    EXPECT_EQ(k::sum_contiguous(xi.data_ptr<int64_t>(), n), acci.item<int64_t>()) << n;
  }
}

TEST(ReduceKernels, ColumnSumsMatchSumInto) {
  tl::manual_seed(7);
  for (auto [rows, cols] : std::vector<std::array<int64_t, 2>>{{1, 1}, {1, 7}, {5, 3}, {64, 30}}) {
    for (bool transposed : {false, true}) {
      tl::Tensor g = transposed ? tl::randn({cols, rows}, tl::kFloat64).t()
                                : tl::randn({rows, cols}, tl::kFloat64);
      tl::Tensor out = tl::empty({cols}, tl::kFloat64);
      k::column_sums<double>(view_of(out), view_of(g));
      tl::Tensor acc = tl::zeros({1, cols}, tl::kFloat64);
      k::sum_into<double>(view_of(acc), view_of(g));
      EXPECT_TRUE(out.allclose(acc.view({cols}), 1e-12, 1e-12)) << rows << "x" << cols;
    }
  }
}

TEST(ReduceKernels, ExtremeRowsFindFirstExtremeAndNaN) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> x{3, 1, 3, 0, /**/ -1, nan, 5, nan, /**/ 2, 2, 2, 2};
  std::vector<float> values(3);
  std::vector<int64_t> indices(3);
  k::extreme_rows(values.data(), indices.data(), x.data(), 3, 4, true);
  EXPECT_EQ(values[0], 3);
  EXPECT_EQ(indices[0], 0);
  EXPECT_TRUE(std::isnan(values[1]));
  EXPECT_EQ(indices[1], 1);
  EXPECT_EQ(indices[2], 0);
  k::extreme_rows(values.data(), indices.data(), x.data(), 3, 4, false);
  EXPECT_EQ(values[0], 0);
  EXPECT_EQ(indices[0], 3);
  EXPECT_EQ(indices[1], 1);
}
