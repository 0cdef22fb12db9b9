// Recurrent layers: RNN, LSTM, GRU and their cells RNNCell, LSTMCell, GRUCell.
// Mirrors https://pytorch.org/docs/1.13/nn.html#recurrent-layers
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "torchlite/nn/module.h"
#include "torchlite/nn/utils/rnn.h"

namespace torchlite::nn {

using utils::rnn::PackedSequence;

/// An LSTM's (h, c) state.
using LSTMState = std::pair<Tensor, Tensor>;

/// RNN's keyword arguments, in PyTorch's order.
struct RNNOptions {
  int64_t num_layers = 1;
  std::string nonlinearity = "tanh";  // "tanh" or "relu"
  bool bias = true;
  bool batch_first = false;
  double dropout = 0.0;  // on every layer's output but the last, in training
  bool bidirectional = false;
};

/// LSTM's keyword arguments, in PyTorch's order.
struct LSTMOptions {
  int64_t num_layers = 1;
  bool bias = true;
  bool batch_first = false;
  double dropout = 0.0;
  bool bidirectional = false;
  int64_t proj_size = 0;  // > 0: h is projected to this size by weight_hr_l<k>
};

/// GRU's keyword arguments, in PyTorch's order.
struct GRUOptions {
  int64_t num_layers = 1;
  bool bias = true;
  bool batch_first = false;
  double dropout = 0.0;
  bool bidirectional = false;
};

/// What RNN, LSTM and GRU share (PyTorch's RNNBase): per layer and direction the parameters
/// weight_ih_l<k>[_reverse], weight_hh_l<k>, bias_ih_l<k>, bias_hh_l<k> (with bias) and
/// weight_hr_l<k> (LSTM with proj_size), registered in PyTorch's order and drawn from
/// U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) in that order.
class RNNImplBase : public Module {
 public:
  std::string extra_repr() const override;
  /// Redraws every parameter from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), in order.
  void reset_parameters() override;
  /// The parameters of each layer and direction, in registration order (PyTorch's all_weights).
  std::vector<std::vector<Tensor>> all_weights() const;

  std::string mode;  // "RNN_TANH", "RNN_RELU", "LSTM" or "GRU"
  int64_t input_size;
  int64_t hidden_size;
  int64_t num_layers;
  bool bias;
  bool batch_first;
  double dropout;
  bool bidirectional;
  int64_t proj_size;

 protected:
  RNNImplBase(std::string mode, int64_t input_size, int64_t hidden_size, int64_t num_layers,
              bool bias, bool batch_first, double dropout, bool bidirectional, int64_t proj_size);
  /// Runs the stack over time-major packed rows x [N, I]; hx [L*D, B, P], cx [L*D, B, H] (LSTM).
  /// Returns (output [N, D*P], h_n, c_n).
  std::tuple<Tensor, Tensor, Tensor> run(const Tensor& x, const std::vector<int64_t>& batch_sizes,
                                         const Tensor& hx, const Tensor& cx);
  /// RNNBase.check_input and the hidden-size checks, with PyTorch's messages.
  void check_input(const Tensor& input, bool packed) const;
  void check_hidden(const Tensor& hx, const Sizes& expected, const char* what) const;
  Sizes expected_hidden(int64_t batch, bool cell_state) const;
  /// The forward of every mode: input and state in, (output, h_n, c_n) out; hx / cx undefined
  /// means zeros.
  std::tuple<Tensor, Tensor, Tensor> forward_tensor(const Tensor& input, Tensor hx, Tensor cx);
  std::tuple<PackedSequence, Tensor, Tensor> forward_packed(const PackedSequence& input, Tensor hx,
                                                            Tensor cx);

