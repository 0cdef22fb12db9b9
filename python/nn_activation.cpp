// nn.ReLU, Sigmoid, Tanh, Softmax, LogSoftmax, Identity, Flatten.
#include "bindings.h"

namespace torchlite::python {

void bind_nn_activation(py::module_& m) {
  LayerClass<nn::ReLUImpl>(m, "ReLU")
      .def(py::init<bool>(), py::arg("inplace") = false)
      .def("forward", &nn::ReLUImpl::forward, py::arg("input"))
      .def_readonly("inplace", &nn::ReLUImpl::inplace);
  LayerClass<nn::SigmoidImpl>(m, "Sigmoid")
      .def(py::init<>())
      .def("forward", &nn::SigmoidImpl::forward, py::arg("input"));
  LayerClass<nn::TanhImpl>(m, "Tanh")
      .def(py::init<>())
      .def("forward", &nn::TanhImpl::forward, py::arg("input"));
  LayerClass<nn::SoftmaxImpl>(m, "Softmax")
      .def(py::init<std::optional<int64_t>>(), py::arg("dim") = py::none())
      .def("forward", &nn::SoftmaxImpl::forward, py::arg("input"))
      .def_readonly("dim", &nn::SoftmaxImpl::dim);
  LayerClass<nn::LogSoftmaxImpl>(m, "LogSoftmax")
      .def(py::init<std::optional<int64_t>>(), py::arg("dim") = py::none())
      .def("forward", &nn::LogSoftmaxImpl::forward, py::arg("input"))
      .def_readonly("dim", &nn::LogSoftmaxImpl::dim);
  LayerClass<nn::IdentityImpl>(m, "Identity")
      .def(py::init([](const py::args&, const py::kwargs&) { return std::make_shared<nn::IdentityImpl>(); }))
      .def("forward", &nn::IdentityImpl::forward, py::arg("input"));
  LayerClass<nn::FlattenImpl>(m, "Flatten")
      .def(py::init<int64_t, int64_t>(), py::arg("start_dim") = 1, py::arg("end_dim") = -1)
      .def("forward", &nn::FlattenImpl::forward, py::arg("input"))
      .def_readonly("start_dim", &nn::FlattenImpl::start_dim)
      .def_readonly("end_dim", &nn::FlattenImpl::end_dim);
}

}  // namespace torchlite::python
