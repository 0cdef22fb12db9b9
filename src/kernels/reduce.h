// Reduction kernels: full and per-dim sums, bias-gradient column sums, and max/min with their
// first index along rows. Dtypes are resolved by the caller; no autograd, no shape checks.
#pragma once

#include <cstdint>
#include <type_traits>

#include "kernels/loops.h"

namespace torchlite::kernels {

/// What a sum of T accumulates in: double for floating types, int64 for the rest.
template <class T>
using SumAcc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;

/// Sum of p[0..n) (contiguous). Floats: blocks of 1024 summed in 16 lanes of T (vectorised, no
/// serial add chain), each block total added in double, the tail element by element.
template <class T>
SumAcc<T> sum_contiguous(const T* p, int64_t n);

/// acc += x reduced to acc's shape: x of any shape and strides, acc (holding SumAcc<T>) of the
/// same rank with 1 on the reduced dims (keepdim), any strides. Elements are added in x's index
/// order; the reference twin of sum_contiguous() and column_sums().
template <class T>
void sum_into(const View& acc, const View& x);

/// out[c] = g[0, c] + g[1, c] + ... in row order, accumulated in T: the bias gradient of a
/// [rows, cols] output gradient. g: [rows, cols], any strides; out: [cols], contiguous.
template <class T>
void column_sums(const View& out, const View& g);

/// For each row r of contiguous x [rows, n] (n >= 1): values[r] and indices[r] get the max (or
/// min) of the row and its first index; a NaN wins over any number, as in PyTorch.
template <class T>
void extreme_rows(T* values, int64_t* indices, const T* x, int64_t rows, int64_t n, bool is_max);

}  // namespace torchlite::kernels
