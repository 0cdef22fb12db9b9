// Normalisation kernels: the threaded, fused batch/layer/group norm loops against their plain
// reference twins, forward and backward, float32 and float64, over odd shapes.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "kernels/normalization.h"
#include "torchlite/parallel.h"
#include "torchlite/tensor.h"

namespace tl = torchlite;
namespace k = torchlite::kernels;

namespace {

template <class T>
std::vector<T> random_values(int64_t n, double scale, double shift) {
  tl::Tensor t = (tl::randn({n}, tl::kFloat64) * scale + shift).to(tl::DtypeOf<T>::value);
  return std::vector<T>(t.data_ptr<T>(), t.data_ptr<T>() + n);
}

template <class T>
void expect_close(const std::vector<T>& a, const std::vector<T>& b, double tol, const char* what) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_NEAR(a[i], b[i], tol * (1 + std::abs(static_cast<double>(b[i])))) << what << " " << i;
}

template <class T>
void check_batch_norm(k::ChannelShape sh, bool affine, bool batch_stats, double tol) {
  const int64_t numel = sh.n * sh.c * sh.s;
  const auto x = random_values<T>(numel, 2.0, 0.7), g = random_values<T>(numel, 1.0, 0.1);
  const auto w = random_values<T>(sh.c, 0.3, 1.0), b = random_values<T>(sh.c, 1.0, 0.0);
  const T* wp = affine ? w.data() : nullptr;
  const T* bp = affine ? b.data() : nullptr;
  std::vector<double> mean(sh.c, 0.1), var(sh.c, 1.3), mean_ref = mean, var_ref = var;
  std::vector<T> y(numel), y_ref(numel);
  k::batch_norm_forward<T>(x.data(), y.data(), wp, bp, sh, 1e-5, batch_stats, mean.data(),
                           var.data());
  k::batch_norm_forward_reference<T>(x.data(), y_ref.data(), wp, bp, sh, 1e-5, batch_stats,
                                     mean_ref.data(), var_ref.data());
  expect_close(y, y_ref, tol, "y");
  expect_close(mean, mean_ref, 1e-12, "mean");
  expect_close(var, var_ref, 1e-12, "var");
  std::vector<double> invstd(sh.c);
  for (int64_t c = 0; c < sh.c; ++c) invstd[c] = 1 / std::sqrt(var[c] + 1e-5);
  std::vector<T> gx(numel), gx_ref(numel), gw(sh.c), gw_ref(sh.c), gb(sh.c), gb_ref(sh.c);
  k::batch_norm_backward<T>(g.data(), x.data(), wp, sh, mean.data(), invstd.data(), batch_stats,
                            gx.data(), gw.data(), gb.data());
  k::batch_norm_backward_reference<T>(g.data(), x.data(), wp, sh, mean.data(), invstd.data(),
                                      batch_stats, gx_ref.data(), gw_ref.data(), gb_ref.data());
  expect_close(gx, gx_ref, tol, "gx");
  expect_close(gw, gw_ref, tol * std::sqrt(static_cast<double>(sh.n * sh.s)), "gw");
  expect_close(gb, gb_ref, tol * std::sqrt(static_cast<double>(sh.n * sh.s)), "gb");
}

template <class T>
void check_row_norm(k::RowShape sh, bool affine, double tol) {
  const int64_t numel = sh.rows * sh.d * sh.s, params = sh.groups * sh.d;
  const auto x = random_values<T>(numel, 1.5, -0.4), g = random_values<T>(numel, 1.0, 0.2);
  const auto w = random_values<T>(params, 0.3, 1.0), b = random_values<T>(params, 1.0, 0.0);
  const T* wp = affine ? w.data() : nullptr;
  const T* bp = affine ? b.data() : nullptr;
  std::vector<double> mean(sh.rows), rstd(sh.rows), mean_ref(sh.rows), rstd_ref(sh.rows);
  std::vector<T> y(numel), y_ref(numel);
  k::row_norm_forward<T>(x.data(), y.data(), wp, bp, sh, 1e-5, mean.data(), rstd.data());
  k::row_norm_forward_reference<T>(x.data(), y_ref.data(), wp, bp, sh, 1e-5, mean_ref.data(),
                                   rstd_ref.data());
  expect_close(y, y_ref, tol, "y");
  expect_close(mean, mean_ref, 1e-12, "mean");
  expect_close(rstd, rstd_ref, 1e-12, "rstd");
  std::vector<T> gx(numel), gx_ref(numel), gw(params), gw_ref(params), gb(params), gb_ref(params);
  k::row_norm_backward<T>(g.data(), x.data(), wp, sh, mean.data(), rstd.data(), gx.data(),
                          gw.data(), gb.data());
  k::row_norm_backward_reference<T>(g.data(), x.data(), wp, sh, mean.data(), rstd.data(),
                                    gx_ref.data(), gw_ref.data(), gb_ref.data());
  expect_close(gx, gx_ref, tol, "gx");
  const double sums = std::sqrt(static_cast<double>(sh.rows / sh.groups * sh.s));
  expect_close(gw, gw_ref, tol * sums, "gw");
  expect_close(gb, gb_ref, tol * sums, "gb");
}

const std::vector<k::ChannelShape> kChannelShapes = {
    {2, 3, 1}, {7, 5, 1}, {3, 4, 5}, {2, 3, 17}, {4, 6, 49}, {64, 6, 784}, {256, 120, 1}};
const std::vector<k::RowShape> kRowShapes = {{1, 1, 1, 1},    {3, 1, 16, 1},  {5, 1, 301, 1},
                                             {8, 2, 3, 15},   {6, 3, 1, 7},   {4, 4, 2, 1},
                                             {512, 1, 84, 1}, {16, 2, 8, 100}};

}  // namespace

TEST(NormalizationKernels, BatchNormMatchesReference) {
  tl::manual_seed(3);
  for (int threads : {1, 2}) {
    tl::set_num_threads(threads);
    for (const auto& sh : kChannelShapes)
      for (bool affine : {true, false})
        for (bool batch_stats : {true, false}) {
          SCOPED_TRACE(std::to_string(sh.n) + "x" + std::to_string(sh.c) + "x" +
                       std::to_string(sh.s) + (affine ? " affine" : "") +
                       (batch_stats ? " batch" : " running") + " threads " +
                       std::to_string(threads));
          check_batch_norm<double>(sh, affine, batch_stats, 1e-12);
          check_batch_norm<float>(sh, affine, batch_stats, 2e-5);
        }
  }
}

TEST(NormalizationKernels, RowNormMatchesReference) {
  tl::manual_seed(4);
  for (int threads : {1, 2}) {
    tl::set_num_threads(threads);
    for (const auto& sh : kRowShapes)
      for (bool affine : {true, false}) {
        SCOPED_TRACE(std::to_string(sh.rows) + "/" + std::to_string(sh.groups) + "x" +
                     std::to_string(sh.d) + "x" + std::to_string(sh.s) + (affine ? " affine" : "") +
                     " threads " + std::to_string(threads));
        check_row_norm<double>(sh, affine, 1e-12);
        check_row_norm<float>(sh, affine, 2e-5);
      }
  }
}
