// nn::Module: registration, traversal, state_dict/load_state_dict, apply, modes, and repr.
#include "torchlite/nn/module.h"

#include <cxxabi.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <ostream>
#include <sstream>

#include "torchlite/error.h"

namespace torchlite::nn {

Tensor Module::forward(const Tensor&) {
  throw Error("Module [" + name() + "] is missing the required \"forward\" function");
}

std::string Module::name() const {
  if (!name_.empty()) return name_;
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> demangled(
      abi::__cxa_demangle(typeid(*this).name(), nullptr, nullptr, &status), std::free);
  std::string full = status == 0 ? demangled.get() : typeid(*this).name();
  auto pos = full.rfind("::");
  return pos == std::string::npos ? full : full.substr(pos + 2);
}

void Module::reset_parameters() {
  for (auto& [n, m] : children_) m->reset_parameters();
}

Module::InitMark Module::init_mark_now() {
  static std::atomic<uint64_t> constructed{0};
  return {++constructed, default_generator().position(), false};
}

namespace {

// Whether the generator moved between two positions of one seeding: an output drawn, or the
// cached normal taken (its value may differ between orders; whether one is cached may not).
bool moved(const Generator::Position& from, const Generator::Position& to) {
  return from.offset != to.offset || from.normal_cache.has_value() != to.normal_cache.has_value();
}

const char* kWriteBraces =
    " Write the container with braces, e.g. nn::Sequential{...}, which builds its modules left to "
    "right.";

}  // namespace

void Module::init_in_argument_order(const std::vector<ModuleArg>& args) {
  Generator& gen = default_generator();
  const Generator::Position end = gen.position();
  struct Item {
    Module* module;
    size_t index;  // in args
    InitMark mark;
    bool unknown;
    uint64_t drawn = 0;  // outputs drawn from its construction to the next module's
    bool drew = false;
  };
  // The modules this call may have built: not existing ones, nor ones from before the seeding.
  std::vector<Item> items;
  for (size_t i = 0; i < args.size(); ++i) {
    Module* m = args[i].module().get();
    if (args[i].origin() == ModuleArg::Origin::kExisting ||
        m->init_mark_.position.seeding != end.seeding)
      continue;
    if (std::any_of(items.begin(), items.end(), [&](const Item& it) { return it.module == m; }))
      continue;
    items.push_back({m, i, m->init_mark_,
                     args[i].origin() == ModuleArg::Origin::kUnknown || m->init_mark_.unsure});
  }
  if (items.empty()) return;
  // In construction order, each module's draws run until the next one began (the last: until now).
  std::sort(items.begin(), items.end(),
            [](const Item& a, const Item& b) { return a.mark.sequence < b.mark.sequence; });
  for (size_t k = 0; k < items.size(); ++k) {
    const Generator::Position& next = k + 1 < items.size() ? items[k + 1].mark.position : end;
    items[k].drew = moved(items[k].mark.position, next);
    items[k].drawn = next.offset - items[k].mark.position.offset;
  }
  // This container's construction began with its first new module's.
  if (items.front().mark.sequence < init_mark_.sequence) {
    init_mark_.sequence = items.front().mark.sequence;
    init_mark_.position = items.front().mark.position;
  }
  std::vector<Item*> drawing;
  for (auto& it : items) {
    if (!it.drew) continue;
    drawing.push_back(&it);
    init_mark_.unsure = init_mark_.unsure || it.unknown;
  }
  auto by_index = [](const Item* a, const Item* b) { return a->index < b->index; };
  if (std::is_sorted(drawing.begin(), drawing.end(), by_index)) return;

  // Built in another order than written: redraw in argument order from where the first began.
  const Generator::Position start = drawing.front()->mark.position;
  std::sort(drawing.begin(), drawing.end(), by_index);
  const std::string what = name() + ": C++ built the modules in its arguments in another order " +
                           "than written (GCC builds the last argument first), and PyTorch's " +
                           "initial values cannot be redrawn in argument order: ";
  for (const Item* it : drawing) {
    TL_CHECK(!it->unknown, what, "the module at index ", it->index, " (", it->module->name(),
             ") was moved in (std::move, or a handle returned by a function), so it may be an "
             "older module that must keep its values. Pass an existing module as an lvalue.",
             kWriteBraces);
  }
  // Kept to undo a failed redraw, so that an error changes nothing.
  std::vector<std::pair<Tensor, Tensor>> saved;
  {
    NoGradGuard no_grad;
    for (const Item* it : drawing) {
      for (const Tensor& p : it->module->parameters()) saved.emplace_back(p, p.clone());
      for (const Tensor& b : it->module->buffers()) saved.emplace_back(b, b.clone());
    }
  }
  auto undo = [&] {
    NoGradGuard no_grad;
    for (auto& [target, copy] : saved) {
      Tensor t = target;
      t.copy_(copy);
    }
    if (gen.position().seeding == end.seeding) gen.set_position(end);
  };
  std::vector<uint64_t> redrawn;
  gen.set_position(start);
  try {
    for (const Item* it : drawing) {
      const uint64_t before = gen.position().offset;
      it->module->reset_parameters();
      redrawn.push_back(gen.position().offset - before);
    }
  } catch (...) {
    undo();
    throw;
  }
  const Generator::Position now = gen.position();
  if (now.seeding == end.seeding && !moved(now, end)) return;
  undo();
  for (size_t k = 0; k < drawing.size(); ++k) {
    const Item& it = *drawing[k];
    TL_CHECK(redrawn[k] == it.drawn, what, "the module at index ", it.index, " (",
             it.module->name(), ") drew ", it.drawn,
             " random numbers while it was built but its reset_parameters() draws ", redrawn[k],
             redrawn[k] < it.drawn
                 ? " (a module that draws in its constructor must override reset_parameters() "
                   "to redraw the same)."
                 : " (it holds modules built before the call, whose values must stay).",
             kWriteBraces);
  }
  throw Error(what +
              "something other than the modules' own initialisation drew random numbers while "
              "they were built." + kWriteBraces);
}

Tensor& Module::register_parameter(const std::string& name, Tensor tensor,
                                   std::optional<bool> requires_grad) {
  TL_CHECK(!name.empty() && name.find('.') == std::string::npos,
           "parameter name can't contain \".\" or be empty, got \"", name, "\"");
  if (tensor.defined()) {
    if (requires_grad) tensor.requires_grad_(*requires_grad);
    else if (!tensor.impl()->is_parameter) tensor.requires_grad_(true);
    tensor.impl()->is_parameter = true;
  }
  for (auto& [n, t] : parameters_) {
    if (n == name) {
      t = std::move(tensor);
      return t;
    }
  }
  parameters_.emplace_back(name, std::move(tensor));
  return parameters_.back().second;
}

Tensor& Module::register_buffer(const std::string& name, Tensor tensor, bool persistent) {
  TL_CHECK(!name.empty() && name.find('.') == std::string::npos,
           "buffer name can't contain \".\" or be empty, got \"", name, "\"");
  for (auto& b : buffers_) {
    if (b.name == name) {
      b.tensor = std::move(tensor);
      b.persistent = persistent;
      return b.tensor;
    }
  }
  buffers_.push_back({name, std::move(tensor), persistent});
  return buffers_.back().tensor;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> module) {
  TL_CHECK(module != nullptr, "register_module: module \"", name, "\" is null");
  TL_CHECK(!name.empty() && name.find('.') == std::string::npos,
           "module name can't contain \".\" or be empty, got \"", name, "\"");
  for (auto& [n, m] : children_) {
    if (n == name) {
      m = std::move(module);
      return;
    }
  }
  children_.emplace_back(name, std::move(module));
}

std::shared_ptr<Module> Module::unregister_module(const std::string& name) {
  for (auto it = children_.begin(); it != children_.end(); ++it) {
    if (it->first == name) {
      std::shared_ptr<Module> module = std::move(it->second);
      children_.erase(it);
      return module;
    }
  }
  return nullptr;
}

void Module::collect(const std::string& prefix, bool recurse, bool buffers, NamedTensors& out) const {
  if (buffers) {
    for (const auto& b : buffers_)
      if (b.tensor.defined()) out.emplace_back(prefix + b.name, b.tensor);
  } else {
    for (const auto& [n, t] : parameters_)
      if (t.defined()) out.emplace_back(prefix + n, t);
  }
  if (!recurse) return;
  for (const auto& [n, m] : children_) m->collect(prefix + n + ".", true, buffers, out);
}

NamedTensors Module::named_parameters(bool recurse) const {
  NamedTensors out;
  collect("", recurse, false, out);
  // A tensor registered twice (shared weights) is listed once, as PyTorch does.
  NamedTensors unique;
  for (auto& item : out) {
    bool seen = std::any_of(unique.begin(), unique.end(),
                            [&](const auto& u) { return u.second.is_same(item.second); });
    if (!seen) unique.push_back(std::move(item));
  }
  return unique;
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  // Same order and de-duplication as named_parameters, without building the names.
  std::vector<Tensor> out;
  std::vector<const Module*> stack{this};
  while (!stack.empty()) {
    const Module* m = stack.back();
    stack.pop_back();
    for (const auto& entry : m->parameters_) {
      const Tensor& t = entry.second;
      if (!t.defined()) continue;
      bool seen = std::any_of(out.begin(), out.end(), [&](const Tensor& u) { return u.is_same(t); });
      if (!seen) out.push_back(t);
    }
    if (!recurse) break;
    for (auto it = m->children_.rbegin(); it != m->children_.rend(); ++it) stack.push_back(it->second.get());
  }
  return out;
}

NamedTensors Module::named_buffers(bool recurse) const {
  NamedTensors out;
  collect("", recurse, true, out);
  return out;
}

std::vector<Tensor> Module::buffers(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [n, t] : named_buffers(recurse)) out.push_back(t);
  return out;
}

