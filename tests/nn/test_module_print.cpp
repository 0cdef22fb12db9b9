// Module trees, their state_dict and named_parameters, printed as PyTorch 1.13 prints them.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <sstream>

#include "core/print_fixture_util.h"
#include "torchlite/nn/activation.h"
#include "torchlite/nn/dropout.h"
#include "torchlite/nn/linear.h"
#include "torchlite/nn/module.h"
#include "torchlite/nn/sequential.h"

namespace tl = torchlite;
namespace nn = torchlite::nn;
using print_fixture::json;

namespace {

constexpr const char* kSkipReason = "skipped: unsupported module";

// Children in registration order, named as in the fixture.
bool add_children(nn::Module& parent, const json& node);

// The module a fixture tree describes, or nullptr when some module of it is not implemented.
std::shared_ptr<nn::Module> build(const json& node) {
  const std::string type = node.at("type");
  const json& a = node.at("args");
  std::shared_ptr<nn::Module> m;
  if (type == "Linear") {
    m = std::make_shared<nn::LinearImpl>(a.at("in_features").get<int64_t>(),
                                         a.at("out_features").get<int64_t>(),
                                         a.at("bias").get<bool>());
  } else if (type == "Flatten") {
    m = std::make_shared<nn::FlattenImpl>(a.at("start_dim").get<int64_t>(),
                                          a.at("end_dim").get<int64_t>());
  } else if (type == "ReLU") {
    m = std::make_shared<nn::ReLUImpl>(a.at("inplace").get<bool>());
  } else if (type == "Sigmoid") {
    m = std::make_shared<nn::SigmoidImpl>();
  } else if (type == "Tanh") {
    m = std::make_shared<nn::TanhImpl>();
  } else if (type == "Identity") {
    m = std::make_shared<nn::IdentityImpl>();
  } else if (type == "LogSoftmax") {
    m = std::make_shared<nn::LogSoftmaxImpl>(a.at("dim").get<int64_t>());
  } else if (type == "Dropout") {
    m = std::make_shared<nn::DropoutImpl>(a.at("p").get<double>(), a.at("inplace").get<bool>());
  } else if (type == "Softmax") {
    m = std::make_shared<nn::SoftmaxImpl>(
        a.at("dim").is_null() ? std::nullopt : std::optional<int64_t>(a.at("dim").get<int64_t>()));
  } else if (type == "Sequential") {
    bool numbered = true;
    for (size_t i = 0; i < node.at("children").size(); ++i) {
      numbered = numbered && node.at("children")[i].at("name") == std::to_string(i);
    }
    if (numbered) {
      auto seq = std::make_shared<nn::SequentialImpl>();
      for (const json& ch : node.at("children")) {
        auto child = build(ch.at("module"));
        if (!child) return nullptr;
        seq->push_back(child);
      }
      return seq;
    }
    // Sequential(OrderedDict(...)): a module printed as "Sequential" with named children.
    m = std::make_shared<nn::Module>("Sequential");
  } else if (type == "Custom") {
    m = std::make_shared<nn::Module>(node.at("class_name").get<std::string>());
  } else {
    return nullptr;
  }
  if (!add_children(*m, node)) return nullptr;
  return m;
}

bool add_children(nn::Module& parent, const json& node) {
  for (const json& ch : node.at("children")) {
    auto child = build(ch.at("module"));
    if (!child) return false;
    parent.register_module(ch.at("name").get<std::string>(), child);
  }
  return true;
}

nn::StateDict entries_dict(const json& c) {
  nn::StateDict sd;
  for (const json& e : c.at("entries")) sd.insert(e.at("key"), print_fixture::tensor_from_bits(e));
  return sd;
}

TEST(ModulePrint, ModuleTreesMatchPyTorch) {
  print_fixture::Tally tally("module repr", kSkipReason);
  for (const json& c : print_fixture::cases("module")) {
    auto m = build(c.at("module"));
    if (!m) {
      tally.skip();
      continue;
    }
    std::ostringstream os;
    os << *m;
    tally.check(c.at("id"), os.str(), c.at("expected"));
  }
}

// The module's own state_dict (key order, detached values) loaded with the fixture's values.
TEST(ModulePrint, ModuleStateDictMatchesPyTorch) {
  print_fixture::Tally tally("module.state_dict() repr", kSkipReason);
  for (const json& c : print_fixture::cases("state_dict")) {
    auto m = build(c.at("module"));
    if (!m) {
      tally.skip();
      continue;
    }
    m->load_state_dict(entries_dict(c));
    tally.check(c.at("id"), nn::repr(m->state_dict()), c.at("expected"));
  }
}

TEST(ModulePrint, NamedParametersMatchPyTorch) {
  print_fixture::Tally tally("list(module.named_parameters()) repr", kSkipReason);
  for (const json& c : print_fixture::cases("named_tensors")) {
    if (c.at("category") != "named-parameters") continue;
    auto m = build(c.at("module"));
    if (!m) {
      tally.skip();
      continue;
    }
    m->load_state_dict(entries_dict(c));
    for (const json& e : c.at("entries")) {
      if (!e.at("requires_grad").get<bool>()) {
        for (auto& [name, p] : m->named_parameters()) {
          if (name == e.at("key")) p.requires_grad_(false);
        }
      }
    }
    std::ostringstream os;
    os << m->named_parameters();
    tally.check(c.at("id"), os.str(), c.at("expected"));
  }
}

}  // namespace
