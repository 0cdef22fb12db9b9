// Normalisation kernels: batch, layer and group norm forward and backward, and their reference
// twins, for float32 and float64. Sums run in double, as PyTorch's CPU kernels accumulate.
#include "kernels/normalization.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/parallel.h"

namespace torchlite::kernels {
namespace {

/// Below this many elements of work a parallel loop stays on one thread. Smaller than kGrain:
/// these loops make two or three passes with arithmetic, so a second core pays off sooner.
constexpr int64_t kNormGrain = int64_t{1} << 15;

int64_t grain_for(int64_t work_per_item) {
  return std::max<int64_t>(1, kNormGrain / std::max<int64_t>(work_per_item, 1));
}

constexpr int64_t kLanes = 8;   // independent partial sums, so that the loops vectorise
constexpr int64_t kBlock = 64;  // channels summed side by side on [n, c] input

/// sum(p[0..n)) in double.
template <class T>
double sum_of(const T* p, int64_t n) {
  double lanes[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int64_t l = 0; l < kLanes; ++l) lanes[l] += static_cast<double>(p[i + l]);
  double s = 0;
  for (int64_t l = 0; l < kLanes; ++l) s += lanes[l];
  for (; i < n; ++i) s += static_cast<double>(p[i]);
  return s;
}

/// sum((p - m)^2) over p[0..n) in double.
template <class T>
double sq_dev_sum(const T* p, int64_t n, double m) {
  double lanes[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int64_t l = 0; l < kLanes; ++l) {
      const double d = static_cast<double>(p[i + l]) - m;
      lanes[l] += d * d;
    }
  double s = 0;
  for (int64_t l = 0; l < kLanes; ++l) s += lanes[l];
  for (; i < n; ++i) {
    const double d = static_cast<double>(p[i]) - m;
    s += d * d;
  }
  return s;
}

/// sum(g * (x - m)) over [0..n) in double.
template <class T>
double dot_dev(const T* g, const T* x, int64_t n, double m) {
  double lanes[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int64_t l = 0; l < kLanes; ++l)
      lanes[l] += static_cast<double>(g[i + l]) * (static_cast<double>(x[i + l]) - m);
  double s = 0;
  for (int64_t l = 0; l < kLanes; ++l) s += lanes[l];
  for (; i < n; ++i) s += static_cast<double>(g[i]) * (static_cast<double>(x[i]) - m);
  return s;
}

/// sum(g * w) and sum(g * w * (x - m)) of one row of row norm, w per run of s elements.
template <class T>
void row_sums(const T* g, const T* x, const T* w, RowShape sh, int64_t p0, double m, double& a1,
              double& a2) {
  a1 = 0;
  a2 = 0;
  if (sh.s == 1) {
    double l1[kLanes] = {}, l2[kLanes] = {};
    int64_t j = 0;
    for (; j + kLanes <= sh.d; j += kLanes)
      for (int64_t l = 0; l < kLanes; ++l) {
        const double gw = static_cast<double>(g[j + l]) * (w ? w[p0 + j + l] : 1.0);
        l1[l] += gw;
        l2[l] += gw * (static_cast<double>(x[j + l]) - m);
      }
    for (int64_t l = 0; l < kLanes; ++l) {
      a1 += l1[l];
      a2 += l2[l];
    }
    for (; j < sh.d; ++j) {
      const double gw = static_cast<double>(g[j]) * (w ? w[p0 + j] : 1.0);
      a1 += gw;
      a2 += gw * (static_cast<double>(x[j]) - m);
    }
    return;
  }
  for (int64_t j = 0; j < sh.d; ++j) {
    const double wj = w ? static_cast<double>(w[p0 + j]) : 1.0;
    a1 += wj * sum_of(g + j * sh.s, sh.s);
    a2 += wj * dot_dev(g + j * sh.s, x + j * sh.s, sh.s, m);
  }
}

}  // namespace

/// batch_norm_forward() of [n, c] input: channels side by side in each row, so the loops run
/// along rows over a block of channels (unit stride) instead of down one channel at a time.
template <class T>
void batch_norm_forward_rows(const T* x, T* y, const T* w, const T* b, ChannelShape sh, double eps,
                             bool batch_stats, double* mean, double* var) {
  detail::parallel_for(
      0, sh.c, std::max<int64_t>(kBlock, grain_for(sh.n)), [&](int64_t c0, int64_t c1) {
        for (int64_t cb = c0; cb < c1; cb += kBlock) {
          const int64_t m = std::min(kBlock, c1 - cb);
          if (batch_stats) {
            double s[kBlock] = {}, v[kBlock] = {};
            for (int64_t i = 0; i < sh.n; ++i)
              for (int64_t k = 0; k < m; ++k) s[k] += static_cast<double>(x[i * sh.c + cb + k]);
            for (int64_t k = 0; k < m; ++k) mean[cb + k] = s[k] / static_cast<double>(sh.n);
            for (int64_t i = 0; i < sh.n; ++i)
              for (int64_t k = 0; k < m; ++k) {
                const double d = static_cast<double>(x[i * sh.c + cb + k]) - mean[cb + k];
                v[k] += d * d;
              }
            for (int64_t k = 0; k < m; ++k) var[cb + k] = v[k] / static_cast<double>(sh.n);
          }
          T a[kBlock], sh_[kBlock];
          for (int64_t k = 0; k < m; ++k) {
            const int64_t c = cb + k;
            const double ac = (w ? static_cast<double>(w[c]) : 1.0) / std::sqrt(var[c] + eps);
            a[k] = static_cast<T>(ac);
            sh_[k] = static_cast<T>((b ? static_cast<double>(b[c]) : 0.0) - mean[c] * ac);
          }
          for (int64_t i = 0; i < sh.n; ++i)
            for (int64_t k = 0; k < m; ++k)
              y[i * sh.c + cb + k] = x[i * sh.c + cb + k] * a[k] + sh_[k];
        }
      });
}

/// batch_norm_backward() of [n, c] input, along rows as batch_norm_forward_rows().
template <class T>
void batch_norm_backward_rows(const T* g, const T* x, const T* w, ChannelShape sh,
                              const double* mean, const double* invstd, bool batch_stats, T* gx,
                              T* gw, T* gb) {
  detail::parallel_for(
      0, sh.c, std::max<int64_t>(kBlock, grain_for(sh.n)), [&](int64_t c0, int64_t c1) {
        for (int64_t cb = c0; cb < c1; cb += kBlock) {
          const int64_t m = std::min(kBlock, c1 - cb);
          double sg[kBlock] = {}, sgx[kBlock] = {};
          for (int64_t i = 0; i < sh.n; ++i)
            for (int64_t k = 0; k < m; ++k) {
              const int64_t j = i * sh.c + cb + k;
              sg[k] += static_cast<double>(g[j]);
              sgx[k] += static_cast<double>(g[j]) * (static_cast<double>(x[j]) - mean[cb + k]);
            }
          T a[kBlock], mt[kBlock], gm[kBlock], kk[kBlock];
          for (int64_t k = 0; k < m; ++k) {
            const int64_t c = cb + k;
            if (gw) gw[c] = static_cast<T>(sgx[k] * invstd[c]);
            if (gb) gb[c] = static_cast<T>(sg[k]);
            a[k] = static_cast<T>(invstd[c] * (w ? static_cast<double>(w[c]) : 1.0));
            mt[k] = static_cast<T>(mean[c]);
            gm[k] = batch_stats ? static_cast<T>(sg[k] / static_cast<double>(sh.n)) : T(0);
            kk[k] = batch_stats
                        ? static_cast<T>(invstd[c] * invstd[c] * sgx[k] / static_cast<double>(sh.n))
                        : T(0);
          }
          if (!gx) continue;
          for (int64_t i = 0; i < sh.n; ++i)
            for (int64_t k = 0; k < m; ++k) {
              const int64_t j = i * sh.c + cb + k;
              gx[j] = batch_stats ? (g[j] - gm[k] - (x[j] - mt[k]) * kk[k]) * a[k] : g[j] * a[k];
            }
        }
      });
}

template <class T>
void batch_norm_forward(const T* x, T* y, const T* w, const T* b, ChannelShape sh, double eps,
                        bool batch_stats, double* mean, double* var) {
  if (sh.s == 1) return batch_norm_forward_rows(x, y, w, b, sh, eps, batch_stats, mean, var);
  const int64_t per = sh.n * sh.s, row = sh.c * sh.s;
  detail::parallel_for(0, sh.c, grain_for(per), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      const int64_t off = c * sh.s;
      if (batch_stats) {
        double s = 0;
        for (int64_t i = 0; i < sh.n; ++i) s += sum_of(x + i * row + off, sh.s);
        const double m = s / static_cast<double>(per);
        double v = 0;
        for (int64_t i = 0; i < sh.n; ++i) v += sq_dev_sum(x + i * row + off, sh.s, m);
        mean[c] = m;
        var[c] = v / static_cast<double>(per);
      }
      const double a = (w ? static_cast<double>(w[c]) : 1.0) / std::sqrt(var[c] + eps);
      const T at = static_cast<T>(a);
      const T bt = static_cast<T>((b ? static_cast<double>(b[c]) : 0.0) - mean[c] * a);
      for (int64_t i = 0; i < sh.n; ++i) {
        const T* xr = x + i * row + off;
        T* yr = y + i * row + off;
        for (int64_t k = 0; k < sh.s; ++k) yr[k] = xr[k] * at + bt;
      }
    }
  });
}

