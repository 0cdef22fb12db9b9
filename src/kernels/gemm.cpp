// GEMM over torchlite's threads: the output is cut into row (or column) blocks, each computed
// by one single-threaded library call, so the library's own threads never run.
#include "kernels/gemm.h"

#include <algorithm>

#include "core/parallel.h"
#include "kernels/gemm_backend.h"

namespace torchlite::kernels {
namespace {

/// Below this many multiply-adds a GEMM stays on the calling thread: waking workers costs more
/// than it saves (softmax regression's [256, 784] x [784, 10]: 2.5x faster on one thread).
constexpr int64_t kSerialGemmMacs = int64_t{1} << 23;
/// Blocks no thinner than this: each block repacks the other operand.
constexpr int64_t kMinBlock = 16;

template <class T>
void gemm_parallel(int64_t m, int64_t n, int64_t k, GemmOperand<T> a, GemmOperand<T> b,
                   bool accumulate, T* c, int64_t ldc) {
  // One thread, or a nested call, is parallel_for's own business: it then runs one block.
  if (m * n * k < kSerialGemmMacs) {
    backend::gemm_serial(m, n, k, a, b, accumulate, c, ldc);
    return;
  }
  if (m >= n) {  // row blocks: rows i0..i1 of a and c
    detail::parallel_for(0, m, kMinBlock, [&](int64_t i0, int64_t i1) {
      GemmOperand<T> ai{a.trans ? a.data + i0 : a.data + i0 * a.ld, a.trans, a.ld};
      backend::gemm_serial(i1 - i0, n, k, ai, b, accumulate, c + i0 * ldc, ldc);
    });
  } else {  // column blocks: columns j0..j1 of b and c
    detail::parallel_for(0, n, kMinBlock, [&](int64_t j0, int64_t j1) {
      GemmOperand<T> bj{b.trans ? b.data + j0 * b.ld : b.data + j0, b.trans, b.ld};
      backend::gemm_serial(m, j1 - j0, k, a, bj, accumulate, c + j0, ldc);
    });
  }
}

}  // namespace

void gemm(int64_t m, int64_t n, int64_t k, GemmOperand<float> a, GemmOperand<float> b,
          bool accumulate, float* c, int64_t ldc) {
  gemm_parallel(m, n, k, a, b, accumulate, c, ldc);
}

void gemm(int64_t m, int64_t n, int64_t k, GemmOperand<double> a, GemmOperand<double> b,
          bool accumulate, double* c, int64_t ldc) {
  gemm_parallel(m, n, k, a, b, accumulate, c, ldc);
}

std::string gemm_info() {
  return "float32 GEMM: " + backend::float_library() +
         "; float64 GEMM: " + backend::double_library();
}

}  // namespace torchlite::kernels
