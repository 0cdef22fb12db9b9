// nn.Conv1d, Conv2d, ConvTranspose2d.
#include "sizes.h"
#include "torchlite/nn/conv.h"

namespace torchlite::python {
namespace {

template <size_t D>
void bind_conv(py::module_& m, const char* name) {
  using Impl = nn::ConvImpl<D>;
  LayerClass<Impl> cls(m, name);
  cls.def(py::init([](int64_t in_channels, int64_t out_channels, py::handle kernel_size,
                      py::handle stride, py::handle padding, py::handle dilation, int64_t groups,
                      bool bias, const std::string& padding_mode) {
            return std::make_shared<Impl>(
                in_channels, out_channels, expanding<D>(kernel_size, "kernel_size"),
                nn::ConvOptions<D>{.stride = expanding<D>(stride, "stride"),
                                   .padding = conv_padding<D>(padding),
                                   .dilation = expanding<D>(dilation, "dilation"),
                                   .groups = groups,
                                   .bias = bias,
                                   .padding_mode = padding_mode});
          }),
          py::arg("in_channels"), py::arg("out_channels"), py::arg("kernel_size"),
          py::arg("stride") = 1, py::arg("padding") = 0, py::arg("dilation") = 1,
          py::arg("groups") = 1, py::arg("bias") = true, py::arg("padding_mode") = "zeros")
      .def("forward", &Impl::forward, py::arg("input"))
      .def_readonly("in_channels", &Impl::in_channels)
      .def_readonly("out_channels", &Impl::out_channels)
      .def_readonly("groups", &Impl::groups)
      .def_readonly("padding_mode", &Impl::padding_mode)
      .def_property_readonly("kernel_size", [](const Impl& c) { return c.kernel_size.values(); })
      .def_property_readonly("stride", [](const Impl& c) { return c.stride.values(); })
      .def_property_readonly("dilation", [](const Impl& c) { return c.dilation.values(); });
  parameter_property(cls, "weight", &Impl::weight);
  parameter_property(cls, "bias", &Impl::bias);
}

}  // namespace

void bind_nn_conv(py::module_& m) {
  bind_conv<1>(m, "Conv1d");
  bind_conv<2>(m, "Conv2d");
  using T = nn::ConvTranspose2dImpl;
  LayerClass<T> cls(m, "ConvTranspose2d");
  cls.def(py::init([](int64_t in_channels, int64_t out_channels, py::handle kernel_size,
                      py::handle stride, py::handle padding, py::handle output_padding,
                      int64_t groups, bool bias, py::handle dilation,
                      const std::string& padding_mode) {
            return std::make_shared<T>(
                in_channels, out_channels, expanding<2>(kernel_size, "kernel_size"),
                nn::ConvTranspose2dOptions{
                    .stride = expanding<2>(stride, "stride"),
                    .padding = expanding<2>(padding, "padding"),
                    .output_padding = expanding<2>(output_padding, "output_padding"),
                    .groups = groups,
                    .bias = bias,
                    .dilation = expanding<2>(dilation, "dilation"),
                    .padding_mode = padding_mode});
          }),
          py::arg("in_channels"), py::arg("out_channels"), py::arg("kernel_size"),
          py::arg("stride") = 1, py::arg("padding") = 0, py::arg("output_padding") = 0,
          py::arg("groups") = 1, py::arg("bias") = true, py::arg("dilation") = 1,
          py::arg("padding_mode") = "zeros")
      .def("forward", &T::forward, py::arg("input"))
      .def_readonly("in_channels", &T::in_channels)
      .def_readonly("out_channels", &T::out_channels);
  parameter_property(cls, "weight", &T::weight);
  parameter_property(cls, "bias", &T::bias);
}

}  // namespace torchlite::python
