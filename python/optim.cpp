// torchlite.optim: SGD, Adam, AdamW (parameters or parameter-group dicts) and the lr schedulers.
#include "bindings.h"

namespace torchlite::python {
namespace {

/// `value` of `key` in a param-group dict, else `fallback`.
template <class T>
T option(py::dict group, const char* key, T fallback) {
  return group.contains(key) ? group[key].cast<T>() : fallback;
}

/// The groups of an optimizer's `params` argument: one group of tensors, or a list of dicts
/// whose other keys override `defaults` (via `apply`).
template <class Options, class Apply>
std::vector<optim::ParamGroup<Options>> groups(py::handle params, const Options& defaults, Apply apply) {
  if (Tensor* t = tensor_ptr(params)) {
    throw py::type_error("params argument given to the optimizer should be an iterable of Tensors "
                         "or dicts, but got torch." + std::string(scalar_type_name(t->dtype())) + "Tensor");
  }
  py::list items(py::iter(params));
  std::vector<optim::ParamGroup<Options>> out;
  if (items.size() > 0 && py::isinstance<py::dict>(items[0])) {
    for (py::handle g : items) {
      auto d = py::reinterpret_borrow<py::dict>(g);
      Options o = defaults;
      apply(d, o);
      py::object ps = d["params"];
      out.push_back({tensor_ptr(ps) ? std::vector<Tensor>{*tensor_ptr(ps)} : tensor_list(ps, "optimizer"), o});
    }
  } else {
    out.push_back({tensor_list(items, "optimizer"), defaults});
  }
  return out;
}

py::object option_value(const optim::OptionValue& v) {
  return std::visit([](const auto& x) -> py::object {
    using T = std::decay_t<decltype(x)>;
    if constexpr (std::is_same_v<T, std::monostate>) return py::none();
    else if constexpr (std::is_same_v<T, std::vector<double>>) return py::tuple(py::cast(x));
    else return py::cast(x);
  }, v);
}

/// A param-group value back from Python: None, bool, number or a tuple of numbers.
optim::OptionValue to_option_value(py::handle v) {
  if (v.is_none()) return std::monostate{};
  if (PyBool_Check(v.ptr())) return v.cast<bool>();
  if (PyTuple_Check(v.ptr()) || PyList_Check(v.ptr())) return v.cast<std::vector<double>>();
  return v.cast<double>();
}

/// optimizer.state_dict() in PyTorch's structure: {'state': {0: {'momentum_buffer': t}},
/// 'param_groups': [{'lr': 0.1, ..., 'params': [0, 1]}]} (state tensors shared, not copied).
py::dict state_dict(const optim::Optimizer& o) {
  const optim::OptimizerStateDict sd = o.state_dict();
  py::dict state;
  for (const auto& [index, entries] : sd.state) {
    py::dict s;
    for (const auto& [name, t] : entries) s[py::str(name)] = wrap(t);
    state[py::int_(index)] = s;
  }
  py::list groups;
  for (const auto& g : sd.param_groups) {
    py::dict d;
    for (const auto& [name, v] : g.options) {
      // PyTorch keeps the defaults momentum=0, dampening=0 and weight_decay=0 as Python ints.
      const bool int_zero = (name == "momentum" || name == "dampening" || name == "weight_decay") &&
                            std::holds_alternative<double>(v) && std::get<double>(v) == 0.0;
      d[py::str(name)] = int_zero ? py::int_(0) : option_value(v);
    }
    d["params"] = py::cast(g.params);
    groups.append(d);
  }
  py::dict out;
  out["state"] = state;
  out["param_groups"] = groups;
  return out;
}

/// optimizer.load_state_dict(state_dict) from PyTorch's structure (as state_dict() or torch.load
/// of a file torch.save wrote gives it).
void load_state_dict(optim::Optimizer& o, py::handle state_dict) {
  if (!py::isinstance<py::dict>(state_dict))
    throw py::type_error("optimizer.load_state_dict expects a dict, not " +
                         std::string(py::str(py::type::handle_of(state_dict).attr("__name__"))));
  py::dict d = py::reinterpret_borrow<py::dict>(state_dict);
  optim::OptimizerStateDict sd;
  for (auto [index, entries] : py::reinterpret_borrow<py::dict>(d["state"])) {
    optim::ParamState st;
    for (auto [name, t] : py::reinterpret_borrow<py::dict>(entries)) {
      Tensor* tensor = tensor_ptr(t);
      if (!tensor && !t.is_none())
        throw py::type_error("optimizer state '" + std::string(py::str(name)) + "' must be a tensor");
      st.emplace_back(py::str(name), tensor ? *tensor : Tensor());
    }
    sd.state[index.cast<int64_t>()] = std::move(st);
  }
  for (py::handle g : py::reinterpret_borrow<py::list>(d["param_groups"])) {
    optim::ParamGroupState group;
    for (auto [name, v] : py::reinterpret_borrow<py::dict>(g)) {
      if (py::str(name).cast<std::string>() == "params") {
        group.params = v.cast<std::vector<int64_t>>();
      } else {
        group.options.emplace_back(py::str(name), to_option_value(v));
      }
    }
    sd.param_groups.push_back(std::move(group));
  }
  o.load_state_dict(sd);
}

/// Turns graph recording on for a scope (the closure of step() runs with grad enabled).
class EnableGradGuard {
 public:
  EnableGradGuard() : prev_(is_grad_enabled()) { set_grad_enabled(true); }
  ~EnableGradGuard() { set_grad_enabled(prev_); }
  EnableGradGuard(const EnableGradGuard&) = delete;
  EnableGradGuard& operator=(const EnableGradGuard&) = delete;

