// torchlite.nn.functional: activations, softmax, losses, dropout and linear, with PyTorch's
// keyword arguments.
#include "bindings.h"

namespace torchlite::python {
namespace {

/// PyTorch's legacy softmax dim when none is given: 0 for 0-, 1- and 3-D input, else 1.
int64_t softmax_dim(const Tensor& input, std::optional<int64_t> dim) {
  if (dim) return *dim;
  const int64_t n = input.dim();
  return n == 0 || n == 1 || n == 3 ? 0 : 1;
}

}  // namespace

void bind_nn_functional(py::module_& root) {
  using OptTensor = std::optional<Tensor>;
  using OptDtype = std::optional<Dtype>;
  namespace F = nn::functional;
  py::module_ m = root.def_submodule("_nn_functional");
  m.def("relu", [](py::object input, bool inplace) -> py::object {
    Tensor& t = input.cast<Tensor&>();
    if (!inplace) return py::cast(t.relu());
    t.relu_();
    return input;
  }, py::arg("input"), py::arg("inplace") = false);
  m.def("sigmoid", [](const Tensor& t) { return t.sigmoid(); }, py::arg("input"));
  m.def("tanh", [](const Tensor& t) { return t.tanh(); }, py::arg("input"));
  m.def("softmax", [](const Tensor& t, std::optional<int64_t> dim, int, OptDtype dtype) {
    return F::softmax(dtype ? t.to(*dtype) : t, softmax_dim(t, dim));
  }, py::arg("input"), py::arg("dim") = py::none(), py::arg("_stacklevel") = 3,
     py::arg("dtype") = py::none());
  m.def("log_softmax", [](const Tensor& t, std::optional<int64_t> dim, int, OptDtype dtype) {
    return F::log_softmax(dtype ? t.to(*dtype) : t, softmax_dim(t, dim));
  }, py::arg("input"), py::arg("dim") = py::none(), py::arg("_stacklevel") = 3,
     py::arg("dtype") = py::none());
  m.def("cross_entropy", [](const Tensor& input, const Tensor& target, OptTensor weight,
                            py::object size_average, int64_t ignore_index, py::object reduce,
                            const std::string& reduction, double label_smoothing) {
    return F::cross_entropy(input, target, {weight.value_or(Tensor()), ignore_index,
                                            legacy_reduction(size_average, reduce, reduction),
                                            label_smoothing});
  }, py::arg("input"), py::arg("target"), py::arg("weight") = py::none(),
     py::arg("size_average") = py::none(), py::arg("ignore_index") = -100,
     py::arg("reduce") = py::none(), py::arg("reduction") = "mean",
     py::arg("label_smoothing") = 0.0);
  m.def("nll_loss", [](const Tensor& input, const Tensor& target, OptTensor weight,
                       py::object size_average, int64_t ignore_index, py::object reduce,
                       const std::string& reduction) {
    return F::nll_loss(input, target, {weight.value_or(Tensor()), ignore_index,
                                       legacy_reduction(size_average, reduce, reduction)});
  }, py::arg("input"), py::arg("target"), py::arg("weight") = py::none(),
     py::arg("size_average") = py::none(), py::arg("ignore_index") = -100,
     py::arg("reduce") = py::none(), py::arg("reduction") = "mean");
  m.def("mse_loss", [](const Tensor& input, const Tensor& target, py::object size_average,
                       py::object reduce, const std::string& reduction) {
    return F::mse_loss(input, target, legacy_reduction(size_average, reduce, reduction));
  }, py::arg("input"), py::arg("target"), py::arg("size_average") = py::none(),
     py::arg("reduce") = py::none(), py::arg("reduction") = "mean");
  m.def("l1_loss", [](const Tensor& input, const Tensor& target, py::object size_average,
                      py::object reduce, const std::string& reduction) {
    return F::l1_loss(input, target, legacy_reduction(size_average, reduce, reduction));
  }, py::arg("input"), py::arg("target"), py::arg("size_average") = py::none(),
     py::arg("reduce") = py::none(), py::arg("reduction") = "mean");
  m.def("binary_cross_entropy_with_logits",
        [](const Tensor& input, const Tensor& target, OptTensor weight, py::object size_average,
           py::object reduce, const std::string& reduction, OptTensor pos_weight) {
    return F::binary_cross_entropy_with_logits(
        input, target, {weight.value_or(Tensor()), legacy_reduction(size_average, reduce, reduction),
                        pos_weight.value_or(Tensor())});
  }, py::arg("input"), py::arg("target"), py::arg("weight") = py::none(),
     py::arg("size_average") = py::none(), py::arg("reduce") = py::none(),
     py::arg("reduction") = "mean", py::arg("pos_weight") = py::none());
  m.def("dropout", &F::dropout, py::arg("input"), py::arg("p") = 0.5, py::arg("training") = true,
        py::arg("inplace") = false);
  m.def("linear", [](const Tensor& input, const Tensor& weight, OptTensor bias) {
    return linear(input, weight, bias.value_or(Tensor()));
  }, py::arg("input"), py::arg("weight"), py::arg("bias") = py::none());
}

}  // namespace torchlite::python
