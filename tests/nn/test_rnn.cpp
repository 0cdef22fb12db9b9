// nn::RNN/LSTM/GRU, the cells and nn::utils::rnn against PyTorch 1.13 (tests/fixtures/nn/rnn.json
// and rnn_grid.json from tools/gen_rnn_fixtures.py): default initialisation bits, repr, state-dict
// keys, forward and gradients over layers x directions x batch_first x proj_size x packed x
// initial state, dropout draws, the packing utilities and error messages; plus float64
// finite-difference gradchecks of the fused backward through time.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "nn/rnn_test_util.h"
#include "torchlite/nn/rnn.h"
#include "torchlite/nn/utils/rnn.h"

namespace tl = torchlite;
namespace nn = torchlite::nn;
namespace rnn_utils = torchlite::nn::utils::rnn;
using nlohmann::json;
using rnnfx::dtype_of;
using rnnfx::expect_values;
using rnnfx::sizes_of;
using rnnfx::tol_of;
using nnfx::gradcheck;
using rnnfx::value;

namespace {

const json& fixture() {
  static const json f = nnfx::load("rnn.json");
  return f;
}

/// The recurrent module a fixture case describes (input_size, hidden_size, keyword arguments).
std::shared_ptr<nn::Module> build(const std::string& kind, int64_t in, int64_t hidden,
                                  const json& kw) {
  auto get = [&](const char* k, auto def) {
    return kw.contains(k) ? kw[k].get<decltype(def)>() : def;
  };
  if (kind == "RNN")
    return nn::RNN(in, hidden,
                   {.num_layers = get("num_layers", int64_t{1}),
                    .nonlinearity = get("nonlinearity", std::string("tanh")),
                    .bias = get("bias", true),
                    .batch_first = get("batch_first", false),
                    .dropout = get("dropout", 0.0),
                    .bidirectional = get("bidirectional", false)})
        .ptr();
  if (kind == "LSTM")
    return nn::LSTM(in, hidden,
                    {.num_layers = get("num_layers", int64_t{1}),
                     .bias = get("bias", true),
                     .batch_first = get("batch_first", false),
                     .dropout = get("dropout", 0.0),
                     .bidirectional = get("bidirectional", false),
                     .proj_size = get("proj_size", int64_t{0})})
        .ptr();
  if (kind == "GRU")
    return nn::GRU(in, hidden,
                   {.num_layers = get("num_layers", int64_t{1}),
                    .bias = get("bias", true),
                    .batch_first = get("batch_first", false),
                    .dropout = get("dropout", 0.0),
                    .bidirectional = get("bidirectional", false)})
        .ptr();
  if (kind == "RNNCell")
    return nn::RNNCell(in, hidden,
                       nn::RNNCellOptions{.bias = get("bias", true),
                                          .nonlinearity = get("nonlinearity", std::string("tanh"))})
        .ptr();
  if (kind == "LSTMCell") return nn::LSTMCell(in, hidden, {.bias = get("bias", true)}).ptr();
  if (kind == "GRUCell") return nn::GRUCell(in, hidden, {.bias = get("bias", true)}).ptr();
  return nullptr;
}

/// Parameters to 0.5 * value(shape, 100 + k) in registration order, as the generator's
/// set_params.
void set_params(nn::Module& m, tl::Dtype dtype) {
  m.to(dtype);
  tl::NoGradGuard no_grad;
  int64_t k = 0;
  for (tl::Tensor p : m.parameters()) p.detach().copy_(value(p.sizes(), 100 + k++, dtype) * 0.5);
}

/// Runs a recurrent module on a (padded) input, packed or not, with an optional initial state;
/// returns (output or packed data, h_n, c_n).
struct RunResult {
  tl::Tensor out, h, c;
};
RunResult run_module(nn::Module& m, const std::string& kind, const tl::Tensor& x,
                     const std::string& packed, bool batch_first, const tl::Tensor& h0,
                     const tl::Tensor& c0) {
  std::vector<int64_t> lengths =
      packed == "sorted" ? std::vector<int64_t>{3, 2, 1} : std::vector<int64_t>{2, 3, 1};
  RunResult r;
  if (kind == "LSTM") {
    auto* lstm = m.as<nn::LSTMImpl>();
    nn::LSTMState state{h0, c0};
    if (!packed.empty()) {
      auto [out, st] = lstm->forward(
          rnn_utils::pack_padded_sequence(x, lengths, batch_first, packed == "sorted"), state);
      return {out.data, st.first, st.second};
    }
    auto [out, st] = lstm->forward(x, state);
    return {out, st.first, st.second};
  }
  auto go = [&](auto* mod) {
    if (!packed.empty()) {
      auto [out, h] = mod->forward(
          rnn_utils::pack_padded_sequence(x, lengths, batch_first, packed == "sorted"), h0);
      r = {out.data, h, {}};
    } else {
      auto [out, h] = mod->forward(x, h0);
      r = {out, h, {}};
    }
  };
  if (kind == "GRU")
    go(m.as<nn::GRUImpl>());
  else
    go(m.as<nn::RNNImpl>());
  return r;
}

}  // namespace