 private:
  bool prev_;
};

/// PyTorch checks lr in Python and prints it as given ("Invalid learning rate: -1").
double checked_lr(py::handle lr) {
  const auto value = lr.cast<double>();
  if (value < 0) throw py::value_error("Invalid learning rate: " + std::string(py::repr(lr)));
  return value;
}

template <class Opt>
py::object step(Opt& o, py::object closure) {
  py::object loss = py::none();
  if (!closure.is_none()) {
    EnableGradGuard grad;
    loss = closure();
  }
  o.step();
  return loss;
}

}  // namespace

void bind_optim(py::module_& root) {
  py::module_ m = root.def_submodule("_optim");
  py::class_<optim::Optimizer, std::shared_ptr<optim::Optimizer>>(m, "Optimizer")
      .def("step", &step<optim::Optimizer>, py::arg("closure") = py::none())
      .def("zero_grad", &optim::Optimizer::zero_grad, py::arg("set_to_none") = false)
      .def("state_dict", &state_dict)
      .def("load_state_dict", &load_state_dict, py::arg("state_dict"))
      .def("_num_groups", &optim::Optimizer::num_param_groups)
      .def("_params", [](const optim::Optimizer& o, size_t g) { return o.params(g); })
      .def("_lr", &optim::Optimizer::lr)
      .def("_set_lr", &optim::Optimizer::set_lr)
      .def("_group_options", [](const optim::Optimizer& o, size_t g) {
        py::dict d;
        const auto sd = o.state_dict();
        for (const auto& [k, v] : sd.param_groups.at(g).options) d[py::str(k)] = option_value(v);
        return d;
      })
      .def("_state", [](const optim::Optimizer& o, const Tensor& p) {
        py::dict d;
        for (const auto& [k, v] : o.state(p)) d[py::str(k)] = wrap(v);
        return d;
      });

  py::class_<optim::SGD, optim::Optimizer, std::shared_ptr<optim::SGD>>(m, "SGD")
      .def(py::init([](py::handle params, py::object lr_arg, double momentum, double dampening,
                       double weight_decay, bool nesterov, bool maximize, py::object, bool) {
        const double lr = checked_lr(lr_arg);
        optim::SGDOptions d{lr, momentum, dampening, weight_decay, nesterov, maximize};
        return std::make_shared<optim::SGD>(groups(params, d, [](py::dict g, optim::SGDOptions& o) {
          o.lr = option(g, "lr", o.lr);
          o.momentum = option(g, "momentum", o.momentum);
          o.dampening = option(g, "dampening", o.dampening);
          o.weight_decay = option(g, "weight_decay", o.weight_decay);
          o.nesterov = option(g, "nesterov", o.nesterov);
          o.maximize = option(g, "maximize", o.maximize);
        }));
      }), py::arg("params"), py::arg("lr"), py::arg("momentum") = 0.0, py::arg("dampening") = 0.0,
          py::arg("weight_decay") = 0.0, py::arg("nesterov") = false, py::kw_only(),
          py::arg("maximize") = false, py::arg("foreach") = py::none(),
          py::arg("differentiable") = false);

  auto adam_apply = [](py::dict g, auto& o) {
    o.lr = option(g, "lr", o.lr);
    o.betas = option(g, "betas", o.betas);
    o.eps = option(g, "eps", o.eps);
    o.weight_decay = option(g, "weight_decay", o.weight_decay);
    o.amsgrad = option(g, "amsgrad", o.amsgrad);
    o.maximize = option(g, "maximize", o.maximize);
  };
  py::class_<optim::Adam, optim::Optimizer, std::shared_ptr<optim::Adam>>(m, "Adam")
      .def(py::init([adam_apply](py::handle params, py::object lr_arg, std::pair<double, double> betas,
                                 double eps, double weight_decay, bool amsgrad, py::object,
                                 bool maximize, bool, bool, py::object) {
        const double lr = checked_lr(lr_arg);
        optim::AdamOptions d{lr, betas, eps, weight_decay, amsgrad, maximize};
        return std::make_shared<optim::Adam>(groups(params, d, adam_apply));
      }), py::arg("params"), py::arg("lr") = 1e-3, py::arg("betas") = std::pair{0.9, 0.999},
          py::arg("eps") = 1e-8, py::arg("weight_decay") = 0.0, py::arg("amsgrad") = false,
          py::kw_only(), py::arg("foreach") = py::none(), py::arg("maximize") = false,
          py::arg("capturable") = false, py::arg("differentiable") = false,
          py::arg("fused") = py::none());
  py::class_<optim::AdamW, optim::Optimizer, std::shared_ptr<optim::AdamW>>(m, "AdamW")
      .def(py::init([adam_apply](py::handle params, py::object lr_arg, std::pair<double, double> betas,
                                 double eps, double weight_decay, bool amsgrad, bool maximize,
                                 py::object, bool, bool) {
        const double lr = checked_lr(lr_arg);
        optim::AdamWOptions d{lr, betas, eps, weight_decay, amsgrad, maximize};
        return std::make_shared<optim::AdamW>(groups(params, d, adam_apply));
      }), py::arg("params"), py::arg("lr") = 1e-3, py::arg("betas") = std::pair{0.9, 0.999},
          py::arg("eps") = 1e-8, py::arg("weight_decay") = 1e-2, py::arg("amsgrad") = false,
          py::kw_only(), py::arg("maximize") = false, py::arg("foreach") = py::none(),
          py::arg("capturable") = false, py::arg("differentiable") = false);

  namespace lr = optim::lr_scheduler;
  py::module_ s = root.def_submodule("_lr_scheduler");
  py::class_<lr::LRScheduler, std::shared_ptr<lr::LRScheduler>>(s, "LRScheduler")
      .def("step", [](lr::LRScheduler& sch, py::object epoch) {
        TL_CHECK(epoch.is_none(), "torchlite's schedulers take no epoch argument in step()");
        sch.step();
      }, py::arg("epoch") = py::none())
      .def("get_last_lr", &lr::LRScheduler::get_last_lr)
      .def_property_readonly("last_epoch", &lr::LRScheduler::last_epoch)
      .def_property_readonly("base_lrs", &lr::LRScheduler::base_lrs);
  // Each scheduler keeps its optimizer alive (keep_alive<1, 2>), as the C++ one refers to it.
  py::class_<lr::StepLR, lr::LRScheduler, std::shared_ptr<lr::StepLR>>(s, "StepLR")
      .def(py::init([](optim::Optimizer& o, int64_t step_size, double gamma, int64_t last_epoch, bool) {
        return std::make_shared<lr::StepLR>(o, step_size, gamma, last_epoch);
      }), py::keep_alive<1, 2>(), py::arg("optimizer"), py::arg("step_size"), py::arg("gamma") = 0.1,
          py::arg("last_epoch") = -1, py::arg("verbose") = false);
  py::class_<lr::MultiStepLR, lr::LRScheduler, std::shared_ptr<lr::MultiStepLR>>(s, "MultiStepLR")
      .def(py::init([](optim::Optimizer& o, std::vector<int64_t> milestones, double gamma,
                       int64_t last_epoch, bool) {
        return std::make_shared<lr::MultiStepLR>(o, std::move(milestones), gamma, last_epoch);
      }), py::keep_alive<1, 2>(), py::arg("optimizer"), py::arg("milestones"),
          py::arg("gamma") = 0.1, py::arg("last_epoch") = -1, py::arg("verbose") = false);
  py::class_<lr::ExponentialLR, lr::LRScheduler, std::shared_ptr<lr::ExponentialLR>>(s, "ExponentialLR")
      .def(py::init([](optim::Optimizer& o, double gamma, int64_t last_epoch, bool) {
        return std::make_shared<lr::ExponentialLR>(o, gamma, last_epoch);
      }), py::keep_alive<1, 2>(), py::arg("optimizer"), py::arg("gamma"),
          py::arg("last_epoch") = -1, py::arg("verbose") = false);
  py::class_<lr::CosineAnnealingLR, lr::LRScheduler, std::shared_ptr<lr::CosineAnnealingLR>>(
      s, "CosineAnnealingLR")
      .def(py::init([](optim::Optimizer& o, int64_t T_max, double eta_min, int64_t last_epoch, bool) {
        return std::make_shared<lr::CosineAnnealingLR>(o, T_max, eta_min, last_epoch);
      }), py::keep_alive<1, 2>(), py::arg("optimizer"), py::arg("T_max"),
          py::arg("eta_min") = 0.0, py::arg("last_epoch") = -1, py::arg("verbose") = false);
}

}  // namespace torchlite::python
