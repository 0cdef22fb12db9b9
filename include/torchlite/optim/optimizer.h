// optim::Optimizer: parameter groups, per-parameter state, zero_grad and state_dict.
// Mirrors https://pytorch.org/docs/stable/optim.html#torch.optim.Optimizer
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "torchlite/tensor.h"

namespace torchlite::optim {

/// A param-group hyper-parameter as PyTorch stores it: None, bool, float or a tuple of floats.
using OptionValue = std::variant<std::monostate, bool, double, std::vector<double>>;
/// Named values in PyTorch's insertion order (a Python dict).
using OptionList = std::vector<std::pair<std::string, OptionValue>>;
/// One parameter's state: {"momentum_buffer": ...} or {"step", "exp_avg", ...}; an undefined
/// tensor stands for Python's None.
using ParamState = std::vector<std::pair<std::string, Tensor>>;

/// One entry of state_dict().param_groups: the hyper-parameters in PyTorch's key order, then the
/// indices of the group's parameters (counted across groups).
struct ParamGroupState {
  OptionList options;
  std::vector<int64_t> params;
};

/// PyTorch's optimizer.state_dict(): {'state': {index: {...}}, 'param_groups': [{...}]}.
struct OptimizerStateDict {
  std::map<int64_t, ParamState> state;
  std::vector<ParamGroupState> param_groups;
};

/// The value of `key` in `options`, or nullptr.
const OptionValue* find_option(const OptionList& options, const std::string& key);

/// Base of SGD, Adam, AdamW: holds the groups' parameters and each parameter's state.
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  /// Performs one update of every parameter that has a gradient.
  virtual void step() = 0;
  /// Clears the gradients (set to None by default, as PyTorch 2.x; else zeroes them).
  void zero_grad(bool set_to_none = true);

  size_t num_param_groups() const { return groups_.size(); }
  /// The parameters of group `g`.
  const std::vector<Tensor>& params(size_t g = 0) const { return groups_.at(g); }
  /// The learning rate of group `g` (what schedulers read and write).
  virtual double lr(size_t g = 0) const = 0;
  virtual void set_lr(size_t g, double lr) = 0;
  /// Whether the groups have a momentum OneCycleLR can cycle (PyTorch: a 'momentum' or 'betas'
  /// option), and setting it (betas[0] for betas).
  virtual bool has_momentum() const { return false; }
  virtual void set_momentum(size_t /*g*/, double /*momentum*/) {}
  /// group['initial_lr'], set by the first scheduler attached.
  std::optional<double> initial_lr(size_t g) const { return initial_lr_.at(g); }
  void set_initial_lr(size_t g, double lr) { initial_lr_.at(g) = lr; }

  /// The state of parameter `p` (empty before its first step).
  const ParamState& state(const Tensor& p) const;
  /// {'state', 'param_groups'} as PyTorch builds it (state tensors are shared, not copied).
  OptimizerStateDict state_dict() const;
  /// Restores hyper-parameters and (copied) state; group counts and sizes must match.
  void load_state_dict(const OptimizerStateDict& state_dict);

 protected:
  void add_group(std::vector<Tensor> params);
  /// The hyper-parameters of group `g`, keys in PyTorch's order (without params/initial_lr).
  virtual OptionList group_options(size_t g) const = 0;
  virtual void set_group_options(size_t g, const OptionList& options) = 0;
  /// The mutable state of `p`, created empty on first use.
  ParamState& mutable_state(const Tensor& p) { return state_[p.impl()]; }

 private:
  std::vector<std::vector<Tensor>> groups_;
  std::vector<std::optional<double>> initial_lr_;
  std::unordered_map<const TensorImpl*, ParamState> state_;
};

/// Parameters with their own options, for optimizers built from several groups.
template <class Options>
struct ParamGroup {
  std::vector<Tensor> params;
  Options options;
};

/// An optimizer whose groups each carry an `Options` struct with an `lr` field.
template <class Options>
class OptimizerWithOptions : public Optimizer {
 public:
  double lr(size_t g = 0) const override { return options_.at(g).lr; }
  void set_lr(size_t g, double lr) override { options_.at(g).lr = lr; }
  bool has_momentum() const override {
    return requires(Options o) { o.momentum; } || requires(Options o) { o.betas; };
  }
  void set_momentum(size_t g, double momentum) override {
    if constexpr (requires(Options o) { o.momentum; })
      options_.at(g).momentum = momentum;
    else if constexpr (requires(Options o) { o.betas; })
      options_.at(g).betas.first = momentum;
  }
  /// The options of group `g` (editable, like param_groups[g] in Python).
  Options& options(size_t g = 0) { return options_.at(g); }
  const Options& options(size_t g = 0) const { return options_.at(g); }
  /// Adds a group with its own options, as add_param_group.
  void add_param_group(ParamGroup<Options> group) {
    check_options(group.options);
    add_group(std::move(group.params));
    options_.push_back(group.options);
  }

 protected:
  virtual void check_options(const Options& options) const = 0;
  std::vector<Options> options_;
};

}  // namespace torchlite::optim
