// nn.CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, BCEWithLogitsLoss (PyTorch's keyword arguments,
// the deprecated size_average/reduce included).
#include "bindings.h"

namespace torchlite::python {

std::string legacy_reduction(py::handle size_average, py::handle reduce, const std::string& reduction) {
  if (size_average.is_none() && reduce.is_none()) return reduction;
  const bool avg = size_average.is_none() || size_average.cast<bool>();
  const bool red = reduce.is_none() || reduce.cast<bool>();
  return !red ? "none" : avg ? "mean" : "sum";
}

void bind_nn_loss(py::module_& m) {
  using OptTensor = std::optional<Tensor>;
  LayerClass<nn::CrossEntropyLossImpl>(m, "CrossEntropyLoss")
      .def(py::init([](OptTensor weight, py::object size_average, int64_t ignore_index,
                       py::object reduce, const std::string& reduction, double label_smoothing) {
        return std::make_shared<nn::CrossEntropyLossImpl>(nn::functional::CrossEntropyOptions{
            weight.value_or(Tensor()), ignore_index,
            legacy_reduction(size_average, reduce, reduction), label_smoothing});
      }), py::arg("weight") = py::none(), py::arg("size_average") = py::none(),
          py::arg("ignore_index") = -100, py::arg("reduce") = py::none(),
          py::arg("reduction") = "mean", py::arg("label_smoothing") = 0.0)
      .def("forward", &nn::CrossEntropyLossImpl::forward, py::arg("input"), py::arg("target"))
      .def_property_readonly("reduction", [](const nn::CrossEntropyLossImpl& l) { return l.options.reduction; });
  LayerClass<nn::NLLLossImpl>(m, "NLLLoss")
      .def(py::init([](OptTensor weight, py::object size_average, int64_t ignore_index,
                       py::object reduce, const std::string& reduction) {
        return std::make_shared<nn::NLLLossImpl>(nn::functional::NllLossOptions{
            weight.value_or(Tensor()), ignore_index, legacy_reduction(size_average, reduce, reduction)});
      }), py::arg("weight") = py::none(), py::arg("size_average") = py::none(),
          py::arg("ignore_index") = -100, py::arg("reduce") = py::none(),
          py::arg("reduction") = "mean")
      .def("forward", &nn::NLLLossImpl::forward, py::arg("input"), py::arg("target"));
  LayerClass<nn::MSELossImpl>(m, "MSELoss")
      .def(py::init([](py::object size_average, py::object reduce, const std::string& reduction) {
        return std::make_shared<nn::MSELossImpl>(legacy_reduction(size_average, reduce, reduction));
      }), py::arg("size_average") = py::none(), py::arg("reduce") = py::none(),
          py::arg("reduction") = "mean")
      .def("forward", &nn::MSELossImpl::forward, py::arg("input"), py::arg("target"))
      .def_readonly("reduction", &nn::MSELossImpl::reduction);
  LayerClass<nn::L1LossImpl>(m, "L1Loss")
      .def(py::init([](py::object size_average, py::object reduce, const std::string& reduction) {
        return std::make_shared<nn::L1LossImpl>(legacy_reduction(size_average, reduce, reduction));
      }), py::arg("size_average") = py::none(), py::arg("reduce") = py::none(),
          py::arg("reduction") = "mean")
      .def("forward", &nn::L1LossImpl::forward, py::arg("input"), py::arg("target"))
      .def_readonly("reduction", &nn::L1LossImpl::reduction);
  LayerClass<nn::BCEWithLogitsLossImpl>(m, "BCEWithLogitsLoss")
      .def(py::init([](OptTensor weight, py::object size_average, py::object reduce,
                       const std::string& reduction, OptTensor pos_weight) {
        return std::make_shared<nn::BCEWithLogitsLossImpl>(nn::functional::BceWithLogitsOptions{
            weight.value_or(Tensor()), legacy_reduction(size_average, reduce, reduction),
            pos_weight.value_or(Tensor())});
      }), py::arg("weight") = py::none(), py::arg("size_average") = py::none(),
          py::arg("reduce") = py::none(), py::arg("reduction") = "mean",
          py::arg("pos_weight") = py::none())
      .def("forward", &nn::BCEWithLogitsLossImpl::forward, py::arg("input"), py::arg("target"));
}

}  // namespace torchlite::python
