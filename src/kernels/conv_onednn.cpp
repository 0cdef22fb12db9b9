// float32 convolutions on oneDNN's direct JIT and brgemm kernels, forward and both backward
// passes: LeNet's few-channel convolutions run 1.5-3x faster there than as im2col + GEMM (whose
// im2col copies short rows 25 times over), and ResNet's small late-stage images (4x4, 2x2) make
// per-sample GEMMs a few columns wide, where oneDNN's kernels, blocked over channels, stay fast.
// Primitives are cached per geometry; the tensors in torchlite's plain layouts are reordered
// into and out of the layouts oneDNN prefers.
#ifdef TORCHLITE_WITH_ONEDNN

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <tuple>
#include <unordered_map>

#include "core/allocator.h"
#include "core/parallel.h"
#include "kernels/conv_backend.h"
#include "kernels/onednn_thread.h"

namespace torchlite::kernels::backend {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;
constexpr auto kF32 = memory::data_type::f32;

const dnnl::engine& cpu() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

enum class Pass { forward, backward_data, backward_weights };

/// torchlite's plain layouts of one part of the batch: NCHW images, (g)oihw weights.
struct Plain {
  memory::desc src, weights, bias, dst;
};

memory::dims weight_dims(const ConvGeometry& g) {
  const int64_t cg = g.channels / g.groups, og = g.out_channels / g.groups;
  return g.groups == 1 ? memory::dims{og, cg, g.kernel_h, g.kernel_w}
                       : memory::dims{g.groups, og, cg, g.kernel_h, g.kernel_w};
}

Plain plain_of(const ConvGeometry& g) {
  const int64_t batch = g.batch;
  return {memory::desc({batch, g.channels, g.height, g.width}, kF32, Tag::nchw),
          memory::desc(weight_dims(g), kF32, g.groups == 1 ? Tag::oihw : Tag::goihw),
          memory::desc({g.out_channels}, kF32, Tag::x),
          memory::desc({batch, g.out_channels, g.out_height, g.out_width}, kF32, Tag::nchw)};
}

/// One pass's primitive and the layouts it works in: src is the image (or its gradient),
/// weights the weight (or its gradient), dst the output (or its gradient).
struct Primitive {
  dnnl::primitive primitive;
  memory::desc src, weights, dst, scratchpad;
};

/// A primitive's geometry, and the OpenMP team size it was made for (oneDNN fixes it then).
using Key = std::tuple<int, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                       int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                       int64_t, bool, int>;

Key key_of(Pass pass, const ConvGeometry& g, bool bias) {
  return {static_cast<int>(pass), g.batch,      g.channels, g.height,   g.width,
          g.out_channels,         g.out_height, g.out_width, g.kernel_h, g.kernel_w,
          g.stride_h,             g.stride_w,   g.pad_h,     g.pad_w,    g.dilation_h,
          g.dilation_w,           g.groups,     bias,        omp_get_max_threads()};
}

/// Whether oneDNN chose one of its direct JIT or brgemm kernels (its GEMM fallback is no faster
/// than im2col) on image layouts that keep the channel counts and a weight layout padded by at
/// most an eighth: LeNet's 6 channels padded to a block of 16 cost more to reorder than the
/// kernel saves, where brgemm's 512 output channels padded to 528 (ResNet's 1x1 stride-2
/// downsampling) run 4x faster than im2col.
template <class PrimitiveDesc>
bool worth_it(const PrimitiveDesc& pd, const memory::desc& src, const memory::desc& weights,
              const memory::desc& dst) {
  const std::string impl = pd.impl_info_str();
  if (impl.rfind("jit", 0) != 0 && impl.rfind("brg", 0) != 0) return false;
  if (impl.find("gemm:") != std::string::npos) return false;
  for (const memory::desc* d : {&src, &dst}) {
    const auto& data = d->data;
    for (int i = 0; i < data.ndims; ++i)
      if (data.padded_dims[i] != data.dims[i]) return false;
  }
  int64_t volume = 1, padded = 1;
  for (int i = 0; i < weights.data.ndims; ++i) {
    volume *= weights.data.dims[i];
    padded *= weights.data.padded_dims[i];
  }
  return padded * 8 <= volume * 9;
}

std::shared_ptr<const Primitive> make(Pass pass, const ConvGeometry& g, bool bias,
                                      bool plain_src) {
  const Plain p = plain_of(g);
  const memory::dims strides{g.stride_h, g.stride_w};
  const memory::dims dilates{g.dilation_h - 1, g.dilation_w - 1};
  const memory::dims pad_l{g.pad_h, g.pad_w};
  const std::array<int64_t, 2> after = pad_after(g);
  const memory::dims pad_r{after[0], after[1]};
  const auto any = [](const memory::desc& d) { return memory::desc(d.dims(), kF32, Tag::any); };
  const memory::desc src = plain_src ? p.src : any(p.src);
  const dnnl::convolution_forward::desc fwd(
      pass == Pass::forward ? dnnl::prop_kind::forward_inference
                            : dnnl::prop_kind::forward_training,
      dnnl::algorithm::convolution_direct, src, any(p.weights),
      bias ? p.bias : memory::desc(), any(p.dst), strides, dilates, pad_l, pad_r);
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);  // per call: safe on every thread
  const dnnl::convolution_forward::primitive_desc fwd_pd(fwd, attr, cpu());
  auto out = std::make_shared<Primitive>();
  switch (pass) {
    case Pass::forward:
      if (!worth_it(fwd_pd, fwd_pd.src_desc(), fwd_pd.weights_desc(), fwd_pd.dst_desc()))
        return nullptr;
      *out = {dnnl::convolution_forward(fwd_pd), fwd_pd.src_desc(), fwd_pd.weights_desc(),
              fwd_pd.dst_desc(), fwd_pd.scratchpad_desc()};
      break;
    case Pass::backward_data: {
      const dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, src,
                                                    any(p.weights), any(p.dst), strides,
                                                    dilates, pad_l, pad_r);
      const dnnl::convolution_backward_data::primitive_desc pd(d, attr, cpu(), fwd_pd);
      if (!worth_it(pd, pd.diff_src_desc(), pd.weights_desc(), pd.diff_dst_desc())) return nullptr;
      *out = {dnnl::convolution_backward_data(pd), pd.diff_src_desc(), pd.weights_desc(),
              pd.diff_dst_desc(), pd.scratchpad_desc()};
      break;
    }
    case Pass::backward_weights: {
      const dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, src,
                                                       any(p.weights), any(p.dst), strides,
                                                       dilates, pad_l, pad_r);
      const dnnl::convolution_backward_weights::primitive_desc pd(d, attr, cpu(), fwd_pd);
      if (!worth_it(pd, pd.src_desc(), pd.diff_weights_desc(), pd.diff_dst_desc()))
        return nullptr;
      *out = {dnnl::convolution_backward_weights(pd), pd.src_desc(), pd.diff_weights_desc(),
              pd.diff_dst_desc(), pd.scratchpad_desc()};
      break;
    }
  }
  return out;
}

