// nn::MultiheadAttention: PyTorch 1.13's parameters, initialisation and
// F.multi_head_attention_forward, with the heads computed by the fused ops of ops/attention.h on
// strided views of the projections (no per-head copies).
#include "core/tensor_util.h"
#include "torchlite/nn/attention.h"

#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include "nn/attention_impl.h"
#include "torchlite/nn/init.h"
#include "torchlite/ops/attention.h"

namespace torchlite::nn {

using torchlite::detail::py_tuple;

namespace attention_impl {
namespace {

std::string py_size(const Sizes& s) {
  std::ostringstream os;
  os << s;
  return os.str();
}

/// x [..., in] @ w^T + b through one 2-D GEMM, back in x's leading shape.
Tensor project(const Tensor& x, const Tensor& w, const Tensor& b) {
  Sizes shape = x.sizes();
  shape.back() = w.size(0);
  return linear(x.reshape({-1, x.size(-1)}), w, b).view(shape);
}

/// A bool mask as PyTorch adds it: -inf where true, 0 elsewhere, in `dtype`.
Tensor additive(const Tensor& mask, Dtype dtype, bool true_masks) {
  if (mask.dtype() != kBool) return mask.to(dtype).detach();
  const double inf = std::numeric_limits<double>::infinity();
  Tensor in = full(Sizes{}, -inf, dtype), out = zeros(Sizes{}, dtype);
  return true_masks ? where(mask, in, out) : where(mask, out, in);
}

/// Appends one zero column (a key that every query may see) to an additive mask.
Tensor pad_key(const Tensor& mask) {
  Sizes s = mask.sizes();
  s.back() = 1;
  return cat({mask, zeros(s, mask.dtype())}, -1);
}

/// [B, S, E] (or [S, B, E] when seq_first) columns [col, col + H * D) as heads [B, H, S, D].
Tensor heads(const Tensor& t, int64_t col, int64_t H, int64_t D, bool seq_first) {
  Tensor c = t.narrow(2, col, H * D).unflatten(2, {H, D});
  return seq_first ? c.permute({1, 2, 0, 3}) : c.permute({0, 2, 1, 3});
}

}  // namespace

std::pair<Tensor, Tensor> multi_head_attention(
    const Tensor& query, const Tensor& key, const Tensor& value, int64_t embed_dim_to_check,
    int64_t num_heads, const functional::MultiheadAttentionForwardFuncOptions& o,
    bool batch_first) {
  // _mha_shape_check.
  bool batched = true;
  if (query.dim() == 3) {
    TL_CHECK(key.dim() == 3 && value.dim() == 3,
             "For batched (3-D) `query`, expected `key` and `value` to be 3-D but found ",
             key.dim(), "-D and ", value.dim(), "-D tensors respectively");
    if (o.key_padding_mask.defined())
      TL_CHECK(o.key_padding_mask.dim() == 2,
               "For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
               "found ",
               o.key_padding_mask.dim(), "-D tensor instead");
    if (o.attn_mask.defined())
      TL_CHECK(
          o.attn_mask.dim() == 2 || o.attn_mask.dim() == 3,
          "For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found ",
          o.attn_mask.dim(), "-D tensor instead");
  } else if (query.dim() == 2) {
    batched = false;
    TL_CHECK(key.dim() == 2 && value.dim() == 2,
             "For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found ",
             key.dim(), "-D and ", value.dim(), "-D tensors respectively");
    if (o.key_padding_mask.defined())
      TL_CHECK(o.key_padding_mask.dim() == 1,
               "For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D but "
               "found ",
               o.key_padding_mask.dim(), "-D tensor instead");
    if (o.attn_mask.defined()) {
      TL_CHECK(o.attn_mask.dim() == 2 || o.attn_mask.dim() == 3,
               "For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
               "found ",
               o.attn_mask.dim(), "-D tensor instead");
      if (o.attn_mask.dim() == 3)
        TL_CHECK((o.attn_mask.sizes() == Sizes{num_heads, query.size(0), key.size(0)}),
                 "Expected `attn_mask` shape to be ",
                 py_tuple({num_heads, query.size(0), key.size(0)}), " but got ",
                 py_size(o.attn_mask.sizes()));
    }
  } else {
    throw Error("query should be unbatched 2D or batched 3D tensor but received " +
                std::to_string(query.dim()) + "-D query tensor");
  }
  // Inputs as [B, L, E] (batch first, or unbatched) or [L, B, E] (seq_first) tensors.
  const bool seq_first = batched && !batch_first;
  Tensor q_in = batched ? query : query.unsqueeze(0);
  Tensor k_in = batched ? key : key.unsqueeze(0);
  Tensor v_in = batched ? value : value.unsqueeze(0);
  Tensor kpm = o.key_padding_mask;
  if (kpm.defined()) {
    if (!batched) kpm = kpm.unsqueeze(0);
    TL_CHECK(kpm.dtype() == kBool || kpm.is_floating_point(),
             "only bool and floating types of key_padding_mask are supported");
  }
  const int bdim = seq_first ? 1 : 0, sdim = seq_first ? 0 : 1;
  const int64_t L = q_in.size(sdim), B = q_in.size(bdim), E = q_in.size(2);
  int64_t S = k_in.size(sdim);
  TL_CHECK(E == embed_dim_to_check, "was expecting embedding dimension of ", embed_dim_to_check,
           ", but got ", E);
  const int64_t H = num_heads, D = E / std::max<int64_t>(H, 1);
  TL_CHECK(D * H == E, "embed_dim ", E, " not divisible by num_heads ", H);
  if (o.use_separate_proj_weight) {
    TL_CHECK(
        key.size(0) == value.size(0) && (!batched || key.size(1) == value.size(1)),
        "key's sequence and batch dims ",
        py_size(Sizes(key.sizes().begin(), key.sizes().begin() + std::min<int64_t>(2, key.dim()))),
        " do not match value's ",
        py_size(Sizes(value.sizes().begin(),
                      value.sizes().begin() + std::min<int64_t>(2, value.dim()))));
  } else {
    TL_CHECK(key.sizes() == value.sizes(), "key shape ", py_size(key.sizes()),
             " does not match value shape ", py_size(value.sizes()));
  }
  // In-projections: one GEMM for self-attention, two when key is value.
  Tensor qp, kp, vp;
  int64_t qc = 0, kc = 0, vc = 0;
  const Tensor& bias = o.in_proj_bias;
  auto bias_part = [&](int64_t i, int64_t n) {
    return bias.defined() ? bias.narrow(0, i * E, n * E) : Tensor();
  };
  if (!o.use_separate_proj_weight) {
    TL_CHECK(o.in_proj_weight.defined(),
             "use_separate_proj_weight is False but in_proj_weight is None");
    const Tensor& w = o.in_proj_weight;
    if (query.is_same(key) && key.is_same(value)) {
      qp = kp = vp = project(q_in, w, bias);
      kc = E;
      vc = 2 * E;
    } else if (key.is_same(value)) {
      qp = project(q_in, w.narrow(0, 0, E), bias_part(0, 1));
      kp = vp = project(k_in, w.narrow(0, E, 2 * E), bias_part(1, 2));
      vc = E;
    } else {
      qp = project(q_in, w.narrow(0, 0, E), bias_part(0, 1));
      kp = project(k_in, w.narrow(0, E, E), bias_part(1, 1));
      vp = project(v_in, w.narrow(0, 2 * E, E), bias_part(2, 1));
    }
  } else {
    TL_CHECK(o.q_proj_weight.defined(),
             "use_separate_proj_weight is True but q_proj_weight is None");
    TL_CHECK(o.k_proj_weight.defined(),
             "use_separate_proj_weight is True but k_proj_weight is None");
    TL_CHECK(o.v_proj_weight.defined(),
             "use_separate_proj_weight is True but v_proj_weight is None");
    const int64_t Ek = key.size(-1), Ev = value.size(-1);
    TL_CHECK((o.q_proj_weight.sizes() == Sizes{E, E}), "expecting query weights shape of ",
             py_tuple({E, E}), ", but got ", py_size(o.q_proj_weight.sizes()));
    TL_CHECK((o.k_proj_weight.sizes() == Sizes{E, Ek}), "expecting key weights shape of ",
             py_tuple({E, Ek}), ", but got ", py_size(o.k_proj_weight.sizes()));
    TL_CHECK((o.v_proj_weight.sizes() == Sizes{E, Ev}), "expecting value weights shape of ",
             py_tuple({E, Ev}), ", but got ", py_size(o.v_proj_weight.sizes()));
    qp = project(q_in, o.q_proj_weight, bias_part(0, 1));
    kp = project(k_in, o.k_proj_weight, bias_part(1, 1));
    vp = project(v_in, o.v_proj_weight, bias_part(2, 1));
  }
  // Masks, as additive [*, *, L, S] tensors.
  std::vector<Tensor> masks;
  Tensor am;
  if (o.attn_mask.defined()) {
    const Tensor& m = o.attn_mask;
    TL_CHECK(m.is_floating_point() || m.dtype() == kBool || m.dtype() == kUInt8,
             "Only float, byte, and bool types are supported for attn_mask, not ",
             dtype_name(m.dtype()));
    if (m.dim() == 2) {
      TL_CHECK(m.size(0) == L && m.size(1) == S, "The shape of the 2D attn_mask is ",
               py_size(m.sizes()), ", but should be ", py_tuple({L, S}), ".");
      am = additive(m.dtype() == kUInt8 ? m.ne(0) : m, qp.dtype(), true).view({1, 1, L, S});
    } else if (m.dim() == 3) {
      TL_CHECK((m.sizes() == Sizes{B * H, L, S}), "The shape of the 3D attn_mask is ",
               py_size(m.sizes()), ", but should be ", py_tuple({B * H, L, S}), ".");
      am = additive(m.dtype() == kUInt8 ? m.ne(0) : m, qp.dtype(), true).reshape({B, H, L, S});
    } else {
      throw Error("attn_mask's dimension " + std::to_string(m.dim()) + " is not supported");
    }
  }
  if (kpm.defined()) kpm = additive(kpm, qp.dtype(), true);
  // Keys [B, S, E] (or [S, B, E]) and values, extended by bias_k / bias_v and a zero key.
  Tensor kt = kp, vt = vp;
  auto append = [&](const Tensor& t, int64_t col, const Tensor& row) {
    Tensor part = col == 0 && t.size(2) == E ? t : t.narrow(2, col, E);
    return cat({part, row}, sdim);
  };
  const Sizes row_shape = seq_first ? Sizes{1, B, E} : Sizes{B, 1, E};
  if (o.bias_k.defined() && o.bias_v.defined()) {
    kt = append(kt, kc, o.bias_k.expand(row_shape));
    vt = append(vt, vc, o.bias_v.expand(row_shape));
    kc = vc = 0;
    if (am.defined()) am = pad_key(am);
    if (kpm.defined()) kpm = pad_key(kpm);
  } else {
    TL_CHECK(!o.bias_k.defined() && !o.bias_v.defined(), "bias_k and bias_v must both be given");
  }
  if (o.add_zero_attn) {
    kt = append(kt, kc, zeros(row_shape, kt.dtype()));
    vt = append(vt, vc, zeros(row_shape, vt.dtype()));
    kc = vc = 0;
    if (am.defined()) am = pad_key(am);
    if (kpm.defined()) kpm = pad_key(kpm);
  }
  S = kt.size(sdim);
  if (am.defined()) masks.push_back(am);
  if (kpm.defined()) {
    TL_CHECK(kpm.dim() == 2 && kpm.size(0) == B && kpm.size(1) == S,
             "expecting key_padding_mask shape of ", py_tuple({B, S}), ", but got ",
             py_size(kpm.sizes()));
    masks.push_back(kpm.view({B, 1, 1, S}));
  }
  const double p = o.training ? o.dropout_p : 0.0;
  Tensor probs = attention_probs(heads(qp, qc, H, D, seq_first), heads(kt, kc, H, D, seq_first),
                                 1.0 / std::sqrt(static_cast<double>(D)), masks, false, p);
  Tensor attn = attention_values(probs, heads(vt, vc, H, D, seq_first), seq_first);
  Tensor out = project(attn, o.out_proj_weight, o.out_proj_bias);
  if (!batched) out = out.squeeze(0);
  if (!o.need_weights) return {out, Tensor()};
  Tensor weights = o.average_attn_weights ? probs.sum(1) / static_cast<double>(H) : probs;
  if (!batched) weights = weights.squeeze(0);
  return {out, weights};
}

}  // namespace attention_impl

MultiheadAttentionImpl::MultiheadAttentionImpl(int64_t embed_dim, int64_t num_heads,
                                               const MultiheadAttentionOptions& options)
    : embed_dim(embed_dim),
      kdim(options.kdim.value_or(embed_dim)),
      vdim(options.vdim.value_or(embed_dim)),
      num_heads(num_heads),
      head_dim(num_heads != 0 ? embed_dim / num_heads : 0),
      dropout(options.dropout),
      batch_first(options.batch_first),
      add_zero_attn(options.add_zero_attn),
      out_proj(nullptr) {
  TL_CHECK(num_heads > 0 && head_dim * num_heads == embed_dim,
           "embed_dim must be divisible by num_heads");
  if (kdim == embed_dim && vdim == embed_dim) {
    in_proj_weight = register_parameter("in_proj_weight", empty({3 * embed_dim, embed_dim}));
  } else {
    q_proj_weight = register_parameter("q_proj_weight", empty({embed_dim, embed_dim}));
    k_proj_weight = register_parameter("k_proj_weight", empty({embed_dim, kdim}));
    v_proj_weight = register_parameter("v_proj_weight", empty({embed_dim, vdim}));
  }
  if (options.bias) in_proj_bias = register_parameter("in_proj_bias", empty({3 * embed_dim}));
  if (options.add_bias_kv) {
    bias_k = register_parameter("bias_k", empty({1, 1, embed_dim}));
    bias_v = register_parameter("bias_v", empty({1, 1, embed_dim}));
  }
  out_proj = register_module("out_proj", std::make_shared<NonDynamicallyQuantizableLinearImpl>(
                                             embed_dim, embed_dim, options.bias));
  reset_attention_parameters();
}

void MultiheadAttentionImpl::reset_parameters() {
  out_proj->reset_parameters();
  reset_attention_parameters();
}

void MultiheadAttentionImpl::reset_attention_parameters() {
  if (in_proj_weight.defined()) {
    init::xavier_uniform_(in_proj_weight);
  } else {
    init::xavier_uniform_(q_proj_weight);
    init::xavier_uniform_(k_proj_weight);
    init::xavier_uniform_(v_proj_weight);
  }
  if (in_proj_bias.defined()) {
    init::constant_(in_proj_bias, 0.0);
    init::constant_(out_proj->bias, 0.0);
  }
  if (bias_k.defined()) init::xavier_normal_(bias_k);
  if (bias_v.defined()) init::xavier_normal_(bias_v);
}

std::pair<Tensor, Tensor> MultiheadAttentionImpl::forward(
    const Tensor& query, const Tensor& key, const Tensor& value,
    const MultiheadAttentionForwardOptions& options) {
  functional::MultiheadAttentionForwardFuncOptions o;
  o.in_proj_weight = in_proj_weight;
  o.in_proj_bias = in_proj_bias;
  o.bias_k = bias_k;
  o.bias_v = bias_v;
  o.add_zero_attn = add_zero_attn;
  o.dropout_p = dropout;
  o.out_proj_weight = out_proj->weight;
  o.out_proj_bias = out_proj->bias;
  o.training = is_training();
  o.key_padding_mask = options.key_padding_mask;
  o.need_weights = options.need_weights;
  o.attn_mask = options.attn_mask;
  o.use_separate_proj_weight = !in_proj_weight.defined();
  o.q_proj_weight = q_proj_weight;
  o.k_proj_weight = k_proj_weight;
  o.v_proj_weight = v_proj_weight;
  o.average_attn_weights = options.average_attn_weights;
  return attention_impl::multi_head_attention(query, key, value, embed_dim, num_heads, o,
                                              batch_first);
}

}  // namespace torchlite::nn
