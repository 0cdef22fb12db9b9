// TransformerEncoderLayer, TransformerEncoder, TransformerDecoderLayer, TransformerDecoder and
// Transformer against PyTorch 1.13 (tests/fixtures/nn/attention.json): default init bits (the
// clones of _get_clones included), repr, state-dict keys; forward and backward with norm_first
// both ways, relu/gelu, masks, batch_first, train (dropout) and eval; errors; a float64
// gradcheck.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>

#include "nn/attention_fixture_util.h"
#include "torchlite/nn/transformer.h"

namespace tl = torchlite;
namespace nn = torchlite::nn;
using attnfx::json;

namespace {

const json& fixture() {
  static const json j = nnfx::load("attention.json");
  return j;
}

using Build = std::function<std::shared_ptr<nn::Module>()>;

const std::map<std::string, Build>& builds() {
  static const std::map<std::string, Build> b = {
      {"encoder_layer(16,4,ff=24)",
       [] { return nn::TransformerEncoderLayer(16, 4, {.dim_feedforward = 24}).ptr(); }},
      {"encoder(layer(8,2,ff=12),3,norm)",
       [] {
         return nn::TransformerEncoder(nn::TransformerEncoderLayer(8, 2, {.dim_feedforward = 12}),
                                       3, {.norm = nn::LayerNorm(8)})
             .ptr();
       }},
      {"decoder_layer(8,2,ff=12,gelu,norm_first)",
       [] {
         return nn::TransformerDecoderLayer(
                    8, 2, {.dim_feedforward = 12, .activation = "gelu", .norm_first = true})
             .ptr();
       }},
      {"decoder(layer(8,2,ff=12),2)",
       [] {
         return nn::TransformerDecoder(nn::TransformerDecoderLayer(8, 2, {.dim_feedforward = 12}),
                                       2)
             .ptr();
       }},
      {"transformer(8,2,2,1,ff=12)",
       [] {
         return nn::Transformer(
                    8, 2, {.num_encoder_layers = 2, .num_decoder_layers = 1, .dim_feedforward = 12})
             .ptr();
       }},
  };
  return b;
}

}  // namespace

TEST(Transformer, DefaultInitReprAndKeysMatchPyTorch) {
  int checked = 0;
  for (const json& c : fixture()["init"]) {
    auto it = builds().find(c["name"].get<std::string>());
    if (it == builds().end()) continue;
    SCOPED_TRACE(c["name"].get<std::string>() + " seed " + std::to_string(c["seed"].get<int>()));
    tl::manual_seed(c["seed"].get<uint64_t>());
    attnfx::expect_init_case(*it->second(), c);
    ++checked;
  }
  EXPECT_EQ(checked, 15);
}

TEST(Transformer, LayersForwardBackwardMatchPyTorch) {
  int checked = 0;
  for (const json& c : fixture()["layers"]) {
    SCOPED_TRACE(c.dump());
    const std::string kind = c["kind"];
    const int64_t E = 8, H = 2, S = 5, T = 4;
    const bool batched = !(c.contains("N") && c["N"].is_null());
    const int64_t N = batched ? 2 : 1;
    nn::TransformerEncoderLayerOptions o{.dim_feedforward = 12,
                                         .dropout = c.value("dropout", 0.0),
                                         .activation = c.value("act", std::string("relu")),
                                         .batch_first = c.value("batch_first", false),
                                         .norm_first = c.value("norm_first", false)};
    tl::manual_seed(c["seed"].get<uint64_t>());
    std::shared_ptr<nn::Module> m;
    if (kind == "encoder_layer") {
      m = nn::TransformerEncoderLayer(E, H, o).ptr();
    } else if (kind == "decoder_layer") {
      m = nn::TransformerDecoderLayer(E, H, o).ptr();
    } else if (kind == "encoder") {
      m = nn::TransformerEncoder(nn::TransformerEncoderLayer(E, H, o), 2,
                                 {.norm = nn::LayerNorm(E)})
              .ptr();
    } else {
      m = nn::Transformer(E, H,
                          {.num_encoder_layers = 2,
                           .num_decoder_layers = 1,
                           .dim_feedforward = 12,
                           .dropout = o.dropout,
                           .activation = o.activation,
                           .batch_first = o.batch_first,
                           .norm_first = o.norm_first})
              .ptr();
    }
    if (!c.value("train", false)) m->eval();
    auto shape = [&](int64_t n) {
      if (!batched) return tl::Sizes{n, E};
      return o.batch_first ? tl::Sizes{N, n, E} : tl::Sizes{n, N, E};
    };
    tl::Tensor src = attnfx::value(shape(S), 1).requires_grad_();
    std::vector<std::pair<std::string, tl::Tensor>> inputs{{"src", src}};
    tl::Tensor smask =
        attnfx::make_mask(c.contains("src_mask") ? c["src_mask"] : json(), {S, S}, 4);
    if (c.value("causal", false)) smask = nn::TransformerImpl::generate_square_subsequent_mask(S);
    tl::Tensor kpm = attnfx::make_mask(c.contains("kpm") ? c["kpm"] : json(),
                                       batched ? tl::Sizes{N, S} : tl::Sizes{S}, 5);
    tl::manual_seed(c["seed"].get<uint64_t>() + 100);
    tl::Tensor out;
    if (kind == "encoder_layer") {
      out = m->as<nn::TransformerEncoderLayer>()->forward(
          src, {.src_mask = smask, .src_key_padding_mask = kpm});
    } else if (kind == "encoder") {
      out = m->as<nn::TransformerEncoder>()->forward(src,
                                                     {.mask = smask, .src_key_padding_mask = kpm});
    } else {
      tl::Tensor tgt = attnfx::value(shape(T), 2).requires_grad_();
      inputs.emplace_back("tgt", tgt);
      tl::Tensor tmask = nn::TransformerImpl::generate_square_subsequent_mask(T);
      tl::Tensor mmask =
          attnfx::make_mask(c.contains("memory_mask") ? c["memory_mask"] : json(), {T, S}, 6);
      if (kind == "decoder_layer") {
        out = m->as<nn::TransformerDecoderLayer>()->forward(
            tgt, src, {.tgt_mask = tmask, .memory_mask = mmask, .memory_key_padding_mask = kpm});
      } else {
        out = m->as<nn::Transformer>()->forward(src, tgt,
                                                {.tgt_mask = tmask,
                                                 .memory_mask = mmask,
                                                 .src_key_padding_mask = kpm,
                                                 .memory_key_padding_mask = kpm});
      }
    }
    EXPECT_EQ(out.sizes(), tl::Sizes(c["out_shape"].get<std::vector<int64_t>>()));
    attnfx::expect_close(out, c["out"], "out");
    (out * attnfx::value(out.sizes(), 91)).sum().backward();
    attnfx::expect_grads(c["grads"], inputs, m->named_parameters(), 5e-5);
    if (c.contains("out_nograd")) {
      tl::NoGradGuard no_grad;
      tl::Tensor y = kind == "encoder"
                         ? m->as<nn::TransformerEncoder>()->forward(
                               src.detach(), {.mask = smask, .src_key_padding_mask = kpm})
                         : m->as<nn::TransformerEncoderLayer>()->forward(
                               src.detach(), {.src_mask = smask, .src_key_padding_mask = kpm});
      attnfx::expect_close(y, c["out_nograd"], "out (1.13's eval fast path)");
    }
    ++checked;
  }
  EXPECT_EQ(checked, 16);
}

