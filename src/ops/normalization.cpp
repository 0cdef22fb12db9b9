// batch_norm, layer_norm and group_norm: shape checks with PyTorch's wording, the fused kernels
// of src/kernels/normalization.cpp, and their backward recorded beside the forward.
#include "torchlite/ops/normalization.h"

#include <array>
#include <cmath>
#include <sstream>

#include "core/dispatch.h"
#include "core/tensor_util.h"
#include "kernels/normalization.h"
#include "torchlite/autograd/function.h"

namespace torchlite {

using autograd::record;
using autograd::SavedTensor;

namespace {

template <class T>
const T* data_or_null(const Tensor& t) {
  return t.defined() ? t.data_ptr<T>() : nullptr;
}

/// A parameter's contiguous values, checked to have input's dtype.
Tensor param(const Tensor& p, const Tensor& input) {
  if (!p.defined()) return p;
  TL_CHECK(p.dtype() == input.dtype(), "expected scalar type ", scalar_type_name(input.dtype()),
           " but found ", scalar_type_name(p.dtype()));
  return p.detach().contiguous();
}

/// An output-gradient buffer for an input that needs one, else an undefined tensor.
Tensor grad_buffer(bool needed, const Sizes& sizes, Dtype dtype) {
  return needed ? detail::make_empty(sizes, dtype) : Tensor();
}

template <class T>
T* ptr_or_null(const Tensor& t) {
  return t.defined() ? t.data_ptr<T>() : nullptr;
}

void check_features(const char* what, int64_t features, const Tensor& t) {
  TL_CHECK(t.numel() == features, what, " should contain ", features, " elements not ", t.numel());
}

std::string list_str(const Sizes& s) { return detail::shape_str(s); }

}  // namespace

Tensor batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias,
                  const Tensor& running_mean, const Tensor& running_var, bool training,
                  double momentum, double eps) {
  TL_CHECK(input.defined(), "batch_norm: input is an undefined tensor");
  // PyTorch reads size 1 of a lower-rank input as 0 (its feature-count messages say so); such an
  // input is refused after the count checks, with the dim error.
  const int64_t c = input.dim() >= 2 ? input.sizes()[1] : 0;
  if (running_mean.defined())
    check_features("running_mean", c, running_mean);
  else
    TL_CHECK(training, "running_mean must be defined in evaluation mode");
  if (running_var.defined())
    check_features("running_var", c, running_var);
  else
    TL_CHECK(training, "running_var must be defined in evaluation mode");
  if (weight.defined()) check_features("weight", c, weight);
  if (bias.defined()) check_features("bias", c, bias);
  detail::wrap_dim(1, input.dim());
  detail::dispatch_float(input.dtype(), "batch_norm", [](auto) {});
  if (input.numel() == 0) return detail::make_empty(input.sizes(), input.dtype());

  const Tensor x = input.detach().contiguous();
  const Tensor w = param(weight, input), b = param(bias, input);
  const kernels::ChannelShape sh{x.size(0), c, x.numel() / (x.size(0) * c)};
  Tensor mean = detail::make_empty({c}, kFloat64), var = detail::make_empty({c}, kFloat64);
  if (!training) {
    detail::copy_kernel(mean, running_mean);
    detail::copy_kernel(var, running_var);
  }
  Tensor y = detail::make_empty(input.sizes(), input.dtype());
  detail::dispatch_float(x.dtype(), "batch_norm", [&](auto tag) {
    using T = decltype(tag);
    kernels::batch_norm_forward<T>(x.data_ptr<T>(), y.data_ptr<T>(), data_or_null<T>(w),
                                   data_or_null<T>(b), sh, eps, training, mean.data_ptr<double>(),
                                   var.data_ptr<double>());
  });
  double* mp = mean.data_ptr<double>();
  double* vp = var.data_ptr<double>();
  if (training && (running_mean.defined() || running_var.defined())) {
    // PyTorch's update: momentum * batch + (1 - momentum) * running, in double.
    const double per = static_cast<double>(sh.n * sh.s);
    if (running_mean.defined()) {
      Tensor rm = running_mean.detach().to(kFloat64).contiguous().clone();
      double* r = rm.data_ptr<double>();
      for (int64_t i = 0; i < c; ++i) r[i] = momentum * mp[i] + (1 - momentum) * r[i];
      detail::copy_kernel(running_mean, rm);
      running_mean.bump_version();
    }
    if (running_var.defined()) {
      Tensor rv = running_var.detach().to(kFloat64).contiguous().clone();
      double* r = rv.data_ptr<double>();
      for (int64_t i = 0; i < c; ++i)
        r[i] = momentum * (vp[i] * per / (per - 1)) + (1 - momentum) * r[i];
      detail::copy_kernel(running_var, rv);
      running_var.bump_version();
    }
  }
  // The backward needs 1 / sqrt(var + eps) of the statistics the forward used.
  for (int64_t i = 0; i < c; ++i) vp[i] = 1.0 / std::sqrt(vp[i] + eps);
  const bool need_x = input.requires_grad(), need_w = weight.defined() && weight.requires_grad(),
             need_b = bias.defined() && bias.requires_grad();
  return record(y, "NativeBatchNormBackward0", {input, weight, bias},
                [sx = SavedTensor(input), sw = SavedTensor(weight), mean, invstd = var, sh,
                 training, need_x, need_w, need_b](const Tensor& grad) {
                  const Tensor xv = sx.unpack().detach().contiguous();
                  const Tensor wv = sw.unpack();
                  const Tensor wc = wv.defined() ? wv.detach().contiguous() : wv;
                  // The kernel reads a channel's gradient in full before it writes the
                  // channel's input gradient, so that may overwrite a gradient no one holds.
                  const bool in_place = need_x && autograd::grad_is_reusable(grad, xv);
                  const Tensor g = grad.contiguous();
                  std::array<Tensor, 3> grads{
                      in_place ? g : grad_buffer(need_x, xv.sizes(), xv.dtype()),
                      grad_buffer(need_w, {sh.c}, xv.dtype()),
                      grad_buffer(need_b, {sh.c}, xv.dtype())};
                  detail::dispatch_float(xv.dtype(), "batch_norm_backward", [&](auto tag) {
                    using T = decltype(tag);
                    kernels::batch_norm_backward<T>(
                        g.data_ptr<T>(), xv.data_ptr<T>(), data_or_null<T>(wc), sh,
                        mean.data_ptr<double>(), invstd.data_ptr<double>(), training,
                        ptr_or_null<T>(grads[0]), ptr_or_null<T>(grads[1]),
                        ptr_or_null<T>(grads[2]));
                  });
                  return grads;
                });
}

