// nn::Embedding, nn::EmbeddingBag, F::embedding and F::embedding_bag against PyTorch 1.13
// (tests/fixtures/nn/rnn.json and embedding.json from tools/gen_rnn_fixtures.py): default
// initialisation bits, repr, forward, renormalised weights and gradients, error messages.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "nn/rnn_test_util.h"
#include "torchlite/nn/embedding.h"
#include "torchlite/nn/functional.h"

namespace tl = torchlite;
namespace nn = torchlite::nn;
namespace F = torchlite::nn::functional;
using nlohmann::json;
using rnnfx::dtype_of;
using rnnfx::expect_values;
using rnnfx::sizes_of;
using rnnfx::tol_of;
using rnnfx::value;

namespace {

const json& fixture() {
  static const json f = nnfx::load("rnn.json");
  return f;
}

std::optional<int64_t> opt_int(const json& kw, const char* k) {
  if (!kw.contains(k)) return std::nullopt;
  return kw[k].get<int64_t>();
}

std::optional<double> opt_double(const json& kw, const char* k) {
  if (!kw.contains(k)) return std::nullopt;
  return kw[k].get<double>();
}

tl::Tensor int_tensor(const json& j) {
  if (j[0].is_array()) {
    tl::Tensor t =
        tl::empty({static_cast<int64_t>(j.size()), static_cast<int64_t>(j[0].size())}, tl::kInt64);
    for (size_t i = 0; i < j.size(); ++i)
      for (size_t k = 0; k < j[0].size(); ++k)
        t.data_ptr<int64_t>()[i * j[0].size() + k] = j[i][k].get<int64_t>();
    return t;
  }
  tl::Tensor t = tl::empty({static_cast<int64_t>(j.size())}, tl::kInt64);
  for (size_t i = 0; i < j.size(); ++i) t.data_ptr<int64_t>()[i] = j[i].get<int64_t>();
  return t;
}

}  // namespace

TEST(Embedding, DefaultInitBitExactAndRepr) {
  int checked = 0;
  for (const json& c : fixture()["init"]) {
    const std::string kind = c["kind"];
    if (kind.rfind("Embedding", 0) != 0) continue;
    SCOPED_TRACE(c["repr"].get<std::string>() + " seed " + std::to_string(c["seed"].get<int>()));
    const json& kw = c["kwargs"];
    tl::manual_seed(c["seed"].get<uint64_t>());
    std::shared_ptr<nn::Module> m;
    if (kind == "Embedding") {
      m = nn::Embedding(c["args"][0], c["args"][1],
                        {.padding_idx = opt_int(kw, "padding_idx"),
                         .max_norm = opt_double(kw, "max_norm"),
                         .norm_type = kw.value("norm_type", 2.0),
                         .scale_grad_by_freq = kw.value("scale_grad_by_freq", false)})
              .ptr();
    } else {
      m = nn::EmbeddingBag(c["args"][0], c["args"][1],
                           {.max_norm = opt_double(kw, "max_norm"),
                            .mode = kw.value("mode", std::string("mean")),
                            .include_last_offset = kw.value("include_last_offset", false),
                            .padding_idx = opt_int(kw, "padding_idx")})
              .ptr();
    }
    EXPECT_EQ(nn::repr(*m), c["repr"].get<std::string>());
    std::vector<std::string> keys;
    for (const auto& [n, p] : m->state_dict()) keys.push_back(n);
    EXPECT_EQ(keys, c["state_dict_keys"].get<std::vector<std::string>>());
    const auto params = m->parameters();
    ASSERT_EQ(params.size(), 1u);
    EXPECT_EQ(params[0].sizes(), sizes_of(c["shapes"][0]));
    EXPECT_EQ(nnfx::hex32(params[0]), c["bits"][0].get<std::string>());
    const tl::Tensor probe = tl::randint(0, int64_t{1} << 31, {2});
    EXPECT_EQ(probe[0].item<int64_t>(), c["probe"][0].get<int64_t>());
    EXPECT_EQ(probe[1].item<int64_t>(), c["probe"][1].get<int64_t>());
    ++checked;
  }
  EXPECT_EQ(checked, 16);
}

TEST(Embedding, ForwardRenormAndGradientsMatchPyTorch) {
  static const json f = nnfx::load("embedding.json");
  int checked = 0;
  for (const json& c : f["embedding"]) {
    const json& kw = c["kwargs"];
    const tl::Dtype dt = dtype_of(c["dtype"]);
    const double tol = tol_of(dt);
    SCOPED_TRACE(c["fn"].get<std::string>() + " " + kw.dump() + " " +
                 c["dtype"].get<std::string>());
    tl::Tensor out, w, psw;
    if (c["fn"] == "embedding") {
      w = value({6, 4}, 11, dt).requires_grad_(true);
      out = F::embedding(int_tensor(c["indices"]), w,
                         {.padding_idx = opt_int(kw, "padding_idx"),
                          .max_norm = opt_double(kw, "max_norm"),
                          .norm_type = kw.value("norm_type", 2.0),
                          .scale_grad_by_freq = kw.value("scale_grad_by_freq", false)});
    } else {
      w = value({10, 3}, 13, dt).requires_grad_(true);
      const tl::Tensor idx = int_tensor(c["indices"]);
      if (kw.value("per_sample_weights", false))
        psw = value(idx.sizes(), 14, dt).requires_grad_(true);
      F::EmbeddingBagFuncOptions o;
      if (!c["offsets"].is_null()) o.offsets = int_tensor(c["offsets"]);
      o.max_norm = opt_double(kw, "max_norm");
      o.scale_grad_by_freq = kw.value("scale_grad_by_freq", false);
      o.mode = kw["mode"];
      o.per_sample_weights = psw;
      o.include_last_offset = kw.value("include_last_offset", false);
      o.padding_idx = opt_int(kw, "padding_idx");
      out = F::embedding_bag(idx, w, o);
      EXPECT_EQ(out.sizes(), sizes_of(c["output_shape"]));
    }
    expect_values(out, c["output"], tol, "output");
    (out * value(out.sizes(), c["fn"] == "embedding" ? 12 : 15, dt)).sum().backward();
    expect_values(w, c["weight_after"], tol, "weight after renorm");
    expect_values(w.grad(), c["weight_grad"], tol, "weight grad");
    if (psw.defined()) expect_values(psw.grad(), c["psw_grad"], tol, "per_sample_weights grad");
    ++checked;
  }
  EXPECT_EQ(checked, 30);
}