template <class T>
void batch_norm_backward(const T* g, const T* x, const T* w, ChannelShape sh, const double* mean,
                         const double* invstd, bool batch_stats, T* gx, T* gw, T* gb) {
  if (sh.s == 1)
    return batch_norm_backward_rows(g, x, w, sh, mean, invstd, batch_stats, gx, gw, gb);
  const int64_t per = sh.n * sh.s, row = sh.c * sh.s;
  detail::parallel_for(0, sh.c, grain_for(per), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      const int64_t off = c * sh.s;
      const double m = mean[c], is = invstd[c];
      double sg = 0, sgx = 0;
      if (gw || gb || (gx && batch_stats)) {
        for (int64_t i = 0; i < sh.n; ++i) {
          sg += sum_of(g + i * row + off, sh.s);
          sgx += dot_dev(g + i * row + off, x + i * row + off, sh.s, m);
        }
      }
      if (gw) gw[c] = static_cast<T>(sgx * is);
      if (gb) gb[c] = static_cast<T>(sg);
      if (!gx) continue;
      const T a = static_cast<T>(is * (w ? static_cast<double>(w[c]) : 1.0));
      if (batch_stats) {
        const T mt = static_cast<T>(m), gm = static_cast<T>(sg / static_cast<double>(per));
        const T k = static_cast<T>(is * is * sgx / static_cast<double>(per));
        for (int64_t i = 0; i < sh.n; ++i) {
          const T* gr = g + i * row + off;
          const T* xr = x + i * row + off;
          T* o = gx + i * row + off;
          for (int64_t j = 0; j < sh.s; ++j) o[j] = (gr[j] - gm - (xr[j] - mt) * k) * a;
        }
      } else {
        for (int64_t i = 0; i < sh.n; ++i) {
          const T* gr = g + i * row + off;
          T* o = gx + i * row + off;
          for (int64_t j = 0; j < sh.s; ++j) o[j] = gr[j] * a;
        }
      }
    }
  });
}

