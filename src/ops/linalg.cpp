// Matrix products through the GEMM kernels (mm, addmm, mv, dot, batched matmul), with their backward.
#include <array>
#include <cstring>

#include "core/dispatch.h"
#include "core/tensor_util.h"
#include "kernels/gemm.h"
#include "kernels/reduce.h"
#include "torchlite/autograd/function.h"
#include "torchlite/tensor.h"

namespace torchlite {

using autograd::record;
using autograd::SavedTensor;
using detail::shape_str;

namespace {

/// A matrix operand without a tensor handle: data and geometry, so that transposing one (for
/// a linear layer or a backward) costs no allocation.
struct Mat {
  const void* data;
  int64_t rows, cols, rs, cs;  // strides in elements
  Mat t() const { return {data, cols, rows, cs, rs}; }
};

Mat mat(const Tensor& m) {
  return {m.raw_data(), m.sizes()[0], m.sizes()[1], m.strides()[0], m.strides()[1]};
}

/// A matrix operand as the GEMM kernels see it; `keep` holds a contiguous copy when one was
/// needed (strides neither row- nor column-major).
template <class T>
struct GemmMatrix {
  Tensor keep;
  kernels::GemmOperand<T> op;
};

template <class T>
GemmMatrix<T> as_gemm(const Mat& m, Dtype dtype) {
  const int64_t r = m.rows, c = m.cols;
  const T* data = static_cast<const T*>(m.data);
  if ((m.cs == 1 || c == 1) && m.rs >= std::max<int64_t>(c, 1)) return {Tensor(), {data, false, m.rs}};
  if ((m.rs == 1 || r == 1) && m.cs >= std::max<int64_t>(r, 1)) return {Tensor(), {data, true, m.cs}};
  Tensor copy = detail::make_empty({r, c}, dtype);
  T* dst = static_cast<T*>(copy.raw_data());
  for (int64_t i = 0; i < r; ++i)
    for (int64_t j = 0; j < c; ++j) dst[i * c + j] = data[i * m.rs + j * m.cs];
  return {copy, {dst, false, std::max<int64_t>(c, 1)}};
}

/// Products this small are cheaper as plain loops than as a BLAS call (which allocates and
/// packs its operands): Linear(2, 2) and friends.
constexpr int64_t kTinyGemmMacs = 4096;

/// The reference GEMM: out[n, m] (+)= a[n, k] @ b[k, m] through any strides, in order of k, in
/// the element type (integer matrices always take it; float ones when tiny).
void gemm_loop(const Tensor& out, const Mat& a, const Mat& b, bool accumulate) {
  const int64_t n = a.rows, k = a.cols, m = b.cols;
  detail::dispatch_arith(out.dtype(), "mm", [&](auto tag) {
    using T = decltype(tag);
    const T* pa = static_cast<const T*>(a.data);
    const T* pb = static_cast<const T*>(b.data);
    T* po = static_cast<T*>(out.raw_data());
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < m; ++j) {
        T s = 0;
        for (int64_t p = 0; p < k; ++p)
          s = static_cast<T>(s + pa[i * a.rs + p * a.cs] * pb[p * b.rs + j * b.cs]);
        po[i * m + j] = accumulate ? static_cast<T>(po[i * m + j] + s) : s;
      }
  });
}

/// out[n, m] = beta * out + a[n, k] @ b[k, m]; out must be contiguous.
void gemm_into(const Tensor& out, const Mat& a, const Mat& b, bool accumulate) {
  const int64_t n = a.rows, k = a.cols, m = b.cols;
  if (n == 0 || m == 0) return;
  if (k == 0) {
    if (!accumulate) out.detach().zero_();
    return;
  }
  const Dtype dtype = out.dtype();
  if ((dtype == kFloat32 || dtype == kFloat64) && n * m * k > kTinyGemmMacs) {
    detail::dispatch_float(dtype, "mm", [&](auto tag) {
      using T = decltype(tag);
      GemmMatrix<T> A = as_gemm<T>(a, dtype), B = as_gemm<T>(b, dtype);
      kernels::gemm(n, m, k, A.op, B.op, accumulate, static_cast<T*>(out.raw_data()),
                    std::max<int64_t>(m, 1));
    });
    return;
  }
  gemm_loop(out, a, b, accumulate);
}

void check_mm(const char* op, const Tensor& a, const Tensor& b) {
  TL_CHECK(a.dim() == 2, op, ": self must be a matrix");
  TL_CHECK(b.dim() == 2, op, ": mat2 must be a matrix");
  TL_CHECK(a.sizes()[1] == b.sizes()[0], op, ": mat1 and mat2 shapes cannot be multiplied (",
           a.sizes()[0], "x", a.sizes()[1], " and ", b.sizes()[0], "x", b.sizes()[1], ")");
  TL_CHECK(a.dtype() == b.dtype(), op, ": expected mat1 and mat2 to have the same dtype, but got: ",
           dtype_name(a.dtype()).substr(6), " != ", dtype_name(b.dtype()).substr(6));
}

Tensor mm_raw(const Mat& a, const Mat& b, Dtype dtype) {
  Tensor out = detail::make_empty({a.rows, b.cols}, dtype);
  gemm_into(out, a, b, false);
  return out;
}

Tensor mm_raw(const Tensor& a, const Tensor& b) { return mm_raw(mat(a), mat(b), a.dtype()); }

/// g.sum(0) of a [rows, cols] gradient (a bias gradient), without the general reduction's
/// bookkeeping; the same additions in the same order as sum(0).
Tensor column_sums(const Tensor& g) {
  const int64_t rows = g.sizes()[0], cols = g.sizes()[1];
  if (!g.is_floating_point() || (rows != 1 && !g.is_contiguous())) return g.sum(0);
  Tensor out = detail::make_empty({cols}, g.dtype());
  detail::dispatch_float(g.dtype(), "sum", [&](auto tag) {
    kernels::column_sums<decltype(tag)>(detail::view_of(out), detail::view_of(g));
  });
  return out;
}

/// out[i, :] = bias for every row of contiguous `out`.
void fill_rows(const Tensor& out, const Tensor& bias) {
  const int64_t rows = out.sizes()[0], cols = out.sizes()[1];
  if (bias.strides()[0] != 1 || rows == 0) {
    detail::copy_kernel(out, bias);
    return;
  }
  const size_t row_bytes = static_cast<size_t>(cols) * out.element_size();
  char* dst = static_cast<char*>(out.raw_data());
  for (int64_t r = 0; r < rows; ++r) std::memcpy(dst + r * row_bytes, bias.raw_data(), row_bytes);
}

}  // namespace