TEST(Rnn, DefaultInitBitExactReprAndStateDict) {
  int checked = 0;
  for (const json& c : fixture()["init"]) {
    const std::string kind = c["kind"];
    if (kind.rfind("Embedding", 0) == 0) continue;
    SCOPED_TRACE(c["repr"].get<std::string>() + " seed " + std::to_string(c["seed"].get<int>()));
    tl::manual_seed(c["seed"].get<uint64_t>());
    auto m = build(kind, c["args"][0], c["args"][1], c["kwargs"]);
    EXPECT_EQ(nn::repr(*m), c["repr"].get<std::string>());
    std::vector<std::string> names, keys;
    for (const auto& [n, p] : m->named_parameters()) names.push_back(n);
    for (const auto& [n, p] : m->state_dict()) keys.push_back(n);
    EXPECT_EQ(names, c["names"].get<std::vector<std::string>>());
    EXPECT_EQ(keys, c["state_dict_keys"].get<std::vector<std::string>>());
    const auto params = m->parameters();
    ASSERT_EQ(params.size(), c["bits"].size());
    for (size_t i = 0; i < params.size(); ++i) {
      EXPECT_EQ(params[i].sizes(), sizes_of(c["shapes"][i])) << names[i];
      EXPECT_EQ(nnfx::hex32(params[i]), c["bits"][i].get<std::string>()) << names[i];
    }
    const tl::Tensor probe = tl::randint(0, int64_t{1} << 31, {2});
    EXPECT_EQ(probe[0].item<int64_t>(), c["probe"][0].get<int64_t>());
    EXPECT_EQ(probe[1].item<int64_t>(), c["probe"][1].get<int64_t>());
    ++checked;
  }
  EXPECT_EQ(checked, 28);
}

TEST(Rnn, ForwardAndGradientsMatchPyTorchOverTheGrid) {
  static const json grid = nnfx::load("rnn_grid.json");
  int checked = 0;
  for (const json& c : grid["recurrent"]) {
    const std::string kind = c["kind"];
    const json& kw = c["kwargs"];
    const tl::Dtype dt = dtype_of(c["dtype"]);
    const double tol = tol_of(dt);
    const bool lstm = kind == "LSTM", given = c["given"], unbatched = c["unbatched"];
    const std::string packed = c["packed"];
    const bool bf = kw["batch_first"];
    const std::string what = kind + " " + kw.dump() + " packed=" + packed +
                             " given=" + std::to_string(given) + " " +
                             c["dtype"].get<std::string>() + (unbatched ? " unbatched" : "");
    SCOPED_TRACE(what);
    auto m = build(kind, 2, 3, kw);
    set_params(*m, dt);
    const int64_t L = kw.value("num_layers", 1), D = kw.value("bidirectional", false) ? 2 : 1;
    const int64_t P = kw.value("proj_size", 0) ? kw["proj_size"].get<int64_t>() : 3;
    tl::Tensor x = value(sizes_of(c["input_shape"]), 1, dt).requires_grad_(true);
    tl::Sizes hs = unbatched ? tl::Sizes{L * D, P} : tl::Sizes{L * D, 3, P};
    tl::Sizes cs = unbatched ? tl::Sizes{L * D, 3} : tl::Sizes{L * D, 3, 3};
    tl::Tensor h0 = value(hs, 2, dt).requires_grad_(true);
    tl::Tensor c0 = value(cs, 3, dt).requires_grad_(true);
    RunResult r = run_module(*m, kind, x, packed, bf, given ? h0 : tl::Tensor(),
                             given && lstm ? c0 : tl::Tensor());
    EXPECT_EQ(r.out.sizes(), sizes_of(c["output_shape"]));
    EXPECT_EQ(r.h.sizes(), sizes_of(c["h_n_shape"]));
    expect_values(r.out, c["output"], tol, "output");
    expect_values(r.h, c["h_n"], tol, "h_n");
    if (lstm) expect_values(r.c, c["c_n"], tol, "c_n");
    tl::Tensor loss =
        (r.out * value(r.out.sizes(), 4, dt)).sum() + (r.h * value(r.h.sizes(), 5, dt)).sum();
    if (lstm) loss = loss + (r.c * value(r.c.sizes(), 6, dt)).sum();
    loss.backward();
    expect_values(x.grad(), c["input_grad"], tol, "input grad");
    if (given) {
      expect_values(h0.grad(), c["h0_grad"], tol, "h0 grad");
      if (lstm) expect_values(c0.grad(), c["c0_grad"], tol, "c0 grad");
    }
    const auto named = m->named_parameters();
    ASSERT_EQ(named.size(), c["param_grads"].size());
    for (size_t i = 0; i < named.size(); ++i)
      expect_values(named[i].second.grad(), c["param_grads"][i], tol, named[i].first + " grad");
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(grid["recurrent"].size()));
  EXPECT_GT(checked, 200);
}

