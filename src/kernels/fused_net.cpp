// kernels::FusedNet on oneDNN: per input shape, one primitive per step (convolutions with
// sum/ReLU post-ops, max pools), each reading its producer's blocked layout as is, buffers shared
// between values whose lifetimes do not overlap, and OpenMP threads as many as torchlite's.
#include "kernels/fused_net.h"

#include <chrono>
#include <limits>
#include <map>
#include <mutex>
#include <stdexcept>

#include "torchlite/parallel.h"

#ifdef TORCHLITE_WITH_ONEDNN
#include <cstdlib>
#include <oneapi/dnnl/dnnl.hpp>
#include <unordered_map>

#include "kernels/onednn_thread.h"
#endif

namespace torchlite::kernels {

struct FusedNetStep {
  bool is_conv = true;
  int src = 0, residual = -1;
  bool relu = false;
  std::string name;
  ConvGeometry g;  // pools use channels, height, width, out_*, kernel_*, stride_*, pad_*
  std::vector<float> weight, bias;
};

#ifdef TORCHLITE_WITH_ONEDNN
namespace {

using backend::Threads;
using dnnl::memory;
using Tag = memory::format_tag;
constexpr auto kF32 = memory::data_type::f32;

const dnnl::engine& cpu() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

/// A 64-byte aligned float buffer (what oneDNN's kernels like to stream from).
struct Buffer {
  struct Free {
    void operator()(float* p) const { std::free(p); }
  };
  std::unique_ptr<float, Free> data;
  size_t bytes = 0;
  void reserve(size_t n) {
    if (n <= bytes) return;
    n = (n + 63) / 64 * 64;
    data.reset(static_cast<float*>(std::aligned_alloc(64, n)));
    if (!data) throw std::bad_alloc();
    bytes = n;
  }
};

memory::dims pad_right(const ConvGeometry& g) {
  const std::array<int64_t, 2> after = pad_after(g);
  return {after[0], after[1]};
}

}  // namespace

/// Everything made for one batch size.
struct Compiled {
  std::vector<memory::desc> descs;  // per value
  std::vector<dnnl::primitive> primitives;
  std::vector<std::unordered_map<int, memory>> args;
  std::vector<memory> values;           // per value, over its buffer (value 0: the caller's input)
  std::vector<memory> weights, biases;  // per step (empty for pools)
  std::vector<Buffer> buffers;
  Buffer scratch;
  memory out_user;
  dnnl::reorder out_reorder;
};

struct FusedNet::Impl {
  std::vector<FusedNetStep> steps;
  std::mutex mutex;
  std::map<int64_t, std::unique_ptr<Compiled>> compiled;
  std::vector<memory> packed_weights;  // per step, once compiled (empty for pools)