TEST(Embedding, ModuleForwardAndFromPretrained) {
  tl::manual_seed(0);
  auto emb = nn::Embedding(5, 3, {.padding_idx = -1});
  EXPECT_EQ(*emb->padding_idx, 4);
  const tl::Tensor idx = tl::tensor({{0, 4}, {2, 2}}, tl::kInt64);
  tl::Tensor y = emb(idx);
  EXPECT_EQ(y.sizes(), tl::Sizes({2, 2, 3}));
  EXPECT_TRUE(y[0][0].equal(emb->weight[0].detach()));
  EXPECT_TRUE(y[0][1].equal(tl::zeros({3})));
  y.sum().backward();
  EXPECT_TRUE(emb->weight.grad()[4].equal(tl::zeros({3})));
  EXPECT_TRUE(emb->weight.grad()[2].equal(tl::full({3}, 2.0)));

  // from_pretrained shares the tensor's storage, draws nothing and keeps the padding row.
  const tl::Tensor pre = tl::tensor({{1., 2.}, {3., 4.}, {5., 6.}});
  tl::manual_seed(3);
  const tl::Tensor before = tl::rand({2});
  tl::manual_seed(3);
  auto frozen = nn::Embedding::from_pretrained(pre, {.padding_idx = 1});
  EXPECT_TRUE(tl::rand({2}).equal(before));
  EXPECT_FALSE(frozen->weight.requires_grad());
  EXPECT_EQ(frozen->weight.raw_data(), pre.raw_data());
  EXPECT_EQ(nn::repr(*frozen), "Embedding(3, 2, padding_idx=1)");
  EXPECT_TRUE(frozen(tl::tensor({1}, tl::kInt64))[0].equal(tl::tensor({3., 4.})));
  auto trainable = nn::Embedding::from_pretrained(pre, {.freeze = false});
  EXPECT_TRUE(trainable->weight.requires_grad());
  auto bag = nn::EmbeddingBag::from_pretrained(pre, {.mode = "sum"});
  EXPECT_TRUE(bag(tl::tensor({{0, 2}}, tl::kInt64)).equal(tl::tensor({{6., 8.}})));
}

TEST(Embedding, ErrorsUsePyTorchsWords) {
  const json& e = fixture()["errors"];
  auto emb = nn::Embedding(10, 3);
  auto expect = [&](const char* id, const std::function<void()>& f) {
    try {
      f();
      ADD_FAILURE() << id << ": no error";
    } catch (const tl::Error& err) {
      EXPECT_EQ(std::string(err.what()), e[id].get<std::string>()) << id;
    }
  };
  const tl::Tensor w = emb->weight;
  auto i64 = [](std::initializer_list<int64_t> v) {
    tl::Tensor t = tl::empty({static_cast<int64_t>(v.size())}, tl::kInt64);
    std::copy(v.begin(), v.end(), t.data_ptr<int64_t>());
    return t;
  };
  expect("embedding_index", [&] { emb(i64({1, 10}).unsqueeze(0)); });
  expect("embedding_negative_index", [&] { emb(i64({-1})); });
  expect("embedding_dtype", [&] { emb(tl::tensor({1.0})); });
  expect("embedding_padding_idx", [&] { nn::Embedding(10, 3, {.padding_idx = 10}); });
  expect("embedding_functional_padding_idx",
         [&] { F::embedding(i64({1}), w, {.padding_idx = -11}); });
  expect("embedding_from_pretrained_rank", [&] { nn::Embedding::from_pretrained(tl::zeros({3})); });
  expect("bag_padding_idx", [&] {
    F::embedding_bag(i64({1, 2}), w, {.offsets = i64({0}), .padding_idx = 10});
  });
  expect("bag_2d_offsets", [&] {
    F::embedding_bag(i64({1, 2}).unsqueeze(0), w, {.offsets = i64({0})});
  });
  expect("bag_no_offsets", [&] { F::embedding_bag(i64({1, 2}), w); });
  expect("bag_psw_mode", [&] {
    F::embedding_bag(i64({1, 2}), w,
                     {.offsets = i64({0}), .mode = "mean", .per_sample_weights = tl::ones({2})});
  });
  expect("bag_psw_shape", [&] {
    F::embedding_bag(i64({1, 2}), w,
                     {.offsets = i64({0}), .mode = "sum", .per_sample_weights = tl::ones({3})});
  });
  expect("bag_max_freq", [&] {
    F::embedding_bag(i64({1, 2}), w,
                     {.offsets = i64({0}), .scale_grad_by_freq = true, .mode = "max"});
  });
  expect("bag_mode", [&] {
    F::embedding_bag(i64({1, 2}), w, {.offsets = i64({0}), .mode = "foo"});
  });
  expect("bag_rank", [&] { F::embedding_bag(i64({1, 2}).view({1, 1, 2}), w); });
}
