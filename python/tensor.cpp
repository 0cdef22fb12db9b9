// torchlite.Tensor and torchlite.dtype: PyTorch's tensor methods, operators, indexing and repr.
#include <algorithm>
#include <cmath>
#include <sstream>
#include <unordered_map>

#include "bindings.h"

namespace torchlite::python {

namespace {

/// impl -> weak reference to its Python object. Entries of dead objects stay until a sweep
/// (when the table has doubled since the last one) or until their impl's address is reused.
std::unordered_map<const TensorImpl*, PyObject*>& tensor_objects() {
  static auto* table = new std::unordered_map<const TensorImpl*, PyObject*>();
  return *table;
}

void sweep_tensor_objects() {
  static size_t limit = 1024;
  auto& table = tensor_objects();
  if (table.size() < limit) return;
  for (auto it = table.begin(); it != table.end();) {
    if (PyWeakref_GetObject(it->second) == Py_None) {
      Py_DECREF(it->second);
      it = table.erase(it);
    } else {
      ++it;
    }
  }
  limit = std::max<size_t>(1024, 2 * table.size());
}

}  // namespace

PyObject* cast_tensor(Tensor t) {
  if (!t.defined()) return py::none().release().ptr();
  auto& table = tensor_objects();
  const TensorImpl* key = t.impl();
  auto it = table.find(key);
  if (it != table.end()) {
    PyObject* obj = PyWeakref_GetObject(it->second);
    // The object must still hold this impl (a reused address or a reassigned handle must not
    // answer).
    if (obj != Py_None && py::handle(obj).cast<Tensor&>().impl() == key) {
      Py_INCREF(obj);
      return obj;
    }
  }
  py::handle obj = py::detail::type_caster_base<Tensor>::cast(std::move(t),
                                                              py::return_value_policy::move, {});
  if (!obj) return nullptr;
  PyObject* ref = PyWeakref_NewRef(obj.ptr(), nullptr);
  if (!ref) {
    obj.dec_ref();
    return nullptr;
  }
  if (it != table.end()) {
    Py_DECREF(it->second);
    it->second = ref;
  } else {
    sweep_tensor_objects();
    table.emplace(key, ref);
  }
  return obj.ptr();
}

py::object wrap(const Tensor& t) { return t.defined() ? py::cast(t) : py::none(); }

std::optional<Scalar> to_scalar(py::handle h) {
  if (PyBool_Check(h.ptr())) return Scalar(h.ptr() == Py_True);
  if (PyLong_Check(h.ptr())) return Scalar(static_cast<int64_t>(h.cast<int64_t>()));
  if (PyFloat_Check(h.ptr())) return Scalar(PyFloat_AS_DOUBLE(h.ptr()));
  return std::nullopt;
}

Tensor* tensor_ptr(py::handle h) {
  static const py::handle tensor_type = py::type::of<Tensor>();
  if (!PyObject_TypeCheck(h.ptr(), reinterpret_cast<PyTypeObject*>(tensor_type.ptr()))) {
    return nullptr;
  }
  return h.cast<Tensor*>();
}

namespace {

std::string type_name(py::handle h) { return py::str(py::type::handle_of(h).attr("__name__")); }

int64_t to_int(py::handle h, const char* op) {
  if (PyLong_Check(h.ptr()) && !PyBool_Check(h.ptr())) return h.cast<int64_t>();
  if (Tensor* t = tensor_ptr(h); t && t->numel() == 1 && !t->is_floating_point()) {
    return static_cast<int64_t>(t->item_double());
  }
  throw py::type_error(std::string(op) + "(): argument must be int, not " + type_name(h));
}

}  // namespace

Sizes sizes_from_object(py::handle h, const char* op) {
  if (PyLong_Check(h.ptr())) return Sizes{to_int(h, op)};
  if (!PyTuple_Check(h.ptr()) && !PyList_Check(h.ptr())) {
    throw py::type_error(std::string(op) + "(): argument 'size' (position 1) must be tuple of " +
                         "SymInts, not " + type_name(h));
  }
  Sizes sizes;
  for (py::handle item : h) {
    if (!PyLong_Check(item.ptr()) || PyBool_Check(item.ptr())) {
      throw py::type_error(std::string(op) + "(): argument 'size' must be tuple of ints, but " +
                           "found element of type " + type_name(item) + " at pos 0");
    }
    sizes.push_back(item.cast<int64_t>());
  }
  return sizes;
}

Sizes sizes_from_args(const py::args& args, const char* op) {
  if (args.size() == 1 && !PyLong_Check(args[0].ptr())) return sizes_from_object(args[0], op);
  Sizes sizes;
  for (py::handle item : args) sizes.push_back(to_int(item, op));
  return sizes;
}

namespace {
py::handle size_class;
}  // namespace

py::object make_size(const Sizes& sizes) {
  py::tuple t(sizes.size());
  for (size_t i = 0; i < sizes.size(); ++i) t[i] = py::int_(sizes[i]);
  return size_class ? size_class(t) : py::object(t);
}

std::vector<Tensor> tensor_list(py::handle iterable, const char* op) {
  std::vector<Tensor> out;
  for (py::handle item : py::iter(iterable)) {
    Tensor* t = tensor_ptr(item);
    if (!t) {
      throw py::type_error(std::string(op) + " received an invalid combination of arguments: " +
                           "expected Tensor, got " + type_name(item));
    }
    out.push_back(*t);
  }
  return out;
}

py::handle ordered_dict_class() {
  static const py::handle cls =
      py::object(py::module_::import("collections").attr("OrderedDict")).release();
  return cls;
}

namespace {

/// Tensor-or-number operand of a binary operator; NotImplemented for anything else.
template <class TensorOp, class ScalarOp>
py::object binary(const Tensor& self, py::handle other, TensorOp tensor_op, ScalarOp scalar_op) {
  if (Tensor* t = tensor_ptr(other)) return py::cast(tensor_op(self, *t));
  if (auto s = to_scalar(other)) return py::cast(scalar_op(self, *s));
  return py::reinterpret_borrow<py::object>(Py_NotImplemented);
}

/// An in-place operator: returns the same Python object.
template <class TensorOp, class ScalarOp>
py::object inplace(py::object self, py::handle other, TensorOp tensor_op, ScalarOp scalar_op) {
  Tensor& t = self.cast<Tensor&>();
  if (Tensor* o = tensor_ptr(other)) {
    tensor_op(t, *o);
  } else if (auto s = to_scalar(other)) {
    scalar_op(t, *s);
  } else {
    return py::reinterpret_borrow<py::object>(Py_NotImplemented);
  }
  return self;
}

/// A number operand made a tensor (for ops the C++ has only in tensor-tensor form).
Tensor as_operand(py::handle h, const Tensor& like, const char* op) {
  if (Tensor* t = tensor_ptr(h)) return *t;
  if (auto s = to_scalar(h)) {
    return scalar_tensor(*s, s->is_floating_point() && !like.is_floating_point()
                                 ? std::optional<Dtype>(kFloat32)
                                 : std::optional<Dtype>(like.dtype()));
  }
  throw py::type_error(std::string(op) + "(): argument 'other' must be Tensor, not " +
                       type_name(h));
}

py::object item(const Tensor& t) {
  TL_CHECK(t.numel() == 1, "ValueError: only one element tensors can be converted to Python scalars");
  switch (t.dtype()) {
    case kBool: return py::bool_(t.item_double() != 0);
    case kInt64: return py::int_(t.to(kInt64).item<int64_t>());
    case kInt32: case kUInt8: case kInt16: case kInt8:
      return py::int_(static_cast<int64_t>(t.item_double()));
    default: return py::float_(t.item_double());
  }
}

py::object tolist(const Tensor& t) {
  if (t.dim() == 0) return item(t);
  py::list out(t.size(0));
  for (int64_t i = 0; i < t.size(0); ++i) out[i] = tolist(t.select(0, i));
  return out;
}

std::string sizes_str(const Sizes& sizes) {
  std::string s = "[";
  for (size_t i = 0; i < sizes.size(); ++i) s += (i ? ", " : "") + std::to_string(sizes[i]);
  return s + "]";
}

/// The flat positions (int64 [n]) of the true elements of a bool tensor, in order.
Tensor true_positions(const Tensor& mask) {
  const Tensor m = mask.contiguous();
  const bool* p = m.data_ptr<bool>();
  std::vector<int64_t> positions;
  for (int64_t i = 0; i < m.numel(); ++i) {
    if (p[i]) positions.push_back(i);
  }
  Tensor out = empty({static_cast<int64_t>(positions.size())}, kInt64);
  std::copy(positions.begin(), positions.end(), out.data_ptr<int64_t>());
  return out;
}

/// Applies one basic index (int, slice, None, ..., a tensor or list of indices) at `dim`;
/// returns the next dim to index. `removed` counts the dims that integer indices took away
/// (error messages name the dim of the tensor being indexed).
int64_t apply_index(Tensor& t, py::handle idx, int64_t dim, int64_t& removed) {
  if (PyLong_Check(idx.ptr()) && !PyBool_Check(idx.ptr())) {
    TL_CHECK(dim < t.dim(), "IndexError: too many indices for tensor of dimension ", t.dim());
    const auto i = idx.cast<int64_t>();
    const int64_t size = t.size(dim);
    TL_CHECK(i >= -size && i < size, "IndexError: index ", i, " is out of bounds for dimension ",
             dim + removed, " with size ", size);
    t = t.select(dim, i);
    ++removed;
    return dim;
  }
  if (PySlice_Check(idx.ptr())) {
    TL_CHECK(dim < t.dim(), "IndexError: too many indices for tensor of dimension ", t.dim());
    auto slice = py::reinterpret_borrow<py::slice>(idx);
    auto get = [](py::handle h) -> std::optional<int64_t> {
      if (h.is_none()) return std::nullopt;
      return h.cast<int64_t>();
    };
    const int64_t step = get(slice.attr("step")).value_or(1);
    TL_CHECK(step > 0, "ValueError: step must be greater than zero");
    t = t.slice(dim, get(slice.attr("start")), get(slice.attr("stop")), step);
    return dim + 1;
  }
  if (idx.is_none()) {
    t = t.unsqueeze(dim);
    return dim + 1;
  }
  Tensor index;
  if (Tensor* p = tensor_ptr(idx)) {
    index = *p;
  } else if (PyList_Check(idx.ptr())) {
    std::vector<int64_t> values;
    for (py::handle v : idx) values.push_back(to_int(v, "index"));
    index = empty({static_cast<int64_t>(values.size())}, kInt64);
    std::copy(values.begin(), values.end(), index.data_ptr<int64_t>());
  } else {
    throw py::index_error("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                          "Variables are valid indices (got " + type_name(idx) + ")");
  }
  if (index.dtype() == kBool) {
    // A mask over the next index.dim() dims: those dims become one, of its true elements.
    const int64_t k = index.dim();
    TL_CHECK(dim + k <= t.dim(), "IndexError: too many indices for tensor of dimension ", t.dim());
    int64_t covered = 1;
    for (int64_t i = 0; i < k; ++i) {
      TL_CHECK(index.size(i) == t.size(dim + i), "IndexError: The shape of the mask ",
               sizes_str(index.sizes()), " at index ", i,
               " does not match the shape of the indexed tensor ", sizes_str(t.sizes()),
               " at index ", dim + i);
      covered *= index.size(i);
    }
    Sizes merged(t.sizes().begin(), t.sizes().begin() + dim);
    merged.push_back(covered);
    for (int64_t i = dim + k; i < t.dim(); ++i) merged.push_back(t.size(i));
    t = t.reshape(merged).index_select(dim, true_positions(index));
    removed += k - 1;
    return dim + 1;
  }
  TL_CHECK(dim < t.dim(), "IndexError: too many indices for tensor of dimension ", t.dim());
  if (index.dtype() != kInt64 || index.dim() > 1) {
    throw py::index_error("tensors used as indices must be 1-D long tensors in torchlite");
  }
  if (index.dim() == 0) {
    t = t.select(dim, index.item<int64_t>());
    return dim;
  }
  // Negative indices count from the end, as in PyTorch's advanced indexing.
  const int64_t size = t.size(dim);
  index = index.contiguous().clone();
  int64_t* p = index.data_ptr<int64_t>();
  for (int64_t i = 0; i < index.numel(); ++i) {
    TL_CHECK(p[i] >= -size && p[i] < size, "IndexError: index ", p[i],
             " is out of bounds for dimension ", dim + removed, " with size ", size);
    if (p[i] < 0) p[i] += size;
  }
  t = t.index_select(dim, index);
  return dim + 1;
}

Tensor get_item(const Tensor& self, py::handle idx) {
  Tensor t = self;
  if (!PyTuple_Check(idx.ptr())) {
    if (idx.ptr() == Py_Ellipsis) return self.view(self.sizes());
    int64_t removed = 0;
    apply_index(t, idx, 0, removed);
    return t;
  }
  auto items = py::reinterpret_borrow<py::tuple>(idx);
  int64_t consumed = 0;  // indices that use a dim of self
  int64_t advanced = 0;  // list and tensor indices
  for (py::handle i : items) {
    if (!i.is_none() && i.ptr() != Py_Ellipsis) ++consumed;
    if (PyList_Check(i.ptr()) || tensor_ptr(i)) ++advanced;
  }
  // PyTorch pairs several of them elementwise; torchlite would take their outer product.
  TL_CHECK(advanced <= 1, "IndexError: torchlite indexes with at most one list or tensor per "
                          "expression (x[[0, 1], [1, 2]] is not supported)");
  int64_t dim = 0, removed = 0;
  for (py::handle i : items) {
    if (i.ptr() == Py_Ellipsis) {
      dim += self.dim() - consumed;
      continue;
    }
    dim = apply_index(t, i, dim, removed);
  }
  if (t.is_same(self)) t = self.view(self.sizes());
  return t;
}

/// A list or tensor index (integer or bool), which get_item answers with a copy.
bool is_advanced(py::handle idx) {
  if (PyList_Check(idx.ptr())) return true;
  if (tensor_ptr(idx)) return true;
  if (!PyTuple_Check(idx.ptr())) return false;
  for (py::handle i : idx) {
    if (PyList_Check(i.ptr()) || tensor_ptr(i)) return true;
  }
  return false;
}

void set_item(Tensor& self, py::handle idx, py::handle value) {
  Tensor v;
  if (Tensor* t = tensor_ptr(value)) {
    v = *t;
  } else if (auto s = to_scalar(value)) {
    v = full({}, *s, self.dtype());
  } else {
    throw py::type_error("can't assign a " + type_name(value) + " to a torch." +
                         scalar_type_name(self.dtype()) + "Tensor");
  }
  if (!is_advanced(idx)) {
    get_item(self, idx).copy_(v);
    return;
  }
  // PyTorch's index_put_: the same index applied to the flat positions of self says which
  // element of the (broadcast) value each position takes; self takes them through where, so
  // the value's gradient flows as well.
  const Tensor positions = get_item(arange(self.numel()).view(self.sizes()), idx).contiguous();
  bool broadcasts = v.dim() <= positions.dim();
  for (int64_t i = 1; broadcasts && i <= v.dim(); ++i) {
    const int64_t have = v.size(v.dim() - i), want = positions.size(positions.dim() - i);
    broadcasts = have == want || have == 1;
  }
  TL_CHECK(broadcasts, "shape mismatch: value tensor of shape ", sizes_str(v.sizes()),
           " cannot be broadcast to indexing result of shape ", sizes_str(positions.sizes()));
  const Tensor values = v.to(self.dtype()).expand(positions.sizes()).reshape({-1});
  Tensor source = zeros({self.numel()}, kInt64);
  Tensor hit = zeros({self.numel()}, kBool);
  const int64_t* pos = positions.data_ptr<int64_t>();
  auto* src = source.data_ptr<int64_t>();
  bool* h = hit.data_ptr<bool>();
  for (int64_t i = 0; i < positions.numel(); ++i) {
    src[pos[i]] = i;
    h[pos[i]] = true;
  }
  self.copy_(where(hit.view(self.sizes()), values.index_select(0, source).view(self.sizes()), self));
}

}  // namespace
}  // namespace torchlite::python

namespace torchlite::python {
namespace {

std::optional<int64_t> opt_dim(py::handle h) {
  if (h.is_none()) return std::nullopt;
  return to_int(h, "dim");
}

std::vector<int64_t> dims_of(py::handle h) {
  if (PyLong_Check(h.ptr())) return {h.cast<int64_t>()};
  std::vector<int64_t> dims;
  for (py::handle d : h) dims.push_back(to_int(d, "dim"));
  return dims;
}

py::object max_min(const Tensor& t, py::handle dim, bool keepdim, bool is_max) {
  if (dim.is_none()) return py::cast(is_max ? t.max() : t.min());
  if (Tensor* other = tensor_ptr(dim)) return py::cast(is_max ? t.maximum(*other) : t.minimum(*other));
  auto [values, indices] = is_max ? t.max(to_int(dim, "max"), keepdim) : t.min(to_int(dim, "min"), keepdim);
  return py::make_tuple(values, indices);
}

Tensor squeeze_all(const Tensor& t) {
  Tensor out = t;
  for (int64_t d = t.dim() - 1; d >= 0; --d) {
    if (t.size(d) == 1) out = out.squeeze(d);
  }
  return out;
}

/// `x.to(...)`, `x.type(...)`: a dtype, another tensor's dtype, or a device (kept: CPU only).
Tensor to(const Tensor& t, py::args args, py::kwargs kwargs) {
  std::optional<Dtype> dtype;
  auto take = [&](py::handle a) {
    if (py::isinstance<Dtype>(a)) {
      dtype = a.cast<Dtype>();
    } else if (Tensor* o = tensor_ptr(a)) {
      dtype = o->dtype();
    } else if (!(py::isinstance<py::str>(a) && py::str(a).cast<std::string>().rfind("cpu", 0) == 0) &&
               !a.is_none() && !py::isinstance<py::bool_>(a)) {
      throw py::type_error("to() received an invalid combination of arguments - got (" +
                           type_name(a) + ")");
    }
  };
  for (py::handle a : args) take(a);
  for (auto [k, v] : kwargs) {
    const std::string key = py::str(k);
    if (key == "dtype" || key == "device" || key == "other") take(v);
  }
  return dtype && *dtype != t.dtype() ? t.to(*dtype) : t;
}

}  // namespace

void bind_tensor(py::module_& m) {
  py::enum_<Dtype> dtype(m, "dtype");
  for (Dtype d : {kFloat32, kFloat64, kInt64, kInt32, kUInt8, kBool, kFloat16, kBFloat16, kInt16,
                  kInt8}) {
    std::string name = dtype_name(d).substr(6);
    dtype.value(name.c_str(), d);
    m.attr(name.c_str()) = d;
  }
  for (auto [alias, d] : {std::pair{"float", kFloat32}, {"double", kFloat64}, {"long", kInt64},
                          {"int", kInt32}, {"half", kFloat16}, {"short", kInt16}}) {
    m.attr(alias) = d;
  }
  py::setattr(dtype, "__repr__", py::cpp_function([](Dtype d) { return dtype_name(d); },
                                                  py::is_method(dtype)));
  py::setattr(dtype, "__str__", py::cpp_function([](Dtype d) { return dtype_name(d); },
                                                 py::is_method(dtype)));
  dtype.def_property_readonly("is_floating_point", [](Dtype d) { return is_floating_point(d); })
      .def_property_readonly("itemsize", [](Dtype d) { return element_size(d); });
  m.def("_set_size_class", [](py::object cls) { size_class = cls.release(); });

  py::class_<autograd::Node, std::shared_ptr<autograd::Node>>(m, "Node")
      .def("name", &autograd::Node::name)
      .def("__repr__", [](const autograd::Node& n) {
        std::ostringstream os;
        os << "<" << n.name() << " object at " << static_cast<const void*>(&n) << ">";
        return os.str();
      });

  py::class_<Tensor> t(m, "Tensor");
  // Python's own messages ("unsupported operand type(s) for +: 'Tensor' and 'str'") use tp_name.
  reinterpret_cast<PyTypeObject*>(t.ptr())->tp_name = "Tensor";
  t.def(py::init([](py::args args) {
     if (args.size() == 0) return empty({0});
     return empty(sizes_from_args(args, "Tensor"));
   }))
      .def("__repr__", [](const Tensor& x) { return repr(x); })
      .def("__str__", [](const Tensor& x) { return repr(x); })
      .def("__format__",
           [](const Tensor& x, py::str spec) -> py::object {
             if (x.dim() == 0) return item(x).attr("__format__")(spec);
             return py::str(repr(x)).attr("__format__")(spec);
           })
      .def("__hash__", [](const Tensor& x) { return reinterpret_cast<intptr_t>(x.impl()); })
      // metadata
      .def_property_readonly("shape", [](const Tensor& x) { return make_size(x.sizes()); })
      .def("size", [](const Tensor& x, py::object dim) -> py::object {
        if (dim.is_none()) return make_size(x.sizes());
        return py::int_(x.size(to_int(dim, "size")));
      }, py::arg("dim") = py::none())
      .def("stride", [](const Tensor& x, py::object dim) -> py::object {
        if (!dim.is_none()) return py::int_(x.stride(to_int(dim, "stride")));
        py::tuple out(x.dim());
        for (int64_t i = 0; i < x.dim(); ++i) out[i] = x.strides()[i];
        return py::object(out);
      }, py::arg("dim") = py::none())
      .def("dim", &Tensor::dim)
      .def("ndimension", &Tensor::dim)
      .def_property_readonly("ndim", &Tensor::dim)
      .def("numel", &Tensor::numel)
      .def("nelement", &Tensor::numel)
      .def_property_readonly("dtype", &Tensor::dtype)
      .def_property_readonly("device", [](const Tensor&) { return py::str("cpu"); })
      .def_property_readonly("is_cuda", [](const Tensor&) { return false; })
      .def("storage_offset", &Tensor::storage_offset)
      .def("is_contiguous", [](const Tensor& x) { return x.is_contiguous(); })
      .def("is_floating_point", &Tensor::is_floating_point)
      .def("element_size", &Tensor::element_size)
      .def_property_readonly("_is_param", [](const Tensor& x) { return x.impl()->is_parameter; })
      .def("__len__", [](const Tensor& x) {
        if (x.dim() == 0) throw py::type_error("len() of a 0-d tensor");
        return x.size(0);
      })
      .def("__iter__", [](const Tensor& x) {
        if (x.dim() == 0) throw py::type_error("iteration over a 0-d tensor");
        py::list out(x.size(0));
        for (int64_t i = 0; i < x.size(0); ++i) out[i] = x.select(0, i);
        return py::iter(out);
      })
      .def("__bool__", [](const Tensor& x) {
        TL_CHECK(x.numel() == 1, "Boolean value of Tensor with more than one value is ambiguous");
        return x.item_double() != 0;
      })
      .def("__float__", [](const Tensor& x) {
        TL_CHECK(x.numel() == 1, "only one element tensors can be converted to Python scalars");
        return x.item_double();
      })
      .def("__int__", [](const Tensor& x) {
        TL_CHECK(x.numel() == 1, "only one element tensors can be converted to Python scalars");
        return x.dtype() == kInt64 ? x.item<int64_t>() : static_cast<int64_t>(x.item_double());
      })
      .def("__index__", [](const Tensor& x) {
        if (x.numel() != 1 || x.is_floating_point() || x.dtype() == kBool) {
          throw py::type_error("only integer tensors of a single element can be converted to an index");
        }
        return static_cast<int64_t>(x.item_double());
      })
      .def("item", &item)
      .def("tolist", &tolist)
      .def("__getitem__", &get_item)
      .def("__setitem__", &set_item)
      // autograd
      .def_property("requires_grad", &Tensor::requires_grad,
                    [](Tensor& x, bool on) { x.requires_grad_(on); })
      .def("requires_grad_", [](py::object self, bool on) {
        self.cast<Tensor&>().requires_grad_(on);
        return self;
      }, py::arg("requires_grad") = true)
      .def_property("grad", [](const Tensor& x) { return wrap(x.grad()); },
                    [](Tensor& x, std::optional<Tensor> g) { x.set_grad(g.value_or(Tensor())); })
      .def_property("data", &Tensor::data, [](Tensor& x, const Tensor& d) {
        // Python's `p.data = t`: the same tensor object now views t's storage.
        TensorImpl* impl = x.impl();
        impl->storage = d.impl()->storage;
        impl->dtype = d.dtype();
        impl->sizes = d.sizes();
        impl->strides = d.strides();
        impl->offset = d.storage_offset();
      })
      .def_property_readonly("grad_fn", [](const Tensor& x) -> py::object {
        return x.grad_fn() ? py::cast(x.grad_fn()) : py::none();
      })
      .def_property_readonly("is_leaf", &Tensor::is_leaf)
      .def("backward", [](const Tensor& x, std::optional<Tensor> gradient,
                          std::optional<bool> retain_graph, bool create_graph) {
        TL_CHECK(!create_graph, "backward(create_graph=True): torchlite's autograd computes "
                                "first-order gradients only (its backward functions record no "
                                "graph), so higher-order gradients are not supported");
        x.backward(gradient.value_or(Tensor()), retain_graph.value_or(false));
      }, py::arg("gradient") = py::none(), py::arg("retain_graph") = py::none(),
         py::arg("create_graph") = false)
      .def("detach", &Tensor::detach)
      .def("detach_", [](py::object self) { self.cast<Tensor&>().detach_(); return self; })
      .def("retain_grad", [](const Tensor& x) {
        TL_CHECK(x.is_leaf(), "retain_grad() on non-leaf tensors is not supported by torchlite");
      })
      // views
      .def("view", [](const Tensor& x, py::args a) {
        if (a.size() == 1 && py::isinstance<Dtype>(a[0])) {
          TL_CHECK(a[0].cast<Dtype>() == x.dtype(), "view(dtype) is not supported by torchlite");
          return x;
        }
        return x.view(sizes_from_args(a, "view"));
      })
      .def("view_as", [](const Tensor& x, const Tensor& o) { return x.view(o.sizes()); })
      .def("reshape", [](const Tensor& x, py::args a) { return x.reshape(sizes_from_args(a, "reshape")); })
      .def("reshape_as", [](const Tensor& x, const Tensor& o) { return x.reshape(o.sizes()); })
      .def("t", &Tensor::t)
      .def_property_readonly("T", [](const Tensor& x) {
        std::vector<int64_t> dims(x.dim());
        for (int64_t i = 0; i < x.dim(); ++i) dims[i] = x.dim() - 1 - i;
        return x.permute(dims);
      })
      .def("transpose", &Tensor::transpose, py::arg("dim0"), py::arg("dim1"))
      .def("permute", [](const Tensor& x, py::args a) {
        const Sizes dims = sizes_from_args(a, "permute");
        return x.permute(std::vector<int64_t>(dims.begin(), dims.end()));
      })
      .def("flatten", &Tensor::flatten, py::arg("start_dim") = 0, py::arg("end_dim") = -1)
      .def("unflatten", [](const Tensor& x, int64_t dim, py::object sizes) {
        return x.unflatten(dim, sizes_from_object(sizes, "unflatten"));
      }, py::arg("dim"), py::arg("sizes"))
      .def("squeeze", [](const Tensor& x, py::object dim) {
        return dim.is_none() ? squeeze_all(x) : x.squeeze(to_int(dim, "squeeze"));
      }, py::arg("dim") = py::none())
      .def("unsqueeze", &Tensor::unsqueeze, py::arg("dim"))
      .def("select", &Tensor::select, py::arg("dim"), py::arg("index"))
      .def("narrow", &Tensor::narrow, py::arg("dim"), py::arg("start"), py::arg("length"))
      .def("expand", [](const Tensor& x, py::args a) { return x.expand(sizes_from_args(a, "expand")); })
      .def("expand_as", &Tensor::expand_as)
      .def("contiguous", &Tensor::contiguous)
      .def("index_select", &Tensor::index_select, py::arg("dim"), py::arg("index"))
      // copies and dtypes
      .def("clone", &Tensor::clone)
      .def("to", &to)
      .def("type", [](const Tensor& x, py::object dtype) -> py::object {
        if (dtype.is_none()) return py::str(std::string("torch.") + scalar_type_name(x.dtype()) + "Tensor");
        return py::cast(x.to(dtype.cast<Dtype>()));
      }, py::arg("dtype") = py::none())
      .def("type_as", [](const Tensor& x, const Tensor& o) { return x.dtype() == o.dtype() ? x : x.to(o.dtype()); })
      .def("float", [](const Tensor& x) { return x.dtype() == kFloat32 ? x : x.to(kFloat32); })
      .def("double", [](const Tensor& x) { return x.dtype() == kFloat64 ? x : x.to(kFloat64); })
      .def("long", [](const Tensor& x) { return x.dtype() == kInt64 ? x : x.to(kInt64); })
      .def("int", [](const Tensor& x) { return x.dtype() == kInt32 ? x : x.to(kInt32); })
      .def("bool", [](const Tensor& x) { return x.dtype() == kBool ? x : x.to(kBool); })
      .def("half", [](const Tensor& x) { return x.dtype() == kFloat16 ? x : x.to(kFloat16); })
      .def("cpu", [](py::object self) { return self; })
      .def("copy_", [](py::object self, const Tensor& src) { self.cast<Tensor&>().copy_(src); return self; })
      .def("fill_", [](py::object self, py::handle v) {
        Tensor& x = self.cast<Tensor&>();
        if (Tensor* o = tensor_ptr(v)) {
          TL_CHECK(o->dim() == 0, "fill_ only supports 0-dimension value tensor but got tensor with ",
                   o->dim(), " dimensions.");
          x.fill_(o->dtype() == kInt64 ? Scalar(o->item<int64_t>()) : Scalar(o->item_double()));
        } else if (auto s = to_scalar(v)) {
          x.fill_(*s);
        } else {
          throw py::type_error("fill_() received an invalid combination of arguments - got (" + type_name(v) + ")");
        }
        return self;
      })
      .def("zero_", [](py::object self) { self.cast<Tensor&>().zero_(); return self; })
      .def("uniform_", [](py::object self, double from, double to) {
        self.cast<Tensor&>().uniform_(from, to); return self;
      }, py::arg("from") = 0.0, py::arg("to") = 1.0)
      .def("normal_", [](py::object self, double mean, double std) {
        self.cast<Tensor&>().normal_(mean, std); return self;
      }, py::arg("mean") = 0.0, py::arg("std") = 1.0)
      .def("bernoulli_", [](py::object self, double p) {
        self.cast<Tensor&>().bernoulli_(p); return self;
      }, py::arg("p") = 0.5)
      // math
      .def("add", [](const Tensor& x, py::handle o, py::object alpha) {
        Scalar a = to_scalar(alpha).value_or(Scalar(1));
        if (Tensor* t = tensor_ptr(o)) return x.add(*t, a);
        return x.add(as_operand(o, x, "add"), a);
      }, py::arg("other"), py::kw_only(), py::arg("alpha") = 1)
      .def("sub", [](const Tensor& x, py::handle o, py::object alpha) {
        Scalar a = to_scalar(alpha).value_or(Scalar(1));
        if (Tensor* t = tensor_ptr(o)) return x.sub(*t, a);
        return x.sub(as_operand(o, x, "sub"), a);
      }, py::arg("other"), py::kw_only(), py::arg("alpha") = 1)
      .def("mul", [](const Tensor& x, py::handle o) { return binary(x, o, [](const Tensor& a, const Tensor& b) { return a.mul(b); }, [](const Tensor& a, Scalar b) { return a.mul(b); }); })
      .def("div", [](const Tensor& x, py::handle o) { return binary(x, o, [](const Tensor& a, const Tensor& b) { return a.div(b); }, [](const Tensor& a, Scalar b) { return a.div(b); }); })
      .def("add_", [](py::object self, py::handle o, py::object alpha) {
        Tensor& x = self.cast<Tensor&>();
        Scalar a = to_scalar(alpha).value_or(Scalar(1));
        if (Tensor* t = tensor_ptr(o)) x.add_(*t, a); else x.add_(as_operand(o, x, "add_"), a);
        return self;
      }, py::arg("other"), py::kw_only(), py::arg("alpha") = 1)
      .def("sub_", [](py::object self, py::handle o, py::object alpha) {
        Tensor& x = self.cast<Tensor&>();
        Scalar a = to_scalar(alpha).value_or(Scalar(1));
        if (Tensor* t = tensor_ptr(o)) x.sub_(*t, a); else x.sub_(as_operand(o, x, "sub_"), a);
        return self;
      }, py::arg("other"), py::kw_only(), py::arg("alpha") = 1)
      .def("mul_", [](py::object self, py::handle o) { return inplace(self, o, [](Tensor& a, const Tensor& b) { a.mul_(b); }, [](Tensor& a, Scalar b) { a.mul_(b); }); })
      .def("div_", [](py::object self, py::handle o) { return inplace(self, o, [](Tensor& a, const Tensor& b) { a.div_(b); }, [](Tensor& a, Scalar b) { a.div_(b); }); })
      .def("maximum", &Tensor::maximum)
      .def("minimum", &Tensor::minimum)
      .def("clamp", [](const Tensor& x, std::optional<double> lo, std::optional<double> hi) {
        return x.clamp(lo, hi);
      }, py::arg("min") = py::none(), py::arg("max") = py::none())
      .def("clamp_", [](py::object self, std::optional<double> lo, std::optional<double> hi) {
        self.cast<Tensor&>().clamp_(lo, hi); return self;
      }, py::arg("min") = py::none(), py::arg("max") = py::none())
      .def("equal", &Tensor::equal)
      .def("allclose", &Tensor::allclose, py::arg("other"), py::arg("rtol") = 1e-5, py::arg("atol") = 1e-8)
      .def("neg", &Tensor::neg)
      .def("abs", &Tensor::abs)
      .def("exp", &Tensor::exp)
      .def("log", &Tensor::log)
      .def("sqrt", &Tensor::sqrt)
      .def("relu", &Tensor::relu)
      .def("relu_", [](py::object self) { self.cast<Tensor&>().relu_(); return self; })
      .def("sigmoid", &Tensor::sigmoid)
      .def("tanh", &Tensor::tanh)
      .def("sign", &Tensor::sign)
      .def("pow", [](const Tensor& x, py::handle e) {
        if (Tensor* t = tensor_ptr(e)) return x.pow(*t);
        if (auto s = to_scalar(e)) return x.pow(*s);
        throw py::type_error("pow(): argument 'exponent' must be Tensor or Number, not " + type_name(e));
      }, py::arg("exponent"))
      .def("softmax", [](const Tensor& x, int64_t dim) { return softmax(x, dim); }, py::arg("dim"))
      .def("log_softmax", [](const Tensor& x, int64_t dim) { return log_softmax(x, dim); }, py::arg("dim"))
      // reductions
      .def("sum", [](const Tensor& x, py::object dim, bool keepdim, std::optional<Dtype> dtype) {
        Tensor in = dtype ? x.to(*dtype) : x;
        return dim.is_none() ? in.sum() : in.sum(dims_of(dim), keepdim);
      }, py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(), py::arg("dtype") = py::none())
      .def("mean", [](const Tensor& x, py::object dim, bool keepdim) {
        return dim.is_none() ? x.mean() : x.mean(dims_of(dim), keepdim);
      }, py::arg("dim") = py::none(), py::arg("keepdim") = false)
      .def("max", [](const Tensor& x, py::object dim, bool keepdim) { return max_min(x, dim, keepdim, true); },
           py::arg("dim") = py::none(), py::arg("keepdim") = false)
      .def("min", [](const Tensor& x, py::object dim, bool keepdim) { return max_min(x, dim, keepdim, false); },
           py::arg("dim") = py::none(), py::arg("keepdim") = false)
      .def("argmax", [](const Tensor& x, py::object dim, bool keepdim) {
        auto d = opt_dim(dim);
        return d ? x.argmax(*d, keepdim) : x.argmax();
      }, py::arg("dim") = py::none(), py::arg("keepdim") = false)
      .def("argmax", [](const Tensor& x, py::object axis, bool keepdim) {
        auto d = opt_dim(axis);
        return d ? x.argmax(*d, keepdim) : x.argmax();
      }, py::kw_only(), py::arg("axis"), py::arg("keepdim") = false)
      .def("matmul", &Tensor::matmul)
      .def("mm", &Tensor::mm)
      // operators
      .def("__add__", [](const Tensor& x, py::handle o) { return binary(x, o, [](const Tensor& a, const Tensor& b) { return a + b; }, [](const Tensor& a, Scalar b) { return a + b; }); })
      .def("__radd__", [](const Tensor& x, py::handle o) { return binary(x, o, [](const Tensor& a, const Tensor& b) { return b + a; }, [](const Tensor& a, Scalar b) { return b + a; }); })
      .def("__sub__", [](const Tensor& x, py::handle o) { return binary(x, o, [](const Tensor& a, const Tensor& b) { return a - b; }, [](const Tensor& a, Scalar b) { return a - b; }); })
      .def("__rsub__", [](const Tensor& x, py::handle o) { return binary(x, o, [](const Tensor& a, const Tensor& b) { return b - a; }, [](const Tensor& a, Scalar b) { return b - a; }); })
      .def("__mul__", [](const Tensor& x, py::handle o) { return binary(x, o, [](const Tensor& a, const Tensor& b) { return a * b; }, [](const Tensor& a, Scalar b) { return a * b; }); })
      .def("__rmul__", [](const Tensor& x, py::handle o) { return binary(x, o, [](const Tensor& a, const Tensor& b) { return b * a; }, [](const Tensor& a, Scalar b) { return b * a; }); })
      .def("__truediv__", [](const Tensor& x, py::handle o) { return binary(x, o, [](const Tensor& a, const Tensor& b) { return a / b; }, [](const Tensor& a, Scalar b) { return a / b; }); })
      .def("__rtruediv__", [](const Tensor& x, py::handle o) { return binary(x, o, [](const Tensor& a, const Tensor& b) { return b / a; }, [](const Tensor& a, Scalar b) { return b / a; }); })
      .def("__pow__", [](const Tensor& x, py::handle o) { return binary(x, o, [](const Tensor& a, const Tensor& b) { return a.pow(b); }, [](const Tensor& a, Scalar b) { return a.pow(b); }); })
      .def("__rpow__", [](const Tensor& x, py::handle o) -> py::object {
        auto s = to_scalar(o);
        if (!s) return py::reinterpret_borrow<py::object>(Py_NotImplemented);
        return py::cast(as_operand(o, x, "pow").pow(x));
      })
      .def("__matmul__", [](const Tensor& x, const Tensor& o) { return x.matmul(o); })
      .def("__neg__", &Tensor::neg)
      .def("__abs__", &Tensor::abs)
      .def("__iadd__", [](py::object self, py::handle o) { return inplace(self, o, [](Tensor& a, const Tensor& b) { a.add_(b); }, [](Tensor& a, Scalar b) { a.add_(b); }); })
      .def("__isub__", [](py::object self, py::handle o) { return inplace(self, o, [](Tensor& a, const Tensor& b) { a.sub_(b); }, [](Tensor& a, Scalar b) { a.add_(b.is_floating_point() ? Scalar(-b.to_double()) : Scalar(-b.to_int64())); }); })
      .def("__imul__", [](py::object self, py::handle o) { return inplace(self, o, [](Tensor& a, const Tensor& b) { a.mul_(b); }, [](Tensor& a, Scalar b) { a.mul_(b); }); })
      .def("__itruediv__", [](py::object self, py::handle o) { return inplace(self, o, [](Tensor& a, const Tensor& b) { a.div_(b); }, [](Tensor& a, Scalar b) { a.div_(b); }); });

#define TL_COMPARE(py_name, dunder, method)                                                       \
  t.def(py_name, [](const Tensor& x, py::handle o) {                                              \
     return binary(x, o, [](const Tensor& a, const Tensor& b) { return a.method(b); },            \
                   [](const Tensor& a, Scalar b) { return a.method(b); });                       \
   }).def(dunder, [](const Tensor& x, py::handle o) {                                             \
    return binary(x, o, [](const Tensor& a, const Tensor& b) { return a.method(b); },             \
                  [](const Tensor& a, Scalar b) { return a.method(b); });                        \
  });
  TL_COMPARE("eq", "__eq__", eq)
  TL_COMPARE("ne", "__ne__", ne)
  TL_COMPARE("lt", "__lt__", lt)
  TL_COMPARE("le", "__le__", le)
  TL_COMPARE("gt", "__gt__", gt)
  TL_COMPARE("ge", "__ge__", ge)
#undef TL_COMPARE
}

}  // namespace torchlite::python
