// torchlite.save / torchlite.load: PyTorch's checkpoint files (and safetensors), weights only.
#include "bindings.h"

namespace torchlite::python {
namespace {

py::object to_py(const io::Object& o) {
  using K = io::Object::Kind;
  switch (o.kind) {
    case K::None: return py::none();
    case K::Bool: return py::bool_(o.b);
    case K::Int: return py::int_(o.i);
    case K::Float: return py::float_(o.f);
    case K::Str: return py::str(o.s);
    case K::Tensor: return py::cast(o.tensor);
    case K::Tuple: case K::List: {
      py::list items;
      for (const auto& item : o.items) items.append(to_py(item));
      return o.kind == K::Tuple ? py::object(py::tuple(items)) : py::object(items);
    }
    case K::Dict: case K::OrderedDict: {
      py::object d = o.kind == K::Dict ? py::object(py::dict()) : ordered_dict_class()();
      for (const auto& e : o.entries) d[to_py(e.key)] = to_py(e.value);
      return d;
    }
  }
  return py::none();
}

std::string path_of(py::handle f) {
  if (py::isinstance<py::str>(f)) return f.cast<std::string>();
  if (py::hasattr(f, "__fspath__")) return f.attr("__fspath__")().cast<std::string>();
  throw py::type_error("torchlite.save/load take a file path (str or os.PathLike), not " +
                       std::string(py::str(py::type::handle_of(f).attr("__name__"))));
}

}  // namespace

void bind_io(py::module_& m) {
  m.def("save", [](py::handle obj, py::handle f) {
    const std::string path = path_of(f);
    if (Tensor* t = tensor_ptr(obj)) {
      save(*t, path);
      return;
    }
    if (!py::isinstance<py::dict>(obj)) {
      throw py::type_error("torchlite.save saves a tensor or a dict of tensors, not " +
                           std::string(py::str(py::type::handle_of(obj).attr("__name__"))));
    }
    nn::StateDict sd(py::isinstance(obj, ordered_dict_class()));
    for (auto [k, v] : py::reinterpret_borrow<py::dict>(obj)) {
      Tensor* t = tensor_ptr(v);
      if (!t) throw py::type_error("torchlite.save: the value of " + std::string(py::repr(k)) + " is not a tensor");
      sd.insert(py::str(k), *t);
    }
    save(sd, path);
  }, py::arg("obj"), py::arg("f"));
  m.def("load", [](py::handle f, py::object, py::object) { return to_py(io::load_object(path_of(f))); },
        py::arg("f"), py::arg("map_location") = py::none(), py::arg("weights_only") = py::none());
}

}  // namespace torchlite::python