template <class T>
void batch_norm_forward_reference(const T* x, T* y, const T* w, const T* b, ChannelShape sh,
                                  double eps, bool batch_stats, double* mean, double* var) {
  auto at = [&](int64_t i, int64_t c, int64_t k) { return (i * sh.c + c) * sh.s + k; };
  const double per = static_cast<double>(sh.n * sh.s);
  for (int64_t c = 0; c < sh.c; ++c) {
    if (batch_stats) {
      double s = 0, v = 0;
      for (int64_t i = 0; i < sh.n; ++i)
        for (int64_t k = 0; k < sh.s; ++k) s += x[at(i, c, k)];
      mean[c] = s / per;
      for (int64_t i = 0; i < sh.n; ++i)
        for (int64_t k = 0; k < sh.s; ++k)
          v += (x[at(i, c, k)] - mean[c]) * (x[at(i, c, k)] - mean[c]);
      var[c] = v / per;
    }
    for (int64_t i = 0; i < sh.n; ++i)
      for (int64_t k = 0; k < sh.s; ++k)
        y[at(i, c, k)] =
            static_cast<T>((x[at(i, c, k)] - mean[c]) / std::sqrt(var[c] + eps) * (w ? w[c] : 1.0) +
                           (b ? b[c] : 0.0));
  }
}