Tensor mm(const Tensor& a, const Tensor& b) {
  check_mm("mm", a, b);
  Tensor out = mm_raw(a, b);
  return record(out, "MmBackward0", {a, b},
                [sa = SavedTensor(b.requires_grad() ? a : Tensor()),
                 sb = SavedTensor(a.requires_grad() ? b : Tensor())](const Tensor& g) {
                  Tensor ta = sa.unpack(), tb = sb.unpack();
                  return std::array{tb.defined() ? mm_raw(g, tb.t()) : Tensor(),
                                             ta.defined() ? mm_raw(ta.t(), g) : Tensor()};
                });
}

Tensor addmm(const Tensor& bias, const Tensor& a, const Tensor& b) {
  check_mm("addmm", a, b);
  Sizes shape{a.sizes()[0], b.sizes()[1]};
  TL_CHECK(broadcast_shapes(bias.sizes(), shape, "addmm") == shape, "addmm: bias of shape ",
           shape_str(bias.sizes()), " cannot be broadcast to ", shape_str(shape));
  TL_CHECK(bias.dtype() == a.dtype(), "addmm: expected bias and mat1 to have the same dtype");
  Tensor out = detail::make_empty(shape, a.dtype());
  detail::copy_kernel(out, bias);
  gemm_into(out, mat(a), mat(b), true);
  return record(out, "AddmmBackward0", {bias, a, b},
                [sa = SavedTensor(b.requires_grad() ? a : Tensor()),
                 sb = SavedTensor(a.requires_grad() ? b : Tensor()),
                 bias_sizes = bias.sizes()](const Tensor& g) {
                  Tensor ta = sa.unpack(), tb = sb.unpack();
                  return std::array{autograd::sum_to(g, bias_sizes),
                                             tb.defined() ? mm_raw(g, tb.t()) : Tensor(),
                                             ta.defined() ? mm_raw(ta.t(), g) : Tensor()};
                });
}

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  TL_CHECK(weight.dim() == 2, "linear: expected a 2-D weight, got ", weight.dim(), "-D");
  if (input.dim() != 2) {
    // Other ranks go through matmul, as in PyTorch; a mismatch is named for the folded input.
    TL_CHECK(input.dim() >= 1 && input.size(-1) == weight.sizes()[1],
             "mat1 and mat2 shapes cannot be multiplied (",
             input.dim() >= 1 ? input.numel() / std::max<int64_t>(input.size(-1), 1) : 1, "x",
             input.dim() >= 1 ? input.size(-1) : 0, " and ", weight.sizes()[1], "x",
             weight.sizes()[0], ")");
    Tensor out = input.matmul(weight.t());
    return bias.defined() ? out + bias : out;
  }
  TL_CHECK(input.sizes()[1] == weight.sizes()[1], "mat1 and mat2 shapes cannot be multiplied (",
           input.sizes()[0], "x", input.sizes()[1], " and ", weight.sizes()[1], "x", weight.sizes()[0], ")");
  TL_CHECK(input.dtype() == weight.dtype(), "linear: expected input and weight to have the same dtype, but got ",
           dtype_name(input.dtype()).substr(6), " != ", dtype_name(weight.dtype()).substr(6));
  const bool has_bias = bias.defined();
  if (has_bias) {
    TL_CHECK(bias.dim() == 1 && bias.sizes()[0] == weight.sizes()[0], "linear: bias of shape ",
             shape_str(bias.sizes()), " does not match weight of shape ", shape_str(weight.sizes()));
    TL_CHECK(bias.dtype() == input.dtype(), "linear: expected bias and input to have the same dtype");
  }
  Tensor out = detail::make_empty({input.sizes()[0], weight.sizes()[0]}, input.dtype());
  if (has_bias) fill_rows(out, bias);
  gemm_into(out, mat(input), mat(weight).t(), has_bias);
  if (!autograd::any_requires_grad({input, weight, bias})) return out;
  // grad_input = g @ W, grad_weight = g^T @ x, grad_bias = sum of g over rows.
  auto backward = [x = SavedTensor(weight.requires_grad() ? input : Tensor()),
                   w = SavedTensor(input.requires_grad() ? weight : Tensor()),
                   has_bias](const Tensor& g) {
    Tensor tx = x.unpack(), tw = w.unpack();
    std::array<Tensor, 3> grads;
    size_t i = 0;
    if (has_bias) grads[i++] = column_sums(g);
    if (tw.defined()) grads[i] = mm_raw(mat(g), mat(tw), g.dtype());
    if (tx.defined()) grads[i + 1] = mm_raw(mat(g).t(), mat(tx), g.dtype());
    return grads;
  };
  if (has_bias) return record(out, "AddmmBackward0", {bias, input, weight}, backward);
  return record(out, "MmBackward0", {input, weight}, backward);
}

