// torchlite.nn.init: the in-place initialisers, drawing PyTorch 1.13's values.
#include "bindings.h"

namespace torchlite::python {
namespace {

/// `fn` as a binding that returns the tensor object it was given, as PyTorch's initialisers do.
template <class... Args, class Fn>
auto in_place(Fn fn) {
  return [fn](py::object tensor, Args... args) {
    Tensor& t = tensor.cast<Tensor&>();
    NoGradGuard no_grad;
    fn(t, args...);
    return tensor;
  };
}

}  // namespace

void bind_nn_init(py::module_& root) {
  namespace init = nn::init;
  py::module_ m = root.def_submodule("_nn_init");
  m.def("calculate_gain", &init::calculate_gain, py::arg("nonlinearity"), py::arg("param") = py::none());
  m.def("_calculate_fan_in_and_fan_out", &init::calculate_fan_in_and_fan_out, py::arg("tensor"));
  m.def("uniform_", in_place<double, double>([](Tensor& t, double a, double b) { init::uniform_(t, a, b); }),
        py::arg("tensor"), py::arg("a") = 0.0, py::arg("b") = 1.0);
  m.def("normal_", in_place<double, double>([](Tensor& t, double mean, double std) { init::normal_(t, mean, std); }),
        py::arg("tensor"), py::arg("mean") = 0.0, py::arg("std") = 1.0);
  m.def("trunc_normal_", in_place<double, double, double, double>([](Tensor& t, double mean, double std, double a, double b) {
    init::trunc_normal_(t, mean, std, a, b);
  }), py::arg("tensor"), py::arg("mean") = 0.0, py::arg("std") = 1.0, py::arg("a") = -2.0,
      py::arg("b") = 2.0);
  m.def("constant_", in_place<double>([](Tensor& t, double val) { init::constant_(t, val); }),
        py::arg("tensor"), py::arg("val"));
  m.def("ones_", in_place<>([](Tensor& t) { init::ones_(t); }), py::arg("tensor"));
  m.def("zeros_", in_place<>([](Tensor& t) { init::zeros_(t); }), py::arg("tensor"));
  m.def("eye_", in_place<>([](Tensor& t) { init::eye_(t); }), py::arg("tensor"));
  m.def("dirac_", in_place<int64_t>([](Tensor& t, int64_t groups) { init::dirac_(t, groups); }),
        py::arg("tensor"), py::arg("groups") = 1);
  m.def("xavier_uniform_", in_place<double>([](Tensor& t, double gain) { init::xavier_uniform_(t, gain); }),
        py::arg("tensor"), py::arg("gain") = 1.0);
  m.def("xavier_normal_", in_place<double>([](Tensor& t, double gain) { init::xavier_normal_(t, gain); }),
        py::arg("tensor"), py::arg("gain") = 1.0);
  m.def("kaiming_uniform_", in_place<double, std::string, std::string>([](Tensor& t, double a, std::string mode, std::string nl) {
    init::kaiming_uniform_(t, a, mode, nl);
  }), py::arg("tensor"), py::arg("a") = 0.0, py::arg("mode") = "fan_in",
      py::arg("nonlinearity") = "leaky_relu");
  m.def("kaiming_normal_", in_place<double, std::string, std::string>([](Tensor& t, double a, std::string mode, std::string nl) {
    init::kaiming_normal_(t, a, mode, nl);
  }), py::arg("tensor"), py::arg("a") = 0.0, py::arg("mode") = "fan_in",
      py::arg("nonlinearity") = "leaky_relu");
  m.def("orthogonal_", in_place<double>([](Tensor& t, double gain) { init::orthogonal_(t, gain); }),
        py::arg("tensor"), py::arg("gain") = 1.0);
}

}  // namespace torchlite::python