 private:
  std::vector<std::vector<std::string>> names_;
};

/// Elman RNN, h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh);
/// https://pytorch.org/docs/1.13/generated/torch.nn.RNN.html
class RNNImpl : public RNNImplBase {
 public:
  using Options = RNNOptions;
  RNNImpl(int64_t input_size, int64_t hidden_size, const RNNOptions& options = {});
  /// input [T, B, I] ([B, T, I] with batch_first, [T, I] unbatched), h0 [L*D, B, H] (zeros when
  /// undefined) -> (output [T, B, D*H], h_n [L*D, B, H]).
  std::pair<Tensor, Tensor> forward(const Tensor& input, const Tensor& hx = {});
  /// A PackedSequence in, a PackedSequence out (same batch_sizes and indices).
  std::pair<PackedSequence, Tensor> forward(const PackedSequence& input, const Tensor& hx = {});
  std::string name() const override { return "RNN"; }
  std::string nonlinearity;
};

/// Handle to an RNNImpl: `nn::RNN(10, 20, {.num_layers = 2, .nonlinearity = "relu"})`.
class RNN : public ModuleHolder<RNNImpl> {
 public:
  RNN(int64_t input_size, int64_t hidden_size, RNNOptions options = {})
      : ModuleHolder(std::make_shared<RNNImpl>(input_size, hidden_size, options)) {}
  RNN(std::shared_ptr<RNNImpl> module) : ModuleHolder(std::move(module)) {}  // NOLINT
};

/// Long short-term memory with gates i, f, g, o;
/// https://pytorch.org/docs/1.13/generated/torch.nn.LSTM.html
class LSTMImpl : public RNNImplBase {
 public:
  using Options = LSTMOptions;
  LSTMImpl(int64_t input_size, int64_t hidden_size, const LSTMOptions& options = {});
  /// input [T, B, I] ([B, T, I] with batch_first, [T, I] unbatched), (h0 [L*D, B, P], c0
  /// [L*D, B, H]) (zeros when undefined) -> (output [T, B, D*P], (h_n, c_n)); P = proj_size or H.
  std::pair<Tensor, LSTMState> forward(const Tensor& input, const LSTMState& hx = {});
  std::pair<PackedSequence, LSTMState> forward(const PackedSequence& input,
                                               const LSTMState& hx = {});
  std::string name() const override { return "LSTM"; }
};

/// Handle to an LSTMImpl: `nn::LSTM(10, 20, {.num_layers = 2, .batch_first = true})`.
class LSTM : public ModuleHolder<LSTMImpl> {
 public:
  LSTM(int64_t input_size, int64_t hidden_size, LSTMOptions options = {})
      : ModuleHolder(std::make_shared<LSTMImpl>(input_size, hidden_size, options)) {}
  LSTM(std::shared_ptr<LSTMImpl> module) : ModuleHolder(std::move(module)) {}  // NOLINT
};

/// Gated recurrent unit with gates r, z, n (b_hn inside r * (...));
/// https://pytorch.org/docs/1.13/generated/torch.nn.GRU.html
class GRUImpl : public RNNImplBase {
 public:
  using Options = GRUOptions;
  GRUImpl(int64_t input_size, int64_t hidden_size, const GRUOptions& options = {});
  /// As RNN.forward.
  std::pair<Tensor, Tensor> forward(const Tensor& input, const Tensor& hx = {});
  std::pair<PackedSequence, Tensor> forward(const PackedSequence& input, const Tensor& hx = {});
  std::string name() const override { return "GRU"; }
};

/// Handle to a GRUImpl: `nn::GRU(10, 20, {.bidirectional = true})`.
class GRU : public ModuleHolder<GRUImpl> {
 public:
  GRU(int64_t input_size, int64_t hidden_size, GRUOptions options = {})
      : ModuleHolder(std::make_shared<GRUImpl>(input_size, hidden_size, options)) {}
  GRU(std::shared_ptr<GRUImpl> module) : ModuleHolder(std::move(module)) {}  // NOLINT
};

/// What the cells share (PyTorch's RNNCellBase): weight_ih [G*H, I], weight_hh [G*H, H],
/// bias_ih, bias_hh [G*H], drawn from U(-1/sqrt(H), 1/sqrt(H)) in that order.
class RNNCellImplBase : public Module {
 public:
  std::string extra_repr() const override;
  void reset_parameters() override;

  int64_t input_size;
  int64_t hidden_size;
  bool bias;
  Tensor weight_ih, weight_hh, bias_ih, bias_hh;  // biases undefined without bias

 protected:
  RNNCellImplBase(int64_t input_size, int64_t hidden_size, bool bias, int64_t num_chunks);
  /// Checks input [B, I] / [I] and a state against it (PyTorch's messages); returns whether the
  /// input was batched.
  bool check_cell(const Tensor& input, const char* name) const;
  void check_state(const Tensor& input, const Tensor& hx) const;
  std::string nonlinearity_ = "tanh";
};

/// RNNCell's keyword arguments, in PyTorch's order.
struct RNNCellOptions {
  bool bias = true;
  std::string nonlinearity = "tanh";
};

/// One Elman step: h' = act(W_ih x + b_ih + W_hh h + b_hh);
/// https://pytorch.org/docs/1.13/generated/torch.nn.RNNCell.html
class RNNCellImpl : public RNNCellImplBase {
 public:
  using Options = RNNCellOptions;
  RNNCellImpl(int64_t input_size, int64_t hidden_size, const RNNCellOptions& options = {});
  /// input [B, I] or [I], hx [B, H] or [H] (zeros when undefined) -> h'.
  Tensor forward(const Tensor& input, const Tensor& hx = {});
  std::string name() const override { return "RNNCell"; }
  std::string nonlinearity;
};
using RNNCell = ModuleHolder<RNNCellImpl>;

/// LSTMCell's and GRUCell's keyword arguments.
struct RNNCellBiasOptions {
  bool bias = true;
};

/// One LSTM step; https://pytorch.org/docs/1.13/generated/torch.nn.LSTMCell.html
class LSTMCellImpl : public RNNCellImplBase {
 public:
  using Options = RNNCellBiasOptions;
  LSTMCellImpl(int64_t input_size, int64_t hidden_size, const RNNCellBiasOptions& options = {});
  /// input [B, I] or [I], (h, c) [B, H] or [H] each (zeros when undefined) -> (h', c').
  LSTMState forward(const Tensor& input, const LSTMState& hx = {});
  std::string name() const override { return "LSTMCell"; }
};
using LSTMCell = ModuleHolder<LSTMCellImpl>;

/// One GRU step; https://pytorch.org/docs/1.13/generated/torch.nn.GRUCell.html
class GRUCellImpl : public RNNCellImplBase {
 public:
  using Options = RNNCellBiasOptions;
  GRUCellImpl(int64_t input_size, int64_t hidden_size, const RNNCellBiasOptions& options = {});
  /// input [B, I] or [I], hx [B, H] or [H] (zeros when undefined) -> h'.
  Tensor forward(const Tensor& input, const Tensor& hx = {});
  std::string name() const override { return "GRUCell"; }
};
using GRUCell = ModuleHolder<GRUCellImpl>;

}  // namespace torchlite::nn
