// GEMM kernels: row-major C[m, n] = A[m, k] @ B[k, n] (+ C), float32 and float64, spread over
// torchlite's threads. The library behind them is chosen at build time (gemm_onednn.cpp,
// gemm_openblas.cpp); nothing outside src/kernels/ includes a kernel library's headers.
#pragma once

#include <cstdint>
#include <string>

namespace torchlite::kernels {

/// A row-major matrix operand: A[i, p] is data[i * ld + p], or data[p * ld + i] when transposed.
template <class T>
struct GemmOperand {
  const T* data;
  bool trans;
  int64_t ld;
};

/// c[m, n] = a[m, k] @ b[k, n], plus the old c when accumulate; c has leading dimension ldc.
/// m, n, k > 0.
void gemm(int64_t m, int64_t n, int64_t k, GemmOperand<float> a, GemmOperand<float> b,
          bool accumulate, float* c, int64_t ldc);
void gemm(int64_t m, int64_t n, int64_t k, GemmOperand<double> a, GemmOperand<double> b,
          bool accumulate, double* c, int64_t ldc);

/// The library and instruction set behind each GEMM, e.g. "float32 GEMM: oneDNN 2.6.3 (ISA
/// avx512_core_amx)".
std::string gemm_info();

}  // namespace torchlite::kernels
