// PyTorch 1.13's CPU random kernels (AVX2 build) as portable scalar code; see random_kernels.h.
// This file is compiled with -ffp-contract=off: every fused multiply-add is an explicit
// std::fma, placed exactly where GCC fused the AVX2 kernels, and nowhere else.
#include "core/random_kernels.h"

#include <bit>
#include <cfloat>
#include <cmath>
#include <limits>
#include <utility>

namespace torchlite::rng {
namespace {

inline uint32_t bits(float x) { return std::bit_cast<uint32_t>(x); }
inline float from_bits(uint32_t u) { return std::bit_cast<float>(u); }

[[gnu::always_inline]] inline float log_lane(float x) {
  if (!(x >= FLT_MIN)) x = FLT_MIN;
  const int e_i = static_cast<int>(bits(x) >> 23) - 127;
  x = from_bits((bits(x) & 0x807FFFFFu) | 0x3F000000u);  // mantissa in [0.5, 1)
  float e = static_cast<float>(e_i) + 1.0f;
  const bool m = x < 0.707106781186547524f;
  const float t = m ? x : 0.0f;
  x = x - 1.0f;
  e = e - (m ? 1.0f : 0.0f);
  x = x + t;
  const float z = x * x;
  float y = 7.0376836292E-2f;
  for (const float p : {-1.1514610310E-1f, 1.1676998740E-1f, -1.2420140846E-1f, 1.4249322787E-1f,
                        -1.6668057665E-1f, 2.0000714765E-1f, -2.4999993993E-1f, 3.3333331174E-1f}) {
    y = std::fma(y, x, p);
  }
  y = y * x;
  y = std::fma(y, z, e * -2.12194440e-4f);
  y = std::fma(-z, 0.5f, y);
  x = x + y;
  return std::fma(e, 0.693359375f, x);
}

[[gnu::always_inline]] inline void sincos_lane(float xin, float* s, float* c) {
  uint32_t sign_sin = bits(xin) & 0x80000000u;
  float x = std::fabs(xin);
  int j = static_cast<int>(x * 1.27323954473516f);  // truncates, like cvttps2dq
  j = (j + 1) & ~1;
  const auto y = static_cast<float>(j);
  const uint32_t swap = static_cast<uint32_t>(j & 4) << 29;
  const bool poly = (j & 2) == 0;
  x = std::fma(y, -0.78515625f, x);
  x = std::fma(y, -2.4187564849853515625e-4f, x);
  x = std::fma(y, -3.77489497744594108e-8f, x);
  const uint32_t sign_cos = static_cast<uint32_t>(~(j - 2) & 4) << 29;
  sign_sin ^= swap;
  const float z = x * x;
  float yc = std::fma(2.443315711809948E-005f, z, -1.388731625493765E-003f);
  yc = std::fma(yc, z, 4.166664568298827E-002f);
  const float t = z * 0.5f;
  yc = yc * z;
  yc = std::fma(yc, z, -t);
  yc = yc + 1.0f;
  float ys = std::fma(-1.9515295891E-4f, z, 8.3321608736E-3f);
  ys = std::fma(ys, z, -1.6666654611E-1f);
  ys = ys * z;
  ys = std::fma(ys, x, x);
  *s = from_bits(bits((poly ? ys : yc) + 0.0f) ^ sign_sin);
  *c = from_bits(bits((poly ? yc : ys) + 0.0f) ^ sign_cos);
}

// normal_fill_16_AVX2 on d[0..16): lanes 0-7 give the radius, lanes 8-15 the angle.
// Cloned for CPUs with FMA, where std::fma becomes one instruction instead of a libm call;
// both clones compute the same bits.
[[gnu::target_clones("fma", "default")]] void transform16(float* d, float mean, float std) {
  for (int j = 0; j < 8; ++j) {
    const float u1 = 1.0f - d[j];
    const float u2 = d[j + 8];
    const float radius = std::sqrt(-2.0f * log_lane(u1));
    const float theta = 6.2831855f * u2;
    float s = 0.0f;
    float c = 0.0f;
    sincos_lane(theta, &s, &c);
    const float rc = radius * c;
    const float rs = radius * s;
    d[j] = std::fma(rc, std, mean);
    d[j + 8] = std::fma(rs, std, mean);
  }
}

// normal_fill_16<double> on d[0..16).
void transform16(double* d, double mean, double std) {
  for (int j = 0; j < 8; ++j) {
    const double u1 = 1.0 - d[j];
    const double u2 = d[j + 8];
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double theta = 6.283185307179586 * u2;
    const double rc = radius * std::cos(theta);
    const double rs = radius * std::sin(theta);
    d[j] = std::fma(rc, std, mean);
    d[j + 8] = std::fma(rs, std, mean);
  }
}

void unit_fill(Generator& gen, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = unit_f32(gen.random());
}
void unit_fill(Generator& gen, double* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = unit_f64(gen.random64());
}

// normal_fill: n uniforms, transform in blocks of 16, then a redrawn overlapping last block.
template <typename T>
void normal_fill_impl(Generator& gen, T* out, int64_t n, T mean, T std) {
  unit_fill(gen, out, n);
  for (int64_t i = 0; i + 16 <= n; i += 16) transform16(out + i, mean, std);
  if (n % 16 != 0) {
    unit_fill(gen, out + n - 16, 16);
    transform16(out + n - 16, mean, std);
  }
}

}  // namespace

void uniform_fill(Generator& gen, float* out, int64_t n, double from, double to) {
  const auto f = static_cast<float>(from);
  const float range = static_cast<float>(to) - f;
  for (int64_t i = 0; i < n; ++i) out[i] = std::fma(unit_f32(gen.random()), range, f);
}

void uniform_fill(Generator& gen, double* out, int64_t n, double from, double to) {
  const double range = to - from;
  for (int64_t i = 0; i < n; ++i) out[i] = std::fma(unit_f64(gen.random64()), range, from);
}

void normal_fill(Generator& gen, float* out, int64_t n, float mean, float std) {
  normal_fill_impl(gen, out, n, mean, std);
}

void normal_fill(Generator& gen, double* out, int64_t n, double mean, double std) {
  normal_fill_impl(gen, out, n, mean, std);
}

double normal_serial(Generator& gen, double mean, double std) {
  auto& cache = gen.normal_cache();
  double v = 0.0;
  if (cache) {
    v = *cache;
    cache.reset();
  } else {
    // u1 gives the angle and u2 the radius here, the other way round from the fill paths.
    const double u1 = unit_f64(gen.random64());
    const double u2 = unit_f64(gen.random64());
    const double radius = std::sqrt(-2.0 * std::log(1.0 - u2));
    const double theta = 6.283185307179586 * u1;
    cache = radius * std::sin(theta);
    v = radius * std::cos(theta);
  }
  return std::fma(v, std, mean);
}

float avx_log(float x) { return log_lane(x); }

void avx_sincos(float x, float* s, float* c) { sincos_lane(x, s, c); }

void randperm_fill(Generator& gen, int64_t* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = i;
  for (int64_t i = 0; i + 1 < n; ++i) {
    const auto z = static_cast<int64_t>(gen.random() % static_cast<uint64_t>(n - i));
    std::swap(out[i], out[i + z]);
  }
}

namespace {

// calc_erfinv<T> (ATen native/Math.h): rational first guess, then two Newton steps, with the
// polynomials fused as the AVX2 build fuses them and libm's erf/exp/log for T.
template <typename T>
T erfinv_impl(T y) {
  constexpr T a[4] = {T(.886226899), T(-1.645349621), T(.914624893), T(-.140543331)};
  constexpr T b[4] = {T(-2.118377725), T(1.442710462), T(-.329097515), T(.012229801)};
  constexpr T c[4] = {T(-1.970840454), T(-1.624906493), T(3.429567803), T(1.641345311)};
  constexpr T d[2] = {T(3.543889200), T(1.637067800)};
  const T y_abs = std::fabs(y);
  if (y_abs > T(1) || std::isnan(y)) return std::numeric_limits<T>::quiet_NaN();
  if (y_abs == T(1)) return std::copysign(std::numeric_limits<T>::infinity(), y);
  T x = 0;
  if (y_abs <= T(0.7)) {
    const T z = y * y;
    const T num = std::fma(std::fma(std::fma(a[3], z, a[2]), z, a[1]), z, a[0]);
    const T dem = std::fma(std::fma(std::fma(std::fma(b[3], z, b[2]), z, b[1]), z, b[0]), z, T(1));
    x = (y * num) / dem;
  } else {
    const T z = std::sqrt(-std::log((T(1) - y_abs) / T(2)));
    const T num = std::fma(std::fma(std::fma(c[3], z, c[2]), z, c[1]), z, c[0]);
    const T dem = std::fma(std::fma(d[1], z, d[0]), z, T(1));
    x = std::copysign(num, y) / dem;
  }
  const T k = T(2) / static_cast<T>(std::sqrt(M_PI));
  for (int i = 0; i < 2; ++i) x = x - (std::erf(x) - y) / (k * std::exp(-x * x));
  return x;
}

}  // namespace

float erfinv(float y) { return erfinv_impl(y); }

double erfinv(double y) { return erfinv_impl(y); }

}  // namespace torchlite::rng