template <class T>
void batch_norm_backward_reference(const T* g, const T* x, const T* w, ChannelShape sh,
                                   const double* mean, const double* invstd, bool batch_stats,
                                   T* gx, T* gw, T* gb) {
  auto at = [&](int64_t i, int64_t c, int64_t k) { return (i * sh.c + c) * sh.s + k; };
  const double per = static_cast<double>(sh.n * sh.s);
  for (int64_t c = 0; c < sh.c; ++c) {
    double sg = 0, sgh = 0;
    for (int64_t i = 0; i < sh.n; ++i)
      for (int64_t k = 0; k < sh.s; ++k) {
        sg += g[at(i, c, k)];
        sgh += g[at(i, c, k)] * (x[at(i, c, k)] - mean[c]) * invstd[c];
      }
    if (gw) gw[c] = static_cast<T>(sgh);
    if (gb) gb[c] = static_cast<T>(sg);
    if (!gx) continue;
    const double wc = w ? w[c] : 1.0;
    for (int64_t i = 0; i < sh.n; ++i)
      for (int64_t k = 0; k < sh.s; ++k) {
        const double xhat = (x[at(i, c, k)] - mean[c]) * invstd[c];
        const double d = batch_stats ? g[at(i, c, k)] - sg / per - xhat * sgh / per
                                     : static_cast<double>(g[at(i, c, k)]);
        gx[at(i, c, k)] = static_cast<T>(d * invstd[c] * wc);
      }
  }
}

template <class T>
void row_norm_forward(const T* x, T* y, const T* w, const T* b, RowShape sh, double eps,
                      double* mean, double* rstd) {
  const int64_t len = sh.d * sh.s;
  detail::parallel_for(0, sh.rows, grain_for(len), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* xr = x + r * len;
      T* yr = y + r * len;
      const double m = sum_of(xr, len) / static_cast<double>(len);
      const double rs = 1.0 / std::sqrt(sq_dev_sum(xr, len, m) / static_cast<double>(len) + eps);
      mean[r] = m;
      rstd[r] = rs;
      const int64_t p0 = (r % sh.groups) * sh.d;
      const T mt = static_cast<T>(m), rt = static_cast<T>(rs);
      if (sh.s == 1) {  // layer norm: a parameter per element
        for (int64_t j = 0; j < len; ++j)
          yr[j] = (xr[j] - mt) * rt * (w ? w[p0 + j] : T(1)) + (b ? b[p0 + j] : T(0));
        continue;
      }
      for (int64_t j = 0; j < sh.d; ++j) {
        const double a = rs * (w ? static_cast<double>(w[p0 + j]) : 1.0);
        const T at = static_cast<T>(a);
        const T bt = static_cast<T>((b ? static_cast<double>(b[p0 + j]) : 0.0) - m * a);
        const T* xs = xr + j * sh.s;
        T* ys = yr + j * sh.s;
        for (int64_t k = 0; k < sh.s; ++k) ys[k] = xs[k] * at + bt;
      }
    }
  });
}

template <class T>
void row_norm_backward(const T* g, const T* x, const T* w, RowShape sh, const double* mean,
                       const double* rstd, T* gx, T* gw, T* gb) {
  const int64_t len = sh.d * sh.s;
  if (gx) {
    detail::parallel_for(0, sh.rows, grain_for(len), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const T* gr = g + r * len;
        const T* xr = x + r * len;
        T* o = gx + r * len;
        const int64_t p0 = (r % sh.groups) * sh.d;
        double a1, a2;
        row_sums(gr, xr, w, sh, p0, mean[r], a1, a2);
        const double rs = rstd[r];
        const T c1 = static_cast<T>(a1 / static_cast<double>(len));
        const T c2 = static_cast<T>(rs * rs * a2 / static_cast<double>(len));
        const T mt = static_cast<T>(mean[r]), rt = static_cast<T>(rs);
        for (int64_t j = 0; j < sh.d; ++j) {
          const T wj = w ? w[p0 + j] : T(1);
          for (int64_t k = j * sh.s; k < (j + 1) * sh.s; ++k)
            o[k] = (gr[k] * wj - c1 - (xr[k] - mt) * c2) * rt;
        }
      }
    });
  }
  if (!gw && !gb) return;
  const int64_t params = sh.groups * sh.d, per_group = sh.rows / sh.groups;
  detail::parallel_for(0, params, grain_for(per_group * sh.s), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t grp = p / sh.d, j = p % sh.d;
      double sw = 0, sb = 0;
      for (int64_t n = 0; n < per_group; ++n) {
        const int64_t r = n * sh.groups + grp;
        const int64_t off = r * len + j * sh.s;
        if (gw) sw += dot_dev(g + off, x + off, sh.s, mean[r]) * rstd[r];
        if (gb) sb += sum_of(g + off, sh.s);
      }
      if (gw) gw[p] = static_cast<T>(sw);
      if (gb) gb[p] = static_cast<T>(sb);
    }
  });
}