/// The cached primitive of `pass` for `g`; null when oneDNN has no fast kernel for it (the
/// caller then uses im2col).
std::shared_ptr<const Primitive> primitive_for(Pass pass, const ConvGeometry& g, bool bias) {
  static std::mutex mutex;
  static std::map<Key, std::shared_ptr<const Primitive>> cache;
  const Key key = key_of(pass, g, bias);
  std::lock_guard lock(mutex);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  std::shared_ptr<const Primitive> made;
  // The image plain first: a kernel that reads it as it is saves a reorder (LeNet's few
  // channels have one); else in whatever layout oneDNN prefers.
  for (bool plain_src : {true, false}) {
    try {
      made = make(pass, g, bias, plain_src);
    } catch (const dnnl::error&) {
      made = nullptr;
    }
    if (made) break;
  }
  cache.emplace(key, made);
  return made;
}

/// A tensor in torchlite's layout `plain` at `data`, and its copy in the primitive's layout
/// `wanted` (the same memory where the layouts agree). Copies and scratchpads come from
/// torchlite's allocator, so that they share its cache with the tensors: a training step then
/// holds no memory of its own for them between calls.
struct Operand {
  memory user, used;
  std::shared_ptr<void> copy;
  Operand(const memory::desc& plain, const memory::desc& wanted, float* data, bool read,
          dnnl::stream& stream) {
    const dnnl::engine& eng = cpu();
    user = memory(plain, eng, data);
    if (wanted == plain) {
      used = user;
      return;
    }
    copy = detail::allocate(wanted.get_size());
    used = memory(wanted, eng, copy.get());
    if (read) dnnl::reorder(user, used).execute(stream, user, used);
  }
  void write_back(dnnl::stream& stream) {
    if (used != user) dnnl::reorder(used, user).execute(stream, used, user);
  }
};

