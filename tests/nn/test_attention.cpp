// nn::MultiheadAttention and F::scaled_dot_product_attention against PyTorch 1.13
// (tests/fixtures/nn/attention.json from tools/gen_attention_fixtures.py): default init bits,
// repr and state-dict keys; forward and backward over masks, layouts, kdim/vdim, bias_kv,
// zero_attn, need_weights, train (dropout) and eval; error messages; float64 gradchecks.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <string>

#include "nn/attention_fixture_util.h"
#include "torchlite/nn/attention.h"
#include "torchlite/nn/functional.h"

namespace tl = torchlite;
namespace nn = torchlite::nn;
namespace F = torchlite::nn::functional;
using attnfx::json;

namespace {

const json& fixture() {
  static const json j = nnfx::load("attention.json");
  return j;
}

const std::map<std::string, std::function<std::shared_ptr<nn::Module>()>>& mha_builds() {
  static const std::map<std::string, std::function<std::shared_ptr<nn::Module>()>> builds = {
      {"mha(16,4)", [] { return nn::MultiheadAttention(16, 4).ptr(); }},
      {"mha(16,4,bias=False)", [] { return nn::MultiheadAttention(16, 4, {.bias = false}).ptr(); }},
      {"mha(16,4,add_bias_kv=True)",
       [] { return nn::MultiheadAttention(16, 4, {.add_bias_kv = true}).ptr(); }},
      {"mha(16,2,kdim=8,vdim=12)",
       [] { return nn::MultiheadAttention(16, 2, {.kdim = 8, .vdim = 12}).ptr(); }},
      {"mha(8,2,add_bias_kv=True,kdim=6,bias=False)",
       [] {
         return nn::MultiheadAttention(8, 2, {.bias = false, .add_bias_kv = true, .kdim = 6}).ptr();
       }},
  };
  return builds;
}

}  // namespace

TEST(MultiheadAttention, DefaultInitReprAndKeysMatchPyTorch) {
  int checked = 0;
  for (const json& c : fixture()["init"]) {
    auto it = mha_builds().find(c["name"].get<std::string>());
    if (it == mha_builds().end()) continue;
    SCOPED_TRACE(c["name"].get<std::string>() + " seed " + std::to_string(c["seed"].get<int>()));
    tl::manual_seed(c["seed"].get<uint64_t>());
    attnfx::expect_init_case(*it->second(), c);
    ++checked;
  }
  EXPECT_EQ(checked, 15);
}

