// Optimizer base: groups, per-parameter state, zero_grad, state_dict / load_state_dict.
#include "torchlite/optim/optimizer.h"

namespace torchlite::optim {

const OptionValue* find_option(const OptionList& options, const std::string& key) {
  for (const auto& [k, v] : options)
    if (k == key) return &v;
  return nullptr;
}

void Optimizer::zero_grad(bool set_to_none) {
  for (auto& group : groups_) {
    for (auto& p : group) {
      if (!p.grad().defined()) continue;
      if (set_to_none) {
        p.set_grad(Tensor());
      } else {
        Tensor g = p.grad();
        g.zero_();
      }
    }
  }
}

const ParamState& Optimizer::state(const Tensor& p) const {
  static const ParamState empty_state;
  auto it = state_.find(p.impl());
  return it == state_.end() ? empty_state : it->second;
}

void Optimizer::add_group(std::vector<Tensor> params) {
  TL_CHECK(!params.empty(), "optimizer got an empty parameter list");
  for (const auto& p : params) {
    TL_CHECK(p.defined(), "optimizer can only optimize Tensors, but one of the params is None");
    TL_CHECK(p.is_leaf(), "can't optimize a non-leaf Tensor");
    for (const auto& group : groups_)
      for (const auto& q : group)
        TL_CHECK(!q.is_same(p), "some parameters appear in more than one parameter group");
  }
  groups_.push_back(std::move(params));
  initial_lr_.emplace_back();
}

OptimizerStateDict Optimizer::state_dict() const {
  OptimizerStateDict out;
  int64_t index = 0;
  for (size_t g = 0; g < groups_.size(); ++g) {
    ParamGroupState group{group_options(g), {}};
    if (initial_lr_[g]) group.options.emplace_back("initial_lr", *initial_lr_[g]);
    for (const auto& p : groups_[g]) {
      auto it = state_.find(p.impl());
      if (it != state_.end()) out.state[index] = it->second;
      group.params.push_back(index++);
    }
    out.param_groups.push_back(std::move(group));
  }
  return out;
}

void Optimizer::load_state_dict(const OptimizerStateDict& sd) {
  TL_CHECK(sd.param_groups.size() == groups_.size(),
           "loaded state dict has a different number of parameter groups");
  for (size_t g = 0; g < groups_.size(); ++g)
    TL_CHECK(sd.param_groups[g].params.size() == groups_[g].size(),
             "loaded state dict contains a parameter group that doesn't match the size of "
             "optimizer's group");
  std::unordered_map<int64_t, const Tensor*> by_index;
  for (size_t g = 0; g < groups_.size(); ++g)
    for (size_t i = 0; i < groups_[g].size(); ++i)
      by_index[sd.param_groups[g].params[i]] = &groups_[g][i];
  state_.clear();
  for (const auto& [index, st] : sd.state) {
    auto it = by_index.find(index);
    if (it == by_index.end()) continue;  // PyTorch keeps unknown keys; they can never be used
    const Tensor& p = *it->second;
    ParamState copy;
    for (const auto& [name, t] : st) {
      if (!t.defined()) {
        copy.emplace_back(name, Tensor());
      } else if (name == "step" || !p.is_floating_point()) {
        copy.emplace_back(name, t.clone());  // 'step' keeps its dtype, as PyTorch's _cast
      } else {
        TL_CHECK(t.sizes() == p.sizes(), "loaded state for parameter ", index,
                 " has a different shape than the parameter");
        copy.emplace_back(name, t.to(p.dtype()).clone());
      }
    }
    state_[p.impl()] = std::move(copy);
  }
  for (size_t g = 0; g < groups_.size(); ++g) {
    set_group_options(g, sd.param_groups[g].options);
    const OptionValue* init = find_option(sd.param_groups[g].options, "initial_lr");
    initial_lr_[g] = init && std::holds_alternative<double>(*init)
                         ? std::optional<double>(std::get<double>(*init))
                         : std::nullopt;
  }
}

}  // namespace torchlite::optim
