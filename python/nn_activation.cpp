// nn.ReLU, Sigmoid, Tanh, Softmax, LogSoftmax, Identity, Flatten, Unflatten and the
// parametrised activations (LeakyReLU, GELU, SiLU, ELU, ReLU6, Hardtanh, Hardswish, Softplus).
#include "bindings.h"

namespace torchlite::python {
namespace {

/// A number argument kept as given (int or float), since repr prints it so: beta=1, alpha=1.0.
Scalar number(py::handle value, const char* name) {
  std::optional<Scalar> s = to_scalar(value);
  if (!s) throw py::type_error(std::string(name) + " must be a number");
  return *s;
}

}  // namespace

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
  LayerClass<nn::UnflattenImpl>(m, "Unflatten")
      .def(py::init<int64_t, std::vector<int64_t>>(), py::arg("dim"), py::arg("unflattened_size"))
      .def("forward", &nn::UnflattenImpl::forward, py::arg("input"));
  LayerClass<nn::LeakyReLUImpl>(m, "LeakyReLU")
      .def(py::init([](py::handle negative_slope, bool inplace) {
             return std::make_shared<nn::LeakyReLUImpl>(number(negative_slope, "negative_slope"),
                                                        inplace);
           }),
           py::arg("negative_slope") = 0.01, py::arg("inplace") = false)
      .def("forward", &nn::LeakyReLUImpl::forward, py::arg("input"));
  LayerClass<nn::GELUImpl>(m, "GELU")
      .def(py::init<std::string>(), py::arg("approximate") = "none")
      .def("forward", &nn::GELUImpl::forward, py::arg("input"));
  LayerClass<nn::SiLUImpl>(m, "SiLU")
      .def(py::init<bool>(), py::arg("inplace") = false)
      .def("forward", &nn::SiLUImpl::forward, py::arg("input"));
  LayerClass<nn::ELUImpl>(m, "ELU")
      .def(py::init([](py::handle alpha, bool inplace) {
             return std::make_shared<nn::ELUImpl>(number(alpha, "alpha"), inplace);
           }),
           py::arg("alpha") = 1.0, py::arg("inplace") = false)
      .def("forward", &nn::ELUImpl::forward, py::arg("input"));
  LayerClass<nn::ReLU6Impl>(m, "ReLU6")
      .def(py::init<bool>(), py::arg("inplace") = false)
      .def("forward", &nn::ReLU6Impl::forward, py::arg("input"));
  LayerClass<nn::HardtanhImpl>(m, "Hardtanh")
      .def(py::init([](py::handle min_val, py::handle max_val, bool inplace) {
             return std::make_shared<nn::HardtanhImpl>(number(min_val, "min_val"),
                                                       number(max_val, "max_val"), inplace);
           }),
           py::arg("min_val") = -1.0, py::arg("max_val") = 1.0, py::arg("inplace") = false)
      .def("forward", &nn::HardtanhImpl::forward, py::arg("input"));
  LayerClass<nn::HardswishImpl>(m, "Hardswish")
      .def(py::init<bool>(), py::arg("inplace") = false)
      .def("forward", &nn::HardswishImpl::forward, py::arg("input"));
  LayerClass<nn::SoftplusImpl>(m, "Softplus")
      .def(py::init([](py::handle beta, py::handle threshold) {
             return std::make_shared<nn::SoftplusImpl>(number(beta, "beta"),
                                                       number(threshold, "threshold"));
           }),
           py::arg("beta") = 1, py::arg("threshold") = 20)
      .def("forward", &nn::SoftplusImpl::forward, py::arg("input"));
}

}  // namespace torchlite::python
