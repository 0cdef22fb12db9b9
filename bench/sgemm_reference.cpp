// W5's references: a float32 [n, n] x [n, n] GEMM (or any `--m --n --k --ta --tb` shape, for
// the workloads' GEMMs) called directly on a kernel library with that library's own threading (`--library openblas`: cblas_sgemm on OpenBLAS's threads; `onednn`:
// dnnl_sgemm on OpenMP's, when built with oneDNN), printing `RESULT gflops <value>` per block (the protocol of
// bench/workloads.cpp) after a `LIBRARY <name>` line naming the kernel it picked.
#include <cblas.h>
#ifdef TORCHLITE_WITH_ONEDNN
#include <oneapi/dnnl/dnnl.h>
#include <omp.h>
#endif

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

extern "C" char* openblas_get_corename();

int main(int argc, char** argv) {
  long n = 1024, rows = 0, cols = 0, depth = 0, iters = 10, blocks = 5;
  bool ta = false, tb = false;
  std::string library = "openblas";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    if (key == "--library") {
      library = argv[i + 1];
      continue;
    }
    const long value = std::stol(argv[i + 1]);
    if (key == "--n") n = value;
    else if (key == "--m") rows = value;
    else if (key == "--k") depth = value;
    else if (key == "--cols") cols = value;
    else if (key == "--ta") ta = value != 0;
    else if (key == "--tb") tb = value != 0;
    else if (key == "--iters") iters = value;
    else if (key == "--blocks") blocks = value;
    else if (key == "--threads") {
      openblas_set_num_threads(static_cast<int>(value));
#ifdef TORCHLITE_WITH_ONEDNN
      omp_set_num_threads(static_cast<int>(value));
#endif
    }
  }
  const long M = rows ? rows : n, N = cols ? cols : n, K = depth ? depth : n;
  std::vector<float> a(M * K), b(K * N), c(M * N);
  std::mt19937 rng(0);
  std::normal_distribution<float> normal;
  for (auto* v : {&a, &b})
    for (float& x : *v) x = normal(rng);
  const int lda = static_cast<int>(ta ? M : K), ldb = static_cast<int>(tb ? K : N);
  std::function<void()> gemm;
  if (library == "openblas") {
    std::printf("LIBRARY OpenBLAS (core %s)\n", openblas_get_corename());
    gemm = [&] {
      cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M,
                  N, K, 1.0f, a.data(), lda, b.data(), ldb, 0.0f, c.data(), N);
    };
#ifdef TORCHLITE_WITH_ONEDNN
  } else if (library == "onednn") {
    const dnnl_version_t* v = dnnl_version();
    std::printf("LIBRARY oneDNN %d.%d.%d (ISA 0x%x)\n", v->major, v->minor, v->patch,
                static_cast<unsigned>(dnnl_get_effective_cpu_isa()));
    gemm = [&] {
      dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', M, N, K, 1.0f, a.data(), lda, b.data(), ldb,
                 0.0f, c.data(), N);
    };
#endif
  } else {
    std::fprintf(stderr, "usage: %s [--library openblas|onednn] [--n N | --m M --cols N --k K --ta 0|1 "
                 "--tb 0|1] [--threads T]\n", argv[0]);
    return 2;
  }
  gemm();
  for (long blk = 0; blk < blocks; ++blk) {
    const auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < iters; ++i) gemm();
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() /
        static_cast<double>(iters);
    std::printf("RESULT gflops %.17g\n", 2.0 * static_cast<double>(M) * N * K / s / 1e9);
    std::fflush(stdout);
  }
  return 0;
}
