// rnn_layer: kernels/rnn.h's forward and backward through time as one autograd node. The node
// has one output, a flat buffer holding output, h_n and c_n, which the caller sees as views.
#include "torchlite/ops/rnn.h"

#include <memory>

#include "core/tensor_util.h"
#include "kernels/rnn.h"
#include "torchlite/autograd/function.h"

namespace torchlite {
namespace {

using kernels::RnnCell;

RnnCell cell_of(RnnMode mode) {
  switch (mode) {
    case RnnMode::kRnnTanh:
      return RnnCell::kTanh;
    case RnnMode::kRnnRelu:
      return RnnCell::kRelu;
    case RnnMode::kLstm:
      return RnnCell::kLstm;
    default:
      return RnnCell::kGru;
  }
}

const char* node_name(RnnMode mode) {
  switch (mode) {
    case RnnMode::kRnnTanh:
      return "RnnTanhBackward0";
    case RnnMode::kRnnRelu:
      return "RnnReluBackward0";
    case RnnMode::kLstm:
      return "LstmBackward0";
    default:
      return "GruBackward0";
  }
}

template <class T>
const T* ptr(const Tensor& t) {
  return t.defined() ? t.data_ptr<T>() : nullptr;
}

/// Everything the backward needs: contiguous detached inputs and the kernels' saved rows.
template <class T>
struct LayerState {
  std::vector<kernels::RnnShape> shapes;  // one per direction
  Tensor x;
  std::vector<RnnDirectionWeights> w;  // contiguous, detached
  std::vector<kernels::RnnSaved<T>> saved;
};

template <class T>
kernels::RnnWeights<T> raw(const RnnDirectionWeights& w) {
  return {ptr<T>(w.w_ih), ptr<T>(w.w_hh), ptr<T>(w.b_ih), ptr<T>(w.b_hh), ptr<T>(w.w_hr)};
}

template <class T>
RnnLayerOutput run(RnnMode mode, const Tensor& input, const std::vector<int64_t>& batch_sizes,
                   const Tensor& h0, const Tensor& c0,
                   const std::vector<RnnDirectionWeights>& weights) {
  const bool lstm = mode == RnnMode::kLstm;
  const int64_t D = static_cast<int64_t>(weights.size());
  auto st = std::make_shared<LayerState<T>>();
  st->x = input.detach().contiguous();
  for (const RnnDirectionWeights& w : weights) {
    auto c = [](const Tensor& t) { return t.defined() ? t.detach().contiguous() : Tensor(); };
    st->w.push_back({c(w.w_ih), c(w.w_hh), c(w.b_ih), c(w.b_hh), c(w.w_hr)});
  }
  const int64_t I = input.size(1), P = weights[0].w_hh.size(1);
  const int64_t H = weights[0].w_hr.defined() ? weights[0].w_hr.size(1) : P;
  const int64_t B = batch_sizes.empty() ? 0 : batch_sizes[0];
  kernels::RnnShape shape{cell_of(mode), I, H, P, B, batch_sizes, {}, false};
  int64_t N = 0;
  for (int64_t bs : batch_sizes) {
    shape.offsets.push_back(N);
    N += bs;
  }
  std::vector<Tensor> inputs{input, h0};
  if (lstm) inputs.push_back(c0);
  for (const RnnDirectionWeights& w : weights)
    for (const Tensor* t : {&w.w_ih, &w.w_hh, &w.b_ih, &w.b_hh, &w.w_hr})
      if (t->defined()) inputs.push_back(*t);
  const bool grad = autograd::any_requires_grad(inputs);

  const int64_t n_out = N * D * P, n_h = D * B * P, n_c = lstm ? D * B * H : 0;
  Tensor flat = detail::make_empty({n_out + n_h + n_c}, input.dtype());
  T* base = flat.data_ptr<T>();
  T* hs = base + n_out;
  T* cs = hs + n_h;
  std::copy_n(h0.detach().contiguous().data_ptr<T>(), n_h, hs);
  if (lstm) std::copy_n(c0.detach().contiguous().data_ptr<T>(), n_c, cs);
  if (grad) st->saved.resize(D);
  for (int64_t d = 0; d < D; ++d) {
    shape.reverse = d == 1;
    st->shapes.push_back(shape);
    kernels::rnn_forward<T>(shape, ptr<T>(st->x), raw<T>(st->w[d]), hs + d * B * P,
                            lstm ? cs + d * B * H : nullptr, base + d * P, D * P,
                            grad ? &st->saved[d] : nullptr);
  }
  if (grad) {
    flat = autograd::attach_node(
        flat, node_name(mode), inputs, [st, lstm, D, N, B, P, H, I, n_out, n_h](const Tensor& g) {
          std::vector<Tensor> grads;
          if (!g.defined()) return grads;
          const Tensor gc = g.contiguous();
          const T* gp = gc.data_ptr<T>();
          Tensor dx = zeros({N, I}, gc.dtype());
          Tensor dh = detail::make_empty({D, B, P}, gc.dtype());
          std::copy_n(gp + n_out, n_h, dh.data_ptr<T>());
          Tensor dc;
          if (lstm) {
            dc = detail::make_empty({D, B, H}, gc.dtype());
            std::copy_n(gp + n_out + n_h, D * B * H, dc.data_ptr<T>());
          }
          std::vector<Tensor> dws;
          for (int64_t d = 0; d < D; ++d) {
            const RnnDirectionWeights& w = st->w[d];
            auto like = [&](const Tensor& t) {
              return t.defined() ? detail::make_empty(t.sizes(), t.dtype()) : Tensor();
            };
            RnnDirectionWeights dw{like(w.w_ih), like(w.w_hh), like(w.b_ih), like(w.b_hh),
                                   like(w.w_hr)};
            kernels::rnn_backward<T>(
                st->shapes[d], ptr<T>(st->x), raw<T>(w), st->saved[d], gp + d * P, D * P,
                dh.data_ptr<T>() + d * B * P, lstm ? dc.data_ptr<T>() + d * B * H : nullptr,
                dx.data_ptr<T>(), I, const_cast<T*>(ptr<T>(dw.w_ih)),
                const_cast<T*>(ptr<T>(dw.w_hh)), const_cast<T*>(ptr<T>(dw.b_ih)),
                const_cast<T*>(ptr<T>(dw.b_hh)), const_cast<T*>(ptr<T>(dw.w_hr)));
            for (Tensor* t : {&dw.w_ih, &dw.w_hh, &dw.b_ih, &dw.b_hh, &dw.w_hr})
              if (t->defined()) dws.push_back(std::move(*t));
          }
          grads.push_back(dx);
          grads.push_back(dh);
          if (lstm) grads.push_back(dc);
          for (Tensor& t : dws) grads.push_back(std::move(t));
          return grads;
        });
  }
  RnnLayerOutput out;
  out.output = flat.narrow(0, 0, n_out).view({N, D * P});
  out.h_n = flat.narrow(0, n_out, n_h).view({D, B, P});
  if (lstm) out.c_n = flat.narrow(0, n_out + n_h, n_c).view({D, B, H});
  return out;
}

}  // namespace

RnnLayerOutput rnn_layer(RnnMode mode, const Tensor& input, const std::vector<int64_t>& batch_sizes,
                         const Tensor& h0, const Tensor& c0,
                         const std::vector<RnnDirectionWeights>& weights) {
  TL_CHECK(!weights.empty() && weights.size() <= 2, "rnn_layer: expected 1 or 2 directions");
  TL_CHECK(input.dim() == 2, "rnn_layer: input must be 2-D, got ", input.dim(), "-D");
  const Dtype dt = input.dtype();
  TL_CHECK(dt == kFloat32 || dt == kFloat64, "rnn_layer: expected float32 or float64 input");
  for (const RnnDirectionWeights& w : weights)
    for (const Tensor* t : {&w.w_ih, &w.w_hh, &w.b_ih, &w.b_hh, &w.w_hr})
      TL_CHECK(!t->defined() || t->dtype() == dt,
               "input and parameter tensors are not the same dtype, found input tensor with ",
               dtype_name(dt), " and parameter tensor with ", dtype_name(t->dtype()));
  TL_CHECK(h0.dtype() == dt && (!c0.defined() || c0.dtype() == dt), "Expected hidden state dtype ",
           dtype_name(dt));
  if (dt == kFloat32) return run<float>(mode, input, batch_sizes, h0, c0, weights);
  return run<double>(mode, input, batch_sizes, h0, c0, weights);
}

}  // namespace torchlite
