// nn.Dropout, Dropout2d.
#include "bindings.h"

namespace torchlite::python {

void bind_nn_dropout(py::module_& m) {
  LayerClass<nn::DropoutImpl>(m, "Dropout")
      .def(py::init<double, bool>(), py::arg("p") = 0.5, py::arg("inplace") = false)
      .def("forward", &nn::DropoutImpl::forward, py::arg("input"))
      .def_readonly("p", &nn::DropoutImpl::p)
      .def_readonly("inplace", &nn::DropoutImpl::inplace);
  LayerClass<nn::Dropout2dImpl>(m, "Dropout2d")
      .def(py::init<double, bool>(), py::arg("p") = 0.5, py::arg("inplace") = false)
      .def("forward", &nn::Dropout2dImpl::forward, py::arg("input"))
      .def_readonly("p", &nn::Dropout2dImpl::p)
      .def_readonly("inplace", &nn::Dropout2dImpl::inplace);
}

}  // namespace torchlite::python