std::vector<std::shared_ptr<Module>> Module::children() const {
  std::vector<std::shared_ptr<Module>> out;
  for (const auto& [n, m] : children_) out.push_back(m);
  return out;
}

NamedModules Module::named_modules(const std::string& prefix) {
  NamedModules out;
  std::shared_ptr<Module> self = weak_from_this().lock();
  TL_CHECK(self != nullptr, "named_modules() needs the module to be held by a std::shared_ptr");
  out.emplace_back(prefix, self);
  for (const auto& [n, m] : children_) {
    for (auto& entry : m->named_modules(prefix.empty() ? n : prefix + "." + n)) {
      bool seen = std::any_of(out.begin(), out.end(),
                              [&](const auto& e) { return e.second == entry.second; });
      if (!seen) out.push_back(std::move(entry));
    }
  }
  return out;
}

void Module::collect_state(const std::string& prefix, StateDict& out) const {
  for (const auto& [n, t] : parameters_)
    if (t.defined()) out.insert(prefix + n, t.detach());
  for (const auto& b : buffers_)
    if (b.tensor.defined() && b.persistent) out.insert(prefix + b.name, b.tensor.detach());
  for (const auto& [n, m] : children_) m->collect_state(prefix + n + ".", out);
}

StateDict Module::state_dict() const {
  StateDict out;
  collect_state("", out);
  return out;
}

