// Normalisation kernels: batch norm per channel of [N, C, S], layer and group norm per row, each
// forward and backward fused into one pass set per channel or row, threaded over channels/rows,
// with a plain reference twin. Dtypes are resolved by the caller; no autograd, no shape checks.
#pragma once

#include <cstdint>

namespace torchlite::kernels {

/// A contiguous [n, c, s] tensor as batch norm sees it: channel ch holds the n runs
/// x[(i * c + ch) * s, ... + s) for i in [0, n).
struct ChannelShape {
  int64_t n = 1, c = 1, s = 1;
};

/// Batch norm forward, threaded over channels (for [n, c] input, s == 1, over blocks of channels
/// read along the rows). With `batch_stats` it first writes mean[c] and the biased variance
/// var[c] of each channel (two passes, summed in double); otherwise it reads them (the running
/// statistics). Then y = x * a + (b - mean * a) with a = w / sqrt(var + eps); w and
/// b may be null (1 and 0). y may be x.
template <class T>
void batch_norm_forward(const T* x, T* y, const T* w, const T* b, ChannelShape sh, double eps,
                        bool batch_stats, double* mean, double* var);

/// Batch norm backward, threaded over channels, given the output gradient g, the input x, the
/// statistics the forward used (mean[c], invstd[c] = 1 / sqrt(var + eps)) and w (null = 1).
/// gx (null: not wanted) gets the input gradient: with `batch_stats` through the batch
/// statistics, else g * invstd * w. gw and gb (each may be null) get sum(g * xhat) and sum(g).
template <class T>
void batch_norm_backward(const T* g, const T* x, const T* w, ChannelShape sh, const double* mean,
                         const double* invstd, bool batch_stats, T* gx, T* gw, T* gb);

/// batch_norm_forward() as plain per-element formulas on one thread (its reference twin).
template <class T>
void batch_norm_forward_reference(const T* x, T* y, const T* w, const T* b, ChannelShape sh,
                                  double eps, bool batch_stats, double* mean, double* var);
/// batch_norm_backward() as plain per-element formulas on one thread (its reference twin).
template <class T>
void batch_norm_backward_reference(const T* g, const T* x, const T* w, ChannelShape sh,
                                   const double* mean, const double* invstd, bool batch_stats,
                                   T* gx, T* gw, T* gb);

/// Rows normalised on their own (layer norm: rows of the normalised shape; group norm: one row
/// per (sample, group)): `rows` contiguous rows of d * s elements; element j of row r uses affine
/// parameter (r % groups) * d + j / s. Layer norm is {rows, 1, d, 1}, group norm
/// {n * groups, groups, c / groups, spatial}.
struct RowShape {
  int64_t rows = 1, groups = 1, d = 1, s = 1;
};

/// Row norm forward, threaded over rows: mean[r], rstd[r] = 1 / sqrt(biased var + eps), and
/// y = (x - mean) * rstd * w[p] + b[p] (w, b null: 1 and 0).
template <class T>
void row_norm_forward(const T* x, T* y, const T* w, const T* b, RowShape sh, double eps,
                      double* mean, double* rstd);

/// Row norm backward: gx (null: not wanted) threaded over rows, gw and gb (each may be null;
/// groups * d of them) threaded over parameters.
template <class T>
void row_norm_backward(const T* g, const T* x, const T* w, RowShape sh, const double* mean,
                       const double* rstd, T* gx, T* gw, T* gb);

/// row_norm_forward() as plain per-element formulas on one thread (its reference twin).
template <class T>
void row_norm_forward_reference(const T* x, T* y, const T* w, const T* b, RowShape sh, double eps,
                                double* mean, double* rstd);
/// row_norm_backward() as plain per-element formulas on one thread (its reference twin).
template <class T>
void row_norm_backward_reference(const T* g, const T* x, const T* w, RowShape sh,
                                 const double* mean, const double* rstd, T* gx, T* gw, T* gb);

}  // namespace torchlite::kernels
