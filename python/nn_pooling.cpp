// nn.MaxPool1d/2d, AvgPool1d/2d, AdaptiveAvgPool1d/2d, AdaptiveMaxPool2d.
#include "sizes.h"
#include "torchlite/nn/pooling.h"

namespace torchlite::python {
namespace {

template <size_t D>
void bind_max_pool(py::module_& m, const char* name) {
  using Impl = nn::MaxPoolImpl<D>;
  LayerClass<Impl>(m, name)
      .def(py::init([](py::handle kernel_size, py::handle stride, py::handle padding,
                       py::handle dilation, bool return_indices, bool ceil_mode) {
             if (return_indices)
               throw py::value_error("return_indices=True is not supported; use "
                                     "forward_with_indices");
             return std::make_shared<Impl>(
                 expanding<D>(kernel_size, "kernel_size"),
                 nn::MaxPoolOptions<D>{.stride = optional_expanding<D>(stride, "stride"),
                                       .padding = expanding<D>(padding, "padding"),
                                       .dilation = expanding<D>(dilation, "dilation"),
                                       .ceil_mode = ceil_mode});
           }),
           py::arg("kernel_size"), py::arg("stride") = py::none(), py::arg("padding") = 0,
           py::arg("dilation") = 1, py::arg("return_indices") = false,
           py::arg("ceil_mode") = false)
      .def("forward", &Impl::forward, py::arg("input"))
      .def("forward_with_indices", &Impl::forward_with_indices, py::arg("input"));
}

}  // namespace

void bind_nn_pooling(py::module_& m) {
  bind_max_pool<1>(m, "MaxPool1d");
  bind_max_pool<2>(m, "MaxPool2d");
  LayerClass<nn::AvgPool1dImpl>(m, "AvgPool1d")
      .def(py::init([](py::handle kernel_size, py::handle stride, py::handle padding,
                       bool ceil_mode, bool count_include_pad) {
             return std::make_shared<nn::AvgPool1dImpl>(
                 expanding<1>(kernel_size, "kernel_size"),
                 nn::AvgPool1dOptions{.stride = optional_expanding<1>(stride, "stride"),
                                      .padding = expanding<1>(padding, "padding"),
                                      .ceil_mode = ceil_mode,
                                      .count_include_pad = count_include_pad});
           }),
           py::arg("kernel_size"), py::arg("stride") = py::none(), py::arg("padding") = 0,
           py::arg("ceil_mode") = false, py::arg("count_include_pad") = true)
      .def("forward", &nn::AvgPool1dImpl::forward, py::arg("input"));
  LayerClass<nn::AvgPool2dImpl>(m, "AvgPool2d")
      .def(py::init([](py::handle kernel_size, py::handle stride, py::handle padding,
                       bool ceil_mode, bool count_include_pad,
                       std::optional<int64_t> divisor_override) {
             return std::make_shared<nn::AvgPool2dImpl>(
                 expanding<2>(kernel_size, "kernel_size"),
                 nn::AvgPool2dOptions{.stride = optional_expanding<2>(stride, "stride"),
                                      .padding = expanding<2>(padding, "padding"),
                                      .ceil_mode = ceil_mode,
                                      .count_include_pad = count_include_pad,
                                      .divisor_override = divisor_override});
           }),
           py::arg("kernel_size"), py::arg("stride") = py::none(), py::arg("padding") = 0,
           py::arg("ceil_mode") = false, py::arg("count_include_pad") = true,
           py::arg("divisor_override") = py::none())
      .def("forward", &nn::AvgPool2dImpl::forward, py::arg("input"));
  LayerClass<nn::AdaptiveAvgPool1dImpl>(m, "AdaptiveAvgPool1d")
      .def(py::init([](py::handle output_size) {
             return std::make_shared<nn::AdaptiveAvgPool1dImpl>(
                 expanding<1>(output_size, "output_size"));
           }),
           py::arg("output_size"))
      .def("forward", &nn::AdaptiveAvgPool1dImpl::forward, py::arg("input"));
  LayerClass<nn::AdaptiveAvgPool2dImpl>(m, "AdaptiveAvgPool2d")
      .def(py::init([](py::handle output_size) {
             return std::make_shared<nn::AdaptiveAvgPool2dImpl>(adaptive_size(output_size));
           }),
           py::arg("output_size"))
      .def("forward", &nn::AdaptiveAvgPool2dImpl::forward, py::arg("input"));
  LayerClass<nn::AdaptiveMaxPool2dImpl>(m, "AdaptiveMaxPool2d")
      .def(py::init([](py::handle output_size, bool return_indices) {
             if (return_indices)
               throw py::value_error("return_indices=True is not supported; use "
                                     "forward_with_indices");
             return std::make_shared<nn::AdaptiveMaxPool2dImpl>(adaptive_size(output_size));
           }),
           py::arg("output_size"), py::arg("return_indices") = false)
      .def("forward", &nn::AdaptiveMaxPool2dImpl::forward, py::arg("input"));
}

}  // namespace torchlite::python
