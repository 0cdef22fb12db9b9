// kernels::FusedNet: a float32 inference chain of convolutions (bias, residual sum and ReLU fused
// into each) and max pools that keeps its activations in oneDNN's blocked layouts from the first
// convolution to the last, with every buffer and primitive made once per input shape. Built
// with oneDNN only; elsewhere available() is false and the caller runs its modules one by one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kernels/conv.h"

namespace torchlite::kernels {

class FusedNet {
 public:
  FusedNet();
  ~FusedNet();
  FusedNet(FusedNet&&) noexcept;
  FusedNet& operator=(FusedNet&&) noexcept;

  /// Whether this build can run a FusedNet (it has oneDNN).
  static bool available();

  /// Adds y = relu?(conv(value src, weight) + bias (+ value residual)) and returns y's id;
  /// value 0 is the input. `g` gives the per-sample geometry (g.batch is ignored); weight
  /// [out_channels, channels / groups, kh, kw] and bias [out_channels] are copied. The residual,
  /// when given (>= 1), must not be read after this step (its buffer becomes y's).
  int conv(int src, const ConvGeometry& g, const float* weight, const float* bias, bool relu,
           int residual = -1, std::string name = "");
  /// Adds a max pool (no dilation, floor mode) of value src >= 1 and returns its id.
  int max_pool(int src, int64_t kernel, int64_t stride, int64_t pad, std::string name = "");

  /// Runs the chain on x [batch, C, H, W] (NCHW, the first step's geometry) and writes the last
  /// value, NCHW, to y (out_shape(batch) elements).
  void run(const float* x, int64_t batch, float* y);
  /// The last value's [batch, C, H, W].
  std::vector<int64_t> out_shape(int64_t batch) const;

  /// One step as profiled: its name and per-sample geometry, whether it is a convolution, and
  /// the best seconds of `reps` runs of its primitive alone at the profiled batch size.
  struct StepTime {
    std::string name;
    ConvGeometry g;
    bool is_conv;
    double seconds;
  };
  /// Runs the chain on x once, then each step's primitive alone `reps` times (per-layer
  /// profiles for bench/; leaves the activations undefined).
  std::vector<StepTime> profile(const float* x, int64_t batch, int reps);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace torchlite::kernels