Tensor Tensor::mm(const Tensor& other) const { return torchlite::mm(*this, other); }
Tensor Tensor::matmul(const Tensor& other) const { return torchlite::matmul(*this, other); }

Tensor matmul(const Tensor& a, const Tensor& b) {
  TL_CHECK(a.dim() > 0 && b.dim() > 0, "both arguments to matmul need to be at least 1D, but they are ",
           a.dim(), "D and ", b.dim(), "D");
  if (a.dim() == 1 && b.dim() == 1) {
    TL_CHECK(a.sizes()[0] == b.sizes()[0],
             "inconsistent tensor size, expected tensor [", a.sizes()[0],
             "] and src [", b.sizes()[0], "] to have the same number of elements, but got ",
             a.sizes()[0], " and ", b.sizes()[0], " elements respectively");
    Tensor out = mm_raw(a.detach().unsqueeze(0), b.detach().unsqueeze(1)).reshape({});
    return record(out, "DotBackward0", {a, b}, [sa = SavedTensor(a), sb = SavedTensor(b)](const Tensor& g) {
      return std::array{sb.unpack() * g, sa.unpack() * g};
    });
  }
  if (a.dim() == 2 && b.dim() == 1) {
    TL_CHECK(a.sizes()[1] == b.sizes()[0], "size mismatch, got input (", a.sizes()[0], "), mat (",
             a.sizes()[0], "x", a.sizes()[1], "), vec (", b.sizes()[0], ")");
    Tensor out = mm_raw(a.detach(), b.detach().unsqueeze(1)).reshape({a.sizes()[0]});
    return record(out, "MvBackward0", {a, b}, [sa = SavedTensor(a), sb = SavedTensor(b)](const Tensor& g) {
      Tensor ta = sa.unpack(), tb = sb.unpack();
      return std::array{mm_raw(g.unsqueeze(1), tb.unsqueeze(0)),
                                 mm_raw(ta.t(), g.unsqueeze(1)).reshape({ta.sizes()[1]})};
    });
  }
  if (a.dim() == 1 && b.dim() == 2) {
    return detail::named_reshape(mm(a.unsqueeze(0), b), {b.sizes()[1]}, "SqueezeBackward3");
  }
  if (a.dim() == 2 && b.dim() == 2) return mm(a, b);
  if (b.dim() <= 2) {
    // [..., n, k] @ [k, m]: fold the batch into rows.
    Tensor bb = b.dim() == 1 ? b.unsqueeze(1) : b;
    Sizes out_shape(a.sizes().begin(), a.sizes().end() - 1);
    out_shape.push_back(bb.sizes()[1]);
    return detail::named_reshape(mm(a.reshape({-1, a.sizes().back()}), bb),
                                 b.dim() == 1 ? Sizes(out_shape.begin(), out_shape.end() - 1) : out_shape,
                                 "UnsafeViewBackward0");
  }
  // General batched case: broadcast batch dims and multiply each matrix pair.
  Tensor aa = a.dim() == 1 ? a.unsqueeze(0) : a;
  Tensor bb = b;
  Sizes ba(aa.sizes().begin(), aa.sizes().end() - 2), bbs(bb.sizes().begin(), bb.sizes().end() - 2);
  Sizes batch = broadcast_shapes(ba, bbs, "matmul");
  const int64_t n = aa.sizes()[aa.dim() - 2], k = aa.sizes().back(), m = bb.sizes().back();
  TL_CHECK(bb.sizes()[bb.dim() - 2] == k, "Expected size for first two dimensions of batch2 tensor to be: [",
           shape_str(batch), ", ", k, "] but got: [", shape_str(bbs), ", ", bb.sizes()[bb.dim() - 2], "].");
  Sizes ea = batch, eb = batch;
  ea.insert(ea.end(), {n, k});
  eb.insert(eb.end(), {k, m});
  Tensor a3 = aa.expand(ea).reshape({-1, n, k});
  Tensor b3 = bb.expand(eb).reshape({-1, k, m});
  std::vector<Tensor> outs;
  for (int64_t i = 0; i < a3.sizes()[0]; ++i) outs.push_back(mm(a3.select(0, i), b3.select(0, i)));
  Sizes out_shape = batch;
  out_shape.insert(out_shape.end(), {n, m});
  if (a.dim() == 1) out_shape.erase(out_shape.end() - 2);
  return detail::named_reshape(stack(outs, 0), out_shape, "UnsafeViewBackward0");
}

}  // namespace torchlite