template <class T>
void row_norm_forward_reference(const T* x, T* y, const T* w, const T* b, RowShape sh, double eps,
                                double* mean, double* rstd) {
  const int64_t len = sh.d * sh.s;
  for (int64_t r = 0; r < sh.rows; ++r) {
    double s = 0, v = 0;
    for (int64_t j = 0; j < len; ++j) s += x[r * len + j];
    mean[r] = s / static_cast<double>(len);
    for (int64_t j = 0; j < len; ++j) v += (x[r * len + j] - mean[r]) * (x[r * len + j] - mean[r]);
    rstd[r] = 1.0 / std::sqrt(v / static_cast<double>(len) + eps);
    for (int64_t j = 0; j < len; ++j) {
      const int64_t p = (r % sh.groups) * sh.d + j / sh.s;
      y[r * len + j] = static_cast<T>((x[r * len + j] - mean[r]) * rstd[r] * (w ? w[p] : 1.0) +
                                      (b ? b[p] : 0.0));
    }
  }
}

template <class T>
void row_norm_backward_reference(const T* g, const T* x, const T* w, RowShape sh,
                                 const double* mean, const double* rstd, T* gx, T* gw, T* gb) {
  const int64_t len = sh.d * sh.s, params = sh.groups * sh.d;
  std::vector<double> sw(params, 0.0), sb(params, 0.0);
  for (int64_t r = 0; r < sh.rows; ++r) {
    double a1 = 0, a2 = 0;
    for (int64_t j = 0; j < len; ++j) {
      const int64_t p = (r % sh.groups) * sh.d + j / sh.s;
      const double xhat = (x[r * len + j] - mean[r]) * rstd[r];
      const double gh = g[r * len + j] * (w ? w[p] : 1.0);
      a1 += gh;
      a2 += gh * xhat;
      sw[p] += g[r * len + j] * xhat;
      sb[p] += g[r * len + j];
    }
    if (!gx) continue;
    for (int64_t j = 0; j < len; ++j) {
      const int64_t p = (r % sh.groups) * sh.d + j / sh.s;
      const double xhat = (x[r * len + j] - mean[r]) * rstd[r];
      const double gh = g[r * len + j] * (w ? w[p] : 1.0);
      gx[r * len + j] = static_cast<T>(
          rstd[r] * (gh - a1 / static_cast<double>(len) - xhat * a2 / static_cast<double>(len)));
    }
  }
  for (int64_t p = 0; p < params; ++p) {
    if (gw) gw[p] = static_cast<T>(sw[p]);
    if (gb) gb[p] = static_cast<T>(sb[p]);
  }
}

#define TL_INSTANTIATE(T)                                                                         \
  template void batch_norm_forward<T>(const T*, T*, const T*, const T*, ChannelShape, double,     \
                                      bool, double*, double*);                                    \
  template void batch_norm_backward<T>(const T*, const T*, const T*, ChannelShape, const double*, \
                                       const double*, bool, T*, T*, T*);                          \
  template void batch_norm_forward_reference<T>(const T*, T*, const T*, const T*, ChannelShape,   \
                                                double, bool, double*, double*);                  \
  template void batch_norm_backward_reference<T>(const T*, const T*, const T*, ChannelShape,      \
                                                 const double*, const double*, bool, T*, T*, T*); \
  template void row_norm_forward<T>(const T*, T*, const T*, const T*, RowShape, double, double*,  \
                                    double*);                                                     \
  template void row_norm_backward<T>(const T*, const T*, const T*, RowShape, const double*,       \
                                     const double*, T*, T*, T*);                                  \
  template void row_norm_forward_reference<T>(const T*, T*, const T*, const T*, RowShape, double, \
                                              double*, double*);                                  \
  template void row_norm_backward_reference<T>(const T*, const T*, const T*, RowShape,            \
                                               const double*, const double*, T*, T*, T*);
TL_INSTANTIATE(float)
TL_INSTANTIATE(double)
#undef TL_INSTANTIATE

}  // namespace torchlite::kernels
