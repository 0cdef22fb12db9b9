// Fused attention over heads: one GEMM per (batch, head) pair on strided views, spread over the
// threads by pairs, with the scale, masks, softmax and dropout applied row by row in between.
#include "torchlite/ops/attention.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "core/dispatch.h"
#include "core/parallel.h"
#include "core/tensor_util.h"
#include "kernels/gemm.h"
#include "torchlite/autograd/function.h"

namespace torchlite {
namespace {

using autograd::SavedTensor;
using detail::shape_str;

/// `t` (4-D) with unit last stride and rows at least a row apart, as the GEMM kernels read it.
Tensor gemm_ready(const Tensor& t) {
  const bool ok = t.stride(3) == 1 || t.size(3) == 1;
  const bool rows = t.size(2) == 1 || t.stride(2) >= t.size(3);
  return ok && rows ? t : t.contiguous();
}

/// Matrix (b, h) of a 4-D tensor as a GEMM operand.
template <class T>
kernels::GemmOperand<T> operand(const Tensor& t, int64_t b, int64_t h, bool trans) {
  const T* base = static_cast<const T*>(t.raw_data());
  return {base + b * t.stride(0) + h * t.stride(1), trans,
          std::max<int64_t>(t.size(2) == 1 ? t.size(3) : t.stride(2), 1)};
}

void check_4d(const char* op, const char* name, const Tensor& t) {
  TL_CHECK(t.dim() == 4, op, ": expected ", name, " to be 4-D [B, H, len, dim], got shape ",
           shape_str(t.sizes()));
  TL_CHECK(t.is_floating_point(), op, ": expected a float ", name, ", got ", dtype_name(t.dtype()));
}

}  // namespace

Tensor attention_probs(const Tensor& q, const Tensor& k, double scale,
                       const std::vector<Tensor>& masks, bool is_causal, double dropout_p) {
  check_4d("attention_probs", "query", q);
  check_4d("attention_probs", "key", k);
  const int64_t B = q.size(0), H = q.size(1), L = q.size(2), D = q.size(3), S = k.size(2);
  TL_CHECK(k.size(0) == B && k.size(1) == H && k.size(3) == D && k.dtype() == q.dtype(),
           "attention_probs: key of shape ", shape_str(k.sizes()),
           " does not match query of shape ", shape_str(q.sizes()));
  const Sizes full{B, H, L, S};
  std::vector<Tensor> ms;
  for (const Tensor& m : masks) {
    TL_CHECK(m.dtype() == q.dtype(), "attention_probs: expected a mask of dtype ",
             dtype_name(q.dtype()), ", got ", dtype_name(m.dtype()));
    ms.push_back(m.detach().expand(full));
  }
  Tensor qd = gemm_ready(q.detach()), kd = gemm_ready(k.detach());
  Tensor probs = detail::make_empty(full, q.dtype());
  if (probs.numel() == 0) return probs;
  detail::dispatch_float(q.dtype(), "attention_probs", [&](auto tag) {
    using T = decltype(tag);
    T* P = probs.data_ptr<T>();
    const T inf = std::numeric_limits<T>::infinity();
    detail::parallel_for(0, B * H, 1, [&](int64_t i0, int64_t i1) {
      for (int64_t bh = i0; bh < i1; ++bh) {
        const int64_t b = bh / H, h = bh % H;
        T* p = P + bh * L * S;
        if (D > 0) {
          kernels::gemm(L, S, D, operand<T>(qd, b, h, false), operand<T>(kd, b, h, true), false, p,
                        S);
        } else {
          std::fill(p, p + L * S, T(0));
        }
        for (int64_t l = 0; l < L; ++l) {
          T* row = p + l * S;
          for (int64_t j = 0; j < S; ++j) row[j] = static_cast<T>(row[j] * scale);
          for (const Tensor& m : ms) {
            const T* mr = m.data_ptr<T>() + b * m.stride(0) + h * m.stride(1) + l * m.stride(2);
            const int64_t ms3 = m.stride(3);
            for (int64_t j = 0; j < S; ++j) row[j] += mr[j * ms3];
          }
          if (is_causal)
            for (int64_t j = l + 1; j < S; ++j) row[j] = -inf;
          T mx = -inf;
          for (int64_t j = 0; j < S; ++j) mx = std::max(mx, row[j]);
          T sum = 0;
          for (int64_t j = 0; j < S; ++j) {
            row[j] = std::exp(row[j] - mx);
            sum += row[j];
          }
          const T inv = T(1) / sum;
          for (int64_t j = 0; j < S; ++j) row[j] *= inv;
        }
      }
    });
  });
  Tensor noise;
  Tensor out = probs;
  if (dropout_p > 0.0) {
    // F.dropout's draws: bernoulli(1 - p) over the probabilities' shape, scaled by 1 / (1 - p).
    if (dropout_p >= 1.0) {
      noise = zeros(full, q.dtype());
    } else {
      noise = detail::make_empty(full, q.dtype());
      noise.bernoulli_(1.0 - dropout_p);
      noise.div_(1.0 - dropout_p);
    }
    out = probs * noise;
  }
  if (!autograd::any_requires_grad({q, k})) return out;
  return autograd::attach_node(
      out, "AttentionProbsBackward0", std::array<Tensor, 2>{q, k},
      [sq = SavedTensor(qd), sk = SavedTensor(kd), sp = SavedTensor(probs, true), noise, scale, B,
       H, L, S, D](const Tensor& grad) {
        Tensor tq = sq.unpack(), tk = sk.unpack(), p = sp.unpack();
        Tensor dp = grad.contiguous();
        if (noise.defined()) dp = dp * noise;
        Tensor ds = detail::make_empty(p.sizes(), p.dtype());
        Tensor gq = detail::make_empty({B, H, L, D}, p.dtype());
        Tensor gk = detail::make_empty({B, H, S, D}, p.dtype());
        detail::dispatch_float(p.dtype(), "attention_probs_backward", [&](auto tag) {
          using T = decltype(tag);
          detail::parallel_for(0, B * H, 1, [&](int64_t i0, int64_t i1) {
            for (int64_t bh = i0; bh < i1; ++bh) {
              const int64_t b = bh / H, h = bh % H;
              const T* pr = p.data_ptr<T>() + bh * L * S;
              const T* gr = dp.data_ptr<T>() + bh * L * S;
              T* dsr = ds.data_ptr<T>() + bh * L * S;
              // Softmax backward, times the scale: ds = p * (dp - sum(dp * p)) * scale.
              for (int64_t l = 0; l < L; ++l) {
                T dot = 0;
                for (int64_t j = 0; j < S; ++j) dot += gr[l * S + j] * pr[l * S + j];
                for (int64_t j = 0; j < S; ++j)
                  dsr[l * S + j] = static_cast<T>(pr[l * S + j] * (gr[l * S + j] - dot) * scale);
              }
              T* gqr = gq.data_ptr<T>() + bh * L * D;
              T* gkr = gk.data_ptr<T>() + bh * S * D;
              if (D == 0) continue;
              if (S > 0) {
                kernels::gemm(L, D, S, {dsr, false, S}, operand<T>(tk, b, h, false), false, gqr, D);
              } else {
                std::fill(gqr, gqr + L * D, T(0));
              }
              if (L > 0) {
                kernels::gemm(S, D, L, {dsr, true, S}, operand<T>(tq, b, h, false), false, gkr, D);
              } else {
                std::fill(gkr, gkr + S * D, T(0));
              }
            }
          });
        });
        return std::array<Tensor, 2>{gq, gk};
      });
}

Tensor attention_values(const Tensor& probs, const Tensor& v, bool seq_first) {
  check_4d("attention_values", "probs", probs);
  check_4d("attention_values", "value", v);
  const int64_t B = probs.size(0), H = probs.size(1), L = probs.size(2), S = probs.size(3);
  const int64_t Dv = v.size(3);
  TL_CHECK(v.size(0) == B && v.size(1) == H && v.size(2) == S && v.dtype() == probs.dtype(),
           "attention_values: value of shape ", shape_str(v.sizes()),
           " does not match attention weights of shape ", shape_str(probs.sizes()));
  Tensor pd = gemm_ready(probs.detach()), vd = gemm_ready(v.detach());
  const int64_t E = H * Dv;
  Tensor out = detail::make_empty(seq_first ? Sizes{L, B, E} : Sizes{B, L, E}, v.dtype());
  // Head h of batch b starts at column h * Dv of row (b, l); rows lie ld = E (batch first) or
  // B * E (sequence first) apart.
  const int64_t ld = seq_first ? B * E : E;
  auto out_at = [seq_first, L, E](int64_t b, int64_t h, int64_t dv) {
    return (seq_first ? b * E : b * L * E) + h * dv;
  };
  if (out.numel() > 0) {
    detail::dispatch_float(v.dtype(), "attention_values", [&](auto tag) {
      using T = decltype(tag);
      T* o = out.data_ptr<T>();
      detail::parallel_for(0, B * H, 1, [&](int64_t i0, int64_t i1) {
        for (int64_t bh = i0; bh < i1; ++bh) {
          const int64_t b = bh / H, h = bh % H;
          T* ob = o + out_at(b, h, Dv);
          if (S == 0) {
            for (int64_t l = 0; l < L; ++l) std::fill(ob + l * ld, ob + l * ld + Dv, T(0));
            continue;
          }
          kernels::gemm(L, Dv, S, operand<T>(pd, b, h, false), operand<T>(vd, b, h, false), false,
                        ob, ld);
        }
      });
    });
  }
  if (!autograd::any_requires_grad({probs, v})) return out;
  return autograd::attach_node(
      out, "AttentionValuesBackward0", std::array<Tensor, 2>{probs, v},
      [sp = SavedTensor(pd), sv = SavedTensor(vd), B, H, L, S, Dv, ld, out_at](const Tensor& grad) {
        Tensor p = sp.unpack(), tv = sv.unpack();
        Tensor g = grad.contiguous();
        Tensor gp = detail::make_empty({B, H, L, S}, p.dtype());
        Tensor gv = detail::make_empty({B, H, S, Dv}, p.dtype());
        detail::dispatch_float(p.dtype(), "attention_values_backward", [&](auto tag) {
          using T = decltype(tag);
          detail::parallel_for(0, B * H, 1, [&](int64_t i0, int64_t i1) {
            for (int64_t bh = i0; bh < i1; ++bh) {
              const int64_t b = bh / H, h = bh % H;
              const T* gb = g.data_ptr<T>() + out_at(b, h, Dv);
              T* gpr = gp.data_ptr<T>() + bh * L * S;
              T* gvr = gv.data_ptr<T>() + bh * S * Dv;
              if (Dv == 0) {
                std::fill(gpr, gpr + L * S, T(0));
                continue;
              }
              if (L == 0) {
                std::fill(gvr, gvr + S * Dv, T(0));
                continue;
              }
              // grad_probs = g @ v^T, grad_v = probs^T @ g.
              kernels::gemm(L, S, Dv, {gb, false, ld}, operand<T>(tv, b, h, true), false, gpr, S);
              kernels::gemm(S, Dv, L, operand<T>(p, b, h, true), {gb, false, ld}, false, gvr, Dv);
            }
          });
        });
        return std::array<Tensor, 2>{gp, gv};
      });
}

}  // namespace torchlite
