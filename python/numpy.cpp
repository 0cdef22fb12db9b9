// Tensor.numpy() and torchlite.from_numpy: zero-copy both ways through the buffer protocol.
#include <pybind11/numpy.h>

#include "bindings.h"

namespace torchlite::python {
namespace {

const char* format_of(Dtype d) {
  switch (d) {
    case kFloat32: return "f";
    case kFloat64: return "d";
    case kInt64: return "q";
    case kInt32: return "i";
    case kInt16: return "h";
    case kInt8: return "b";
    case kUInt8: return "B";
    case kBool: return "?";
    case kFloat16: return "e";
    default: throw Error(std::string("TypeError: Got unsupported ScalarType ") + scalar_type_name(d));
  }
}

Dtype dtype_of(const py::dtype& dt) {
  const char kind = dt.kind();
  const auto size = dt.itemsize();
  if (kind == 'f' && size == 4) return kFloat32;
  if (kind == 'f' && size == 8) return kFloat64;
  if (kind == 'f' && size == 2) return kFloat16;
  if (kind == 'i' && size == 8) return kInt64;
  if (kind == 'i' && size == 4) return kInt32;
  if (kind == 'i' && size == 2) return kInt16;
  if (kind == 'i' && size == 1) return kInt8;
  if (kind == 'u' && size == 1) return kUInt8;
  if (kind == 'b') return kBool;
  throw py::type_error("can't convert np.ndarray of type " + py::str(static_cast<const py::handle&>(dt)).cast<std::string>() +
                       ". The only supported types are: float64, float32, float16, int64, int32, "
                       "int16, int8, uint8, and bool.");
}

/// Keeps an array alive for a storage; the storage may be released on any thread, so the
/// reference is dropped under the GIL.
struct ArrayRef {
  py::object array;
  ArrayRef() = default;
  ArrayRef(const ArrayRef&) = delete;
  ArrayRef& operator=(const ArrayRef&) = delete;
  ~ArrayRef() {
    py::gil_scoped_acquire gil;
    array = py::object();
  }
};

py::array to_numpy(const Tensor& t) {
  TL_CHECK(!t.requires_grad(), "Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.");
  std::vector<py::ssize_t> shape(t.sizes().begin(), t.sizes().end());
  std::vector<py::ssize_t> strides;
  for (int64_t s : t.strides()) strides.push_back(s * static_cast<py::ssize_t>(t.element_size()));
  // The array's base is a handle to the tensor: they share the memory.
  return py::array(py::dtype(format_of(t.dtype())), shape, strides, t.raw_data(), py::cast(t));
}

Tensor from_numpy(py::array a) {
  const Dtype dtype = dtype_of(a.dtype());
  const auto item = static_cast<py::ssize_t>(element_size(dtype));
  auto impl = std::make_shared<TensorImpl>();
  impl->dtype = dtype;
  int64_t extent = 1;
  for (py::ssize_t d = 0; d < a.ndim(); ++d) {
    if (a.strides(d) < 0) {
      throw py::value_error("At least one stride in the given numpy array is negative, and tensors "
                            "with negative strides are not currently supported. (You can probably "
                            "work around this by making a copy of your array  with array.copy().) ");
    }
    TL_CHECK(a.strides(d) % item == 0, "ValueError: given numpy array strides not a multiple of the "
                                       "element byte size. Copy the numpy array to reallocate the memory.");
    impl->sizes.push_back(a.shape(d));
    impl->strides.push_back(a.strides(d) / item);
    if (a.shape(d) == 0) extent = 0;
    else if (extent > 0) extent += (a.shape(d) - 1) * (a.strides(d) / item);
  }
  auto keep = std::make_shared<ArrayRef>();
  keep->array = a;
  impl->storage = std::make_shared<Storage>();
  impl->storage->data = std::shared_ptr<void>(a.mutable_data(), [keep](void*) {});
  impl->storage->nbytes = static_cast<size_t>(extent) * static_cast<size_t>(item);
  return Tensor(std::move(impl));
}

}  // namespace

void bind_numpy(py::module_& m) {
  auto tensor = py::type::of<Tensor>();
  py::setattr(tensor, "numpy", py::cpp_function(&to_numpy, py::is_method(tensor)));
  py::setattr(tensor, "__array__", py::cpp_function([](const Tensor& t, py::object dtype) {
    py::array a = to_numpy(t);
    return dtype.is_none() ? a : py::array(a.attr("astype")(dtype));
  }, py::is_method(tensor), py::arg("dtype") = py::none()));
  m.def("from_numpy", &from_numpy, py::arg("ndarray"));
}

}  // namespace torchlite::python