TEST(Rnn, CellsMatchPyTorch) {
  for (const json& c : fixture()["cells"]) {
    const std::string kind = c["kind"];
    const tl::Dtype dt = dtype_of(c["dtype"]);
    const double tol = tol_of(dt);
    const bool given = c["given"], unbatched = c["unbatched"], lstm = kind == "LSTMCell";
    SCOPED_TRACE(kind + " " + c["kwargs"].dump() + " given=" + std::to_string(given) +
                 " unbatched=" + std::to_string(unbatched) + " " + c["dtype"].get<std::string>());
    auto m = build(kind, 2, 3, c["kwargs"]);
    set_params(*m, dt);
    tl::Tensor x = value(unbatched ? tl::Sizes{2} : tl::Sizes{3, 2}, 1, dt).requires_grad_(true);
    const tl::Sizes hs = unbatched ? tl::Sizes{3} : tl::Sizes{3, 3};
    tl::Tensor h0 = value(hs, 2, dt).requires_grad_(true);
    tl::Tensor c0 = value(hs, 3, dt).requires_grad_(true);
    tl::Tensor h, cc;
    if (lstm) {
      std::tie(h, cc) =
          m->as<nn::LSTMCellImpl>()->forward(x, given ? nn::LSTMState{h0, c0} : nn::LSTMState{});
    } else if (kind == "GRUCell") {
      h = m->as<nn::GRUCellImpl>()->forward(x, given ? h0 : tl::Tensor());
    } else {
      h = m->as<nn::RNNCellImpl>()->forward(x, given ? h0 : tl::Tensor());
    }
    expect_values(h, c["h"], tol, "h");
    tl::Tensor loss = (h * value(hs, 5, dt)).sum();
    if (lstm) {
      expect_values(cc, c["c"], tol, "c");
      loss = loss + (cc * value(hs, 6, dt)).sum();
    }
    loss.backward();
    expect_values(x.grad(), c["input_grad"], tol, "input grad");
    if (given) {
      expect_values(h0.grad(), c["h0_grad"], tol, "h0 grad");
      if (lstm) expect_values(c0.grad(), c["c0_grad"], tol, "c0 grad");
    }
    const auto params = m->parameters();
    for (size_t i = 0; i < params.size(); ++i)
      expect_values(params[i].grad(), c["param_grads"][i], tol, "param grad " + std::to_string(i));
  }
}

// Dropout between layers draws bernoulli_ over each layer's time-major output, as ATen does, so
// PyTorch's masks come out of the same seed.
TEST(Rnn, DropoutBetweenLayersDrawsAsPyTorch) {
  for (const json& c : fixture()["dropout"]) {
    SCOPED_TRACE(c["kind"].get<std::string>() + " seed " + std::to_string(c["seed"].get<int>()));
    auto m = build(c["kind"], 2, 3, c["kwargs"]);
    set_params(*m, tl::kFloat32);
    m->train();
    tl::manual_seed(c["seed"].get<uint64_t>());
    RunResult r = run_module(*m, c["kind"], value({3, 3, 2}, 1, tl::kFloat32), "", false, {}, {});
    expect_values(r.out, c["output"], 2e-5, "output");
    EXPECT_EQ(tl::randint(0, int64_t{1} << 31, {1}).item<int64_t>(), c["probe"][0].get<int64_t>());
  }
}

