// SGD: PyTorch 1.13's _single_tensor_sgd as one fused loop per parameter (float32/float64),
// spread over the pool: the update reads and writes every parameter, gradient and momentum
// buffer, so a ResNet-18 step streams 200 MB through it.
#include "torchlite/optim/sgd.h"

#include "core/parallel.h"
#include "torchlite/printing.h"

namespace torchlite::optim {
namespace {

/// One parameter's update of elements [0, n); `buf` is null on the first momentum step (it is
/// then filled).
template <class T>
void sgd_range(T* p, const T* g, T* buf, bool init_buf, int64_t n, const SGDOptions& o) {
  const T wd = static_cast<T>(o.weight_decay), mom = static_cast<T>(o.momentum);
  const T damp = static_cast<T>(1 - o.dampening), neg_lr = static_cast<T>(-o.lr);
  const bool use_wd = o.weight_decay != 0, use_mom = o.momentum != 0;
  // The common cases as branch-free, vectorised loops with the general loop's arithmetic.
  if (!use_wd && !use_mom && !o.maximize) {
    for (int64_t i = 0; i < n; ++i) p[i] = p[i] + neg_lr * g[i];
    return;
  }
  if (!use_wd && use_mom && !init_buf && !o.nesterov && !o.maximize) {
    for (int64_t i = 0; i < n; ++i) {
      const T b = buf[i] * mom + damp * g[i];
      buf[i] = b;
      p[i] = p[i] + neg_lr * b;
    }
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    T d = o.maximize ? -g[i] : g[i];
    if (use_wd) d = d + wd * p[i];
    if (use_mom) {
      const T b = init_buf ? d : buf[i] * mom + damp * d;
      buf[i] = b;
      d = o.nesterov ? d + mom * b : b;
    }
    p[i] = p[i] + neg_lr * d;
  }
}

template <class T>
void sgd_update(T* p, const T* g, T* buf, bool init_buf, int64_t n, const SGDOptions& o) {
  detail::parallel_for(0, n, int64_t{1} << 15, [&](int64_t i0, int64_t i1) {
    sgd_range(p + i0, g + i0, buf ? buf + i0 : nullptr, init_buf, i1 - i0, o);
  });
}

double as_double(const OptionValue& v) {
  if (const double* d = std::get_if<double>(&v)) return *d;
  if (const bool* b = std::get_if<bool>(&v)) return *b;
  throw Error("optimizer state dict: expected a number");
}

}  // namespace

SGD::SGD(std::vector<Tensor> params, SGDOptions options) {
  add_param_group({std::move(params), options});
}

SGD::SGD(std::vector<ParamGroup<SGDOptions>> groups) {
  for (auto& g : groups) add_param_group(std::move(g));
}

void SGD::check_options(const SGDOptions& o) const {
  TL_CHECK(o.lr >= 0, "Invalid learning rate: ", format_python_float(o.lr));
  TL_CHECK(o.momentum >= 0, "Invalid momentum value: ", format_python_float(o.momentum));
  TL_CHECK(o.weight_decay >= 0,
           "Invalid weight_decay value: ", format_python_float(o.weight_decay));
  TL_CHECK(!o.nesterov || (o.momentum > 0 && o.dampening == 0),
           "Nesterov momentum requires a momentum and zero dampening");
}

void SGD::step() {
  NoGradGuard no_grad;
  for (size_t g = 0; g < num_param_groups(); ++g) {
    const SGDOptions& o = options_[g];
    for (const Tensor& p : params(g)) {
      const Tensor grad = p.grad();
      if (!grad.defined()) continue;
      TL_CHECK(p.is_contiguous(), "SGD: parameters must be contiguous");
      TL_CHECK(grad.sizes() == p.sizes() && grad.dtype() == p.dtype(),
               "SGD: gradient does not match its parameter");
      const Tensor gc = grad.contiguous();
      ParamState& st = mutable_state(p);
      if (st.empty()) st.emplace_back("momentum_buffer", Tensor());
      Tensor& buf = st[0].second;
      const bool init_buf = o.momentum != 0 && !buf.defined();
      if (init_buf) buf = empty(p.sizes(), p.dtype());
      if (p.dtype() == kFloat64) {
        sgd_update<double>(p.data_ptr<double>(), gc.data_ptr<double>(),
                           buf.defined() ? buf.data_ptr<double>() : nullptr, init_buf, p.numel(),
                           o);
      } else {
        TL_CHECK(p.dtype() == kFloat32, "SGD: unsupported parameter dtype ", dtype_name(p.dtype()));
        sgd_update<float>(p.data_ptr<float>(), gc.data_ptr<float>(),
                          buf.defined() ? buf.data_ptr<float>() : nullptr, init_buf, p.numel(), o);
      }
      p.bump_version();
      if (buf.defined()) buf.bump_version();
    }
  }
}

OptionList SGD::group_options(size_t g) const {
  const SGDOptions& o = options_.at(g);
  return {{"lr", o.lr},
          {"momentum", o.momentum},
          {"dampening", o.dampening},
          {"weight_decay", o.weight_decay},
          {"nesterov", o.nesterov},
          {"maximize", o.maximize},
          {"foreach", std::monostate{}},
          {"differentiable", false}};
}

void SGD::set_group_options(size_t g, const OptionList& list) {
  SGDOptions& o = options_.at(g);
  if (auto* v = find_option(list, "lr")) o.lr = as_double(*v);
  if (auto* v = find_option(list, "momentum")) o.momentum = as_double(*v);
  if (auto* v = find_option(list, "dampening")) o.dampening = as_double(*v);
  if (auto* v = find_option(list, "weight_decay")) o.weight_decay = as_double(*v);
  if (auto* v = find_option(list, "nesterov")) o.nesterov = as_double(*v) != 0;
  if (auto* v = find_option(list, "maximize")) o.maximize = as_double(*v) != 0;
}

}  // namespace torchlite::optim