/// Runs primitive `f` of `pass` for the samples of `g` (its own batch); `x`, `w`, `y` are the
/// image, weight and output or their gradients, whichever the pass reads or writes. Pointers
/// are non-const because oneDNN's memory objects take them so; a pass writes only its output.
void run_primitive(const Primitive& f, Pass pass, const ConvGeometry& g, float* x, float* w,
                   float* bias, float* y) {
  dnnl::stream stream(cpu());
  const Plain p = plain_of(g);
  Operand src(p.src, f.src, x, pass != Pass::backward_data, stream);
  Operand weights(p.weights, f.weights, w, pass != Pass::backward_weights, stream);
  Operand dst(p.dst, f.dst, y, pass != Pass::forward, stream);
  const std::shared_ptr<void> scratch = detail::allocate(f.scratchpad.get_size());
  memory scratchpad(f.scratchpad, cpu(), scratch.get());
  std::unordered_map<int, memory> args{{DNNL_ARG_SCRATCHPAD, scratchpad}};
  switch (pass) {
    case Pass::forward:
      args.insert({{DNNL_ARG_SRC, src.used}, {DNNL_ARG_WEIGHTS, weights.used},
                   {DNNL_ARG_DST, dst.used}});
      if (bias) args.emplace(DNNL_ARG_BIAS, memory(p.bias, cpu(), bias));
      break;
    case Pass::backward_data:
      args.insert({{DNNL_ARG_DIFF_SRC, src.used}, {DNNL_ARG_WEIGHTS, weights.used},
                   {DNNL_ARG_DIFF_DST, dst.used}});
      break;
    case Pass::backward_weights:
      args.insert({{DNNL_ARG_SRC, src.used}, {DNNL_ARG_DIFF_WEIGHTS, weights.used},
                   {DNNL_ARG_DIFF_DST, dst.used}});
      break;
  }
  f.primitive.execute(stream, args);
  if (pass == Pass::forward) dst.write_back(stream);
  if (pass == Pass::backward_data) src.write_back(stream);
  if (pass == Pass::backward_weights) weights.write_back(stream);
  stream.wait();
}

/// Weights of at least this many elements make a call run as one primitive on an OpenMP team.
constexpr int64_t kTeamWeights = 32768;

/// Runs `pass` over the batch of `g`; false (nothing written) where oneDNN has no fast kernel.
bool run(Pass pass, const ConvGeometry& g, float* x, float* w, float* bias, float* y) {
  if (g.batch == 0 || g.channels == 0 || g.out_channels == 0 || g.height == 0 || g.width == 0)
    return false;
  const int64_t wsize = g.out_channels * (g.channels / g.groups) * g.kernel_h * g.kernel_w;
  const int64_t parts = std::clamp<int64_t>(get_num_threads(), 1, g.batch);
  if (parts == 1 || wsize >= kTeamWeights) {
    // Heavy weights (ResNet's): one primitive for the batch on an OpenMP team, so that each
    // weight is reordered once and oneDNN sums the weight gradient's parts; parts of the batch
    // on torchlite's threads would each reorder it (ResNet-18's late stages ran 30 % slower).
    Threads team;
    auto f = primitive_for(pass, g, bias != nullptr);
    if (!f) return false;
    run_primitive(*f, pass, g, x, w, bias, y);
    return true;
  }
  // Light ones (LeNet's): a part of the batch per torchlite thread, each part's primitive on
  // that thread alone. An OpenMP team's threads would spin on the cores after the call, where
  // the small ops between such convolutions want torchlite's threads (a LeNet epoch ran 20 %
  // slower so). The parts differ in size by at most one sample: two primitives.
  OneThread one;
  ConvGeometry small = g, large = g;
  small.batch = g.batch / parts;
  large.batch = small.batch + 1;
  auto small_f = primitive_for(pass, small, bias != nullptr);
  auto large_f = g.batch % parts ? primitive_for(pass, large, bias != nullptr) : small_f;
  if (!small_f || !large_f) return false;
  // The weight gradient: part 0 writes w, the others their own buffers, added in a fixed order.
  const bool sums = pass == Pass::backward_weights;
  const std::shared_ptr<void> partial =
      sums ? detail::allocate((parts - 1) * wsize * sizeof(float)) : nullptr;
  auto part_weight = [&](int64_t part) {
    return part == 0 || !sums ? w : static_cast<float*>(partial.get()) + (part - 1) * wsize;
  };
  detail::parallel_for(0, parts, 1, [&](int64_t p0, int64_t p1) {
    OneThread part_thread;
    for (int64_t part = p0; part < p1; ++part) {
      const int64_t n0 = g.batch * part / parts, n1 = g.batch * (part + 1) / parts;
      const bool is_small = n1 - n0 == small.batch;
      run_primitive(is_small ? *small_f : *large_f, pass, is_small ? small : large,
                    x + n0 * g.channels * g.height * g.width, part_weight(part), bias,
                    y + n0 * g.out_channels * g.out_height * g.out_width);
    }
  });
  for (int64_t part = 1; sums && part < parts; ++part) {
    const float* src = part_weight(part);
    for (int64_t i = 0; i < wsize; ++i) w[i] += src[i];
  }
  return true;
}

}  // namespace

bool conv2d_forward_onednn(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                           float* y) {
  return run(Pass::forward, g, const_cast<float*>(x), const_cast<float*>(w),
             const_cast<float*>(bias), y);
}

bool conv2d_backward_input_onednn(const ConvGeometry& g, const float* dy, const float* w,
                                  float* dx) {
  return run(Pass::backward_data, g, dx, const_cast<float*>(w), nullptr, const_cast<float*>(dy));
}

bool conv2d_backward_weight_onednn(const ConvGeometry& g, const float* x, const float* dy,
                                   float* dw) {
  return run(Pass::backward_weights, g, const_cast<float*>(x), dw, nullptr,
             const_cast<float*>(dy));
}

}  // namespace torchlite::kernels::backend
#endif
