// Adam and AdamW: PyTorch 1.13's _single_tensor_adam(w) as one fused loop per parameter.
#include "torchlite/optim/adam.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "torchlite/printing.h"

namespace torchlite::optim {
namespace {

/// The hyper-parameters both variants share; `decoupled` selects AdamW's weight decay.
struct AdamConfig {
  double lr, beta1, beta2, eps, weight_decay;
  bool amsgrad, maximize, decoupled;
};

/// One parameter's update at step `step` (already incremented).
template <class T>
void adam_update(T* p, const T* g, T* m, T* v, T* vmax, int64_t n, double step,
                 const AdamConfig& c) {
  const double bc1 = 1 - std::pow(c.beta1, step);
  const double bc2 = 1 - std::pow(c.beta2, step);
  const T neg_step_size = static_cast<T>(-(c.lr / bc1));
  const T bc2_sqrt = static_cast<T>(std::sqrt(bc2));
  const T b1 = static_cast<T>(c.beta1), b2 = static_cast<T>(c.beta2);
  const T one_b1 = static_cast<T>(1 - c.beta1), one_b2 = static_cast<T>(1 - c.beta2);
  const T wd = static_cast<T>(c.weight_decay), eps = static_cast<T>(c.eps);
  const T decay = static_cast<T>(1 - c.lr * c.weight_decay);
  const bool l2 = !c.decoupled && c.weight_decay != 0;
  for (int64_t i = 0; i < n; ++i) {
    T grad = c.maximize ? -g[i] : g[i];
    if (c.decoupled) p[i] = p[i] * decay;
    if (l2) grad = grad + wd * p[i];
    m[i] = m[i] * b1 + one_b1 * grad;
    v[i] = v[i] * b2 + one_b2 * grad * grad;
    T second = v[i];
    if (c.amsgrad) {
      vmax[i] = std::max(vmax[i], v[i]);
      second = vmax[i];
    }
    const T denom = std::sqrt(second) / bc2_sqrt + eps;
    p[i] = p[i] + neg_step_size * (m[i] / denom);
  }
}

Tensor& state_entry(ParamState& st, const std::string& name) {
  for (auto& [k, t] : st)
    if (k == name) return t;
  throw Error("Adam: parameter state has no '" + name + "'");
}

/// Runs one Adam/AdamW step over the parameters of one group.
void adam_group_step(const std::vector<Tensor>& params, const AdamConfig& c,
                     const std::function<ParamState&(const Tensor&)>& state_of) {
  for (const Tensor& p : params) {
    const Tensor grad = p.grad();
    if (!grad.defined()) continue;
    TL_CHECK(p.is_contiguous(), "Adam: parameters must be contiguous");
    TL_CHECK(grad.sizes() == p.sizes() && grad.dtype() == p.dtype(),
             "Adam: gradient does not match its parameter");
    TL_CHECK(p.dtype() == kFloat32 || p.dtype() == kFloat64, "Adam: unsupported parameter dtype ",
             dtype_name(p.dtype()));
    const Tensor gc = grad.contiguous();
    ParamState& st = state_of(p);
    if (st.empty()) {
      st.emplace_back("step", scalar_tensor(0.0, kFloat32));
      st.emplace_back("exp_avg", zeros(p.sizes(), p.dtype()));
      st.emplace_back("exp_avg_sq", zeros(p.sizes(), p.dtype()));
      if (c.amsgrad) st.emplace_back("max_exp_avg_sq", zeros(p.sizes(), p.dtype()));
    }
    Tensor& step_t = state_entry(st, "step");
    Tensor& m = state_entry(st, "exp_avg");
    Tensor& v = state_entry(st, "exp_avg_sq");
    Tensor* vmax = c.amsgrad ? &state_entry(st, "max_exp_avg_sq") : nullptr;
    // step is a float32 tensor in 1.13: increment in float, read back as a Python float
    float* sp = step_t.data_ptr<float>();
    *sp = *sp + 1.0f;
    const double step = *sp;
    if (p.dtype() == kFloat64) {
      adam_update<double>(p.data_ptr<double>(), gc.data_ptr<double>(), m.data_ptr<double>(),
                          v.data_ptr<double>(), vmax ? vmax->data_ptr<double>() : nullptr,
                          p.numel(), step, c);
    } else {
      adam_update<float>(p.data_ptr<float>(), gc.data_ptr<float>(), m.data_ptr<float>(),
                         v.data_ptr<float>(), vmax ? vmax->data_ptr<float>() : nullptr, p.numel(),
                         step, c);
    }
    for (const Tensor* t : std::initializer_list<const Tensor*>{&p, &step_t, &m, &v})
      t->bump_version();
    if (vmax) vmax->bump_version();
  }
}

template <class O>
void check_adam_options(const O& o) {
  TL_CHECK(o.lr >= 0, "Invalid learning rate: ", format_python_float(o.lr));
  TL_CHECK(o.eps >= 0, "Invalid epsilon value: ", format_python_float(o.eps));
  TL_CHECK(o.betas.first >= 0 && o.betas.first < 1,
           "Invalid beta parameter at index 0: ", format_python_float(o.betas.first));
  TL_CHECK(o.betas.second >= 0 && o.betas.second < 1,
           "Invalid beta parameter at index 1: ", format_python_float(o.betas.second));
  TL_CHECK(o.weight_decay >= 0,
           "Invalid weight_decay value: ", format_python_float(o.weight_decay));
}

double as_double(const OptionValue& v) {
  if (const double* d = std::get_if<double>(&v)) return *d;
  if (const bool* b = std::get_if<bool>(&v)) return *b;
  throw Error("optimizer state dict: expected a number");
}

template <class O>
void set_adam_options(O& o, const OptionList& list) {
  if (auto* v = find_option(list, "lr")) o.lr = as_double(*v);
  if (auto* v = find_option(list, "betas")) {
    const auto* b = std::get_if<std::vector<double>>(v);
    TL_CHECK(b && b->size() == 2, "optimizer state dict: betas must be a pair of floats");
    o.betas = {(*b)[0], (*b)[1]};
  }
  if (auto* v = find_option(list, "eps")) o.eps = as_double(*v);
  if (auto* v = find_option(list, "weight_decay")) o.weight_decay = as_double(*v);
  if (auto* v = find_option(list, "amsgrad")) o.amsgrad = as_double(*v) != 0;
  if (auto* v = find_option(list, "maximize")) o.maximize = as_double(*v) != 0;
}

}  // namespace

Adam::Adam(std::vector<Tensor> params, AdamOptions options) {
  add_param_group({std::move(params), options});
}

Adam::Adam(std::vector<ParamGroup<AdamOptions>> groups) {
  for (auto& g : groups) add_param_group(std::move(g));
}

void Adam::check_options(const AdamOptions& o) const { check_adam_options(o); }

void Adam::step() {
  NoGradGuard no_grad;
  for (size_t g = 0; g < num_param_groups(); ++g) {
    const AdamOptions& o = options_[g];
    adam_group_step(
        params(g),
        {o.lr, o.betas.first, o.betas.second, o.eps, o.weight_decay, o.amsgrad, o.maximize, false},
        [this](const Tensor& p) -> ParamState& { return mutable_state(p); });
  }
}

OptionList Adam::group_options(size_t g) const {
  const AdamOptions& o = options_.at(g);
  return {{"lr", o.lr},
          {"betas", std::vector<double>{o.betas.first, o.betas.second}},
          {"eps", o.eps},
          {"weight_decay", o.weight_decay},
          {"amsgrad", o.amsgrad},
          {"maximize", o.maximize},
          {"foreach", std::monostate{}},
          {"capturable", false},
          {"differentiable", false},
          {"fused", false}};
}

void Adam::set_group_options(size_t g, const OptionList& list) {
  set_adam_options(options_.at(g), list);
}

AdamW::AdamW(std::vector<Tensor> params, AdamWOptions options) {
  add_param_group({std::move(params), options});
}

AdamW::AdamW(std::vector<ParamGroup<AdamWOptions>> groups) {
  for (auto& g : groups) add_param_group(std::move(g));
}

void AdamW::check_options(const AdamWOptions& o) const { check_adam_options(o); }

void AdamW::step() {
  NoGradGuard no_grad;
  for (size_t g = 0; g < num_param_groups(); ++g) {
    const AdamWOptions& o = options_[g];
    adam_group_step(
        params(g),
        {o.lr, o.betas.first, o.betas.second, o.eps, o.weight_decay, o.amsgrad, o.maximize, true},
        [this](const Tensor& p) -> ParamState& { return mutable_state(p); });
  }
}

OptionList AdamW::group_options(size_t g) const {
  const AdamWOptions& o = options_.at(g);
  return {{"lr", o.lr},
          {"betas", std::vector<double>{o.betas.first, o.betas.second}},
          {"eps", o.eps},
          {"weight_decay", o.weight_decay},
          {"amsgrad", o.amsgrad},
          {"foreach", std::monostate{}},
          {"maximize", o.maximize},
          {"capturable", false}};
}

void AdamW::set_group_options(size_t g, const OptionList& list) {
  set_adam_options(options_.at(g), list);
}

}  // namespace torchlite::optim
