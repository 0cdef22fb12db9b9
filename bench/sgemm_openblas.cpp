// W5's reference: cblas_sgemm of two float32 [n, n] matrices called directly on the machine's
// OpenBLAS, printing `RESULT gflops <value>` per block (same protocol as bench/workloads.cpp).
#include <cblas.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  long n = 1024, iters = 10, blocks = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const long value = std::stol(argv[i + 1]);
    if (key == "--n") n = value;
    else if (key == "--iters") iters = value;
    else if (key == "--blocks") blocks = value;
    else if (key == "--threads") openblas_set_num_threads(static_cast<int>(value));
  }
  std::vector<float> a(n * n), b(n * n), c(n * n);
  std::mt19937 rng(0);
  std::normal_distribution<float> normal;
  for (auto* v : {&a, &b})
    for (float& x : *v) x = normal(rng);
  const int m = static_cast<int>(n);
  auto gemm = [&] {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, m, m, 1.0f, a.data(), m, b.data(),
                m, 0.0f, c.data(), m);
  };
  gemm();
  for (long blk = 0; blk < blocks; ++blk) {
    const auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < iters; ++i) gemm();
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() /
        static_cast<double>(iters);
    std::printf("RESULT gflops %.17g\n", 2.0 * static_cast<double>(n) * n * n / s / 1e9);
    std::fflush(stdout);
  }
  return 0;
}
