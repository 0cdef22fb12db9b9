// Shared parts of the Python bindings: one bind_* function per file (a new C++ layer family adds
// one file and one line in module.cpp), and the conversions between Python objects and tensors,
// numbers and shapes that every file uses.
#pragma once

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <torchlite/torchlite.h>

namespace torchlite::python {

/// The Python object of `t` (a new reference): the live one of t's impl when there is one, else a
/// new one that later casts of the same impl return; `x.grad is x.grad` and `net.bias is net.bias`
/// as in PyTorch.
PyObject* cast_tensor(Tensor t);

}  // namespace torchlite::python

namespace pybind11::detail {

/// Tensors go to Python through torchlite::python::cast_tensor (one Python object per impl);
/// Python to C++ is pybind11's own.
template <>
class type_caster<torchlite::Tensor> : public type_caster_base<torchlite::Tensor> {
 public:
  static handle cast(const torchlite::Tensor& src, return_value_policy, handle) {
    return torchlite::python::cast_tensor(src);
  }
  static handle cast(torchlite::Tensor&& src, return_value_policy, handle) {
    return torchlite::python::cast_tensor(std::move(src));
  }
  static handle cast(const torchlite::Tensor* src, return_value_policy, handle) {
    return src ? torchlite::python::cast_tensor(*src) : none().release();
  }
};

}  // namespace pybind11::detail

namespace torchlite::python {

namespace py = pybind11;

/// A tensor as Python sees it: None for the undefined tensor.
py::object wrap(const Tensor& t);
/// A Python bool, int or float as a Scalar; nullopt for anything else.
std::optional<Scalar> to_scalar(py::handle h);
/// The tensor inside `h`, or nullptr when `h` is not a Tensor.
Tensor* tensor_ptr(py::handle h);
/// A shape from f(2, 3), f((2, 3)), f([2, 3]) or f(torch.Size([2, 3])); TypeError otherwise.
Sizes sizes_from_args(const py::args& args, const char* op);
/// A shape from one Python int or sequence of ints.
Sizes sizes_from_object(py::handle h, const char* op);
/// torchlite.Size(sizes): a tuple that prints as `torch.Size([2, 3])`.
py::object make_size(const Sizes& sizes);
/// The tensors of a Python iterable (parameters(), a list of tensors).
std::vector<Tensor> tensor_list(py::handle iterable, const char* op);
/// Python's collections.OrderedDict class.
py::handle ordered_dict_class();
/// `loss`'s reduction from PyTorch's (size_average, reduce, reduction) arguments.
std::string legacy_reduction(py::handle size_average, py::handle reduce, const std::string& reduction);

void bind_tensor(py::module_& m);
void bind_factories(py::module_& m);
void bind_numpy(py::module_& m);
void bind_nn_module(py::module_& m);
void bind_nn_linear(py::module_& m);
void bind_nn_conv(py::module_& m);
void bind_nn_pooling(py::module_& m);
void bind_nn_normalization(py::module_& m);
void bind_nn_activation(py::module_& m);
void bind_nn_dropout(py::module_& m);
void bind_nn_loss(py::module_& m);
void bind_nn_functional(py::module_& m);
void bind_nn_functional_layers(py::module_& m);
void bind_nn_init(py::module_& m);
void bind_optim(py::module_& m);
void bind_data(py::module_& m);
void bind_io(py::module_& m);
void bind_models(py::module_& m);

}  // namespace torchlite::python

namespace torchlite::python {

/// Binds the C++ layer `Impl` as torchlite._C.<name>, a subclass of Module.
template <class Impl>
using LayerClass = py::class_<Impl, nn::Module, std::shared_ptr<Impl>>;

/// A parameter member (Linear's weight) as a property: reading gives the tensor (None when
/// undefined); assigning an nn.Parameter re-registers it, as PyTorch's Module.__setattr__ does.
template <class Impl>
void parameter_property(LayerClass<Impl>& cls, const char* name, Tensor Impl::*member) {
  cls.def_property(
      name, [member](const Impl& self) { return wrap(self.*member); },
      [member, key = std::string(name)](Impl& self, py::handle value) {
        Tensor* t = tensor_ptr(value);
        if (!t || !t->impl()->is_parameter) {
          const std::string got = t ? "torch." + std::string(scalar_type_name(t->dtype())) + "Tensor"
                                    : std::string(py::str(py::type::handle_of(value).attr("__name__")));
          throw py::type_error("cannot assign '" + got + "' as parameter '" + key +
                               "' (torch.nn.Parameter or None expected)");
        }
        self.*member = self.register_parameter(key, *t);
      });
}

}  // namespace torchlite::python
