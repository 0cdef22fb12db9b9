// nn.Module (subclassable from Python through a trampoline) and the containers Sequential,
// ModuleList and ModuleDict. Attribute registration (__setattr__/__getattr__) is in
// torchlite/nn/modules.py, over the _register_* methods bound here.
#include "bindings.h"

namespace torchlite::python {
namespace {

/// A Module whose forward, extra_repr, reset_parameters and class name come from its Python
/// subclass, so that C++ containers call Python modules and print them as PyTorch does.
class PyModule : public nn::Module {
 public:
  using nn::Module::Module;
  Tensor forward(const Tensor& input) override {
    PYBIND11_OVERRIDE_NAME(Tensor, nn::Module, "forward", forward, input);
  }
  std::string extra_repr() const override {
    PYBIND11_OVERRIDE(std::string, nn::Module, extra_repr, );
  }
  void reset_parameters() override { PYBIND11_OVERRIDE(void, nn::Module, reset_parameters, ); }
  std::string name() const override {
    py::gil_scoped_acquire gil;
    py::object self = py::cast(static_cast<const nn::Module*>(this), py::return_value_policy::reference);
    return py::str(py::type::handle_of(self).attr("__name__"));
  }
};

/// Reaches Module's protected members for the bindings.
struct ModuleAccess : nn::Module {
  using nn::Module::unregister_module;
};

py::object as_py(const std::shared_ptr<nn::Module>& m) { return py::cast(m); }

py::object named_tensors(const nn::NamedTensors& list, const std::string& prefix) {
  py::list out(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    out[i] = py::make_tuple(prefix.empty() ? list[i].first : prefix + "." + list[i].first,
                            list[i].second);
  }
  return out;
}

py::object state_dict(const nn::Module& m, py::object destination, const std::string& prefix,
                      bool keep_vars) {
  py::object out = destination.is_none() ? ordered_dict_class()() : destination;
  if (keep_vars) {
    for (const auto& [k, v] : m.named_parameters()) out[py::str(prefix + k)] = v;
    for (const auto& [k, v] : m.named_buffers()) out[py::str(prefix + k)] = v;
    return out;
  }
  for (const auto& [k, v] : m.state_dict()) out[py::str(prefix + k)] = v;
  return out;
}

nn::StateDict to_state_dict(py::handle mapping) {
  nn::StateDict sd;
  for (py::handle key : mapping) {
    py::object value = mapping[key];
    Tensor* t = tensor_ptr(value);
    if (!t) {
      throw py::type_error("Expected state_dict to be dict-like of tensors, got value of type " +
                           std::string(py::str(py::type::handle_of(value).attr("__name__"))) +
                           " for key " + std::string(py::repr(key)));
    }
    sd.insert(py::str(key), *t);
  }
  return sd;
}

py::object get(nn::Module& m, const std::string& name) {
  for (const auto& [k, v] : m.named_parameters(false)) {
    if (k == name) return py::cast(v);
  }
  for (const auto& [k, v] : m.named_buffers(false)) {
    if (k == name) return py::cast(v);
  }
  for (const auto& [k, v] : m.named_children()) {
    if (k == name) return as_py(v);
  }
  return py::none();
}

std::shared_ptr<nn::Module> module_arg(py::handle h) {
  try {
    return h.cast<std::shared_ptr<nn::Module>>();
  } catch (const py::cast_error&) {
    throw py::type_error(std::string(py::str(py::type::handle_of(h).attr("__name__"))) +
                         " is not a Module subclass");
  }
}

}  // namespace

void bind_nn_module(py::module_& m) {
  py::class_<nn::Module, PyModule, std::shared_ptr<nn::Module>>(m, "Module", py::dynamic_attr())
      .def(py::init<>())
      .def("forward", &nn::Module::forward)
      .def("extra_repr", &nn::Module::extra_repr)
      .def("_get_name", &nn::Module::name)
      .def("reset_parameters", &nn::Module::reset_parameters)
      .def("__repr__", [](const nn::Module& self) { return nn::repr(self); })
      .def("_register_parameter", [](nn::Module& self, const std::string& name, const Tensor& t) {
        self.register_parameter(name, t);
      })
      .def("_register_buffer", [](nn::Module& self, const std::string& name, const Tensor& t,
                                  bool persistent) { self.register_buffer(name, t, persistent); })
      .def("_register_child", [](nn::Module& self, const std::string& name, py::handle child) {
        self.register_module(name, module_arg(child));
      })
      .def("_remove_child", [](nn::Module& self, const std::string& name) {
        auto remove = &ModuleAccess::unregister_module;
        return (self.*remove)(name) != nullptr;
      })
      .def("_get", &get)
      .def("_parameter_names", [](const nn::Module& self) {
        std::vector<std::string> names;
        for (const auto& [k, v] : self.named_parameters(false)) names.push_back(k);
        return names;
      })
      .def("_buffer_names", [](const nn::Module& self) {
        std::vector<std::string> names;
        for (const auto& [k, v] : self.named_buffers(false)) names.push_back(k);
        return names;
      })
      .def("named_parameters", [](const nn::Module& self, const std::string& prefix, bool recurse) {
        return py::iter(named_tensors(self.named_parameters(recurse), prefix));
      }, py::arg("prefix") = "", py::arg("recurse") = true)
      .def("parameters", [](const nn::Module& self, bool recurse) {
        return py::iter(py::cast(self.parameters(recurse)));
      }, py::arg("recurse") = true)
      .def("named_buffers", [](const nn::Module& self, const std::string& prefix, bool recurse) {
        return py::iter(named_tensors(self.named_buffers(recurse), prefix));
      }, py::arg("prefix") = "", py::arg("recurse") = true)
      .def("buffers", [](const nn::Module& self, bool recurse) {
        return py::iter(py::cast(self.buffers(recurse)));
      }, py::arg("recurse") = true)
      .def("named_children", [](const nn::Module& self) {
        py::list out;
        for (const auto& [k, v] : self.named_children()) out.append(py::make_tuple(k, as_py(v)));
        return py::iter(out);
      })
      .def("children", [](const nn::Module& self) {
        py::list out;
        for (const auto& [k, v] : self.named_children()) out.append(as_py(v));
        return py::iter(out);
      })
      .def("named_modules", [](nn::Module& self, const std::string& prefix) {
        py::list out;
        for (const auto& [k, v] : self.shared_from_this()->named_modules(prefix)) {
          out.append(py::make_tuple(k, as_py(v)));
        }
        return py::iter(out);
      }, py::arg("prefix") = "")
      .def("modules", [](nn::Module& self) {
        py::list out;
        for (const auto& [k, v] : self.shared_from_this()->named_modules()) out.append(as_py(v));
        return py::iter(out);
      })
      .def("state_dict", &state_dict, py::arg("destination") = py::none(), py::arg("prefix") = "",
           py::arg("keep_vars") = false)
      .def("_load_state_dict", [](nn::Module& self, py::handle sd, bool strict) {
        auto keys = self.load_state_dict(to_state_dict(sd), strict);
        return py::make_tuple(keys.missing_keys, keys.unexpected_keys);
      })
      .def("apply", [](py::object self, py::function fn) {
        self.cast<nn::Module&>().apply([&](nn::Module& mod) { fn(as_py(mod.shared_from_this())); });
        return self;
      }, py::arg("fn"))
      .def("train", [](py::object self, bool mode) {
        self.cast<nn::Module&>().train(mode);
        return self;
      }, py::arg("mode") = true)
      .def("eval", [](py::object self) {
        self.cast<nn::Module&>().eval();
        return self;
      })
      .def_property("training", &nn::Module::is_training,
                    [](nn::Module& self, bool on) {
                      // Python's `self.training = x` sets this module only (train() recurses).
                      std::vector<std::pair<std::shared_ptr<nn::Module>, bool>> kids;
                      for (const auto& [k, v] : self.named_children()) kids.emplace_back(v, v->is_training());
                      self.train(on);
                      for (auto& [kid, mode] : kids) kid->train(mode);
                    })
      .def("zero_grad", [](nn::Module& self, bool set_to_none) { self.zero_grad(set_to_none); },
           py::arg("set_to_none") = false)
      .def("requires_grad_", [](py::object self, bool on) {
        self.cast<nn::Module&>().requires_grad_(on);
        return self;
      }, py::arg("requires_grad") = true)
      .def("_to_dtype", [](py::object self, Dtype d) {
        self.cast<nn::Module&>().to(d);
        return self;
      });

  py::class_<nn::SequentialImpl, nn::Module, std::shared_ptr<nn::SequentialImpl>>(m, "Sequential")
      .def(py::init([](py::args args) {
        auto seq = std::make_shared<nn::SequentialImpl>();
        if (args.size() == 1 && py::isinstance(args[0], ordered_dict_class())) {
          for (auto [k, v] : py::reinterpret_borrow<py::dict>(args[0])) {
            seq->push_back(py::str(k), module_arg(v));
          }
          return seq;
        }
        for (py::handle a : args) seq->push_back(module_arg(a));
        return seq;
      }))
      .def("forward", &nn::SequentialImpl::forward, py::arg("input"))
      .def("append", [](py::object self, py::handle mod) {
        self.cast<nn::SequentialImpl&>().push_back(module_arg(mod));
        return self;
      })
      .def("__len__", &nn::SequentialImpl::size)
      .def("__getitem__", [](const nn::SequentialImpl& s, py::handle idx) -> py::object {
        if (PySlice_Check(idx.ptr())) {
          size_t start = 0, stop = 0, step = 0, len = 0;
          if (!py::reinterpret_borrow<py::slice>(idx).compute(s.size(), &start, &stop, &step, &len)) {
            throw py::error_already_set();
          }
          auto out = std::make_shared<nn::SequentialImpl>();
          for (size_t i = 0; i < len; ++i) {
            const auto& [name, child] = s.named_children()[start + i * step];
            out->push_back(name, child);
          }
          return py::cast(out);
        }
        const auto n = static_cast<int64_t>(s.size());
        const auto i = idx.cast<int64_t>();
        if (i < -n || i >= n) throw py::index_error("index " + std::to_string(i) + " is out of range");
        return as_py(s[i]);
      })
      .def("__iter__", [](const nn::SequentialImpl& s) {
        py::list out;
        for (const auto& mod : s) out.append(as_py(mod));
        return py::iter(out);
      });

  py::class_<nn::ModuleListImpl, nn::Module, std::shared_ptr<nn::ModuleListImpl>>(m, "ModuleList")
      .def(py::init([](py::object modules) {
        auto list = std::make_shared<nn::ModuleListImpl>();
        if (!modules.is_none()) {
          for (py::handle mod : py::iter(modules)) list->append(module_arg(mod));
        }
        return list;
      }), py::arg("modules") = py::none())
      .def("append", [](py::object self, py::handle mod) {
        self.cast<nn::ModuleListImpl&>().append(module_arg(mod));
        return self;
      })
      .def("extend", [](py::object self, py::handle mods) {
        for (py::handle mod : py::iter(mods)) self.cast<nn::ModuleListImpl&>().append(module_arg(mod));
        return self;
      })
      .def("insert", [](nn::ModuleListImpl& l, int64_t i, py::handle mod) { l.insert(i, module_arg(mod)); })
      .def("pop", [](nn::ModuleListImpl& l, int64_t i) { return as_py(l.pop(i)); }, py::arg("idx") = -1)
      .def("__len__", &nn::ModuleListImpl::size)
      .def("__getitem__", [](const nn::ModuleListImpl& l, int64_t i) {
        const auto n = static_cast<int64_t>(l.size());
        if (i < -n || i >= n) throw py::index_error("index " + std::to_string(i) + " is out of range");
        return as_py(l[i]);
      })
      .def("__iter__", [](const nn::ModuleListImpl& l) {
        py::list out;
        for (const auto& mod : l) out.append(as_py(mod));
        return py::iter(out);
      });

  py::class_<nn::ModuleDictImpl, nn::Module, std::shared_ptr<nn::ModuleDictImpl>>(m, "ModuleDict")
      .def(py::init([](py::object modules) {
        auto d = std::make_shared<nn::ModuleDictImpl>();
        if (!modules.is_none()) {
          py::object items = py::hasattr(modules, "items") ? modules.attr("items")() : modules;
          for (py::handle kv : py::iter(items)) {
            auto pair = py::reinterpret_borrow<py::tuple>(kv);
            d->insert(py::str(pair[0]), module_arg(pair[1]));
          }
        }
        return d;
      }), py::arg("modules") = py::none())
      .def("__getitem__", [](const nn::ModuleDictImpl& d, const std::string& key) {
        if (!d.contains(key)) throw py::key_error("'" + key + "'");
        return as_py(d[key]);
      })
      .def("__setitem__", [](nn::ModuleDictImpl& d, const std::string& key, py::handle mod) {
        d.insert(key, module_arg(mod));
      })
      .def("__delitem__", [](nn::ModuleDictImpl& d, const std::string& key) {
        if (!d.contains(key)) throw py::key_error("'" + key + "'");
        d.pop(key);
      })
      .def("__contains__", &nn::ModuleDictImpl::contains)
      .def("__len__", &nn::ModuleDictImpl::size)
      .def("__iter__", [](const nn::ModuleDictImpl& d) { return py::iter(py::cast(d.keys())); })
      .def("keys", &nn::ModuleDictImpl::keys)
      .def("values", [](const nn::ModuleDictImpl& d) {
        py::list out;
        for (const auto& [k, v] : d) out.append(as_py(v));
        return out;
      })
      .def("items", [](const nn::ModuleDictImpl& d) {
        py::list out;
        for (const auto& [k, v] : d) out.append(py::make_tuple(k, as_py(v)));
        return out;
      })
      .def("pop", [](nn::ModuleDictImpl& d, const std::string& key) {
        if (!d.contains(key)) throw py::key_error("'" + key + "'");
        return as_py(d.pop(key));
      })
      .def("clear", &nn::ModuleDictImpl::clear)
      .def("update", [](nn::ModuleDictImpl& d, py::object modules) {
        py::object items = py::hasattr(modules, "items") ? modules.attr("items")() : modules;
        for (py::handle kv : py::iter(items)) {
          auto pair = py::reinterpret_borrow<py::tuple>(kv);
          d.insert(py::str(pair[0]), module_arg(pair[1]));
        }
      });
}

}  // namespace torchlite::python
