// torchlite.tensor/zeros/randn/arange/...: tensor factories, the random generator, grad mode,
// print options and free-function forms that have no method twin.
#include "bindings.h"

namespace torchlite::python {
namespace {

std::string type_name(py::handle h) { return py::str(py::type::handle_of(h).attr("__name__")); }

/// Walks nested sequences of numbers: the shape, the leaves, and the widest kind seen.
struct Nested {
  Sizes shape;
  std::vector<Scalar> values;
  bool any_float = false, any_int = false;

  void walk(py::handle h, size_t depth) {
    if (Tensor* t = tensor_ptr(h)) {
      TL_CHECK(t->numel() == 1, "ValueError: only one element tensors can be converted to Python scalars");
      if (t->is_floating_point()) any_float = true; else if (t->dtype() != kBool) any_int = true;
      leaf(t->dtype() == kInt64 ? Scalar(t->item<int64_t>()) : t->is_floating_point() ? Scalar(t->item_double()) : Scalar(t->item_double() != 0), depth);
      return;
    }
    if (auto s = to_scalar(h)) {
      any_float = any_float || s->is_floating_point();
      any_int = any_int || s->is_integral();
      leaf(*s, depth);
      return;
    }
    if (!PyList_Check(h.ptr()) && !PyTuple_Check(h.ptr())) {
      throw py::type_error("new(): invalid data type '" + type_name(h) + "'");
    }
    const auto n = static_cast<int64_t>(py::len(h));
    if (depth == shape.size()) {
      TL_CHECK(values.empty(), "ValueError: expected sequence of length ", 0, " at dim ", depth, " (got ", n, ")");
      shape.push_back(n);
    } else {
      TL_CHECK(depth < shape.size() && shape[depth] == n, "ValueError: expected sequence of length ",
               depth < shape.size() ? shape[depth] : 0, " at dim ", depth, " (got ", n, ")");
    }
    for (py::handle item : h) walk(item, depth + 1);
  }
  void leaf(Scalar s, size_t depth) {
    TL_CHECK(depth == shape.size(), "ValueError: expected sequence of length ",
             depth < shape.size() ? shape[depth] : 0, " at dim ", depth, " (got 0)");
    values.push_back(s);
  }
};

Tensor from_nested(py::handle data, std::optional<Dtype> dtype) {
  Nested n;
  n.walk(data, 0);
  const Dtype inferred = n.any_float || n.values.empty() ? kFloat32 : n.any_int ? kInt64 : kBool;
  // Integers are gathered as int64 so that large values stay exact; the rest as float64.
  const bool exact_int = !n.any_float;
  Tensor out = empty(n.shape, exact_int ? kInt64 : kFloat64);
  if (exact_int) {
    auto* p = out.data_ptr<int64_t>();
    for (size_t i = 0; i < n.values.size(); ++i) p[i] = n.values[i].to_int64();
  } else {
    auto* p = out.data_ptr<double>();
    for (size_t i = 0; i < n.values.size(); ++i) p[i] = n.values[i].to_double();
  }
  const Dtype target = dtype.value_or(inferred);
  return target == out.dtype() ? out : out.to(target);
}

Tensor finish(Tensor t, bool requires_grad) {
  if (requires_grad) t.requires_grad_(true);
  return t;
}

Dtype dtype_or(const std::optional<Dtype>& d, Dtype def) { return d.value_or(def); }

}  // namespace

void bind_factories(py::module_& m) {
  using OptDtype = std::optional<Dtype>;
  m.def("tensor", [](py::handle data, OptDtype dtype, py::object, bool requires_grad) {
    Tensor t;
    if (Tensor* src = tensor_ptr(data)) {
      t = src->detach().clone();
      if (dtype && *dtype != t.dtype()) t = t.to(*dtype);
    } else if (py::hasattr(data, "__array_interface__") && !PyList_Check(data.ptr())) {
      t = py::module_::import("torchlite").attr("from_numpy")(
              py::module_::import("numpy").attr("ascontiguousarray")(data)).cast<Tensor>().clone();
      if (dtype && *dtype != t.dtype()) t = t.to(*dtype);
    } else {
      t = from_nested(data, dtype);
    }
    return finish(t, requires_grad);
  }, py::arg("data"), py::kw_only(), py::arg("dtype") = py::none(), py::arg("device") = py::none(),
     py::arg("requires_grad") = false);

#define TL_SIZED(py_name, expr)                                                                   \
  m.def(py_name, [](py::args size, OptDtype dtype, py::object, bool requires_grad) {              \
    const Sizes s = sizes_from_args(size, py_name);                                              \
    return finish(expr, requires_grad);                                                          \
  }, py::kw_only(), py::arg("dtype") = py::none(), py::arg("device") = py::none(),              \
     py::arg("requires_grad") = false);
  TL_SIZED("zeros", zeros(s, dtype_or(dtype, kFloat32)))
  TL_SIZED("ones", ones(s, dtype_or(dtype, kFloat32)))
  TL_SIZED("empty", empty(s, dtype_or(dtype, kFloat32)))
  TL_SIZED("rand", rand(s, dtype_or(dtype, kFloat32)))
  TL_SIZED("randn", randn(s, dtype_or(dtype, kFloat32)))
#undef TL_SIZED
  m.def("full", [](py::handle size, py::handle value, OptDtype dtype, bool requires_grad) {
    auto v = to_scalar(value);
    if (!v) throw py::type_error("full(): argument 'fill_value' must be Number, not " + type_name(value));
    return finish(full(sizes_from_object(size, "full"), *v, dtype), requires_grad);
  }, py::arg("size"), py::arg("fill_value"), py::kw_only(), py::arg("dtype") = py::none(),
     py::arg("requires_grad") = false);
  m.def("zeros_like", [](const Tensor& t, OptDtype dtype) { return zeros(t.sizes(), dtype.value_or(t.dtype())); },
        py::arg("input"), py::kw_only(), py::arg("dtype") = py::none());
  m.def("ones_like", [](const Tensor& t, OptDtype dtype) { return ones(t.sizes(), dtype.value_or(t.dtype())); },
        py::arg("input"), py::kw_only(), py::arg("dtype") = py::none());
  m.def("empty_like", [](const Tensor& t, OptDtype dtype) { return empty(t.sizes(), dtype.value_or(t.dtype())); },
        py::arg("input"), py::kw_only(), py::arg("dtype") = py::none());
  m.def("rand_like", [](const Tensor& t) { return rand(t.sizes(), t.dtype()); }, py::arg("input"));
  m.def("randn_like", [](const Tensor& t) { return randn(t.sizes(), t.dtype()); }, py::arg("input"));
  m.def("full_like", [](const Tensor& t, py::handle value) {
    auto v = to_scalar(value);
    if (!v) throw py::type_error("full_like(): argument 'fill_value' must be Number, not " + type_name(value));
    return full_like(t, *v);
  }, py::arg("input"), py::arg("fill_value"));
  m.def("arange", [](py::handle a, py::handle b, py::handle step, OptDtype dtype, bool requires_grad) {
    auto start = to_scalar(a), end = to_scalar(b), st = to_scalar(step);
    if (!start || (!b.is_none() && !end) || !st) {
      throw py::type_error("arange() received an invalid combination of arguments");
    }
    if (b.is_none()) return finish(arange(Scalar(int64_t{0}), *start, *st, dtype), requires_grad);
    return finish(arange(*start, *end, *st, dtype), requires_grad);
  }, py::arg("start"), py::arg("end") = py::none(), py::arg("step") = 1, py::kw_only(),
     py::arg("dtype") = py::none(), py::arg("requires_grad") = false);
  m.def("eye", [](int64_t n, std::optional<int64_t> mm, OptDtype dtype) {
    return eye(n, mm, dtype.value_or(kFloat32));
  }, py::arg("n"), py::arg("m") = py::none(), py::kw_only(), py::arg("dtype") = py::none());
  m.def("randint", [](py::args args, OptDtype dtype, std::optional<Generator> gen) {
    // randint(high, size) or randint(low, high, size), as torch.randint.
    TL_CHECK(args.size() == 2 || args.size() == 3, "TypeError: randint() received an invalid combination of arguments");
    const int64_t low = args.size() == 3 ? args[0].cast<int64_t>() : 0;
    const int64_t high = args[args.size() - 2].cast<int64_t>();
    const Sizes size = sizes_from_object(args[args.size() - 1], "randint");
    return gen ? randint(low, high, size, *gen, dtype.value_or(kInt64))
               : randint(low, high, size, dtype.value_or(kInt64));
  }, py::kw_only(), py::arg("dtype") = py::none(), py::arg("generator") = py::none());
  m.def("randperm", [](int64_t n, OptDtype dtype, std::optional<Generator> gen) {
    return gen ? randperm(n, *gen, dtype.value_or(kInt64)) : randperm(n, dtype.value_or(kInt64));
  }, py::arg("n"), py::kw_only(), py::arg("dtype") = py::none(), py::arg("generator") = py::none());

  py::class_<Generator>(m, "Generator")
      .def(py::init([](py::object) { return Generator(); }), py::arg("device") = "cpu")
      .def("manual_seed", [](py::object self, uint64_t seed) {
        self.cast<Generator&>().manual_seed(seed);
        return self;
      })
      .def("initial_seed", &Generator::initial_seed);
  m.def("manual_seed", [](py::int_ seed) {
    // PyTorch takes the seed modulo 2^64 (negative seeds wrap).
    const uint64_t s = PyLong_AsUnsignedLongLongMask(seed.ptr());
    manual_seed(s);
    return default_generator();
  }, py::arg("seed"));
  m.def("initial_seed", [] { return default_generator().initial_seed(); });
  m.attr("default_generator") = default_generator();

  m.def("matmul", &matmul, py::arg("input"), py::arg("other"));
  m.def("mm", &mm, py::arg("input"), py::arg("mat2"));
  m.def("addmm", &addmm, py::arg("input"), py::arg("mat1"), py::arg("mat2"));
  m.def("cat", [](py::handle tensors, int64_t dim) { return cat(tensor_list(tensors, "cat()"), dim); },
        py::arg("tensors"), py::arg("dim") = 0);
  m.def("stack", [](py::handle tensors, int64_t dim) { return stack(tensor_list(tensors, "stack()"), dim); },
        py::arg("tensors"), py::arg("dim") = 0);
  m.def("where", &where, py::arg("condition"), py::arg("input"), py::arg("other"));
  m.def("is_grad_enabled", &is_grad_enabled);
  m.def("_set_grad_enabled", &set_grad_enabled);
  m.def("set_num_threads", &set_num_threads);
  m.def("get_num_threads", &get_num_threads);
  m.def("set_printoptions", [](std::optional<int> precision, std::optional<int64_t> threshold,
                               std::optional<int64_t> edgeitems, std::optional<int64_t> linewidth,
                               py::object profile, std::optional<bool> sci_mode) {
    PrintOptions o = get_printoptions();
    if (!profile.is_none()) o = PrintOptions{};
    if (precision) o.precision = *precision;
    if (threshold) o.threshold = *threshold;
    if (edgeitems) o.edgeitems = *edgeitems;
    if (linewidth) o.linewidth = *linewidth;
    o.sci_mode = sci_mode;
    set_printoptions(o);
  }, py::arg("precision") = py::none(), py::arg("threshold") = py::none(),
     py::arg("edgeitems") = py::none(), py::arg("linewidth") = py::none(),
     py::arg("profile") = py::none(), py::arg("sci_mode") = py::none());
  m.def("_make_parameter", [](std::optional<Tensor> data, bool requires_grad) {
    return nn::Parameter(data.value_or(Tensor()), requires_grad);
  });
}

}  // namespace torchlite::python
