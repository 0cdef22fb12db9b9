// Losses: fused class-index / class-probability cross entropy and NLL, MSE, L1 and BCE with
// logits, each with its backward.
#include "torchlite/ops/loss.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "core/dispatch.h"
#include "kernels/loops.h"
#include "core/tensor_util.h"
#include "torchlite/autograd/function.h"

namespace torchlite {
namespace {

using detail::shape_str;

/// The layout of a class-index loss: input [N, C, S...] (or [C]) and target [N, S...] (or []).
struct ClassLayout {
  int64_t n = 1, c = 1, s = 1;
  Sizes out_sizes;  // shape of the per-element ("none") loss
};

ClassLayout class_layout(const Tensor& input, const Tensor& target) {
  const int64_t dim = input.dim();
  TL_CHECK(dim >= 1, "Expected 1 or more dimensions (got ", dim, ")");
  TL_CHECK(target.dtype() == kInt64, "expected scalar type Long but found ",
           scalar_type_name(target.dtype()));
  ClassLayout l;
  if (dim == 1) {
    TL_CHECK(target.dim() == 0, "0D or 1D target tensor expected, multi-target not supported");
    l.c = input.size(0);
    return l;
  }
  l.n = input.size(0);
  l.c = input.size(1);
  if (dim == 2) {
    TL_CHECK(target.dim() <= 1, "0D or 1D target tensor expected, multi-target not supported");
    TL_CHECK(input.size(0) == target.size(0), "Expected input batch_size (", input.size(0),
             ") to match target batch_size (", target.size(0), ").");
  } else {
    TL_CHECK(input.size(0) == target.size(0), "Expected input batch_size (", input.size(0),
             ") to match target batch_size (", target.size(0), ").");
    Sizes expected{input.size(0)};
    for (int64_t d = 2; d < dim; ++d) expected.push_back(input.size(d));
    TL_CHECK(target.sizes() == expected, "Expected target size ", shape_str(expected), ", got ",
             shape_str(target.sizes()));
  }
  for (int64_t d = 2; d < dim; ++d) l.s *= input.size(d);
  l.out_sizes = target.sizes();
  return l;
}

void check_weight(const Tensor& weight, int64_t classes, Dtype dtype) {
  if (!weight.defined()) return;
  TL_CHECK(weight.dim() == 1 && weight.numel() == classes,
           "weight tensor should be defined either for all ", classes,
           " classes or no classes but got weight tensor of shape: ", shape_str(weight.sizes()));
  TL_CHECK(weight.dtype() == dtype, "expected scalar type ", scalar_type_name(dtype), " but found ",
           scalar_type_name(weight.dtype()));
}

/// Everything the class-index cross entropy / NLL backward needs.
struct ClassLossSaved {
  autograd::SavedTensor input;
  Tensor target, weight, probs;  // probs: softmax of the input (cross entropy only)
  ClassLayout layout;
  Reduction reduction;
  int64_t ignore_index;
  double smoothing;
  double total_weight;
};

/// Fused log-softmax + NLL (+ label smoothing) over class-index targets. With `log_probs`, the
/// input already holds log-probabilities (nll_loss) and no softmax is taken.
template <class T>
double class_loss_forward(const T* x, const int64_t* t, const T* w, T* probs, T* loss_none,
                          const ClassLayout& l, int64_t ignore_index, double ls, bool log_probs,
                          double* total_weight) {
  double total = 0, wsum = 0;
  for (int64_t n = 0; n < l.n; ++n) {
    for (int64_t s = 0; s < l.s; ++s) {
      const int64_t pos = n * l.s + s;
      const int64_t target = t[pos];
      const T* row = x + n * l.c * l.s + s;
      if (target == ignore_index) {
        if (loss_none) loss_none[pos] = 0;
        continue;
      }
      TL_CHECK(target >= 0 && target < l.c, "Target ", target, " is out of bounds.");
      double lse = 0;
      if (!log_probs) {
        T mx = -std::numeric_limits<T>::infinity();
        for (int64_t c = 0; c < l.c; ++c) mx = std::max(mx, row[c * l.s]);
        // exp(x - max) once per element: summed here, kept (normalised) for the backward
        T* prow = probs + n * l.c * l.s + s;
        double sum = 0;
        for (int64_t c = 0; c < l.c; ++c) {
          const double e = std::exp(row[c * l.s] - mx);  // expf for float: each term is <= 1
          prow[c * l.s] = static_cast<T>(e);
          sum += e;
        }
        const double inv = 1.0 / sum;
        for (int64_t c = 0; c < l.c; ++c)
          prow[c * l.s] = static_cast<T>(static_cast<double>(prow[c * l.s]) * inv);
        lse = static_cast<double>(mx) + std::log(sum);
      }
      const double wt = w ? static_cast<double>(w[target]) : 1.0;
      double loss = -wt * (static_cast<double>(row[target * l.s]) - lse);
      if (ls > 0) {
        double smooth = 0;
        for (int64_t c = 0; c < l.c; ++c)
          smooth -=
              (w ? static_cast<double>(w[c]) : 1.0) * (static_cast<double>(row[c * l.s]) - lse);
        loss = (1 - ls) * loss + ls / static_cast<double>(l.c) * smooth;
      }
      if (loss_none) loss_none[pos] = static_cast<T>(loss);
      total += loss;
      wsum += wt;
    }
  }
  *total_weight = wsum;
  return total;
}

template <class T>
void class_loss_backward(const int64_t* t, const T* w, const T* probs, const T* g, T* gx,
                         const ClassLayout& l, Reduction red, int64_t ignore_index, double ls,
                         double total_weight) {
  double wall = 0;
  for (int64_t c = 0; c < l.c; ++c) wall += w ? static_cast<double>(w[c]) : 1.0;
  const double scale =
      red == Reduction::Mean ? static_cast<double>(g[0]) / total_weight : static_cast<double>(g[0]);
  const double lsc = ls / static_cast<double>(l.c);
  for (int64_t n = 0; n < l.n; ++n) {
    for (int64_t s = 0; s < l.s; ++s) {
      const int64_t pos = n * l.s + s;
      const int64_t target = t[pos];
      T* grow = gx + n * l.c * l.s + s;
      if (target == ignore_index) {
        for (int64_t c = 0; c < l.c; ++c) grow[c * l.s] = 0;
        continue;
      }
      const double coef = red == Reduction::None ? static_cast<double>(g[pos]) : scale;
      const double wt = w ? static_cast<double>(w[target]) : 1.0;
      if (probs) {  // d/dx of -lp[t] is softmax - onehot; of -sum_c w_c lp[c] is p * W - w
        const T* prow = probs + n * l.c * l.s + s;
        for (int64_t c = 0; c < l.c; ++c) {
          const double p = static_cast<double>(prow[c * l.s]);
          const double wc = w ? static_cast<double>(w[c]) : 1.0;
          double d = (1 - ls) * wt * (p - (c == target ? 1.0 : 0.0));
          if (ls > 0) d += lsc * (p * wall - wc);
          grow[c * l.s] = static_cast<T>(coef * d);
        }
      } else {
        for (int64_t c = 0; c < l.c; ++c) grow[c * l.s] = 0;
        grow[target * l.s] = static_cast<T>(-coef * wt);
      }
    }
  }
}

Tensor class_loss(const Tensor& input, const Tensor& target, const Tensor& weight,
                  int64_t ignore_index, Reduction red, double ls, bool log_probs) {
  const char* op = log_probs ? "nll_loss" : "cross_entropy";
  ClassLayout l = class_layout(input, target);
  check_weight(weight, l.c, input.dtype());
  const Tensor x = input.contiguous();
  const Tensor t = target.contiguous();
  const Tensor w = weight.defined() ? weight.contiguous() : Tensor();
  Tensor probs = log_probs ? Tensor() : empty(x.sizes(), input.dtype());
  Tensor out =
      red == Reduction::None ? empty(l.out_sizes, input.dtype()) : empty(Sizes{}, input.dtype());
  double total_weight = 0;
  detail::dispatch_float(x.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    const double total = class_loss_forward<T>(x.data_ptr<T>(), t.data_ptr<int64_t>(),
                                               w.defined() ? w.data_ptr<T>() : nullptr,
                                               probs.defined() ? probs.data_ptr<T>() : nullptr,
                                               red == Reduction::None ? out.data_ptr<T>() : nullptr,
                                               l, ignore_index, ls, log_probs, &total_weight);
    if (red == Reduction::Mean) out.data_ptr<T>()[0] = static_cast<T>(total / total_weight);
    if (red == Reduction::Sum) out.data_ptr<T>()[0] = static_cast<T>(total);
  });
  // PyTorch's graph ends in the AddBackward0 that mixes in the smoothing, else in its NLL node:
  // NllLoss2dBackward0 beyond 2 dims (behind a view for "none" unless the input is 4-D).
  const char* name = "NllLossBackward0";
  if (ls > 0 && !log_probs)
    name = "AddBackward0";
  else if (input.dim() > 2)
    name = red == Reduction::None && input.dim() != 4 ? "ViewBackward0" : "NllLoss2DBackward0";
  ClassLossSaved saved{x, t, w, probs, l, red, ignore_index, ls, total_weight};
  return autograd::record(
      out, name, {input}, [saved, op](const Tensor& grad) -> std::vector<Tensor> {
        const Tensor xv = saved.input.unpack();
        const Tensor g = grad.contiguous();
        Tensor gx = empty(xv.sizes(), xv.dtype());
        detail::dispatch_float(xv.dtype(), op, [&](auto tag) {
          using T = decltype(tag);
          class_loss_backward<T>(saved.target.data_ptr<int64_t>(),
                                 saved.weight.defined() ? saved.weight.data_ptr<T>() : nullptr,
                                 saved.probs.defined() ? saved.probs.data_ptr<T>() : nullptr,
                                 g.data_ptr<T>(), gx.data_ptr<T>(), saved.layout, saved.reduction,
                                 saved.ignore_index, saved.smoothing, saved.total_weight);
        });
        return {gx};
      });
}

/// Cross entropy against class probabilities: loss = -sum_c w_c t'_c log_softmax(x)_c, with
/// t' = t (1 - ls) + ls / C.
Tensor prob_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight,
                          Reduction red, double ls) {
  TL_CHECK(target.is_floating_point(),
           "Expected floating point type for target with class probabilities, got ",
           dtype_name(target.dtype()));
  TL_CHECK(target.dtype() == input.dtype(), "expected scalar type ",
           scalar_type_name(input.dtype()), " but found ", scalar_type_name(target.dtype()));
  const int64_t dim = input.dim();
  ClassLayout l;
  l.c = input.size(dim == 1 ? 0 : 1);
  if (dim >= 2) {
    l.n = input.size(0);
    for (int64_t d = 2; d < dim; ++d) l.s *= input.size(d);
    Sizes out{l.n};
    for (int64_t d = 2; d < dim; ++d) out.push_back(input.size(d));
    l.out_sizes = out;
  }
  check_weight(weight, l.c, input.dtype());
  const Tensor x = input.contiguous();
  const Tensor t = target.contiguous();
  const Tensor w = weight.defined() ? weight.contiguous() : Tensor();
  Tensor lse = empty({l.n * l.s}, input.dtype());
  Tensor out =
      red == Reduction::None ? empty(l.out_sizes, input.dtype()) : empty(Sizes{}, input.dtype());
  const double count = static_cast<double>(l.n * l.s);
  detail::dispatch_float(x.dtype(), "cross_entropy", [&](auto tag) {
    using T = decltype(tag);
    const T* xp = x.data_ptr<T>();
    const T* tp = t.data_ptr<T>();
    const T* wp = w.defined() ? w.data_ptr<T>() : nullptr;
    T* lp = lse.data_ptr<T>();
    double total = 0;
    for (int64_t n = 0; n < l.n; ++n) {
      for (int64_t s = 0; s < l.s; ++s) {
        const int64_t base = n * l.c * l.s + s;
        T mx = -std::numeric_limits<T>::infinity();
        for (int64_t c = 0; c < l.c; ++c) mx = std::max(mx, xp[base + c * l.s]);
        double sum = 0;
        for (int64_t c = 0; c < l.c; ++c)
          sum += std::exp(static_cast<double>(xp[base + c * l.s] - mx));
        const double m = static_cast<double>(mx) + std::log(sum);
        lp[n * l.s + s] = static_cast<T>(m);
        double loss = 0;
        for (int64_t c = 0; c < l.c; ++c) {
          const double tc = static_cast<double>(tp[base + c * l.s]) * (1 - ls) + ls / l.c;
          loss -= (wp ? static_cast<double>(wp[c]) : 1.0) * tc *
                  (static_cast<double>(xp[base + c * l.s]) - m);
        }
        if (red == Reduction::None) out.data_ptr<T>()[n * l.s + s] = static_cast<T>(loss);
        total += loss;
      }
    }
    if (red == Reduction::Mean) out.data_ptr<T>()[0] = static_cast<T>(total / count);
    if (red == Reduction::Sum) out.data_ptr<T>()[0] = static_cast<T>(total);
  });
  const char* name = red == Reduction::Mean ? "DivBackward1" : "NegBackward0";
  autograd::SavedTensor sx(x), st(t);
  return autograd::record(
      out, name, {input, target},
      [sx, st, w, lse, l, red, ls, count](const Tensor& grad) -> std::vector<Tensor> {
        const Tensor xv = sx.unpack(), tv = st.unpack();
        const Tensor g = grad.contiguous();
        Tensor gx = empty(xv.sizes(), xv.dtype());
        Tensor gt = empty(tv.sizes(), tv.dtype());
        detail::dispatch_float(xv.dtype(), "cross_entropy", [&](auto tag) {
          using T = decltype(tag);
          const T* xp = xv.data_ptr<T>();
          const T* tp = tv.data_ptr<T>();
          const T* wp = w.defined() ? w.data_ptr<T>() : nullptr;
          const T* lp = lse.data_ptr<T>();
          const T* gp = g.data_ptr<T>();
          for (int64_t n = 0; n < l.n; ++n) {
            for (int64_t s = 0; s < l.s; ++s) {
              const int64_t pos = n * l.s + s, base = n * l.c * l.s + s;
              const double coef = red == Reduction::None   ? static_cast<double>(gp[pos])
                                  : red == Reduction::Mean ? static_cast<double>(gp[0]) / count
                                                           : static_cast<double>(gp[0]);
              double wt_sum = 0;  // sum_c w_c t'_c
              for (int64_t c = 0; c < l.c; ++c)
                wt_sum += (wp ? static_cast<double>(wp[c]) : 1.0) *
                          (static_cast<double>(tp[base + c * l.s]) * (1 - ls) + ls / l.c);
              for (int64_t c = 0; c < l.c; ++c) {
                const int64_t k = base + c * l.s;
                const double wc = wp ? static_cast<double>(wp[c]) : 1.0;
                const double logp = static_cast<double>(xp[k]) - static_cast<double>(lp[pos]);
                const double tc = static_cast<double>(tp[k]) * (1 - ls) + ls / l.c;
                gx.data_ptr<T>()[k] = static_cast<T>(coef * (std::exp(logp) * wt_sum - wc * tc));
                gt.data_ptr<T>()[k] = static_cast<T>(-coef * (1 - ls) * wc * logp);
              }
            }
          }
        });
        return {gx, gt};
      });
}