TEST(Transformer, SquareSubsequentMaskMatchesPyTorch) {
  EXPECT_EQ(nnfx::hex32(nn::TransformerImpl::generate_square_subsequent_mask(4)),
            fixture()["square_mask"].get<std::string>());
}

TEST(Transformer, ClonesAreDeepCopies) {
  tl::manual_seed(0);
  nn::TransformerEncoderLayer layer(8, 2, {.dim_feedforward = 12});
  nn::TransformerEncoder enc(layer, 2);
  const auto sd = enc->state_dict();
  EXPECT_TRUE(sd.at("layers.0.linear1.weight").equal(layer->linear1->weight));
  EXPECT_TRUE(sd.at("layers.1.linear1.weight").equal(layer->linear1->weight));
  EXPECT_FALSE(sd.at("layers.0.linear1.weight").is_same(sd.at("layers.1.linear1.weight")));
  tl::NoGradGuard no_grad;
  layer->linear1->weight.zero_();
  EXPECT_FALSE(enc->state_dict().at("layers.0.linear1.weight").equal(layer->linear1->weight));
}

TEST(Transformer, ErrorsMatchPyTorch) {
  std::map<std::string, std::function<void()>> calls;
  calls["activation"] = [] { nn::TransformerEncoderLayer(16, 4, {.activation = "tanh"}); };
  calls["transformer_batch"] = [] {
    nn::Transformer t(16, 4,
                      {.num_encoder_layers = 1, .num_decoder_layers = 1, .dim_feedforward = 32});
    t->forward(tl::zeros({5, 2, 16}), tl::zeros({4, 3, 16}));
  };
  calls["transformer_features"] = [] {
    nn::Transformer t(16, 4,
                      {.num_encoder_layers = 1, .num_decoder_layers = 1, .dim_feedforward = 32});
    t->forward(tl::zeros({5, 2, 16}), tl::zeros({4, 2, 12}));
  };
  int checked = 0;
  for (const json& e : fixture()["errors"]) {
    auto it = calls.find(e["name"].get<std::string>());
    if (it == calls.end()) continue;
    EXPECT_EQ(attnfx::message_of(it->second), e["message"].get<std::string>()) << it->first;
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

TEST(Transformer, GradcheckFloat64) {
  tl::manual_seed(1);
  nn::TransformerDecoderLayer layer(4, 2,
                                    {.dim_feedforward = 6, .dropout = 0.0, .activation = "gelu"});
  layer->to(tl::kFloat64);
  const tl::Tensor mask = nn::TransformerImpl::generate_square_subsequent_mask(3).to(tl::kFloat64);
  std::vector<tl::Tensor> in{attnfx::value({3, 2, 4}, 1, tl::kFloat64).requires_grad_(),
                             attnfx::value({4, 2, 4}, 2, tl::kFloat64).requires_grad_()};
  for (const tl::Tensor& p : layer->parameters()) in.push_back(p);
  attnfx::gradcheck(
      "decoder layer",
      [&](const std::vector<tl::Tensor>& x) {
        return layer->forward(x[0], x[1], {.tgt_mask = mask});
      },
      in);
}
