// StateDict / NamedTensors: container behaviour and their printed text against PyTorch 1.13.
#include <gtest/gtest.h>

#include <sstream>

#include "core/print_fixture_util.h"
#include "torchlite/nn/named.h"
#include "torchlite/nn/state_dict.h"

namespace tl = torchlite;
using print_fixture::json;
using print_fixture::same_text;

namespace {

tl::Tensor entry_tensor(const json& e) {
  return print_fixture::with_flags(print_fixture::tensor_from_bits(e), e);
}

tl::nn::StateDict state_dict_of(const json& c) {
  tl::nn::StateDict sd;
  for (const json& e : c.at("entries")) sd.insert(e.at("key"), entry_tensor(e));
  return sd;
}

TEST(StateDictPrint, OrderedDictMatchesPyTorch) {
  print_fixture::Tally tally("state_dict repr");
  for (const json& c : print_fixture::cases("state_dict")) {
    tally.check(c.at("id"), tl::nn::repr(state_dict_of(c)), c.at("expected"));
  }
}

TEST(StateDictPrint, PlainDictMatchesPyTorch) {
  print_fixture::Tally tally("dict(state_dict) repr");
  for (const json& c : print_fixture::cases("state_dict")) {
    if (!c.contains("expected_dict")) continue;
    tl::nn::StateDict sd = state_dict_of(c);
    sd.ordered = false;
    std::ostringstream os;
    os << sd;
    tally.check(c.at("id"), os.str(), c.at("expected_dict"));
  }
}

TEST(StateDictPrint, NamedTensorListMatchesPyTorch) {
  print_fixture::Tally tally("list(named_parameters()) repr");
  for (const json& c : print_fixture::cases("named_tensors")) {
    tl::nn::NamedTensors list;
    for (const json& e : c.at("entries")) list.emplace_back(e.at("key"), entry_tensor(e));
    std::ostringstream os;
    os << list;
    tally.check(c.at("id"), os.str(), c.at("expected"));
  }
}

TEST(StateDictPrint, EmptyForms) {
  tl::nn::StateDict sd;
  EXPECT_EQ(tl::nn::repr(sd), "OrderedDict()");
  sd.ordered = false;
  EXPECT_EQ(tl::nn::repr(sd), "{}");
  EXPECT_EQ(tl::nn::repr(tl::nn::NamedTensors()), "[]");
}

TEST(StateDict, InsertKeepsOrderAndReplacesInPlace) {
  tl::nn::StateDict sd;
  sd.insert("b", tl::zeros({1}));
  sd.insert("a", tl::zeros({2}));
  sd.insert("c", tl::zeros({3}));
  sd.insert("a", tl::zeros({4}));  // replaced, position kept
  EXPECT_EQ(sd.keys(), (std::vector<std::string>{"b", "a", "c"}));
  EXPECT_EQ(sd.size(), 3u);
  EXPECT_EQ(sd["a"].numel(), 4);
  std::vector<std::string> seen;
  for (const auto& [key, tensor] : sd) seen.push_back(key + std::to_string(tensor.numel()));
  EXPECT_EQ(seen, (std::vector<std::string>{"b1", "a4", "c3"}));
}

TEST(StateDict, MissingKeyThrowsKeyError) {
  tl::nn::StateDict sd;
  sd.insert("weight", tl::zeros({1}));
  const tl::nn::StateDict& csd = sd;
  EXPECT_TRUE(sd.contains("weight"));
  EXPECT_FALSE(sd.contains("bias"));
  try {
    (void)csd["bias"];
    FAIL() << "no exception";
  } catch (const tl::Error& e) {
    EXPECT_EQ(std::string(e.what()), "KeyError: 'bias'");
  }
  EXPECT_THROW(sd.at("it's"), tl::Error);
  EXPECT_EQ(sd.size(), 1u);  // a failed lookup does not insert
}

TEST(StateDict, EraseKeepsLookupConsistent) {
  tl::nn::StateDict sd;
  for (int i = 0; i < 5; ++i) sd.insert("k" + std::to_string(i), tl::zeros({i + 1}));
  EXPECT_TRUE(sd.erase("k1"));
  EXPECT_FALSE(sd.erase("k1"));
  EXPECT_EQ(sd.keys(), (std::vector<std::string>{"k0", "k2", "k3", "k4"}));
  EXPECT_EQ(sd["k3"].numel(), 4);
  EXPECT_EQ(sd.at("k4").numel(), 5);
  sd.insert("k1", tl::zeros({9}));  // re-inserted at the end
  EXPECT_EQ(sd.keys().back(), "k1");
  EXPECT_FALSE(sd.empty());
}

TEST(NamedTensors, IndexingAndBindings) {
  tl::nn::NamedTensors list;
  list.emplace_back("weight", tl::zeros({2, 2}));
  list.push_back({"bias", tl::zeros({2})});
  EXPECT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].first, "bias");
  EXPECT_THROW(list[2], tl::Error);
  int64_t total = 0;
  for (const auto& [name, t] : list) total += t.numel();
  EXPECT_EQ(total, 6);
}

}  // namespace