namespace {

/// The row-norm op shared by layer_norm and group_norm.
Tensor row_norm(const char* name, const Tensor& input, const Tensor& weight, const Tensor& bias,
                kernels::RowShape sh, double eps) {
  const Tensor x = input.detach().contiguous();
  const Tensor w = param(weight, input), b = param(bias, input);
  Tensor y = detail::make_empty(input.sizes(), input.dtype());
  Tensor mean = detail::make_empty({sh.rows}, kFloat64),
         rstd = detail::make_empty({sh.rows}, kFloat64);
  if (input.numel() == 0) return y;
  detail::dispatch_float(x.dtype(), name, [&](auto tag) {
    using T = decltype(tag);
    kernels::row_norm_forward<T>(x.data_ptr<T>(), y.data_ptr<T>(), data_or_null<T>(w),
                                 data_or_null<T>(b), sh, eps, mean.data_ptr<double>(),
                                 rstd.data_ptr<double>());
  });
  const bool need_x = input.requires_grad(), need_w = weight.defined() && weight.requires_grad(),
             need_b = bias.defined() && bias.requires_grad();
  const Sizes psizes = weight.defined() ? weight.sizes() : bias.defined() ? bias.sizes() : Sizes{};
  return record(y, name, {input, weight, bias},
                [sx = SavedTensor(input), sw = SavedTensor(weight), mean, rstd, sh, need_x, need_w,
                 need_b, psizes](const Tensor& grad) {
                  const Tensor xv = sx.unpack().detach().contiguous();
                  const Tensor wv = sw.unpack();
                  const Tensor wc = wv.defined() ? wv.detach().contiguous() : wv;
                  const Tensor g = grad.contiguous();
                  std::array<Tensor, 3> grads{grad_buffer(need_x, xv.sizes(), xv.dtype()),
                                              grad_buffer(need_w, psizes, xv.dtype()),
                                              grad_buffer(need_b, psizes, xv.dtype())};
                  detail::dispatch_float(xv.dtype(), "norm_backward", [&](auto tag) {
                    using T = decltype(tag);
                    kernels::row_norm_backward<T>(
                        g.data_ptr<T>(), xv.data_ptr<T>(), data_or_null<T>(wc), sh,
                        mean.data_ptr<double>(), rstd.data_ptr<double>(), ptr_or_null<T>(grads[0]),
                        ptr_or_null<T>(grads[1]), ptr_or_null<T>(grads[2]));
                  });
                  return grads;
                });
}

}  // namespace

