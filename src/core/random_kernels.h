// Internal: PyTorch 1.13's CPU random kernels on raw contiguous buffers, bit for bit
// (AVX2 model of /work/shared/pytorch-reference/rng.md, written as portable scalar code).
#pragma once

#include <cstdint>

#include "torchlite/generator.h"

namespace torchlite::rng {

/// A float32 in [0, 1) from the low 24 bits of a 32-bit draw (exact).
inline float unit_f32(uint32_t u) { return static_cast<float>(u & ((1u << 24) - 1)) * 0x1p-24f; }
/// A float64 in [0, 1) from the low 53 bits of a 64-bit draw (exact).
inline double unit_f64(uint64_t u) {
  return static_cast<double>(u & ((uint64_t{1} << 53) - 1)) * 0x1p-53;
}

/// U[from, to) for float32 from one 32-bit draw: 24 bits, then fmaf(x, to - from, from).
void uniform_fill(Generator& gen, float* out, int64_t n, double from, double to);
/// U[from, to) for float64 from one random64 draw: 53 bits, then fma(x, to - from, from).
void uniform_fill(Generator& gen, double* out, int64_t n, double from, double to);

/// Path A: float32 fill for n >= 16 (normal_fill_AVX2: avx_mathfun log/sincos, 16-wide blocks).
void normal_fill(Generator& gen, float* out, int64_t n, float mean, float std);
/// Path B: float64 fill for n >= 16 (normal_fill<double>, libm log/sin/cos).
void normal_fill(Generator& gen, double* out, int64_t n, double mean, double std);
/// Path C: one sample of at::normal_distribution<double>, using the generator's cached value.
double normal_serial(Generator& gen, double mean, double std);

/// avx_mathfun's log256_ps, one lane (x in (0, 1]).
float avx_log(float x);
/// avx_mathfun's sincos256_ps, one lane.
void avx_sincos(float x, float* s, float* c);

/// One draw of random_(from, from + range): 64-bit draw when `wide` (range >= 2^32 and a
/// dtype that allows it), else 32-bit; returns from + draw % range (wrapping).
inline int64_t random_from_range(Generator& gen, int64_t from, uint64_t range, bool wide) {
  const uint64_t v = wide ? gen.random64() % range : gen.random() % range;
  return static_cast<int64_t>(v + static_cast<uint64_t>(from));
}

/// randperm_cpu: forward Fisher-Yates with n - 1 32-bit draws.
void randperm_fill(Generator& gen, int64_t* out, int64_t n);

/// calc_erfinv<float> with the AVX2 build's fused polynomials (libm erff/expf/logf).
float erfinv(float y);
/// calc_erfinv<double>, likewise (libm erf/exp/log).
double erfinv(double y);

}  // namespace torchlite::rng
