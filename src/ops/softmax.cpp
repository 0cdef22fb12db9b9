// softmax and log_softmax: one pass per row along the dim, with their backward.
#include "torchlite/ops/softmax.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/dispatch.h"
#include "core/tensor_util.h"
#include "torchlite/autograd/function.h"

namespace torchlite {
namespace {

/// (outer, size, inner) of `t` around `dim`: element (o, c, i) is at (o * size + c) * inner + i.
struct DimSplit {
  int64_t outer = 1, size = 1, inner = 1;
};

DimSplit split_at(const Tensor& t, int64_t dim) {
  DimSplit s;
  const auto& sizes = t.sizes();
  for (int64_t d = 0; d < dim; ++d) s.outer *= sizes[d];
  if (!sizes.empty()) s.size = sizes[dim];
  for (int64_t d = dim + 1; d < static_cast<int64_t>(sizes.size()); ++d) s.inner *= sizes[d];
  return s;
}

/// Softmax (log = false) or log-softmax (log = true) of x along the middle dim of `s`.
template <class T>
void softmax_kernel(const T* x, T* y, DimSplit s, bool log) {
  for (int64_t o = 0; o < s.outer; ++o) {
    for (int64_t i = 0; i < s.inner; ++i) {
      const T* xr = x + o * s.size * s.inner + i;
      T* yr = y + o * s.size * s.inner + i;
      T mx = -std::numeric_limits<T>::infinity();
      for (int64_t c = 0; c < s.size; ++c) mx = std::max(mx, xr[c * s.inner]);
      double sum = 0;
      for (int64_t c = 0; c < s.size; ++c)
        sum += std::exp(static_cast<double>(xr[c * s.inner] - mx));
      if (log) {
        const T lse = static_cast<T>(std::log(sum));
        for (int64_t c = 0; c < s.size; ++c) yr[c * s.inner] = xr[c * s.inner] - mx - lse;
      } else {
        for (int64_t c = 0; c < s.size; ++c)
          yr[c * s.inner] =
              static_cast<T>(std::exp(static_cast<double>(xr[c * s.inner] - mx)) / sum);
      }
    }
  }
}

/// Backward of softmax / log-softmax given the forward output y and the output grad g.
template <class T>
void softmax_backward_kernel(const T* y, const T* g, T* gx, DimSplit s, bool log) {
  for (int64_t o = 0; o < s.outer; ++o) {
    for (int64_t i = 0; i < s.inner; ++i) {
      const int64_t base = o * s.size * s.inner + i;
      double dot = 0;
      for (int64_t c = 0; c < s.size; ++c) {
        const int64_t k = base + c * s.inner;
        dot += log ? static_cast<double>(g[k]) : static_cast<double>(g[k]) * y[k];
      }
      for (int64_t c = 0; c < s.size; ++c) {
        const int64_t k = base + c * s.inner;
        gx[k] = log ? static_cast<T>(g[k] - std::exp(static_cast<double>(y[k])) * dot)
                    : static_cast<T>(y[k] * (g[k] - dot));
      }
    }
  }
}

Tensor softmax_impl(const Tensor& input, int64_t dim, bool log) {
  const char* op = log ? "log_softmax" : "softmax";
  dim = detail::wrap_dim(dim, input.dim());
  const Tensor x = input.contiguous();
  Tensor y = empty(input.sizes(), input.dtype());
  const DimSplit s = split_at(x, dim);
  detail::dispatch_float(x.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    softmax_kernel<T>(x.data_ptr<T>(), y.data_ptr<T>(), s, log);
  });
  autograd::SavedTensor saved_y(y.detach());
  return autograd::record(y, log ? "LogSoftmaxBackward0" : "SoftmaxBackward0", {input},
                          [saved_y, s, log, op](const Tensor& grad) -> std::vector<Tensor> {
                            const Tensor yv = saved_y.unpack();
                            const Tensor g = grad.contiguous();
                            Tensor gx = empty(yv.sizes(), yv.dtype());
                            detail::dispatch_float(yv.dtype(), op, [&](auto tag) {
                              using T = decltype(tag);
                              softmax_backward_kernel<T>(yv.data_ptr<T>(), g.data_ptr<T>(),
                                                         gx.data_ptr<T>(), s, log);
                            });
                            return {gx};
                          });
}

}  // namespace

Tensor softmax(const Tensor& input, int64_t dim) { return softmax_impl(input, dim, false); }

Tensor log_softmax(const Tensor& input, int64_t dim) { return softmax_impl(input, dim, true); }

}  // namespace torchlite