  Compiled& compile(int64_t batch);
};

Compiled& FusedNet::Impl::compile(int64_t batch) {
  if (auto it = compiled.find(batch); it != compiled.end()) return *it->second;
  if (steps.empty()) throw std::logic_error("FusedNet: no steps");
  auto c = std::make_unique<Compiled>();
  const dnnl::engine& eng = cpu();
  dnnl::stream stream(eng);
  const size_t n_values = steps.size() + 1;
  const ConvGeometry& g0 = steps[0].g;
  c->descs.resize(n_values);
  c->descs[0] = memory::desc({batch, g0.channels, g0.height, g0.width}, kF32, Tag::nchw);
  c->weights.resize(steps.size());
  packed_weights.resize(steps.size());
  c->biases.resize(steps.size());
  // A fresh attribute per primitive: copies of a primitive_attr share one handle.
  auto attr_with = [](const dnnl::post_ops& ops) {
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    attr.set_post_ops(ops);
    return attr;
  };
  size_t scratch = 0;
  std::vector<dnnl::primitive> prims;
  for (size_t i = 0; i < steps.size(); ++i) {
    FusedNetStep& s = steps[i];
    const ConvGeometry& g = s.g;
    const memory::dims dst_dims{batch, g.out_channels, g.out_height, g.out_width};
    const memory::desc any_dst(dst_dims, kF32, Tag::any);
    if (s.is_conv) {
      const int64_t cg = g.channels / g.groups, og = g.out_channels / g.groups;
      const memory::dims wdims = g.groups == 1
                                     ? memory::dims{og, cg, g.kernel_h, g.kernel_w}
                                     : memory::dims{g.groups, og, cg, g.kernel_h, g.kernel_w};
      dnnl::post_ops ops;
      if (s.residual >= 1) ops.append_sum(1.0f);
      if (s.relu) ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
      const memory::desc bias_md({g.out_channels}, kF32, Tag::x);
      const dnnl::convolution_forward::desc desc(
          dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, c->descs[s.src],
          memory::desc(wdims, kF32, Tag::any), bias_md,
          s.residual >= 1 ? c->descs[s.residual] : any_dst, {g.stride_h, g.stride_w},
          {g.dilation_h - 1, g.dilation_w - 1}, {g.pad_h, g.pad_w}, pad_right(g));
      dnnl::convolution_forward::primitive_desc pd(desc, attr_with(ops), eng);
      // The weights live once, in the first compiled layout (the plain copy is dropped);
      // another batch size shares them or reorders from them.
      memory& master = packed_weights[i];
      if (!master) {
        memory user_w(memory::desc(wdims, kF32, g.groups == 1 ? Tag::oihw : Tag::goihw), eng,
                      s.weight.data());
        master = memory(pd.weights_desc(), eng);
        dnnl::reorder(user_w, master).execute(stream, user_w, master);
        stream.wait();
        s.weight = std::vector<float>();
      }
      if (master.get_desc() == pd.weights_desc()) {
        c->weights[i] = master;
      } else {
        c->weights[i] = memory(pd.weights_desc(), eng);
        dnnl::reorder(master, c->weights[i]).execute(stream, master, c->weights[i]);
      }
      c->biases[i] = memory(bias_md, eng);
      std::copy(s.bias.begin(), s.bias.end(), static_cast<float*>(c->biases[i].get_data_handle()));
      c->descs[i + 1] = pd.dst_desc();
      scratch = std::max(scratch, pd.scratchpad_desc().get_size());
      prims.emplace_back(dnnl::convolution_forward(pd));
    } else {
      const dnnl::pooling_forward::desc desc(dnnl::prop_kind::forward_inference,
                                             dnnl::algorithm::pooling_max, c->descs[s.src], any_dst,
                                             {g.stride_h, g.stride_w}, {g.kernel_h, g.kernel_w},
                                             {g.pad_h, g.pad_w}, pad_right(g));
      dnnl::pooling_forward::primitive_desc pd(desc, attr_with(dnnl::post_ops()), eng);
      c->descs[i + 1] = pd.dst_desc();
      scratch = std::max(scratch, pd.scratchpad_desc().get_size());
      prims.emplace_back(dnnl::pooling_forward(pd));
    }
  }
  // Buffers: a value takes a free buffer (or a new one) and hands it back after its last reader;
  // a residual's buffer becomes its consumer's output (the sum post-op adds onto dst).
  std::vector<size_t> last_use(n_values, 0);
  for (size_t i = 0; i < steps.size(); ++i) {
    last_use[steps[i].src] = i;
    if (steps[i].residual >= 1) last_use[steps[i].residual] = i;
  }
  last_use[n_values - 1] = steps.size();
  std::vector<int> owner(n_values, -1);
  std::vector<size_t> need;
  std::vector<int> free_list;
  for (size_t i = 0; i < steps.size(); ++i) {
    const FusedNetStep& s = steps[i];
    const size_t v = i + 1, bytes = c->descs[v].get_size();
    if (s.residual >= 1) {
      if (last_use[s.residual] != i) throw std::logic_error("FusedNet: residual read later");
      owner[v] = owner[s.residual];
    } else if (!free_list.empty()) {
      owner[v] = free_list.back();
      free_list.pop_back();
    } else {
      owner[v] = static_cast<int>(need.size());
      need.push_back(0);
    }
    need[owner[v]] = std::max(need[owner[v]], bytes);
    if (s.src >= 1 && last_use[s.src] == i) free_list.push_back(owner[s.src]);
  }
  c->buffers.resize(need.size());
  for (size_t b = 0; b < need.size(); ++b) c->buffers[b].reserve(need[b]);
  c->scratch.reserve(std::max<size_t>(scratch, 64));
  c->values.resize(n_values);
  c->values[0] = memory(c->descs[0], eng, DNNL_MEMORY_NONE);
  for (size_t v = 1; v < n_values; ++v)
    c->values[v] = memory(c->descs[v], eng, c->buffers[owner[v]].data.get());
  memory::desc scratch_md({static_cast<memory::dim>(c->scratch.bytes)}, memory::data_type::u8,
                          Tag::x);
  memory scratch_mem(scratch_md, eng, c->scratch.data.get());
  for (size_t i = 0; i < steps.size(); ++i) {
    std::unordered_map<int, memory> a{{DNNL_ARG_SRC, c->values[steps[i].src]},
                                      {DNNL_ARG_DST, c->values[i + 1]},
                                      {DNNL_ARG_SCRATCHPAD, scratch_mem}};
    if (steps[i].is_conv) {
      a.emplace(DNNL_ARG_WEIGHTS, c->weights[i]);
      a.emplace(DNNL_ARG_BIAS, c->biases[i]);
    }
    c->args.push_back(std::move(a));
  }
  c->primitives = std::move(prims);
  const memory::desc& last = c->descs[n_values - 1];
  c->out_user = memory(memory::desc(last.dims(), kF32, Tag::nchw), eng, DNNL_MEMORY_NONE);
  c->out_reorder = dnnl::reorder(c->values[n_values - 1], c->out_user);
  stream.wait();
  return *compiled.emplace(batch, std::move(c)).first->second;
}

bool FusedNet::available() { return true; }

void FusedNet::run(const float* x, int64_t batch, float* y) {
  std::lock_guard lock(impl_->mutex);
  Threads threads;
  Compiled& c = impl_->compile(batch);
  dnnl::stream stream(cpu());
  c.values[0].set_data_handle(const_cast<float*>(x));
  c.out_user.set_data_handle(y);
  for (size_t i = 0; i < c.primitives.size(); ++i) c.primitives[i].execute(stream, c.args[i]);
  const memory& last = c.values.back();
  c.out_reorder.execute(stream, {{DNNL_ARG_FROM, last}, {DNNL_ARG_TO, c.out_user}});
  stream.wait();
}

std::vector<FusedNet::StepTime> FusedNet::profile(const float* x, int64_t batch, int reps) {
  std::vector<float> y(
      static_cast<size_t>(batch * out_shape(1)[1] * out_shape(1)[2] * out_shape(1)[3]));
  run(x, batch, y.data());
  std::lock_guard lock(impl_->mutex);
  Threads threads;
  Compiled& c = impl_->compile(batch);
  dnnl::stream stream(cpu());
  c.values[0].set_data_handle(const_cast<float*>(x));
  std::vector<StepTime> out;
  for (size_t i = 0; i < c.primitives.size(); ++i) {
    double best = std::numeric_limits<double>::infinity();
    for (int r = 0; r < reps; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      c.primitives[i].execute(stream, c.args[i]);
      stream.wait();
      best = std::min(best,
                      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    const FusedNetStep& s = impl_->steps[i];
    out.push_back({s.name, s.g, s.is_conv, best});
  }
  return out;
}

#else

struct Compiled {};
struct FusedNet::Impl {
  std::vector<FusedNetStep> steps;
};

bool FusedNet::available() { return false; }

void FusedNet::run(const float*, int64_t, float*) {
  throw std::logic_error("FusedNet: built without oneDNN");
}

std::vector<FusedNet::StepTime> FusedNet::profile(const float*, int64_t, int) {
  throw std::logic_error("FusedNet: built without oneDNN");
}

#endif

FusedNet::FusedNet() : impl_(std::make_unique<Impl>()) {}
FusedNet::~FusedNet() = default;
FusedNet::FusedNet(FusedNet&&) noexcept = default;
FusedNet& FusedNet::operator=(FusedNet&&) noexcept = default;

int FusedNet::conv(int src, const ConvGeometry& g, const float* weight, const float* bias,
                   bool relu, int residual, std::string name) {
  FusedNetStep s;
  s.name = std::move(name);
  s.src = src;
  s.residual = residual;
  s.relu = relu;
  s.g = g;
  s.weight.assign(weight,
                  weight + g.out_channels * (g.channels / g.groups) * g.kernel_h * g.kernel_w);
  s.bias.assign(bias, bias + g.out_channels);
  impl_->steps.push_back(std::move(s));
  return static_cast<int>(impl_->steps.size());
}

int FusedNet::max_pool(int src, int64_t kernel, int64_t stride, int64_t pad, std::string name) {
  if (src < 1) throw std::logic_error("FusedNet: a max pool reads a step's output");
  const ConvGeometry& prev = impl_->steps[src - 1].g;
  FusedNetStep s;
  s.name = std::move(name);
  s.is_conv = false;
  s.src = src;
  ConvGeometry& g = s.g;
  g.channels = g.out_channels = prev.out_channels;
  g.height = prev.out_height;
  g.width = prev.out_width;
  g.kernel_h = g.kernel_w = kernel;
  g.stride_h = g.stride_w = stride;
  g.pad_h = g.pad_w = pad;
  g.out_height = (g.height + 2 * pad - kernel) / stride + 1;
  g.out_width = (g.width + 2 * pad - kernel) / stride + 1;
  impl_->steps.push_back(std::move(s));
  return static_cast<int>(impl_->steps.size());
}

std::vector<int64_t> FusedNet::out_shape(int64_t batch) const {
  const ConvGeometry& g = impl_->steps.back().g;
  return {batch, g.out_channels, g.out_height, g.out_width};
}

}  // namespace torchlite::kernels
