// kernels::gemm (oneDNN or OpenBLAS, cut into blocks over the thread pool) against a plain
// double-precision loop, through every transposition, both accumulate modes, row and column
// blocking and several thread counts.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "kernels/gemm.h"
#include "torchlite/parallel.h"

namespace tl = torchlite;

namespace {

template <class T>
struct Case {
  int64_t m, n, k;
  bool ta, tb, accumulate;
};

/// Element i*cols+j of a row-major operand stored transposed or not.
template <class T>
T at(const std::vector<T>& v, bool trans, int64_t ld, int64_t i, int64_t j) {
  return trans ? v[j * ld + i] : v[i * ld + j];
}

/// Fills with a fixed pattern of small integers over 8: exact in float, so that any error is
/// the kernel's rounding, not the inputs'.
template <class T>
std::vector<T> pattern(int64_t size, int64_t salt) {
  std::vector<T> v(size);
  for (int64_t i = 0; i < size; ++i) v[i] = static_cast<T>(((i * 7 + salt * 13) % 17) - 8) / 8;
  return v;
}

template <class T>
void check(const Case<T>& c) {
  const int64_t lda = c.ta ? c.m : c.k, ldb = c.tb ? c.k : c.n, ldc = c.n + 3;
  const std::vector<T> a = pattern<T>(c.m * c.k, 1), b = pattern<T>(c.k * c.n, 2);
  std::vector<T> out = pattern<T>(c.m * ldc, 3);
  const std::vector<T> before = out;
  tl::kernels::gemm(c.m, c.n, c.k, {a.data(), c.ta, lda}, {b.data(), c.tb, ldb}, c.accumulate,
                    out.data(), ldc);
  // Each product is a multiple of 1/64 and |sum| < 2^(mantissa - 6) for these k: a float
  // kernel may still round partial sums, so allow k ulps of the largest partial magnitude.
  const double eps = sizeof(T) == 4 ? 0x1p-23 : 0x1p-52;
  for (int64_t i = 0; i < c.m; ++i) {
    for (int64_t j = 0; j < c.n; ++j) {
      double want = c.accumulate ? before[i * ldc + j] : 0.0, magnitude = std::abs(want);
      for (int64_t p = 0; p < c.k; ++p) {
        const double prod = static_cast<double>(at(a, c.ta, lda, i, p)) * at(b, c.tb, ldb, p, j);
        want += prod;
        magnitude += std::abs(prod);
      }
      ASSERT_NEAR(out[i * ldc + j], want, c.k * eps * magnitude)
          << c.m << "x" << c.n << "x" << c.k << " ta " << c.ta << " tb " << c.tb << " at " << i
          << "," << j;
    }
    for (int64_t j = c.n; j < ldc; ++j) ASSERT_EQ(out[i * ldc + j], before[i * ldc + j]);
  }
}

}  // namespace

TEST(Gemm, MatchesReferenceLoopAcrossBlockingAndThreads) {
  const int saved = tl::get_num_threads();
  for (int threads : {1, 2, 3}) {
    tl::set_num_threads(threads);
    // Small (one call), tall (row blocks), wide (column blocks), and odd sizes.
    for (auto [m, n, k] : std::vector<std::array<int64_t, 3>>{
             {3, 5, 7}, {300, 40, 700}, {40, 300, 700}, {257, 129, 255}, {1, 1, 1}}) {
      for (bool ta : {false, true})
        for (bool tb : {false, true})
          for (bool acc : {false, true}) {
            check(Case<float>{m, n, k, ta, tb, acc});
            check(Case<double>{m, n, k, ta, tb, acc});
          }
    }
  }
  tl::set_num_threads(saved);
}

TEST(Gemm, NamesItsLibraries) {
  const std::string info = tl::kernels::gemm_info();
  std::printf("gemm_info: %s\n", info.c_str());  // tests/cmake/check_backend.sh reads it
  EXPECT_NE(info.find("float32 GEMM: "), std::string::npos) << info;
  EXPECT_NE(info.find("float64 GEMM: OpenBLAS"), std::string::npos) << info;
}
