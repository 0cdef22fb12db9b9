// torchlite.nn.functional's forms of the layers: convolutions, padding, pooling, interpolation,
// normalisation, dropout2d and the activations with parameters, with PyTorch's keyword names.
#include "sizes.h"
#include "torchlite/nn/functional.h"

namespace torchlite::python {
namespace {

using OptTensor = std::optional<Tensor>;

/// The result of an activation: `input` itself (the same Python object) when in place.
template <class Fn>
py::object activation(py::object input, bool inplace, Fn fn) {
  Tensor out = fn(input.cast<Tensor&>());
  return inplace ? input : py::cast(out);
}

/// A result with its indices as F.max_pool2d(return_indices=True) gives it, or the result alone.
py::object with_indices(const std::pair<Tensor, Tensor>& r, bool return_indices) {
  return return_indices ? py::object(py::make_tuple(r.first, r.second)) : py::cast(r.first);
}

/// fn() with torchlite::Error raised as RuntimeError: PyTorch's functional convolutions check their
/// arguments in C++ (RuntimeError) where the layers' constructors raise ValueError for the same text.
template <class Fn>
Tensor runtime_errors(Fn fn) {
  try {
    return fn();
  } catch (const Error& e) {
    throw std::runtime_error(e.what());
  }
}

/// interpolate's size or scale_factor: None, one value, or a tuple/list of them.
template <class T>
SpatialArg<T> spatial(py::handle value) {
  if (value.is_none()) return {};
  if (py::isinstance<py::tuple>(value) || py::isinstance<py::list>(value))
    return SpatialArg<T>(value.cast<std::vector<T>>());
  return SpatialArg<T>(value.cast<T>());
}

template <size_t D>
void bind_conv(py::module_& m, const char* name) {
  m.def(name, [](const Tensor& input, const Tensor& weight, OptTensor bias, py::handle stride,
                 py::handle padding, py::handle dilation, int64_t groups) {
    return runtime_errors([&] {
      const nn::functional::ConvFuncOptions<D> o{.bias = bias.value_or(Tensor()),
                                                 .stride = expanding<D>(stride, "stride"),
                                                 .padding = conv_padding<D>(padding),
                                                 .dilation = expanding<D>(dilation, "dilation"),
                                                 .groups = groups};
      if constexpr (D == 1) return nn::functional::conv1d(input, weight, o);
      else return nn::functional::conv2d(input, weight, o);
    });
  }, py::arg("input"), py::arg("weight"), py::arg("bias") = py::none(), py::arg("stride") = 1,
     py::arg("padding") = 0, py::arg("dilation") = 1, py::arg("groups") = 1);
}

template <size_t D>
void bind_max_pool(py::module_& m, const char* name) {
  m.def(name, [](const Tensor& input, py::handle kernel_size, py::handle stride,
                 py::handle padding, py::handle dilation, bool ceil_mode, bool return_indices) {
    const auto k = expanding<D>(kernel_size, "kernel_size");
    const nn::MaxPoolOptions<D> o{.stride = optional_expanding<D>(stride, "stride"),
                                  .padding = expanding<D>(padding, "padding"),
                                  .dilation = expanding<D>(dilation, "dilation"),
                                  .ceil_mode = ceil_mode};
    // Without indices PyTorch calls another op, whose messages differ.
    if constexpr (D == 1) {
      if (!return_indices) return py::cast(nn::functional::max_pool1d(input, k, o));
      return with_indices(nn::functional::max_pool1d_with_indices(input, k, o), true);
    } else {
      if (!return_indices) return py::cast(nn::functional::max_pool2d(input, k, o));
      return with_indices(nn::functional::max_pool2d_with_indices(input, k, o), true);
    }
  }, py::arg("input"), py::arg("kernel_size"), py::arg("stride") = py::none(),
     py::arg("padding") = 0, py::arg("dilation") = 1, py::arg("ceil_mode") = false,
     py::arg("return_indices") = false);
}

}  // namespace

void bind_nn_functional_layers(py::module_& root) {
  namespace F = nn::functional;
  py::module_ m = root.attr("_nn_functional");
  bind_conv<1>(m, "conv1d");
  bind_conv<2>(m, "conv2d");
  m.def("conv_transpose2d", [](const Tensor& input, const Tensor& weight, OptTensor bias,
                               py::handle stride, py::handle padding, py::handle output_padding,
                               int64_t groups, py::handle dilation) {
    return runtime_errors([&] {
      return F::conv_transpose2d(
          input, weight,
          {.bias = bias.value_or(Tensor()), .stride = expanding<2>(stride, "stride"),
           .padding = expanding<2>(padding, "padding"),
           .output_padding = expanding<2>(output_padding, "output_padding"), .groups = groups,
           .dilation = expanding<2>(dilation, "dilation")});
    });
  }, py::arg("input"), py::arg("weight"), py::arg("bias") = py::none(), py::arg("stride") = 1,
     py::arg("padding") = 0, py::arg("output_padding") = 0, py::arg("groups") = 1,
     py::arg("dilation") = 1);
  m.def("pad", [](const Tensor& input, const std::vector<int64_t>& pad, const std::string& mode,
                  std::optional<double> value) {
    return F::pad(input, pad, {.mode = mode, .value = value});
  }, py::arg("input"), py::arg("pad"), py::arg("mode") = "constant",
     py::arg("value") = py::none());

  bind_max_pool<1>(m, "max_pool1d");
  bind_max_pool<2>(m, "max_pool2d");
  m.def("avg_pool1d", [](const Tensor& input, py::handle kernel_size, py::handle stride,
                         py::handle padding, bool ceil_mode, bool count_include_pad) {
    return F::avg_pool1d(input, expanding<1>(kernel_size, "kernel_size"),
                         {.stride = optional_expanding<1>(stride, "stride"),
                          .padding = expanding<1>(padding, "padding"),
                          .ceil_mode = ceil_mode,
                          .count_include_pad = count_include_pad});
  }, py::arg("input"), py::arg("kernel_size"), py::arg("stride") = py::none(),
     py::arg("padding") = 0, py::arg("ceil_mode") = false, py::arg("count_include_pad") = true);
  m.def("avg_pool2d", [](const Tensor& input, py::handle kernel_size, py::handle stride,
                         py::handle padding, bool ceil_mode, bool count_include_pad,
                         std::optional<int64_t> divisor_override) {
    return F::avg_pool2d(input, expanding<2>(kernel_size, "kernel_size"),
                         {.stride = optional_expanding<2>(stride, "stride"),
                          .padding = expanding<2>(padding, "padding"),
                          .ceil_mode = ceil_mode,
                          .count_include_pad = count_include_pad,
                          .divisor_override = divisor_override});
  }, py::arg("input"), py::arg("kernel_size"), py::arg("stride") = py::none(),
     py::arg("padding") = 0, py::arg("ceil_mode") = false, py::arg("count_include_pad") = true,
     py::arg("divisor_override") = py::none());
  m.def("adaptive_avg_pool1d", [](const Tensor& input, py::handle output_size) {
    return F::adaptive_avg_pool1d(input, expanding<1>(output_size, "output_size"));
  }, py::arg("input"), py::arg("output_size"));
  m.def("adaptive_avg_pool2d", [](const Tensor& input, py::handle output_size) {
    return F::adaptive_avg_pool2d(input, adaptive_size(output_size));
  }, py::arg("input"), py::arg("output_size"));
  m.def("adaptive_max_pool2d", [](const Tensor& input, py::handle output_size,
                                  bool return_indices) {
    return with_indices(F::adaptive_max_pool2d_with_indices(input, adaptive_size(output_size)),
                        return_indices);
  }, py::arg("input"), py::arg("output_size"), py::arg("return_indices") = false);
  m.def("interpolate", [](const Tensor& input, py::handle size, py::handle scale_factor,
                          const std::string& mode, std::optional<bool> align_corners,
                          std::optional<bool> recompute_scale_factor, bool antialias) {
    if (antialias) throw py::value_error("interpolate: antialias=True is not supported");
    return F::interpolate(input, {.size = spatial<int64_t>(size),
                                  .scale_factor = spatial<double>(scale_factor),
                                  .mode = mode,
                                  .align_corners = align_corners,
                                  .recompute_scale_factor = recompute_scale_factor});
  }, py::arg("input"), py::arg("size") = py::none(), py::arg("scale_factor") = py::none(),
     py::arg("mode") = "nearest", py::arg("align_corners") = py::none(),
     py::arg("recompute_scale_factor") = py::none(), py::arg("antialias") = false);

  m.def("batch_norm", [](const Tensor& input, OptTensor running_mean, OptTensor running_var,
                         OptTensor weight, OptTensor bias, bool training, double momentum,
                         double eps) {
    return F::batch_norm(input, running_mean.value_or(Tensor()), running_var.value_or(Tensor()),
                         {.weight = weight.value_or(Tensor()), .bias = bias.value_or(Tensor()),
                          .training = training, .momentum = momentum, .eps = eps});
  }, py::arg("input"), py::arg("running_mean"), py::arg("running_var"),
     py::arg("weight") = py::none(), py::arg("bias") = py::none(), py::arg("training") = false,
     py::arg("momentum") = 0.1, py::arg("eps") = 1e-5);
  m.def("layer_norm", [](const Tensor& input, py::handle normalized_shape, OptTensor weight,
                         OptTensor bias, double eps) {
    const Sizes shape = sizes_from_object(normalized_shape, "layer_norm");
    return F::layer_norm(input, std::vector<int64_t>(shape.begin(), shape.end()),
                         {.weight = weight.value_or(Tensor()), .bias = bias.value_or(Tensor()),
                          .eps = eps});
  }, py::arg("input"), py::arg("normalized_shape"), py::arg("weight") = py::none(),
     py::arg("bias") = py::none(), py::arg("eps") = 1e-5);
  m.def("group_norm", [](const Tensor& input, int64_t num_groups, OptTensor weight,
                         OptTensor bias, double eps) {
    return F::group_norm(input, num_groups,
                         {.weight = weight.value_or(Tensor()), .bias = bias.value_or(Tensor()),
                          .eps = eps});
  }, py::arg("input"), py::arg("num_groups"), py::arg("weight") = py::none(),
     py::arg("bias") = py::none(), py::arg("eps") = 1e-5);
  m.def("dropout2d", [](py::object input, double p, bool training, bool inplace) {
    return activation(input, inplace,
                      [&](Tensor& t) { return F::dropout2d(t, p, training, inplace); });
  }, py::arg("input"), py::arg("p") = 0.5, py::arg("training") = true,
     py::arg("inplace") = false);

  m.def("leaky_relu", [](py::object input, double negative_slope, bool inplace) {
    return activation(input, inplace,
                      [&](Tensor& t) { return F::leaky_relu(t, negative_slope, inplace); });
  }, py::arg("input"), py::arg("negative_slope") = 0.01, py::arg("inplace") = false);
  m.def("gelu", &F::gelu, py::arg("input"), py::arg("approximate") = "none");
  m.def("silu", [](py::object input, bool inplace) {
    return activation(input, inplace, [&](Tensor& t) { return F::silu(t, inplace); });
  }, py::arg("input"), py::arg("inplace") = false);
  m.def("elu", [](py::object input, double alpha, bool inplace) {
    return activation(input, inplace, [&](Tensor& t) { return F::elu(t, alpha, inplace); });
  }, py::arg("input"), py::arg("alpha") = 1.0, py::arg("inplace") = false);
  m.def("relu6", [](py::object input, bool inplace) {
    return activation(input, inplace, [&](Tensor& t) { return F::relu6(t, inplace); });
  }, py::arg("input"), py::arg("inplace") = false);
  m.def("hardtanh", [](py::object input, double min_val, double max_val, bool inplace) {
    return activation(input, inplace,
                      [&](Tensor& t) { return F::hardtanh(t, min_val, max_val, inplace); });
  }, py::arg("input"), py::arg("min_val") = -1.0, py::arg("max_val") = 1.0,
     py::arg("inplace") = false);
  m.def("hardswish", [](py::object input, bool inplace) {
    return activation(input, inplace, [&](Tensor& t) { return F::hardswish(t, inplace); });
  }, py::arg("input"), py::arg("inplace") = false);
  m.def("softplus", &F::softplus, py::arg("input"), py::arg("beta") = 1.0,
        py::arg("threshold") = 20.0);
}

}  // namespace torchlite::python