TEST(Rnn, PackingUtilitiesMatchPyTorch) {
  const json& u = fixture()["utils"];
  std::vector<tl::Tensor> seqs{value({2, 2}, 1, tl::kFloat64), value({3, 2}, 2, tl::kFloat64),
                               value({1, 2}, 3, tl::kFloat64)};
  for (const json& c : u["pad"]) {
    tl::Tensor out = rnn_utils::pad_sequence(seqs, c["batch_first"], c["padding_value"]);
    EXPECT_EQ(out.sizes(), sizes_of(c["shape"]));
    expect_values(out, c["values"], 1e-10, "pad_sequence");
  }
  for (const json& c : u["pack"]) {
    const bool bf = c["batch_first"];
    SCOPED_TRACE(c["lengths"].dump() + " batch_first=" + std::to_string(bf));
    tl::Tensor x = value(bf ? tl::Sizes{4, 3, 2} : tl::Sizes{3, 4, 2}, 7, tl::kFloat64);
    auto p = rnn_utils::pack_padded_sequence(x, c["lengths"].get<std::vector<int64_t>>(), bf,
                                             c["enforce_sorted"]);
    expect_values(p.data, c["data"], 1e-10, "data");
    expect_values(p.batch_sizes, c["batch_sizes"], 0, "batch_sizes");
    if (c["sorted_indices"].is_null()) {
      EXPECT_FALSE(p.sorted_indices.defined());
      EXPECT_FALSE(p.unsorted_indices.defined());
    } else {
      expect_values(p.sorted_indices, c["sorted_indices"], 0, "sorted_indices");
      expect_values(p.unsorted_indices, c["unsorted_indices"], 0, "unsorted_indices");
    }
    auto [padded, lengths] = rnn_utils::pad_packed_sequence(
        p, {.batch_first = bf, .padding_value = 9.0, .total_length = 5});
    EXPECT_EQ(padded.sizes(), sizes_of(c["padded_shape"]));
    expect_values(padded, c["padded"], 1e-10, "padded");
    expect_values(lengths, c["padded_lengths"], 0, "lengths");
  }
}

