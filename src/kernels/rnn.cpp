// Recurrent layer kernels: the input projection of all steps as one GEMM, one GEMM per step for
// the recurrence, the gate nonlinearities fused in one loop per step, and backward through time
// with the weight gradients as one GEMM each over all steps.
#include "kernels/rnn.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "kernels/gemm.h"

namespace torchlite::kernels {
namespace {

/// exp for float32 within a few ulp (Cephes' expf: 2^n by the exponent bits times a degree-6
/// polynomial on [-ln2/2, ln2/2]), written so that the loops around it vectorise.
inline float fast_exp(float x) {
  x = std::min(std::max(x, -87.0f), 88.0f);
  const float magic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  const float shifted = x * 1.44269504088896341f + magic;
  const float n = shifted - magic;
  const int32_t ni = std::bit_cast<int32_t>(shifted) - std::bit_cast<int32_t>(magic);
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float e = p * r * r + r + 1.0f;
  return e * std::bit_cast<float>((ni + 127) << 23);
}

inline float sigmoid(float x) { return 1.0f / (1.0f + fast_exp(-x)); }
inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
inline float tanh_(float x) { return 2.0f / (1.0f + fast_exp(-2.0f * x)) - 1.0f; }
inline double tanh_(double x) { return std::tanh(x); }

/// c[m, n] = a @ b (+ c); zero-size products leave c as it is, or zero it when not accumulating.
template <class T>
void mm(int64_t m, int64_t n, int64_t k, GemmOperand<T> a, GemmOperand<T> b, bool acc, T* c,
        int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    if (!acc)
      for (int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, T(0));
    return;
  }
  gemm(m, n, k, a, b, acc, c, ldc);
}

/// Column sums of g [n, cols] into out.
template <class T>
void col_sum(const T* g, int64_t n, int64_t cols, T* out) {
  std::fill(out, out + cols, T(0));
  for (int64_t r = 0; r < n; ++r) {
    const T* row = g + r * cols;
    for (int64_t j = 0; j < cols; ++j) out[j] += row[j];
  }
}

}  // namespace

int64_t rnn_gates(RnnCell cell) {
  switch (cell) {
    case RnnCell::kLstm:
      return 4;
    case RnnCell::kGru:
      return 3;
    default:
      return 1;
  }
}