TEST(MultiheadAttention, ForwardBackwardMatchPyTorch) {
  int checked = 0, functional = 0;
  for (const json& c : fixture()["mha"]) {
    SCOPED_TRACE(c.dump().substr(0, 300));
    const int64_t E = c["E"], H = c["H"], L = c["L"], S = c["S"];
    const bool batched = !c["N"].is_null();
    const int64_t N = batched ? c["N"].get<int64_t>() : 1;
    nn::MultiheadAttentionOptions o;
    o.dropout = c.value("dropout", 0.0);
    o.bias = c.value("bias", true);
    o.add_bias_kv = c.value("add_bias_kv", false);
    o.add_zero_attn = c.value("add_zero_attn", false);
    if (c.contains("kdim") && !c["kdim"].is_null()) o.kdim = c["kdim"].get<int64_t>();
    if (c.contains("vdim") && !c["vdim"].is_null()) o.vdim = c["vdim"].get<int64_t>();
    o.batch_first = c.value("batch_first", false);
    tl::manual_seed(c["seed"].get<uint64_t>());
    nn::MultiheadAttention m(E, H, o);
    if (!c.value("train", false)) m->eval();
    const int64_t kd = o.kdim.value_or(E), vd = o.vdim.value_or(E);
    auto shape = [&](int64_t n, int64_t d) {
      if (!batched) return tl::Sizes{n, d};
      return o.batch_first ? tl::Sizes{N, n, d} : tl::Sizes{n, N, d};
    };
    tl::Tensor q = attnfx::value(shape(L, E), 1).requires_grad_(), k, v;
    std::vector<std::pair<std::string, tl::Tensor>> inputs{{"query", q}};
    const std::string qkv = c["qkv"];
    if (qkv == "self") {
      k = v = q;
    } else if (qkv == "kv") {
      k = v = attnfx::value(shape(S, kd), 2).requires_grad_();
      inputs.emplace_back("key", k);
    } else {
      k = attnfx::value(shape(S, kd), 2).requires_grad_();
      v = attnfx::value(shape(S, vd), 3).requires_grad_();
      inputs.emplace_back("key", k);
      inputs.emplace_back("value", v);
    }
    nn::MultiheadAttentionForwardOptions f;
    if (c.contains("attn_mask")) {
      const json& am = c["attn_mask"];
      f.attn_mask = attnfx::make_mask(
          am[0], am[1].get<int>() == 2 ? tl::Sizes{L, S} : tl::Sizes{N * H, L, S}, 4);
    }
    if (c.contains("kpm"))
      f.key_padding_mask = attnfx::make_mask(c["kpm"], batched ? tl::Sizes{N, S} : tl::Sizes{S}, 5);
    f.need_weights = c.value("need_weights", true);
    f.average_attn_weights = c.value("average", true);
    tl::manual_seed(c["seed"].get<uint64_t>() + 100);
    auto [out, w] = m->forward(q, k, v, f);
    attnfx::expect_close(out, c["out"], "out");
    // The functional form on the module's parameters gives PyTorch's values too (eval cases
    // with the joint in-projection, no bias_k/bias_v, no zero attention, sequence-first).
    if (!c.value("train", false) && !o.add_bias_kv && !o.add_zero_attn && !o.kdim && !o.vdim &&
        !o.batch_first) {
      F::MultiheadAttentionForwardFuncOptions fo;
      fo.in_proj_weight = m->in_proj_weight;
      fo.in_proj_bias = m->in_proj_bias;
      fo.out_proj_weight = m->out_proj->weight;
      fo.out_proj_bias = m->out_proj->bias;
      fo.training = false;
      fo.key_padding_mask = f.key_padding_mask;
      fo.need_weights = f.need_weights;
      fo.attn_mask = f.attn_mask;
      fo.average_attn_weights = f.average_attn_weights;
      tl::NoGradGuard no_grad;
      auto [fout, fw] = F::multi_head_attention_forward(q, k, v, E, H, fo);
      attnfx::expect_close(fout, c["out"], "functional out");
      if (!c["weights"].is_null()) attnfx::expect_close(fw, c["weights"], "functional weights");
      ++functional;
    }
    EXPECT_EQ(out.sizes(), tl::Sizes(c["out_shape"].get<std::vector<int64_t>>()));
    tl::Tensor loss = (out * attnfx::value(out.sizes(), 91)).sum();
    if (c["weights"].is_null()) {
      EXPECT_FALSE(w.defined());
    } else {
      EXPECT_EQ(w.sizes(), tl::Sizes(c["weights_shape"].get<std::vector<int64_t>>()));
      attnfx::expect_close(w, c["weights"], "weights");
      loss = loss + (w * attnfx::value(w.sizes(), 92)).sum();
    }
    loss.backward();
    attnfx::expect_grads(c["grads"], inputs, m->named_parameters());
    ++checked;
  }
  EXPECT_EQ(checked, 22);
  EXPECT_GE(functional, 5);
}

TEST(ScaledDotProductAttention, MatchesPyTorch20Math) {
  int checked = 0;
  for (const json& c : fixture()["sdpa"]) {
    SCOPED_TRACE(c.dump().substr(0, 200));
    const tl::Dtype dt =
        c.value("dtype", std::string("float32")) == "float64" ? tl::kFloat64 : tl::kFloat32;
    auto sizes = [](const json& j) { return tl::Sizes(j.get<std::vector<int64_t>>()); };
    tl::Tensor q = attnfx::value(sizes(c["q"]), 1, dt).requires_grad_();
    tl::Tensor k = attnfx::value(sizes(c["k"]), 2, dt).requires_grad_();
    tl::Tensor v = attnfx::value(sizes(c["v"]), 3, dt).requires_grad_();
    F::ScaledDotProductAttentionFuncOptions o;
    if (c.contains("mask")) {
      const tl::Sizes s = sizes(c["mask"][1]);
      o.attn_mask = c["mask"][0] == "bool" ? attnfx::bool_mask(s, 4).eq(false)
                                           : attnfx::value(s, 4, dt) * 2.0;
    }
    o.dropout_p = c.value("dropout_p", 0.0);
    o.is_causal = c.value("is_causal", false);
    tl::manual_seed(c.value("seed", 0));
    tl::Tensor out = F::scaled_dot_product_attention(q, k, v, o);
    attnfx::expect_close(out, c["out"], "out");
    (out * attnfx::value(out.sizes(), 91, dt)).sum().backward();
    attnfx::expect_close(q.grad(), c["gq"], "gq");
    attnfx::expect_close(k.grad(), c["gk"], "gk");
    attnfx::expect_close(v.grad(), c["gv"], "gv");
    ++checked;
  }
  EXPECT_EQ(checked, 7);
}

