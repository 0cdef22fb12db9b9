// One recurrent layer (both directions) over packed time-major rows as a single differentiable
// op, the building block of nn::RNN, nn::LSTM and nn::GRU.
#pragma once

#include <cstdint>
#include <vector>

#include "torchlite/tensor.h"

namespace torchlite {

/// The recurrence: Elman RNN with tanh or relu, LSTM, GRU (PyTorch's gate order).
enum class RnnMode { kRnnTanh, kRnnRelu, kLstm, kGru };

/// One direction's parameters, PyTorch's layout: w_ih [G*H, I], w_hh [G*H, P], b_ih / b_hh [G*H]
/// (undefined without bias), w_hr [P, H] (LSTM with proj_size, else undefined).
struct RnnDirectionWeights {
  Tensor w_ih, w_hh, b_ih, b_hh, w_hr;
};

/// What rnn_layer returns: output [N, D*P] (directions side by side), h_n [D, B, P] and, for
/// LSTM, c_n [D, B, H].
struct RnnLayerOutput {
  Tensor output, h_n, c_n;
};

/// Runs one layer over `input` [N, I], rows packed by step (step t has batch_sizes[t] rows,
/// non-increasing; a [T, B, I] sequence is batch_sizes = {B, ..., B}), from h0 [D, B, P] and, for
/// LSTM, c0 [D, B, H]; D = weights.size() (2: the second runs backwards in time). One autograd
/// node, whose backward runs through time (float32 and float64).
RnnLayerOutput rnn_layer(RnnMode mode, const Tensor& input, const std::vector<int64_t>& batch_sizes,
                         const Tensor& h0, const Tensor& c0,
                         const std::vector<RnnDirectionWeights>& weights);

}  // namespace torchlite