TEST(Rnn, ErrorsUsePyTorchsWords) {
  const json& e = fixture()["errors"];
  auto lstm = nn::LSTM(10, 20, {.num_layers = 2});
  auto gru = nn::GRU(10, 20, {.batch_first = true, .bidirectional = true});
  auto rnn = nn::RNN(10, 20);
  const tl::Tensor x = tl::zeros({5, 3, 10});
  auto expect = [&](const char* id, const std::function<void()>& f) {
    try {
      f();
      ADD_FAILURE() << id << ": no error";
    } catch (const tl::Error& err) {
      EXPECT_EQ(std::string(err.what()), e[id].get<std::string>()) << id;
    }
  };
  expect("lstm_input_size", [&] { lstm(tl::zeros({5, 3, 7})); });
  expect("lstm_rank", [&] { lstm(tl::zeros({5, 3, 10, 1})); });
  expect("lstm_rank_1d", [&] { lstm(tl::zeros({10})); });
  expect("lstm_hidden", [&] { lstm->forward(x, {tl::zeros({1, 3, 20}), tl::zeros({2, 3, 20})}); });
  expect("lstm_cell_state", [&] {
    lstm->forward(x, {tl::zeros({2, 3, 20}), tl::zeros({2, 4, 20})});
  });
  expect("lstm_hidden_rank", [&] {
    lstm->forward(x, {tl::zeros({3, 20}), tl::zeros({2, 3, 20})});
  });
  expect("lstm_unbatched_hidden_rank", [&] {
    lstm->forward(tl::zeros({5, 10}), {tl::zeros({2, 1, 20}), tl::zeros({2, 1, 20})});
  });
  expect("gru_hidden", [&] { gru(x, tl::zeros({2, 3, 20})); });
  expect("gru_hidden_rank", [&] { gru(x, tl::zeros({2, 20})); });
  expect("rnn_hidden", [&] { rnn(x, tl::zeros({1, 3, 21})); });
  expect("rnn_unbatched_hidden_rank", [&] { rnn(tl::zeros({5, 10}), tl::zeros({1, 1, 20})); });
  expect("rnn_packed_input_size", [&] {
    rnn(rnn_utils::pack_padded_sequence(tl::zeros({5, 2, 9}), std::vector<int64_t>{5, 3}));
  });
  expect("rnn_nonlinearity", [&] { nn::RNN(10, 20, {.nonlinearity = "sigmoid"}); });
  expect("lstm_proj_ge_hidden", [&] { nn::LSTM(10, 20, {.proj_size = 20}); });
  expect("lstm_proj_negative", [&] { nn::LSTM(10, 20, {.proj_size = -1}); });
  expect("lstm_dropout", [&] { nn::LSTM(10, 20, {.dropout = 1.5}); });
  expect("cell_input_size", [&] { nn::LSTMCell(3, 4)(tl::zeros({2, 5})); });
  expect("cell_batch", [&] { nn::GRUCell(3, 4)(tl::zeros({2, 3}), tl::zeros({3, 4})); });
  expect("cell_hidden_size", [&] { nn::RNNCell(3, 4)(tl::zeros({2, 3}), tl::zeros({2, 5})); });
  expect("cell_rank", [&] { nn::GRUCell(3, 4)(tl::zeros({2, 3, 3})); });
  expect("pack_unsorted", [&] {
    rnn_utils::pack_padded_sequence(tl::zeros({4, 3, 2}), std::vector<int64_t>{2, 3, 1});
  });
  expect("pack_zero_length", [&] {
    rnn_utils::pack_padded_sequence(tl::zeros({4, 3, 2}), std::vector<int64_t>{2, 0, 1}, false,
                                    false);
  });
  expect("pack_lengths_size", [&] {
    rnn_utils::pack_padded_sequence(tl::zeros({4, 3, 2}), std::vector<int64_t>{2, 1});
  });
  expect("pad_packed_total_length", [&] {
    rnn_utils::pad_packed_sequence(
        rnn_utils::pack_padded_sequence(tl::zeros({4, 3, 2}), std::vector<int64_t>{3, 2, 1}),
        {.total_length = 2});
  });
  expect("pad_sequence_empty", [&] { rnn_utils::pad_sequence({}); });
  // torchlite's own: a state of h_0 alone (PyTorch takes a tuple, so it has no such case).
  EXPECT_THROW(lstm->forward(x, {tl::zeros({2, 3, 20}), tl::Tensor()}), tl::Error);
}

TEST(Rnn, Float64GradcheckOfBackwardThroughTime) {
  struct Case {
    std::string kind;
    json kw;
    std::string packed;
  };
  const std::vector<Case> cases{
      {"LSTM", {{"num_layers", 2}, {"bidirectional", true}, {"proj_size", 2}}, "unsorted"},
      {"LSTM", {{"batch_first", true}}, ""},
      {"GRU", {{"num_layers", 2}, {"bidirectional", true}}, "sorted"},
      {"RNN", {{"nonlinearity", "tanh"}, {"bidirectional", true}}, "unsorted"},
      {"RNN", {{"nonlinearity", "relu"}, {"num_layers", 2}}, ""},
  };
  for (const Case& c : cases) {
    auto m = build(c.kind, 2, 3, c.kw);
    set_params(*m, tl::kFloat64);
    const bool lstm = c.kind == "LSTM", bf = c.kw.value("batch_first", false);
    const int64_t L = c.kw.value("num_layers", 1), D = c.kw.value("bidirectional", false) ? 2 : 1;
    const int64_t P = c.kw.value("proj_size", 3);
    tl::Tensor x = value({3, 3, 2}, 1, tl::kFloat64).requires_grad_(true);
    tl::Tensor h0 = value({L * D, 3, P}, 2, tl::kFloat64).requires_grad_(true);
    tl::Tensor c0 = value({L * D, 3, 3}, 3, tl::kFloat64).requires_grad_(true);
    std::vector<tl::Tensor> leaves{x, h0};
    if (lstm) leaves.push_back(c0);
    for (const tl::Tensor& p : m->parameters()) leaves.push_back(p);
    gradcheck(
        c.kind + " " + c.kw.dump(),
        [&] {
          RunResult r = run_module(*m, c.kind, x, c.packed, bf, h0, lstm ? c0 : tl::Tensor());
          std::vector<tl::Tensor> parts{r.out.reshape({-1}), r.h.reshape({-1})};
          if (lstm) parts.push_back(r.c.reshape({-1}));
          return tl::cat(parts, 0);
        },
        leaves, 1e-7);
  }
}
