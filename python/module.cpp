// The extension module torchlite._C: errors become Python exceptions, then each family binds.
#include <cstring>

#include "bindings.h"

namespace torchlite::python {
namespace {

/// Raises torchlite::Error as the Python exception PyTorch raises for the same misuse: the
/// message's "IndexError: "/"KeyError: "/... prefix when it has one (removed), IndexError for
/// dimension and index ranges, ValueError for PyTorch's Python-side argument checks,
/// NotImplementedError where PyTorch raises it, else RuntimeError; the text is kept as it is.
void translate(std::exception_ptr p) {
  try {
    if (p) std::rethrow_exception(p);
  } catch (const Error& e) {
    const char* what = e.what();
    static const std::pair<const char*, PyObject*> prefixes[] = {
        {"IndexError: ", PyExc_IndexError}, {"KeyError: ", PyExc_KeyError},
        {"ValueError: ", PyExc_ValueError}, {"TypeError: ", PyExc_TypeError}};
    for (const auto& [prefix, type] : prefixes) {
      if (std::strncmp(what, prefix, std::strlen(prefix)) == 0) {
        PyErr_SetString(type, what + std::strlen(prefix));
        return;
      }
    }
    const bool index = std::strncmp(what, "Dimension out of range", 22) == 0 ||
                       (std::strncmp(what, "Target ", 7) == 0 && std::strstr(what, "out of bounds")) ||
                       (std::strncmp(what, "index ", 6) == 0 && std::strstr(what, "out of bounds"));
    // Argument checks that PyTorch's Python code raises as ValueError.
    const bool value = std::strncmp(what, "Invalid ", 8) == 0 ||
                       std::strncmp(what, "optimizer got an empty parameter list", 37) == 0 ||
                       std::strncmp(what, "dropout probability has to be", 29) == 0 ||
                       std::strstr(what, "must be divisible by groups") != nullptr ||
                       std::strncmp(what, "num_channels must be divisible by num_groups", 44) == 0 ||
                       std::strncmp(what, "Expected more than 1 value per channel", 38) == 0 ||
                       std::strncmp(what, "padding_mode must be one of", 27) == 0 ||
                       std::strncmp(what, "padding='same' is not supported", 31) == 0 ||
                       std::strncmp(what, "loaded state dict has a different number", 40) == 0 ||
                       std::strncmp(what, "loaded state dict contains a parameter group", 44) == 0 ||
                       std::strncmp(what, "BasicBlock only supports groups=1", 33) == 0;
    // F.interpolate's checks, which PyTorch makes in Python.
    const bool interpolate_value =
        std::strncmp(what, "either size or scale_factor should be defined", 46) == 0 ||
        std::strncmp(what, "only one of size or scale_factor should be defined", 50) == 0 ||
        std::strncmp(what, "align_corners option can only be set", 36) == 0 ||
        std::strncmp(what, "Input and output must have the same number of spatial", 53) == 0 ||
        std::strncmp(what, "Input and scale_factor must have the same number", 48) == 0 ||
        std::strncmp(what, "recompute_scale_factor is not meaningful", 40) == 0;
    const bool not_implemented =
        std::strncmp(what, "Unrecognised padding mode", 25) == 0 ||
        std::strncmp(what, "Input Error: Only 3D, 4D and 5D", 31) == 0 ||
        (std::strncmp(what, "Got ", 4) == 0 && std::strstr(what, " mode needs ")) ||
        std::strstr(what, "is not implemented in torchlite") != nullptr ||
        std::strncmp(what, "Dilation > 1 not supported in BasicBlock", 40) == 0;
    PyErr_SetString(index                         ? PyExc_IndexError
                    : value || interpolate_value  ? PyExc_ValueError
                    : not_implemented             ? PyExc_NotImplementedError
                                                  : PyExc_RuntimeError,
                    what);
  }
}

}  // namespace
}  // namespace torchlite::python

PYBIND11_MODULE(_C, m) {
  namespace tp = torchlite::python;
  m.doc() = "torchlite: PyTorch's torch.nn in C++20, under PyTorch's Python names";
  pybind11::register_exception_translator(&tp::translate);
  tp::bind_tensor(m);
  tp::bind_factories(m);
  tp::bind_numpy(m);
  tp::bind_nn_module(m);
  tp::bind_nn_linear(m);
  tp::bind_nn_conv(m);
  tp::bind_nn_pooling(m);
  tp::bind_nn_normalization(m);
  tp::bind_nn_activation(m);
  tp::bind_nn_dropout(m);
  tp::bind_nn_loss(m);
  tp::bind_nn_functional(m);
  tp::bind_nn_functional_layers(m);
  tp::bind_nn_init(m);
  tp::bind_optim(m);
  tp::bind_data(m);
  tp::bind_io(m);
  tp::bind_models(m);
}