Tensor layer_norm(const Tensor& input, const Sizes& normalized_shape, const Tensor& weight,
                  const Tensor& bias, double eps) {
  TL_CHECK(input.defined(), "layer_norm: input is an undefined tensor");
  const int64_t nd = static_cast<int64_t>(normalized_shape.size());
  TL_CHECK(nd >= 1, "Expected normalized_shape to be at least 1-dimensional, i.e., containing at ",
           "least one element, but got normalized_shape = ", list_str(normalized_shape));
  TL_CHECK(!weight.defined() || weight.sizes() == normalized_shape,
           "Expected weight to be of same shape as normalized_shape, but got weight of shape ",
           list_str(weight.sizes()), " and normalized_shape = ", list_str(normalized_shape));
  TL_CHECK(!bias.defined() || bias.sizes() == normalized_shape,
           "Expected bias to be of same shape as normalized_shape, but got bias of shape ",
           list_str(bias.sizes()), " and normalized_shape = ", list_str(normalized_shape));
  const Sizes& in = input.sizes();
  const int64_t id = input.dim();
  bool ok = id >= nd;
  for (int64_t i = 0; ok && i < nd; ++i) ok = in[id - nd + i] == normalized_shape[i];
  if (!ok) {
    std::ostringstream ss;
    ss << "Given normalized_shape=" << list_str(normalized_shape)
       << ", expected input with shape [*";
    for (int64_t s : normalized_shape) ss << ", " << s;
    ss << "], but got input of size" << list_str(input.sizes());
    throw Error(ss.str());
  }
  detail::dispatch_float(input.dtype(), "layer_norm", [](auto) {});
  int64_t d = 1;
  for (int64_t s : normalized_shape) d *= s;
  const int64_t rows = d == 0 ? 0 : input.numel() / d;
  return row_norm("NativeLayerNormBackward0", input, weight, bias, {rows, 1, d, 1}, eps);
}

Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight, const Tensor& bias,
                  double eps) {
  TL_CHECK(input.defined(), "group_norm: input is an undefined tensor");
  const int64_t n = input.size(detail::wrap_dim(0, input.dim()));
  const int64_t c = input.size(detail::wrap_dim(1, input.dim()));
  TL_CHECK(num_groups > 0 && c % num_groups == 0,
           "Expected number of channels in input to be divisible by num_groups, but got input of "
           "shape ",
           list_str(input.sizes()), " and num_groups=", num_groups);
  TL_CHECK(!weight.defined() || (weight.dim() == 1 && weight.numel() == c),
           "Expected weight to be a vector of size equal to the number of channels in input, but "
           "got weight of shape ",
           list_str(weight.sizes()), " and input of shape ", list_str(input.sizes()));
  TL_CHECK(!bias.defined() || (bias.dim() == 1 && bias.numel() == c),
           "Expected bias to be a vector of size equal to the number of channels in input, but "
           "got bias of shape ",
           list_str(bias.sizes()), " and input of shape ", list_str(input.sizes()));
  detail::dispatch_float(input.dtype(), "group_norm", [](auto) {});
  const int64_t s = n * c == 0 ? 0 : input.numel() / (n * c);
  return row_norm("NativeGroupNormBackward0", input, weight, bias,
                  {n * num_groups, num_groups, c / num_groups, s}, eps);
}

}  // namespace torchlite
