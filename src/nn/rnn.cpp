// nn::RNN/LSTM/GRU and the cells: PyTorch's parameters, draws, checks and repr around
// torchlite/ops/rnn.h's fused layer.
#include "torchlite/nn/rnn.h"

#include <cmath>
#include <iostream>

#include "core/tensor_util.h"
#include "torchlite/nn/functional.h"
#include "torchlite/nn/init.h"
#include "torchlite/ops/rnn.h"
#include "torchlite/printing.h"

namespace torchlite::nn {

using torchlite::detail::py_tuple;
using torchlite::detail::shape_str;

namespace {

int64_t gates_of(const std::string& mode) { return mode == "LSTM" ? 4 : mode == "GRU" ? 3 : 1; }

RnnMode mode_of(const std::string& mode) {
  if (mode == "LSTM") return RnnMode::kLstm;
  if (mode == "GRU") return RnnMode::kGru;
  return mode == "RNN_RELU" ? RnnMode::kRnnRelu : RnnMode::kRnnTanh;
}

/// U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) over `params`, in order.
void uniform_all(const std::vector<Tensor>& params, int64_t hidden_size) {
  const double stdv = hidden_size > 0 ? 1.0 / std::sqrt(static_cast<double>(hidden_size)) : 0.0;
  for (Tensor p : params) init::uniform_(p, -stdv, stdv);
}

}  // namespace

// ---- RNNBase ----

RNNImplBase::RNNImplBase(std::string mode_, int64_t input_size_, int64_t hidden_size_,
                         int64_t num_layers_, bool bias_, bool batch_first_, double dropout_,
                         bool bidirectional_, int64_t proj_size_)
    : mode(std::move(mode_)),
      input_size(input_size_),
      hidden_size(hidden_size_),
      num_layers(num_layers_),
      bias(bias_),
      batch_first(batch_first_),
      dropout(dropout_),
      bidirectional(bidirectional_),
      proj_size(proj_size_) {
  TL_CHECK(dropout >= 0.0 && dropout <= 1.0,
           "dropout should be a number in range [0, 1] representing the probability of an "
           "element being zeroed");
  if (dropout > 0 && num_layers == 1)
    std::cerr << "UserWarning: dropout option adds dropout after all but last recurrent layer, "
                 "so non-zero dropout expects num_layers greater than 1, but got dropout="
              << format_python_float(dropout) << " and num_layers=" << num_layers << "\n";
  TL_CHECK(proj_size >= 0, "proj_size should be a positive integer or zero to disable projections");
  TL_CHECK(proj_size < hidden_size, "proj_size has to be smaller than hidden_size");
  const int64_t gate_size = gates_of(mode) * hidden_size;
  const int64_t D = bidirectional ? 2 : 1;
  const int64_t real_hidden = proj_size > 0 ? proj_size : hidden_size;
  for (int64_t layer = 0; layer < num_layers; ++layer) {
    for (int64_t d = 0; d < D; ++d) {
      const int64_t in = layer == 0 ? input_size : real_hidden * D;
      const std::string sfx = std::to_string(layer) + (d == 1 ? "_reverse" : "");
      std::vector<std::string> names{"weight_ih_l" + sfx, "weight_hh_l" + sfx};
      register_parameter(names[0], empty({gate_size, in}));
      register_parameter(names[1], empty({gate_size, real_hidden}));
      if (bias) {
        names.push_back("bias_ih_l" + sfx);
        names.push_back("bias_hh_l" + sfx);
        register_parameter(names[2], empty({gate_size}));
        register_parameter(names[3], empty({gate_size}));
      }
      if (proj_size > 0) {
        names.push_back("weight_hr_l" + sfx);
        register_parameter(names.back(), empty({proj_size, hidden_size}));
      }
      names_.push_back(std::move(names));
    }
  }
  reset_parameters();
}

void RNNImplBase::reset_parameters() { uniform_all(parameters(), hidden_size); }

std::vector<std::vector<Tensor>> RNNImplBase::all_weights() const {
  const NamedTensors named = named_parameters(false);
  std::vector<std::vector<Tensor>> out;
  for (const auto& names : names_) {
    std::vector<Tensor> group;
    for (const std::string& n : names)
      for (const auto& [key, t] : named)
        if (key == n) group.push_back(t);
    out.push_back(std::move(group));
  }
  return out;
}

std::string RNNImplBase::extra_repr() const {
  std::string s = std::to_string(input_size) + ", " + std::to_string(hidden_size);
  if (proj_size != 0) s += ", proj_size=" + std::to_string(proj_size);
  if (num_layers != 1) s += ", num_layers=" + std::to_string(num_layers);
  if (!bias) s += ", bias=False";
  if (batch_first) s += ", batch_first=True";
  if (dropout != 0) s += ", dropout=" + format_python_float(dropout);
  if (bidirectional) s += ", bidirectional=True";
  return s;
}

void RNNImplBase::check_input(const Tensor& input, bool packed) const {
  const int64_t expected = packed ? 2 : 3;
  TL_CHECK(input.dim() == expected, "input must have ", expected, " dimensions, got ", input.dim());
  TL_CHECK(input.size(-1) == input_size, "input.size(-1) must be equal to input_size. Expected ",
           input_size, ", got ", input.size(-1));
}

Sizes RNNImplBase::expected_hidden(int64_t batch, bool cell_state) const {
  const int64_t D = bidirectional ? 2 : 1;
  return {num_layers * D, batch, proj_size > 0 && !cell_state ? proj_size : hidden_size};
}

void RNNImplBase::check_hidden(const Tensor& hx, const Sizes& expected, const char* what) const {
  TL_CHECK(hx.sizes() == expected, "Expected ", what, " size ", py_tuple(expected),
           ", got ", shape_str(hx.sizes()));
}

std::tuple<Tensor, Tensor, Tensor> RNNImplBase::run(const Tensor& x,
                                                    const std::vector<int64_t>& batch_sizes,
                                                    const Tensor& hx, const Tensor& cx) {
  const bool lstm = mode == "LSTM";
  const int64_t D = bidirectional ? 2 : 1;
  const auto weights = all_weights();
  Tensor layer_in = x;
  std::vector<Tensor> hs, cs;
  for (int64_t l = 0; l < num_layers; ++l) {
    std::vector<RnnDirectionWeights> w;
    for (int64_t d = 0; d < D; ++d) {
      const std::vector<Tensor>& p = weights[l * D + d];
      RnnDirectionWeights dw{p[0], p[1], {}, {}, {}};
      if (bias) {
        dw.b_ih = p[2];
        dw.b_hh = p[3];
      }
      if (proj_size > 0) dw.w_hr = p.back();
      w.push_back(std::move(dw));
    }
    RnnLayerOutput out = rnn_layer(mode_of(mode), layer_in, batch_sizes, hx.narrow(0, l * D, D),
                                   lstm ? cx.narrow(0, l * D, D) : Tensor(), w);
    layer_in = out.output;
    if (dropout != 0 && is_training() && l < num_layers - 1)
      layer_in = functional::dropout(layer_in, dropout, true);
    hs.push_back(out.h_n);
    if (lstm) cs.push_back(out.c_n);
  }
  return {layer_in, num_layers == 1 ? hs[0] : cat(hs, 0),
          lstm ? (num_layers == 1 ? cs[0] : cat(cs, 0)) : Tensor()};
}

std::tuple<Tensor, Tensor, Tensor> RNNImplBase::forward_tensor(const Tensor& input, Tensor hx,
                                                               Tensor cx) {
  const bool lstm = mode == "LSTM";
  const bool batched = input.dim() == 3;
  const int64_t batch_dim = batch_first ? 0 : 1;
  Tensor x = batched ? input : input.unsqueeze(batch_dim);
  if (hx.defined()) {
    if (lstm) {
      if (batched)
        TL_CHECK(hx.dim() == 3 && cx.dim() == 3,
                 "For batched 3-D input, hx and cx should also be 3-D but got (", hx.dim(), "-D, ",
                 cx.dim(), "-D) tensors");
      else
        TL_CHECK(hx.dim() == 2 && cx.dim() == 2,
                 "For unbatched 2-D input, hx and cx should also be 2-D but got (", hx.dim(),
                 "-D, ", cx.dim(), "-D) tensors");
    } else if (batched) {
      TL_CHECK(hx.dim() == 3, "For batched 3-D input, hx should also be 3-D but got ", hx.dim(),
               "-D tensor");
    } else {
      TL_CHECK(hx.dim() == 2, "For unbatched 2-D input, hx should also be 2-D but got ", hx.dim(),
               "-D tensor");
    }
    if (!batched) {
      hx = hx.unsqueeze(1);
      if (lstm) cx = cx.unsqueeze(1);
    }
  }
  check_input(x, false);
  const int64_t B = x.size(batch_first ? 0 : 1);
  if (!hx.defined()) {
    hx = zeros(expected_hidden(B, false), x.dtype());
    if (lstm) cx = zeros(expected_hidden(B, true), x.dtype());
  }
  check_hidden(hx, expected_hidden(B, false), lstm ? "hidden[0]" : "hidden");
  if (lstm) check_hidden(cx, expected_hidden(B, true), "hidden[1]");
  Tensor tm = batch_first ? x.transpose(0, 1) : x;  // time-major [T, B, I]
  const int64_t T = tm.size(0);
  std::vector<int64_t> batch_sizes(T, B);
  auto [out, h_n, c_n] = run(tm.contiguous().reshape({T * B, input_size}), batch_sizes, hx, cx);
  Tensor output = out.view({T, B, out.size(1)});
  if (batch_first) output = output.transpose(0, 1);
  if (!batched) {
    output = output.squeeze(batch_dim);
    h_n = h_n.squeeze(1);
    if (lstm) c_n = c_n.squeeze(1);
  }
  return {output, h_n, c_n};
}

std::tuple<PackedSequence, Tensor, Tensor> RNNImplBase::forward_packed(const PackedSequence& input,
                                                                       Tensor hx, Tensor cx) {
  const bool lstm = mode == "LSTM";
  const Tensor bs = input.batch_sizes.to(kInt64).contiguous();
  std::vector<int64_t> batch_sizes(bs.data_ptr<int64_t>(), bs.data_ptr<int64_t>() + bs.numel());
  const int64_t B = batch_sizes.empty() ? 0 : batch_sizes[0];
  if (!hx.defined()) {
    hx = zeros(expected_hidden(B, false), input.data.dtype());
    if (lstm) cx = zeros(expected_hidden(B, true), input.data.dtype());
  } else if (input.sorted_indices.defined()) {
    hx = hx.index_select(1, input.sorted_indices);
    if (lstm) cx = cx.index_select(1, input.sorted_indices);
  }
  check_input(input.data, true);
  check_hidden(hx, expected_hidden(B, false), lstm ? "hidden[0]" : "hidden");
  if (lstm) check_hidden(cx, expected_hidden(B, true), "hidden[1]");
  auto [out, h_n, c_n] = run(input.data, batch_sizes, hx, cx);
  if (input.unsorted_indices.defined()) {
    h_n = h_n.index_select(1, input.unsorted_indices);
    if (lstm) c_n = c_n.index_select(1, input.unsorted_indices);
  }
  return {PackedSequence{out, input.batch_sizes, input.sorted_indices, input.unsorted_indices}, h_n,
          c_n};
}

// ---- RNN, LSTM, GRU ----

namespace {
std::string rnn_mode(const std::string& nonlinearity) {
  if (nonlinearity == "tanh") return "RNN_TANH";
  if (nonlinearity == "relu") return "RNN_RELU";
  throw Error("Unknown nonlinearity '" + nonlinearity + "'");
}
}  // namespace

RNNImpl::RNNImpl(int64_t input_size, int64_t hidden_size, const RNNOptions& o)
    : RNNImplBase(rnn_mode(o.nonlinearity), input_size, hidden_size, o.num_layers, o.bias,
                  o.batch_first, o.dropout, o.bidirectional, 0),
      nonlinearity(o.nonlinearity) {}

std::pair<Tensor, Tensor> RNNImpl::forward(const Tensor& input, const Tensor& hx) {
  auto [out, h, c] = forward_tensor(input, hx, {});
  return {out, h};
}

std::pair<PackedSequence, Tensor> RNNImpl::forward(const PackedSequence& input, const Tensor& hx) {
  auto [out, h, c] = forward_packed(input, hx, {});
  return {out, h};
}

LSTMImpl::LSTMImpl(int64_t input_size, int64_t hidden_size, const LSTMOptions& o)
    : RNNImplBase("LSTM", input_size, hidden_size, o.num_layers, o.bias, o.batch_first, o.dropout,
                  o.bidirectional, o.proj_size) {}

std::pair<Tensor, LSTMState> LSTMImpl::forward(const Tensor& input, const LSTMState& hx) {
  TL_CHECK(hx.first.defined() == hx.second.defined(),
           "LSTM: the initial state needs both h_0 and c_0, or neither");
  auto [out, h, c] = forward_tensor(input, hx.first, hx.second);
  return {out, {h, c}};
}

std::pair<PackedSequence, LSTMState> LSTMImpl::forward(const PackedSequence& input,
                                                       const LSTMState& hx) {
  TL_CHECK(hx.first.defined() == hx.second.defined(),
           "LSTM: the initial state needs both h_0 and c_0, or neither");
  auto [out, h, c] = forward_packed(input, hx.first, hx.second);
  return {out, {h, c}};
}

GRUImpl::GRUImpl(int64_t input_size, int64_t hidden_size, const GRUOptions& o)
    : RNNImplBase("GRU", input_size, hidden_size, o.num_layers, o.bias, o.batch_first, o.dropout,
                  o.bidirectional, 0) {}

std::pair<Tensor, Tensor> GRUImpl::forward(const Tensor& input, const Tensor& hx) {
  auto [out, h, c] = forward_tensor(input, hx, {});
  return {out, h};
}

std::pair<PackedSequence, Tensor> GRUImpl::forward(const PackedSequence& input, const Tensor& hx) {
  auto [out, h, c] = forward_packed(input, hx, {});
  return {out, h};
}

// ---- cells ----

RNNCellImplBase::RNNCellImplBase(int64_t input_size_, int64_t hidden_size_, bool bias_,
                                 int64_t num_chunks)
    : input_size(input_size_), hidden_size(hidden_size_), bias(bias_) {
  weight_ih = register_parameter("weight_ih", empty({num_chunks * hidden_size, input_size}));
  weight_hh = register_parameter("weight_hh", empty({num_chunks * hidden_size, hidden_size}));
  if (bias) {
    bias_ih = register_parameter("bias_ih", empty({num_chunks * hidden_size}));
    bias_hh = register_parameter("bias_hh", empty({num_chunks * hidden_size}));
  }
  reset_parameters();
}

void RNNCellImplBase::reset_parameters() { uniform_all(parameters(), hidden_size); }

std::string RNNCellImplBase::extra_repr() const {
  std::string s = std::to_string(input_size) + ", " + std::to_string(hidden_size);
  if (!bias) s += ", bias=False";
  if (nonlinearity_ != "tanh") s += ", nonlinearity=" + nonlinearity_;
  return s;
}

bool RNNCellImplBase::check_cell(const Tensor& input, const char* name) const {
  TL_CHECK(input.dim() == 1 || input.dim() == 2, name,
           ": Expected input to be 1-D or 2-D but received ", input.dim(), "-D tensor");
  TL_CHECK(input.size(-1) == input_size, "input has inconsistent input_size: got ", input.size(-1),
           " expected ", input_size);
  return input.dim() == 2;
}

void RNNCellImplBase::check_state(const Tensor& input, const Tensor& hx) const {
  // ATen labels every state of a cell "hidden0".
  TL_CHECK(hx.dim() >= 1 && input.size(0) == hx.size(0), "Input batch size ", input.size(0),
           " doesn't match hidden0 batch size ", hx.dim() >= 1 ? hx.size(0) : 1);
  TL_CHECK(hx.size(-1) == hidden_size, "hidden0 has inconsistent hidden_size: got ", hx.size(-1),
           ", expected ", hidden_size);
}

namespace {
/// One step of a cell through rnn_layer: input [B, I], states [B, *] -> ([B, H], [B, H]).
std::pair<Tensor, Tensor> cell_step(RnnMode mode, const Tensor& x, const Tensor& h, const Tensor& c,
                                    const RNNCellImplBase& m) {
  RnnDirectionWeights w{m.weight_ih, m.weight_hh, m.bias_ih, m.bias_hh, {}};
  RnnLayerOutput out =
      rnn_layer(mode, x, {x.size(0)}, h.unsqueeze(0), c.defined() ? c.unsqueeze(0) : Tensor(), {w});
  return {out.h_n.squeeze(0), out.c_n.defined() ? out.c_n.squeeze(0) : Tensor()};
}
}  // namespace

RNNCellImpl::RNNCellImpl(int64_t input_size, int64_t hidden_size, const RNNCellOptions& o)
    : RNNCellImplBase(input_size, hidden_size, o.bias, 1), nonlinearity(o.nonlinearity) {
  nonlinearity_ = nonlinearity;
}

Tensor RNNCellImpl::forward(const Tensor& input, const Tensor& hx) {
  const bool batched = check_cell(input, "RNNCell");
  TL_CHECK(nonlinearity == "tanh" || nonlinearity == "relu",
           "Unknown nonlinearity: ", nonlinearity);
  Tensor x = batched ? input : input.unsqueeze(0);
  Tensor h =
      !hx.defined() ? zeros({x.size(0), hidden_size}, x.dtype()) : (batched ? hx : hx.unsqueeze(0));
  check_state(x, h);
  Tensor out =
      cell_step(nonlinearity == "relu" ? RnnMode::kRnnRelu : RnnMode::kRnnTanh, x, h, {}, *this)
          .first;
  return batched ? out : out.squeeze(0);
}

LSTMCellImpl::LSTMCellImpl(int64_t input_size, int64_t hidden_size, const RNNCellBiasOptions& o)
    : RNNCellImplBase(input_size, hidden_size, o.bias, 4) {}

LSTMState LSTMCellImpl::forward(const Tensor& input, const LSTMState& hx) {
  const bool batched = check_cell(input, "LSTMCell");
  Tensor x = batched ? input : input.unsqueeze(0);
  Tensor h, c;
  if (!hx.first.defined()) {
    h = c = zeros({x.size(0), hidden_size}, x.dtype());
  } else {
    h = batched ? hx.first : hx.first.unsqueeze(0);
    c = batched ? hx.second : hx.second.unsqueeze(0);
  }
  check_state(x, h);
  check_state(x, c);
  auto [h1, c1] = cell_step(RnnMode::kLstm, x, h, c, *this);
  if (!batched) return {h1.squeeze(0), c1.squeeze(0)};
  return {h1, c1};
}

GRUCellImpl::GRUCellImpl(int64_t input_size, int64_t hidden_size, const RNNCellBiasOptions& o)
    : RNNCellImplBase(input_size, hidden_size, o.bias, 3) {}

Tensor GRUCellImpl::forward(const Tensor& input, const Tensor& hx) {
  const bool batched = check_cell(input, "GRUCell");
  Tensor x = batched ? input : input.unsqueeze(0);
  Tensor h =
      !hx.defined() ? zeros({x.size(0), hidden_size}, x.dtype()) : (batched ? hx : hx.unsqueeze(0));
  check_state(x, h);
  Tensor out = cell_step(RnnMode::kGru, x, h, {}, *this).first;
  return batched ? out : out.squeeze(0);
}

}  // namespace torchlite::nn