template <class T>
void rnn_forward(const RnnShape& s, const T* x, const RnnWeights<T>& w, T* h, T* c, T* out,
                 int64_t ldo, RnnSaved<T>* saved) {
  const int64_t N = s.rows(), I = s.input_size, H = s.hidden_size, P = s.state_size;
  const int64_t GH = rnn_gates(s.cell) * H;
  const bool lstm = s.cell == RnnCell::kLstm, gru = s.cell == RnnCell::kGru;
  RnnSaved<T> local;
  RnnSaved<T>& sv = saved ? *saved : local;
  sv.gates.resize(N * GH);
  if (lstm || gru) sv.aux.resize(N * H);
  if (saved) {
    sv.h_prev.resize(N * P);
    if (lstm) sv.c_prev.resize(N * H);
  }
  T* g = sv.gates.data();
  // Input projection of every step: bias rows (b_hh too, except GRU's, which r multiplies), then
  // one GEMM.
  for (int64_t r = 0; r < N; ++r) {
    T* row = g + r * GH;
    for (int64_t j = 0; j < GH; ++j)
      row[j] = (w.b_ih ? w.b_ih[j] : T(0)) + (!gru && w.b_hh ? w.b_hh[j] : T(0));
  }
  mm<T>(N, GH, I, {x, false, I}, {w.w_ih, true, I}, true, g, GH);

  std::vector<T> gh(gru ? s.batch * GH : 0), hraw(lstm && P != H ? s.batch * H : 0);
  const int64_t T_ = static_cast<int64_t>(s.batch_sizes.size());
  for (int64_t k = 0; k < T_; ++k) {
    const int64_t t = s.reverse ? T_ - 1 - k : k;
    const int64_t bs = s.batch_sizes[t], r0 = s.offsets[t];
    T* gt = g + r0 * GH;
    if (saved) {
      std::copy(h, h + bs * P, sv.h_prev.data() + r0 * P);
      if (lstm) std::copy(c, c + bs * H, sv.c_prev.data() + r0 * H);
    }
    if (gru) {
      for (int64_t i = 0; i < bs; ++i)
        for (int64_t j = 0; j < GH; ++j) gh[i * GH + j] = w.b_hh ? w.b_hh[j] : T(0);
      mm<T>(bs, GH, P, {h, false, P}, {w.w_hh, true, P}, true, gh.data(), GH);
    } else {
      mm<T>(bs, GH, P, {h, false, P}, {w.w_hh, true, P}, true, gt, GH);
    }
    for (int64_t i = 0; i < bs; ++i) {
      T* __restrict ga = gt + i * GH;
      T* __restrict hi = h + i * P;
      switch (s.cell) {
        case RnnCell::kTanh:
          for (int64_t j = 0; j < H; ++j) hi[j] = ga[j] = tanh_(ga[j]);
          break;
        case RnnCell::kRelu:
          for (int64_t j = 0; j < H; ++j) hi[j] = ga[j] = ga[j] > T(0) ? ga[j] : T(0);
          break;
        case RnnCell::kLstm: {
          T* __restrict ci = c + i * H;
          T* __restrict tc = sv.aux.data() + (r0 + i) * H;
          T* __restrict hv = P != H ? hraw.data() + i * H : hi;
          for (int64_t j = 0; j < H; ++j) {
            const T ig = sigmoid(ga[j]), fg = sigmoid(ga[H + j]);
            const T gg = tanh_(ga[2 * H + j]), og = sigmoid(ga[3 * H + j]);
            const T cn = fg * ci[j] + ig * gg;
            const T tcn = tanh_(cn);
            ga[j] = ig;
            ga[H + j] = fg;
            ga[2 * H + j] = gg;
            ga[3 * H + j] = og;
            ci[j] = cn;
            tc[j] = tcn;
            hv[j] = og * tcn;
          }
          break;
        }
        case RnnCell::kGru: {
          const T* __restrict ghi = gh.data() + i * GH;
          T* __restrict hn = sv.aux.data() + (r0 + i) * H;
          for (int64_t j = 0; j < H; ++j) {
            const T rg = sigmoid(ga[j] + ghi[j]), zg = sigmoid(ga[H + j] + ghi[H + j]);
            const T ng = tanh_(ga[2 * H + j] + rg * ghi[2 * H + j]);
            ga[j] = rg;
            ga[H + j] = zg;
            ga[2 * H + j] = ng;
            hn[j] = ghi[2 * H + j];
            hi[j] = (T(1) - zg) * ng + zg * hi[j];
          }
          break;
        }
      }
    }
    if (lstm && P != H) mm<T>(bs, P, H, {hraw.data(), false, H}, {w.w_hr, true, H}, false, h, P);
    for (int64_t i = 0; i < bs; ++i) std::copy(h + i * P, h + (i + 1) * P, out + (r0 + i) * ldo);
  }
}

