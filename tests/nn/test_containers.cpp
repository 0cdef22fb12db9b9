// nn::ModuleList and nn::ModuleDict: access, editing and errors (values and repr against PyTorch
// are in test_sequential.cpp, from tools/gen_sequential_fixtures.py).
#include <gtest/gtest.h>

#include "torchlite/torchlite.h"

namespace tl = torchlite;
namespace nn = torchlite::nn;

TEST(ModuleList, IndexesIteratesAndRenumbers) {
  nn::ModuleList list{nn::Linear(1, 2), nn::ReLU(), nn::Linear(2, 3)};
  ASSERT_EQ(list->size(), 3u);
  EXPECT_NE(list[0]->as<nn::Linear>(), nullptr);
  EXPECT_EQ(list[-1]->as<nn::Linear>()->out_features, 3);
  int linear = 0;
  for (const auto& m : *list) linear += m->as<nn::Linear>() != nullptr;
  EXPECT_EQ(linear, 2);
  auto relu = list->pop(1);
  EXPECT_NE(relu->as<nn::ReLU>(), nullptr);
  list->insert(0, relu);
  std::vector<std::string> names;
  for (const auto& [name, p] : list->named_parameters()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"1.weight", "1.bias", "2.weight", "2.bias"}));
  EXPECT_THROW(list[3], tl::Error);
  EXPECT_THROW(list->insert(5, nn::ReLU()), tl::Error);
  try {
    list->forward(tl::zeros({1}));
    FAIL() << "expected torchlite::Error";
  } catch (const tl::Error& e) {
    EXPECT_STREQ(e.what(), "Module [ModuleList] is missing the required \"forward\" function");
  }
}

TEST(ModuleDict, KeysInInsertionOrder) {
  nn::ModuleDict dict{{"b", nn::Linear(2, 2)}, {"a", nn::ReLU()}};
  EXPECT_EQ(dict->keys(), (std::vector<std::string>{"b", "a"}));
  EXPECT_TRUE(dict->contains("a"));
  EXPECT_FALSE(dict->contains("c"));
  dict->insert("b", nn::Linear(2, 4));  // replaces in place, as md["b"] = ...
  EXPECT_EQ(dict->keys(), (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(dict["b"]->as<nn::Linear>()->out_features, 4);
  EXPECT_EQ(dict->state_dict().keys(), (std::vector<std::string>{"b.weight", "b.bias"}));
  EXPECT_THROW(dict["c"], tl::Error);
  EXPECT_THROW(dict->pop("c"), tl::Error);
  dict->clear();
  EXPECT_TRUE(dict->empty());
  EXPECT_EQ(nn::repr(*dict), "ModuleDict()");
}

TEST(Sequential, NamedChildrenRunInOrder) {
  nn::Sequential net{{"scale", nn::Linear(1, 1, false)}, {"act", nn::ReLU()}};
  tl::NoGradGuard guard;
  net->named_children()[0].second->as<nn::Linear>()->weight.fill_(-2.0);
  tl::Tensor y = net->forward(tl::full({2, 1}, 1.5));
  EXPECT_TRUE(y.equal(tl::zeros({2, 1})));
  EXPECT_THROW((nn::Sequential{{"a", nn::ReLU()}, {"a", nn::Tanh()}}), tl::Error);
}
