// Padding kernels: every output element of the padded dims is read from one input index (or is
// the fill value), given as one index map per padded dim; the backward adds the gradient back
// through the same maps. Contiguous data; modes and checks live in ops/pad.cpp.
#pragma once

#include <cstdint>
#include <vector>

namespace torchlite::kernels {

/// Which input index each output index of one padded dim reads; -1 reads the fill value.
using PadMap = std::vector<int64_t>;

/// out [outer, maps[0].size(), ..., maps[k-1].size()] from in [outer, in_sizes...]:
/// out[o, i...] = in[o, maps[0][i0], ...], or `value` where a map gives -1.
template <class T>
void pad_forward(const T* in, T* out, int64_t outer, const std::vector<int64_t>& in_sizes,
                 const std::vector<PadMap>& maps, T value);
/// gin (overwritten, shape of `in` above) = the sum of gout over the output elements reading each
/// input element.
template <class T>
void pad_backward(const T* gout, T* gin, int64_t outer, const std::vector<int64_t>& in_sizes,
                  const std::vector<PadMap>& maps);

}  // namespace torchlite::kernels