template <class T>
void rnn_backward(const RnnShape& s, const T* x, const RnnWeights<T>& w, const RnnSaved<T>& sv,
                  const T* d_out, int64_t ldo, T* dh, T* dc, T* dx, int64_t ldx, T* dw_ih, T* dw_hh,
                  T* db_ih, T* db_hh, T* dw_hr) {
  const int64_t N = s.rows(), I = s.input_size, H = s.hidden_size, P = s.state_size;
  const int64_t GH = rnn_gates(s.cell) * H;
  const bool lstm = s.cell == RnnCell::kLstm, gru = s.cell == RnnCell::kGru;
  const bool proj = lstm && P != H;
  std::vector<T> dg(N * GH), dgh(gru ? N * GH : 0), dh_all(proj ? N * P : 0);
  std::vector<T> dr(proj ? s.batch * H : 0);
  const int64_t T_ = static_cast<int64_t>(s.batch_sizes.size());
  for (int64_t k = 0; k < T_; ++k) {
    const int64_t t = s.reverse ? k : T_ - 1 - k;
    const int64_t bs = s.batch_sizes[t], r0 = s.offsets[t];
    if (d_out)
      for (int64_t i = 0; i < bs; ++i) {
        const T* src = d_out + (r0 + i) * ldo;
        for (int64_t j = 0; j < P; ++j) dh[i * P + j] += src[j];
      }
    T* dgt = dg.data() + r0 * GH;
    const T* gt = sv.gates.data() + r0 * GH;
    if (proj) {
      std::copy(dh, dh + bs * P, dh_all.data() + r0 * P);
      mm<T>(bs, H, P, {dh, false, P}, {w.w_hr, false, H}, false, dr.data(), H);
    }
    for (int64_t i = 0; i < bs; ++i) {
      T* __restrict d = dgt + i * GH;
      const T* __restrict ga = gt + i * GH;
      T* __restrict dhi = dh + i * P;
      switch (s.cell) {
        case RnnCell::kTanh:
          for (int64_t j = 0; j < H; ++j) d[j] = dhi[j] * (T(1) - ga[j] * ga[j]);
          break;
        case RnnCell::kRelu:
          for (int64_t j = 0; j < H; ++j) d[j] = ga[j] > T(0) ? dhi[j] : T(0);
          break;
        case RnnCell::kLstm: {
          const T* __restrict dhv = proj ? dr.data() + i * H : dhi;
          const T* __restrict tc = sv.aux.data() + (r0 + i) * H;
          const T* __restrict cp = sv.c_prev.data() + (r0 + i) * H;
          T* __restrict dci = dc + i * H;
          for (int64_t j = 0; j < H; ++j) {
            const T ig = ga[j], fg = ga[H + j], gg = ga[2 * H + j], og = ga[3 * H + j];
            const T dcv = dci[j] + dhv[j] * og * (T(1) - tc[j] * tc[j]);
            d[j] = dcv * gg * ig * (T(1) - ig);
            d[H + j] = dcv * cp[j] * fg * (T(1) - fg);
            d[2 * H + j] = dcv * ig * (T(1) - gg * gg);
            d[3 * H + j] = dhv[j] * tc[j] * og * (T(1) - og);
            dci[j] = dcv * fg;
          }
          break;
        }
        case RnnCell::kGru: {
          T* __restrict dhh = dgh.data() + (r0 + i) * GH;
          const T* __restrict hn = sv.aux.data() + (r0 + i) * H;
          const T* __restrict hp = sv.h_prev.data() + (r0 + i) * P;
          for (int64_t j = 0; j < H; ++j) {
            const T rg = ga[j], zg = ga[H + j], ng = ga[2 * H + j], dhv = dhi[j];
            const T dna = dhv * (T(1) - zg) * (T(1) - ng * ng);
            const T dra = dna * hn[j] * rg * (T(1) - rg);
            const T dza = dhv * (hp[j] - ng) * zg * (T(1) - zg);
            d[j] = dhh[j] = dra;
            d[H + j] = dhh[H + j] = dza;
            d[2 * H + j] = dna;
            dhh[2 * H + j] = dna * rg;
            dhi[j] = dhv * zg;
          }
          break;
        }
      }
    }
    const T* dgrec = gru ? dgh.data() + r0 * GH : dgt;
    mm<T>(bs, P, GH, {dgrec, false, GH}, {w.w_hh, false, P}, gru, dh, P);
  }
  const T* dgr = gru ? dgh.data() : dg.data();
  if (dx) mm<T>(N, I, GH, {dg.data(), false, GH}, {w.w_ih, false, I}, true, dx, ldx);
  if (dw_ih) mm<T>(GH, I, N, {dg.data(), true, GH}, {x, false, I}, false, dw_ih, I);
  if (dw_hh) mm<T>(GH, P, N, {dgr, true, GH}, {sv.h_prev.data(), false, P}, false, dw_hh, P);
  if (db_ih) col_sum(dg.data(), N, GH, db_ih);
  if (db_hh) col_sum(dgr, N, GH, db_hh);
  if (dw_hr) {
    std::vector<T> r(N * H);
    for (int64_t n = 0; n < N; ++n)
      for (int64_t j = 0; j < H; ++j)
        r[n * H + j] = sv.gates[n * GH + 3 * H + j] * sv.aux[n * H + j];
    mm<T>(P, H, N, {dh_all.data(), true, P}, {r.data(), false, H}, false, dw_hr, H);
  }
}

template void rnn_forward<float>(const RnnShape&, const float*, const RnnWeights<float>&, float*,
                                 float*, float*, int64_t, RnnSaved<float>*);
template void rnn_forward<double>(const RnnShape&, const double*, const RnnWeights<double>&,
                                  double*, double*, double*, int64_t, RnnSaved<double>*);
template void rnn_backward<float>(const RnnShape&, const float*, const RnnWeights<float>&,
                                  const RnnSaved<float>&, const float*, int64_t, float*, float*,
                                  float*, int64_t, float*, float*, float*, float*, float*);
template void rnn_backward<double>(const RnnShape&, const double*, const RnnWeights<double>&,
                                   const RnnSaved<double>&, const double*, int64_t, double*,
                                   double*, double*, int64_t, double*, double*, double*, double*,
                                   double*);

}  // namespace torchlite::kernels