IncompatibleKeys Module::load_state_dict(const StateDict& state_dict, bool strict) {
  StateDict own = this->state_dict();
  IncompatibleKeys result;
  std::vector<std::string> errors;
  // PyTorch's backward compatibility: a 1-D entry loads into a 0-dim tensor as its element 0.
  auto source = [](const Tensor& src, const Tensor& target) {
    return target.dim() == 0 && src.dim() == 1 && src.numel() > 0 ? src.select(0, 0) : src;
  };
  for (const auto& [key, target] : own) {
    if (!state_dict.contains(key)) {
      result.missing_keys.push_back(key);
      continue;
    }
    const Tensor src = source(state_dict[key], target);
    if (src.sizes() != target.sizes()) {
      std::ostringstream os;
      os << "size mismatch for " << key << ": copying a param with shape " << src.sizes()
         << " from checkpoint, the shape in current model is " << target.sizes() << ".";
      errors.push_back(os.str());
    }
  }
  for (const auto& [key, value] : state_dict)
    if (!own.contains(key)) result.unexpected_keys.push_back(key);
  auto join = [](const std::vector<std::string>& keys) {
    std::string s;
    for (size_t i = 0; i < keys.size(); ++i) s += (i ? ", \"" : "\"") + keys[i] + "\"";
    return s;
  };
  // PyTorch's order: missing keys, unexpected keys, then each size mismatch.
  if (strict && !result.unexpected_keys.empty())
    errors.insert(errors.begin(),
                  "Unexpected key(s) in state_dict: " + join(result.unexpected_keys) + ". ");
  if (strict && !result.missing_keys.empty())
    errors.insert(errors.begin(),
                  "Missing key(s) in state_dict: " + join(result.missing_keys) + ". ");
  if (!errors.empty()) {
    std::string msg = "Error(s) in loading state_dict for " + name() + ":";
    for (const std::string& e : errors) msg += "\n\t" + e;
    throw Error(msg);
  }
  NoGradGuard no_grad;
  for (auto& [key, target] : own) {
    if (state_dict.contains(key)) {
      Tensor dst = target;
      dst.copy_(source(state_dict[key], target));
    }
  }
  return result;
}