/// Reduces a per-element loss tensor (already holding PyTorch's grad_fn chain) as requested.
Tensor reduce(const Tensor& loss, Reduction red) {
  if (red == Reduction::Mean) return loss.mean();
  if (red == Reduction::Sum) return loss.sum();
  return loss;
}

}  // namespace

Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight,
                     Reduction reduction, int64_t ignore_index, double label_smoothing) {
  const double ls = label_smoothing;
  TL_CHECK(ls >= 0.0 && ls <= 1.0, "label_smoothing must be between 0.0 and 1.0. Got: ", ls);
  if (input.sizes() == target.sizes() && input.dim() >= 1) {
    TL_CHECK(ignore_index < 0, "ignore_index is not supported for floating point target");
    return prob_cross_entropy(input, target, weight, reduction, ls);
  }
  return class_loss(input, target, weight, ignore_index, reduction, ls, false);
}

Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight,
                Reduction reduction, int64_t ignore_index) {
  return class_loss(input, target, weight, ignore_index, reduction, 0.0, true);
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction red) {
  TL_CHECK(target.dtype() == input.dtype(), "mse_loss: expected target of dtype ",
           dtype_name(input.dtype()), ", got ", dtype_name(target.dtype()));
  const Sizes shape = broadcast_shapes(input.sizes(), target.sizes(), "mse_loss");
  const int64_t n = detail::checked_numel(shape, "mse_loss");
  Tensor out = red == Reduction::None ? empty(shape, input.dtype()) : empty(Sizes{}, input.dtype());
  // Both operands are read in place through their broadcast strides, in row-major order.
  const std::array<IntVector, 2> in_strides{kernels::broadcast_byte_strides(detail::view_of(input), shape),
                                            kernels::broadcast_byte_strides(detail::view_of(target), shape)};
  const std::array<char*, 2> in_ptrs{static_cast<char*>(input.raw_data()),
                                     static_cast<char*>(target.raw_data())};
  detail::dispatch_float(input.dtype(), "mse_loss", [&](auto tag) {
    using T = decltype(tag);
    if (red == Reduction::None) {
      kernels::for_each_row<3>(
          shape, {static_cast<char*>(out.raw_data()), in_ptrs[0], in_ptrs[1]},
          {kernels::broadcast_byte_strides(detail::view_of(out), shape), in_strides[0], in_strides[1]},
          [](std::array<char*, 3> p, std::array<int64_t, 3> s, int64_t m) {
            for (int64_t i = 0; i < m; ++i) {
              const T d = *reinterpret_cast<const T*>(p[1] + i * s[1]) -
                          *reinterpret_cast<const T*>(p[2] + i * s[2]);
              *reinterpret_cast<T*>(p[0] + i * s[0]) = d * d;
            }
          });
      return;
    }
    double total = 0;
    kernels::for_each_row<2>(shape, in_ptrs, in_strides,
                            [&](std::array<char*, 2> p, std::array<int64_t, 2> s, int64_t m) {
                              for (int64_t i = 0; i < m; ++i) {
                                const T d = *reinterpret_cast<const T*>(p[0] + i * s[0]) -
                                            *reinterpret_cast<const T*>(p[1] + i * s[1]);
                                total += static_cast<double>(d) * d;
                              }
                            });
    T* op = out.data_ptr<T>();
    op[0] = static_cast<T>(red == Reduction::Mean ? total / static_cast<double>(n) : total);
  });
  return autograd::record(
      out, "MseLossBackward0", {input, target},
      [sx = autograd::SavedTensor(input), st = autograd::SavedTensor(target), red, n,
       shape](const Tensor& grad) -> std::vector<Tensor> {
        const Tensor x = sx.unpack(), y = st.unpack();
        // grad is the loss's shape: read at stride 0 when the loss was reduced to a scalar.
        Tensor gx = empty(shape, x.dtype());
        detail::dispatch_float(x.dtype(), "mse_loss", [&](auto tag) {
          using T = decltype(tag);
          const T scale =
              red == Reduction::Mean ? static_cast<T>(2.0 / static_cast<double>(n)) : T(2);
          kernels::for_each_row<4>(
              shape,
              {static_cast<char*>(gx.raw_data()), static_cast<char*>(x.raw_data()),
               static_cast<char*>(y.raw_data()), static_cast<char*>(grad.raw_data())},
              {kernels::broadcast_byte_strides(detail::view_of(gx), shape), kernels::broadcast_byte_strides(detail::view_of(x), shape),
               kernels::broadcast_byte_strides(detail::view_of(y), shape),
               kernels::broadcast_byte_strides(detail::view_of(grad), shape)},
              [scale](std::array<char*, 4> p, std::array<int64_t, 4> s, int64_t m) {
                for (int64_t i = 0; i < m; ++i)
                  *reinterpret_cast<T*>(p[0] + i * s[0]) =
                      scale *
                      (*reinterpret_cast<const T*>(p[1] + i * s[1]) -
                       *reinterpret_cast<const T*>(p[2] + i * s[2])) *
                      *reinterpret_cast<const T*>(p[3] + i * s[3]);
              });
        });
        return {autograd::sum_to(gx, x.sizes()), autograd::sum_to(gx.neg(), y.sizes())};
      });
}

Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  detail::dispatch_float(input.dtype(), "l1_loss", [](auto) {});  // float input only, as before
  return reduce((input - target).abs(), reduction);
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const Tensor& weight, const Tensor& pos_weight,
                                        Reduction red) {
  const char* op_name = "binary_cross_entropy_with_logits";
  TL_CHECK(target.sizes() == input.sizes(), "Target size (", target.sizes(),
           ") must be the same as input size (", input.sizes(), ")");
  TL_CHECK(target.dtype() == input.dtype(),
           "binary_cross_entropy_with_logits: expected target of dtype ", dtype_name(input.dtype()),
           ", got ", dtype_name(target.dtype()));
  const Sizes shape = input.sizes();
  const Tensor x = input.contiguous();
  const Tensor t = target.contiguous();
  auto widen = [&](const Tensor& w, const char* what) {
    if (!w.defined()) return Tensor();
    TL_CHECK(w.dtype() == input.dtype(), "binary_cross_entropy_with_logits: expected ", what,
             " of dtype ", dtype_name(input.dtype()), ", got ", dtype_name(w.dtype()));
    return w.expand(broadcast_shapes(w.sizes(), shape, "binary_cross_entropy_with_logits"))
        .expand(shape)
        .contiguous();
  };
  const Tensor w = widen(weight, "weight");
  const Tensor pw = widen(pos_weight, "pos_weight");
  const int64_t n = x.numel();
  Tensor out = red == Reduction::None ? empty(shape, x.dtype()) : empty(Sizes{}, x.dtype());
  detail::dispatch_float(x.dtype(), op_name, [&](auto tag) {
    using T = decltype(tag);
    const T* xp = x.data_ptr<T>();
    const T* tp = t.data_ptr<T>();
    const T* wp = w.defined() ? w.data_ptr<T>() : nullptr;
    const T* pp = pw.defined() ? pw.data_ptr<T>() : nullptr;
    T* op = out.data_ptr<T>();
    double total = 0;
    for (int64_t i = 0; i < n; ++i) {
      const double xi = xp[i], ti = tp[i];
      const double mx = std::max(-xi, 0.0);
      const double sp = std::log(std::exp(-mx) + std::exp(-xi - mx)) + mx;  // softplus(-x)
      const double lw = pp ? (static_cast<double>(pp[i]) - 1) * ti + 1 : 1.0;
      double loss = (1 - ti) * xi + lw * sp;
      if (wp) loss *= static_cast<double>(wp[i]);
      if (red == Reduction::None) op[i] = static_cast<T>(loss);
      total += loss;
    }
    if (red == Reduction::Mean) op[0] = static_cast<T>(total / static_cast<double>(n));
    if (red == Reduction::Sum) op[0] = static_cast<T>(total);
  });
  return autograd::record(
      out, "BinaryCrossEntropyWithLogitsBackward0", {input, target},
      [sx = autograd::SavedTensor(x), st = autograd::SavedTensor(t), w, pw, red, n,
       op_name](const Tensor& grad) -> std::vector<Tensor> {
        const Tensor x = sx.unpack(), t = st.unpack();
        const Tensor g = grad.contiguous();
        Tensor gx = empty(x.sizes(), x.dtype());
        Tensor gt = empty(x.sizes(), x.dtype());
        detail::dispatch_float(x.dtype(), op_name, [&](auto tag) {
          using T = decltype(tag);
          const T* xp = x.data_ptr<T>();
          const T* tp = t.data_ptr<T>();
          const T* wp = w.defined() ? w.data_ptr<T>() : nullptr;
          const T* pp = pw.defined() ? pw.data_ptr<T>() : nullptr;
          const T* gp = g.data_ptr<T>();
          const double mean_scale = red == Reduction::Mean ? 1.0 / static_cast<double>(n) : 1.0;
          for (int64_t i = 0; i < n; ++i) {
            const double xi = xp[i], ti = tp[i];
            double coef = (red == Reduction::None ? gp[i] : gp[0]) * mean_scale;
            if (wp) coef *= static_cast<double>(wp[i]);
            const double sig = 1.0 / (1.0 + std::exp(-xi));
            const double mx = std::max(-xi, 0.0);
            const double sp = std::log(std::exp(-mx) + std::exp(-xi - mx)) + mx;
            if (pp) {
              const double pwt = static_cast<double>(pp[i]) * ti;
              gx.data_ptr<T>()[i] = static_cast<T>(coef * ((pwt + 1 - ti) * sig - pwt));
              gt.data_ptr<T>()[i] =
                  static_cast<T>(coef * (-xi + (static_cast<double>(pp[i]) - 1) * sp));
            } else {
              gx.data_ptr<T>()[i] = static_cast<T>(coef * (sig - ti));
              gt.data_ptr<T>()[i] = static_cast<T>(coef * -xi);
            }
          }
        });
        return {gx, gt};
      });
}
}  // namespace torchlite
