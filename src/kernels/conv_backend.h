// The seam between kernels/conv.cpp and a library's convolution kernels (conv_onednn.cpp, built
// with oneDNN only); nothing else includes a kernel library's headers.
#pragma once

#include "kernels/conv.h"

namespace torchlite::kernels::backend {

/// y = conv(x, w) + bias (bias may be null) on the library's direct kernels, on as many threads
/// as torchlite's pool; false (nothing written) where the library has no fast kernel for `g`.
bool conv2d_forward_onednn(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                           float* y);
/// dx = the gradient of conv(x, w) with respect to x (overwritten), as conv2d_forward_onednn.
bool conv2d_backward_input_onednn(const ConvGeometry& g, const float* dy, const float* w,
                                  float* dx);
/// dw = the gradient of conv(x, w) with respect to w (overwritten), as conv2d_forward_onednn.
bool conv2d_backward_weight_onednn(const ConvGeometry& g, const float* x, const float* dy,
                                   float* dw);

}  // namespace torchlite::kernels::backend
