// Recurrent layer kernels: one layer and direction of RNN (tanh/relu), LSTM (with projection) or
// GRU over packed time-major rows, forward and backward through time, float32 and float64.
#pragma once

#include <cstdint>
#include <vector>

namespace torchlite::kernels {

/// The cell a recurrent layer runs, with PyTorch's gate order (LSTM i, f, g, o; GRU r, z, n).
enum class RnnCell { kTanh, kRelu, kLstm, kGru };

/// Gate rows per hidden unit: 1, 1, 4 or 3.
int64_t rnn_gates(RnnCell cell);

/// Sizes of one layer and direction. Rows are packed: step t holds batch_sizes[t] rows (non-
/// increasing) starting at row offsets[t]; a plain [T, B] sequence has batch_sizes all B.
struct RnnShape {
  RnnCell cell;
  int64_t input_size;   // I
  int64_t hidden_size;  // H
  int64_t state_size;   // P: proj_size for a projected LSTM, else H
  int64_t batch;        // B = batch_sizes[0]
  std::vector<int64_t> batch_sizes;
  std::vector<int64_t> offsets;
  bool reverse;  // runs from the last step to the first
  int64_t rows() const { return offsets.empty() ? 0 : offsets.back() + batch_sizes.back(); }
};

/// One direction's weights (b_ih / b_hh / w_hr null when absent): w_ih [G*H, I], w_hh [G*H, P],
/// b_ih, b_hh [G*H], w_hr [P, H].
template <class T>
struct RnnWeights {
  const T* w_ih;
  const T* w_hh;
  const T* b_ih;
  const T* b_hh;
  const T* w_hr;
};

/// What forward keeps for backward, one row per packed row: h_prev [N, P], c_prev [N, H] (LSTM),
/// gates [N, G*H] after their nonlinearity, aux [N, H] (LSTM tanh(c), GRU W_hn h + b_hn).
template <class T>
struct RnnSaved {
  std::vector<T> h_prev, c_prev, gates, aux;
};

/// Runs the layer: x [N, I]; h (state [B, P]) and c ([B, H], LSTM) start as h0 / c0 and end as
/// h_n / c_n; out [N, P] with leading dimension ldo. Fills `saved` when it is not null.
template <class T>
void rnn_forward(const RnnShape& s, const T* x, const RnnWeights<T>& w, T* h, T* c, T* out,
                 int64_t ldo, RnnSaved<T>* saved);

/// Gradients of one run given d_out [N, P] (leading dimension ldo, may be null) and dh ([B, P]),
/// dc ([B, H]) holding d h_n / d c_n, which end as d h0 / d c0. Accumulates into dx [N, I]
/// (leading dimension ldx; null = not wanted) and writes dw_* (nulls skipped) in w's layout.
template <class T>
void rnn_backward(const RnnShape& s, const T* x, const RnnWeights<T>& w, const RnnSaved<T>& saved,
                  const T* d_out, int64_t ldo, T* dh, T* dc, T* dx, int64_t ldx, T* dw_ih, T* dw_hh,
                  T* db_ih, T* db_hh, T* dw_hr);

}  // namespace torchlite::kernels
