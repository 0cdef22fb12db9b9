// The seam between gemm.cpp (threading, partitioning) and one GEMM library: single-threaded
// calls, defined by exactly one backend source file each (gemm_onednn.cpp, gemm_openblas.cpp).
#pragma once

#include <string>

#include "kernels/gemm.h"

namespace torchlite::kernels::backend {

/// c[m, n] = a @ b (+ c when accumulate) on the calling thread only.
void gemm_serial(int64_t m, int64_t n, int64_t k, GemmOperand<float> a, GemmOperand<float> b,
                 bool accumulate, float* c, int64_t ldc);
void gemm_serial(int64_t m, int64_t n, int64_t k, GemmOperand<double> a, GemmOperand<double> b,
                 bool accumulate, double* c, int64_t ldc);

/// "oneDNN 2.6.3 (ISA avx512_core)" / "OpenBLAS 0.3.21 (core Haswell)".
std::string float_library();
std::string double_library();

}  // namespace torchlite::kernels::backend
