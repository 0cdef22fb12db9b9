// GEMM on OpenBLAS (cblas_?gemm): float64 always, float32 when torchlite is built without
// oneDNN. OpenBLAS stays on one thread: torchlite's pool does the threading.
#include <cblas.h>

#include "kernels/gemm_backend.h"

extern "C" char* openblas_get_corename() __attribute__((weak));
extern "C" char* openblas_get_config() __attribute__((weak));
extern "C" void openblas_set_num_threads(int) __attribute__((weak));

namespace torchlite::kernels::backend {
namespace {

/// Sets OpenBLAS to one thread before the first call, so that its pool never starts.
const bool kOneThread = [] {
  if (openblas_set_num_threads) openblas_set_num_threads(1);
  return true;
}();

template <class T, class F>
void call(F blas_gemm, int64_t m, int64_t n, int64_t k, GemmOperand<T> a, GemmOperand<T> b,
          bool accumulate, T* c, int64_t ldc) {
  blas_gemm(CblasRowMajor, a.trans ? CblasTrans : CblasNoTrans, b.trans ? CblasTrans : CblasNoTrans,
            m, n, k, T(1), a.data, a.ld, b.data, b.ld, accumulate ? T(1) : T(0), c, ldc);
}

std::string openblas_name() {
  std::string name = "OpenBLAS";
  if (openblas_get_config) {
    const std::string config = openblas_get_config();  // "OpenBLAS 0.3.21 DYNAMIC_ARCH ..."
    const size_t space = config.find(' ', 9);
    name = config.substr(0, space);
  }
  if (openblas_get_corename) name += std::string(" (core ") + openblas_get_corename() + ")";
  return name;
}

}  // namespace

#ifndef TORCHLITE_WITH_ONEDNN
void gemm_serial(int64_t m, int64_t n, int64_t k, GemmOperand<float> a, GemmOperand<float> b,
                 bool accumulate, float* c, int64_t ldc) {
  call<float>(cblas_sgemm, m, n, k, a, b, accumulate, c, ldc);
}

std::string float_library() { return openblas_name(); }
#endif

void gemm_serial(int64_t m, int64_t n, int64_t k, GemmOperand<double> a, GemmOperand<double> b,
                 bool accumulate, double* c, int64_t ldc) {
  call<double>(cblas_dgemm, m, n, k, a, b, accumulate, c, ldc);
}

std::string double_library() { return openblas_name(); }

}  // namespace torchlite::kernels::backend