Module& Module::apply(const std::function<void(Module&)>& fn) {
  for (auto& [n, m] : children_) m->apply(fn);
  fn(*this);
  return *this;
}

Module& Module::train(bool on) {
  training_ = on;
  for (auto& [n, m] : children_) m->train(on);
  return *this;
}

void Module::zero_grad(bool set_to_none) {
  // A walk instead of parameters(): nothing to collect, and a shared parameter cleared twice
  // stays cleared.
  for (auto& [n, p] : parameters_) {
    if (!p.defined() || !p.impl()->grad) continue;
    if (set_to_none) p.impl()->grad.reset();
    else p.grad().zero_();
  }
  for (auto& [n, m] : children_) m->zero_grad(set_to_none);
}

Module& Module::requires_grad_(bool requires_grad) {
  for (auto& p : parameters()) p.requires_grad_(requires_grad);
  return *this;
}

Module& Module::to(Dtype dtype) {
  TL_CHECK(is_floating_point(dtype), "nn.Module.to only accepts floating point dtypes, but got desired dtype=",
           dtype_name(dtype));
  auto convert = [dtype](Tensor& t) {
    if (!t.defined() || !t.is_floating_point() || t.dtype() == dtype) return;
    NoGradGuard no_grad;
    Tensor converted = t.to(dtype);
    // Swap the data under the same TensorImpl, so that members and optimizers keep their handle.
    TensorImpl* impl = t.impl();
    impl->storage = converted.impl()->storage;
    impl->dtype = dtype;
    impl->strides = converted.strides();
    impl->offset = 0;
    impl->grad.reset();
  };
  for (auto& [n, t] : parameters_) convert(t);
  for (auto& b : buffers_) convert(b.tensor);
  for (auto& [n, m] : children_) m->to(dtype);
  return *this;
}

namespace {
std::string add_indent(const std::string& s, int n) {
  std::string out;
  for (char c : s) {
    out += c;
    if (c == '\n') out += std::string(n, ' ');
  }
  return out;
}
}  // namespace

std::string repr(const Module& module) {
  std::vector<std::string> lines;
  std::string extra = module.extra_repr();
  if (!extra.empty()) {
    std::istringstream is(extra);
    for (std::string line; std::getline(is, line);) lines.push_back(line);
  }
  const size_t n_extra = lines.size();
  for (const auto& [name, child] : module.named_children())
    lines.push_back("(" + name + "): " + add_indent(repr(*child), 2));
  std::string s = module.name() + "(";
  if (!lines.empty()) {
    if (n_extra == 1 && lines.size() == 1) {
      s += lines[0];
    } else {
      s += "\n  ";
      for (size_t i = 0; i < lines.size(); ++i) s += (i ? "\n  " : "") + lines[i];
      s += "\n";
    }
  }
  return s + ")";
}

std::ostream& operator<<(std::ostream& os, const Module& module) { return os << repr(module); }

std::ostream& operator<<(std::ostream& os, const std::shared_ptr<Module>& module) {
  return module ? os << *module : os << "None";
}

}  // namespace torchlite::nn