TEST(MultiheadAttention, ErrorsMatchPyTorch) {
  std::map<std::string, std::function<void()>> calls;
  auto mha = [](tl::Sizes qs, tl::Sizes ks, tl::Sizes vs, nn::MultiheadAttentionForwardOptions o) {
    return [=] {
      nn::MultiheadAttention m(16, 4);
      tl::Tensor q = tl::zeros(qs);
      tl::Tensor k = ks.empty() ? q : tl::zeros(ks);
      tl::Tensor v = vs.empty() ? k : tl::zeros(vs);
      m->forward(q, k, v, o);
    };
  };
  calls["mha_divisible"] = [] { nn::MultiheadAttention(10, 3); };
  calls["attn_mask_2d_shape"] =
      mha({5, 2, 16}, {}, {}, {.attn_mask = tl::zeros({3, 4}, tl::kBool)});
  calls["attn_mask_3d_shape"] = mha({5, 2, 16}, {}, {}, {.attn_mask = tl::zeros({2, 5, 5})});
  calls["attn_mask_dtype"] = mha({5, 2, 16}, {}, {}, {.attn_mask = tl::zeros({5, 5}, tl::kInt64)});
  calls["kpm_dtype"] = mha({5, 2, 16}, {}, {}, {.key_padding_mask = tl::zeros({2, 5}, tl::kInt64)});
  calls["kpm_shape"] = mha({5, 2, 16}, {}, {}, {.key_padding_mask = tl::zeros({2, 4}, tl::kBool)});
  calls["kpm_rank"] = mha({5, 2, 16}, {}, {}, {.key_padding_mask = tl::zeros({5}, tl::kBool)});
  calls["feature_size"] = mha({5, 2, 12}, {}, {}, {});
  calls["query_rank"] = mha({5, 2, 2, 16}, {}, {}, {});
  calls["key_rank"] = mha({5, 2, 16}, {5, 16}, {5, 16}, {});
  calls["key_value_shape"] = mha({5, 2, 16}, {5, 2, 16}, {6, 2, 16}, {});
  calls["unbatched_3d_mask"] = mha({5, 16}, {}, {}, {.attn_mask = tl::zeros({2, 5, 5})});
  int checked = 0;
  for (const json& e : fixture()["errors"]) {
    auto it = calls.find(e["name"].get<std::string>());
    if (it == calls.end()) continue;
    EXPECT_EQ(attnfx::message_of(it->second), e["message"].get<std::string>()) << it->first;
    ++checked;
  }
  EXPECT_EQ(checked, 12);
}

TEST(MultiheadAttention, GradcheckFloat64) {
  tl::manual_seed(3);
  nn::MultiheadAttention m(6, 2, {.add_bias_kv = true, .add_zero_attn = true, .kdim = 4});
  m->to(tl::kFloat64);
  const tl::Tensor mask = attnfx::bool_mask({3, 4}, 1);
  const tl::Tensor kpm = attnfx::value({2, 4}, 7, tl::kFloat64);
  std::vector<tl::Tensor> in{attnfx::value({3, 2, 6}, 1, tl::kFloat64).requires_grad_(),
                             attnfx::value({4, 2, 4}, 2, tl::kFloat64).requires_grad_(),
                             attnfx::value({4, 2, 6}, 3, tl::kFloat64).requires_grad_()};
  for (const tl::Tensor& p : m->parameters()) in.push_back(p);
  attnfx::gradcheck(
      "mha",
      [&](const std::vector<tl::Tensor>& x) {
        auto [out, w] = m->forward(x[0], x[1], x[2], {.key_padding_mask = kpm, .attn_mask = mask});
        return tl::cat({out.flatten(), w.flatten()});
      },
      in);
  attnfx::gradcheck("sdpa causal",
                    [](const std::vector<tl::Tensor>& x) {
                      return F::scaled_dot_product_attention(x[0], x[1], x[2], {.is_causal = true});
                    },
                    {attnfx::value({2, 3, 4}, 1, tl::kFloat64).requires_grad_(),
                     attnfx::value({2, 5, 4}, 2, tl::kFloat64).requires_grad_(),
                     attnfx::value({2, 5, 3}, 3, tl::kFloat64).requires_grad_()});
}

TEST(MultiheadAttention, NeedWeightsFalseGivesAnUndefinedTensor) {
  nn::MultiheadAttention m(8, 2, {.batch_first = true});
  tl::Tensor x = attnfx::value({2, 3, 8}, 1);
  auto [out, w] = m->forward(x, x, x, {.need_weights = false});
  EXPECT_EQ(out.sizes(), (tl::Sizes{2, 3, 8}));
  EXPECT_FALSE(w.defined());
}
