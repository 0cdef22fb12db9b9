// nn::Sequential built with parentheses, braces and nesting, against PyTorch: initial values,
// the generator afterwards, printed trees; errors where PyTorch's values cannot be reproduced.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nn/nn_fixture_util.h"
#include "torchlite/torchlite.h"

namespace tl = torchlite;
namespace nn = torchlite::nn;

namespace {

using nnfx::load;

std::vector<uint32_t> bits(const tl::Tensor& t) {
  tl::Tensor c = t.detach().contiguous();
  std::vector<uint32_t> out(static_cast<size_t>(c.numel()));
  std::memcpy(out.data(), c.data_ptr<float>(), out.size() * 4);
  return out;
}

std::string hex(const std::vector<uint32_t>& v) {
  std::string out;
  char buf[9];
  for (uint32_t b : v) {
    std::snprintf(buf, sizeof buf, "%08x", b);
    out += buf;
  }
  return out;
}

// FNV-1a 64 over the little-endian float32 bytes, as tools/gen_sequential_fixtures.py.
std::string fnv1a64(const std::vector<uint32_t>& v) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (uint32_t w : v) {
    for (int i = 0; i < 4; ++i) {
      h ^= (w >> (8 * i)) & 0xff;
      h *= 0x100000001b3ULL;
    }
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

/// Draws in its own constructor, like PyTorch's `self.w = nn.Parameter(torch.randn(n))`, and
/// redraws the same in reset_parameters().
class Scale : public nn::Module {
 public:
  explicit Scale(int64_t n) : Module("Scale") {
    w = register_parameter("w", nn::Parameter(tl::randn({n})));
  }
  void reset_parameters() override { nn::init::normal_(w); }
  tl::Tensor w;
};

/// A user module whose draws all come from its children.
class Block : public nn::Module {
 public:
  Block() : Module("Block") {
    fc1 = register_module("fc1", nn::Linear(4, 6));
    fc2 = register_module("fc2", nn::Linear(6, 3));
  }
  std::shared_ptr<nn::LinearImpl> fc1, fc2;
};

/// Draws in its constructor but cannot redraw: no reset_parameters().
class Noisy : public nn::Module {
 public:
  Noisy() : Module("Noisy") { w = register_parameter("w", nn::Parameter(tl::randn({3}))); }
  tl::Tensor w;
};

/// A user container whose constructor takes two modules, in the way Sequential's does.
class PairImpl : public nn::Module {
 public:
  template <class A, class B>
  PairImpl(A&& a, B&& b) : Module("Pair") {
    std::vector<nn::ModuleArg> args{nn::ModuleArg::forwarded(std::forward<A>(a)),
                                    nn::ModuleArg::forwarded(std::forward<B>(b))};
    register_module("a", args[0].module());
    register_module("b", args[1].module());
    init_in_argument_order(args);
  }
};
using Pair = nn::ModuleHolder<PairImpl>;

/// The fixture's container_edits: a ModuleList and a ModuleDict edited after construction.
std::shared_ptr<nn::Module> container_edits() {
  nn::ModuleList layers{nn::Linear(1, 2), nn::Linear(2, 3)};
  layers->append(nn::Linear(3, 4));
  layers->insert(1, nn::ReLU());
  layers->extend(*nn::ModuleList{nn::Linear(4, 1), nn::Tanh()});
  layers->pop(0);
  nn::ModuleDict heads{{"x", nn::Linear(2, 2)}, {"y", nn::Linear(2, 1)}};
  heads->update({{"z", nn::Sigmoid()}, {"x", nn::Linear(2, 5)}});
  heads->pop("y");
  return nn::ModuleDict{{"layers", layers}, {"heads", heads}};
}

// The fixture's expressions, written as C++ users write them: with parentheses, then braces.
const std::map<std::string, std::function<std::shared_ptr<nn::Module>()>>& parenthesised() {
  static const std::map<std::string, std::function<std::shared_ptr<nn::Module>()>> m = {
      {"mlp",
       [] {
         return nn::Sequential(nn::Flatten(), nn::Linear(784, 64), nn::ReLU(), nn::Linear(64, 10));
       }},
      {"nested",
       [] {
         return nn::Sequential(nn::Linear(3, 4),
                               nn::Sequential(nn::Linear(4, 5), nn::ReLU(), nn::Linear(5, 2)),
                               nn::Sequential(), nn::Linear(2, 1));
       }},
      {"user_modules",
       [] {
         return nn::Sequential(nn::Linear(2, 4), std::make_shared<Block>(),
                               std::make_shared<Scale>(3), nn::Linear(3, 2));
       }},
      // One argument in parentheses is a copy (elided); braces nest, as PyTorch's parentheses.
      {"single_nested",
       [] { return nn::Sequential{nn::Sequential(nn::Linear(2, 3), nn::Linear(3, 1))}; }},
      {"empty_nested", [] { return nn::Sequential{nn::Sequential()}; }},
      {"existing_then_new",
       [] {
         auto inner = nn::Linear(2, 2);
         return nn::Sequential(nn::Linear(3, 2), inner, nn::Linear(2, 5));
       }},
      {"pair",
       [] { return Pair(nn::Linear(2, 3), nn::Sequential(nn::Linear(3, 4), nn::Linear(4, 1))); }},
      {"module_list", [] { return nn::ModuleList(nn::Linear(2, 3), nn::ReLU(), nn::Linear(3, 1)); }},
      {"module_list_loop",
       [] {
         std::vector<nn::Linear> layers;
         for (int i = 0; i < 3; ++i) layers.push_back(nn::Linear(4, 4));
         return nn::ModuleList(layers);
       }},
      {"module_dict",
       [] {
         return nn::ModuleDict(
             {{"fc", nn::Linear(3, 4)}, {"act", nn::ReLU()}, {"out", nn::Linear(4, 2)}});
       }},
      {"named_sequential",
       [] {
         return nn::Sequential(
             {{"fc1", nn::Linear(4, 3)}, {"act", nn::ReLU()}, {"fc2", nn::Linear(3, 2)}});
       }},
      {"nested_containers",
       [] {
         return nn::Sequential(
             {{"blocks", nn::ModuleList(nn::Linear(2, 3), nn::Linear(3, 3))},
              {"heads", nn::ModuleDict({{"a", nn::Linear(3, 1)},
                                        {"b", nn::Sequential(nn::Linear(3, 2), nn::ReLU())}})}});
       }},
      {"container_edits", container_edits},
      {"convnet",
       [] {
         return nn::Sequential(nn::Conv2d(1, 6, 5, {.padding = 2}), nn::BatchNorm2d(6),
                               nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(),
                               nn::Linear(6 * 14 * 14, 10));
       }},
  };
  return m;
}

const std::map<std::string, std::function<std::shared_ptr<nn::Module>()>>& braced() {
  static const std::map<std::string, std::function<std::shared_ptr<nn::Module>()>> m = {
      {"mlp",
       [] {
         return nn::Sequential{nn::Flatten(), nn::Linear(784, 64), nn::ReLU(), nn::Linear(64, 10)};
       }},
      {"nested",
       [] {
         return nn::Sequential{nn::Linear(3, 4),
                               nn::Sequential{nn::Linear(4, 5), nn::ReLU(), nn::Linear(5, 2)},
                               nn::Sequential{}, nn::Linear(2, 1)};
       }},
      {"user_modules",
       [] {
         return nn::Sequential{nn::Linear(2, 4), std::make_shared<Block>(),
                               std::make_shared<Scale>(3), nn::Linear(3, 2)};
       }},
      {"single_nested",
       [] {
         return nn::Sequential{nn::Sequential{nn::Linear(2, 3), nn::Linear(3, 1)}};
       }},
      {"empty_nested", [] { return nn::Sequential{nn::Sequential{}}; }},
      {"existing_then_new",
       [] {
         auto inner = nn::Linear(2, 2);
         return nn::Sequential{nn::Linear(3, 2), inner, nn::Linear(2, 5)};
       }},
      {"pair",
       [] {
         return Pair{nn::Linear(2, 3), nn::Sequential{nn::Linear(3, 4), nn::Linear(4, 1)}};
       }},
      {"module_list", [] { return nn::ModuleList{nn::Linear(2, 3), nn::ReLU(), nn::Linear(3, 1)}; }},
      {"module_list_loop",
       [] {
         nn::ModuleList layers;
         for (int i = 0; i < 3; ++i) layers->append(nn::Linear(4, 4));
         return layers;
       }},
      {"module_dict",
       [] {
         return nn::ModuleDict{{"fc", nn::Linear(3, 4)}, {"act", nn::ReLU()}, {"out", nn::Linear(4, 2)}};
       }},
      {"named_sequential",
       [] {
         return nn::Sequential{{"fc1", nn::Linear(4, 3)}, {"act", nn::ReLU()}, {"fc2", nn::Linear(3, 2)}};
       }},
      {"nested_containers",
       [] {
         return nn::Sequential{
             {"blocks", nn::ModuleList{nn::Linear(2, 3), nn::Linear(3, 3)}},
             {"heads", nn::ModuleDict{{"a", nn::Linear(3, 1)},
                                      {"b", nn::Sequential{nn::Linear(3, 2), nn::ReLU()}}}}};
       }},
      {"container_edits", container_edits},
      {"convnet",
       [] {
         return nn::Sequential{nn::Conv2d(1, 6, 5, {.padding = 2}), nn::BatchNorm2d(6),
                               nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(),
                               nn::Linear(6 * 14 * 14, 10)};
       }},
  };
  return m;
}

void expect_case(const nlohmann::json& c, const std::function<std::shared_ptr<nn::Module>()>& make,
                 const std::string& how) {
  const std::string what = how + " " + c["model"].get<std::string>() + " seed " +
                           std::to_string(c["seed"].get<uint64_t>());
  tl::manual_seed(c["seed"].get<uint64_t>());
  std::shared_ptr<nn::Module> net = make();
  // The generator stands where PyTorch's does: the next draws match, the cached normal too.
  tl::Tensor rand = tl::rand({3});
  tl::Tensor randn = tl::randn({1});
  EXPECT_EQ(hex(bits(rand)), c["rand"].get<std::string>()) << what;
  EXPECT_EQ(hex(bits(randn)), c["randn"].get<std::string>()) << what;
  EXPECT_EQ(nn::repr(*net), c["repr"].get<std::string>()) << what;
  auto params = net->named_parameters();
  ASSERT_EQ(params.size(), c["params"].size()) << what;
  for (size_t i = 0; i < params.size(); ++i) {
    const auto& want = c["params"][i];
    const auto& [name, p] = params[i];
    EXPECT_EQ(name, want["name"].get<std::string>()) << what;
    std::vector<uint32_t> b = bits(p);
    const auto n = static_cast<std::ptrdiff_t>(std::min<size_t>(b.size(), 4));
    EXPECT_EQ(fnv1a64(b), want["fnv"].get<std::string>()) << what << " " << name;
    EXPECT_EQ(hex({b.begin(), b.begin() + n}), want["head"].get<std::string>())
        << what << " " << name;
    EXPECT_EQ(hex({b.end() - n, b.end()}), want["tail"].get<std::string>()) << what << " " << name;
  }
}

}  // namespace

TEST(Sequential, ParenthesesGivePyTorchsInitialValues) {
  auto cases = load("sequential.json");
  int mlp = 0;
  for (const auto& c : cases) {
    expect_case(c, parenthesised().at(c["model"].get<std::string>()), "parentheses");
    mlp += c["model"] == "mlp";
  }
  EXPECT_GE(mlp, 6);
}

TEST(Sequential, BracesGivePyTorchsInitialValues) {
  for (const auto& c : load("sequential.json"))
    expect_case(c, braced().at(c["model"].get<std::string>()), "braces");
}

TEST(Sequential, HandleCopiesStayCopies) {
  nn::Sequential s1(nn::Linear(2, 2), nn::ReLU());
  auto s2 = s1;
  nn::Sequential s3(s1);
  nn::Sequential s4{s1};
  auto s5{s1};
  auto captured = [s1] { return s1.get(); };
  EXPECT_EQ(s2.get(), s1.get());
  EXPECT_EQ(s3.get(), s1.get());
  EXPECT_EQ(s4.get(), s1.get());
  EXPECT_EQ(s5.get(), s1.get());
  EXPECT_EQ(captured(), s1.get());
  nn::Sequential moved{std::move(s2)};
  EXPECT_EQ(moved.get(), s1.get());
  // nn::Sequential(nn::Sequential()) is one object by C++17's guaranteed elision: no nesting.
  EXPECT_EQ(nn::Sequential(nn::Sequential())->size(), 0u);
  // Among several arguments, or in braces, a Sequential nests.
  nn::Sequential nested{nn::Sequential()};
  ASSERT_EQ(nested->size(), 1u);
  EXPECT_EQ(nn::repr(*nested), "Sequential(\n  (0): Sequential()\n)");
  nn::Sequential two(s1, nn::Sequential());
  EXPECT_EQ(two[0].get(), static_cast<nn::Module*>(s1.get()));
  EXPECT_EQ(nn::repr(*two[1]), "Sequential()");
}

TEST(Sequential, ExistingModulesKeepTheirValues) {
  tl::manual_seed(4);
  auto a = nn::Linear(3, 3);
  auto b = nn::Linear(2, 2);
  const std::vector<uint32_t> a_bits = bits(a->weight), b_bits = bits(b->weight);
  const tl::Generator::Position before = tl::default_generator().position();
  auto net = nn::Sequential(b, a, nn::ReLU());
  EXPECT_EQ(bits(a->weight), a_bits);
  EXPECT_EQ(bits(b->weight), b_bits);
  EXPECT_EQ(tl::default_generator().position().offset, before.offset);
}

TEST(Sequential, ModuleThatCannotRedrawIsAnError) {
  tl::manual_seed(7);
  // Built before the Linear whatever the compiler's argument order: out of order for certain.
  auto noisy = std::make_shared<Noisy>();
  auto linear = std::make_shared<nn::LinearImpl>(2, 2);
  const tl::Tensor weight = linear->weight, w = noisy->w;
  const std::vector<uint32_t> weight_bits = bits(weight), w_bits = bits(w);
  const tl::Generator::Position before = tl::default_generator().position();
  try {
    nn::Sequential(std::move(linear), std::move(noisy));
    FAIL() << "expected torchlite::Error";
  } catch (const tl::Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("the module at index 1 (Noisy)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("reset_parameters()"), std::string::npos) << msg;
    EXPECT_NE(msg.find("nn::Sequential{...}"), std::string::npos) << msg;
  }
  // Nothing changed: the values and the generator are as before the call.
  EXPECT_EQ(bits(weight), weight_bits);
  EXPECT_EQ(bits(w), w_bits);
  const tl::Generator::Position after = tl::default_generator().position();
  EXPECT_EQ(after.offset, before.offset);
  EXPECT_EQ(after.normal_cache, before.normal_cache);
}

TEST(Sequential, MovedInModuleThatWouldBeRedrawnIsAnError) {
  tl::manual_seed(7);
  auto old = nn::Linear(2, 2);
  EXPECT_THROW(
      {
        try {
          nn::Sequential(nn::Linear(3, 3), std::move(old));
        } catch (const tl::Error& e) {
          EXPECT_NE(std::string(e.what()).find("was moved in"), std::string::npos) << e.what();
          throw;
        }
      },
      tl::Error);
  // Written as an lvalue it is an existing module, kept as it is.
  tl::manual_seed(7);
  auto kept = nn::Linear(2, 2);
  const std::vector<uint32_t> kept_bits = bits(kept->weight);
  auto net = nn::Sequential(nn::Linear(3, 3), kept);
  EXPECT_EQ(bits(kept->weight), kept_bits);
}

TEST(Sequential, ModulesThatDrawNothingNeverError) {
  tl::manual_seed(2);
  const tl::Generator::Position before = tl::default_generator().position();
  auto net = nn::Sequential(nn::Flatten(), nn::ReLU(), nn::Sequential(), nn::Tanh(),
                            std::make_shared<nn::Module>("Empty"));
  EXPECT_EQ(tl::default_generator().position().offset, before.offset);
  EXPECT_EQ(net->size(), 5u);
}
