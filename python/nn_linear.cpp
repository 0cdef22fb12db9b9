// nn.Linear.
#include "bindings.h"

namespace torchlite::python {

void bind_nn_linear(py::module_& m) {
  LayerClass<nn::LinearImpl> cls(m, "Linear");
  cls.def(py::init<int64_t, int64_t, bool>(), py::arg("in_features"), py::arg("out_features"),
          py::arg("bias") = true)
      .def("forward", &nn::LinearImpl::forward, py::arg("input"))
      .def_readonly("in_features", &nn::LinearImpl::in_features)
      .def_readonly("out_features", &nn::LinearImpl::out_features);
  parameter_property(cls, "weight", &nn::LinearImpl::weight);
  parameter_property(cls, "bias", &nn::LinearImpl::bias);
}

}  // namespace torchlite::python
