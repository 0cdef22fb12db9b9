// Test helpers for the RNG vectors drawn from PyTorch (tests/fixtures/rng/*.json): load a file,
// compare a tensor with a recorded output in one line, read the draw-position probe.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "torchlite/tensor.h"

namespace rngtest {

using json = nlohmann::json;

/// Parses tests/fixtures/rng/<name>.
inline json load(const std::string& name) {
  std::ifstream in(std::string(TORCHLITE_FIXTURES) + "/rng/" + name);
  if (!in) throw std::runtime_error("missing fixture rng/" + name);
  return json::parse(in);
}

/// A JSON seed (may be negative or >= 2^63) as the uint64 that torch.manual_seed uses.
inline uint64_t seed_of(const json& v) {
  return v.is_number_unsigned() ? v.get<uint64_t>() : static_cast<uint64_t>(v.get<int64_t>());
}

/// numpy's dtype name, as the fixtures spell it.
inline std::string numpy_name(torchlite::Dtype d) {
  using namespace torchlite;
  switch (d) {
    case kFloat32:
      return "float32";
    case kFloat64:
      return "float64";
    case kInt64:
      return "int64";
    case kInt32:
      return "int32";
    case kInt16:
      return "int16";
    case kInt8:
      return "int8";
    case kUInt8:
      return "uint8";
    case kBool:
      return "uint8";  // the generator stores bool tensors as uint8
    case kFloat16:
      return "float16";
    case kBFloat16:
      return "bfloat16";
  }
  return "?";
}


/// Elements' bits in row-major order, fixed-width big-endian hex per element.
inline std::string hex(const torchlite::Tensor& t) {
  const torchlite::Tensor c = t.contiguous();
  const size_t w = c.element_size();
  const auto* bytes = static_cast<const unsigned char*>(c.raw_data());
  std::string out;
  char buf[3];
  for (int64_t i = 0; i < c.numel(); ++i) {
    for (size_t b = w; b-- > 0;) {  // little-endian host: most significant byte last
      std::snprintf(buf, sizeof buf, "%02x", bytes[i * w + b]);
      out += buf;
    }
  }
  return out;
}

/// FNV-1a 64 of the elements' little-endian bytes, as hex.
inline std::string fnv1a64(const torchlite::Tensor& t) {
  const torchlite::Tensor c = t.contiguous();
  const auto* bytes = static_cast<const unsigned char*>(c.raw_data());
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < c.nbytes(); ++i) h = (h ^ bytes[i]) * 0x100000001b3ULL;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

/// Whether `t` has the recorded shape, dtype and bits (all bits, or head + hash for big ones).
inline ::testing::AssertionResult same(const torchlite::Tensor& t, const json& rec) {
  const auto shape = rec.at("shape").get<std::vector<int64_t>>();
  if (std::vector<int64_t>(t.sizes()) != shape) {
    return ::testing::AssertionFailure() << "shape differs: got " << t.sizes();
  }
  if (numpy_name(t.dtype()) != rec.at("dtype").get<std::string>()) {
    return ::testing::AssertionFailure() << "dtype differs: got " << t.dtype();
  }
  const std::string got = hex(t);
  if (rec.contains("hex")) {
    const auto want = rec["hex"].get<std::string>();
    if (got == want) return ::testing::AssertionSuccess();
    size_t k = 0;
    while (k < got.size() && k < want.size() && got[k] == want[k]) ++k;
    const size_t w = 2 * t.element_size();
    return ::testing::AssertionFailure()
           << "element " << k / w << " differs: got " << got.substr(k / w * w, w) << ", torch "
           << want.substr(k / w * w, w);
  }
  const auto head = rec.at("head_hex").get<std::string>();
  if (got.compare(0, head.size(), head) != 0) {
    return ::testing::AssertionFailure() << "first 16 elements differ";
  }
  if (fnv1a64(t) != rec.at("fnv1a64").get<std::string>()) {
    return ::testing::AssertionFailure() << "hash of all elements differs (first 16 equal)";
  }
  return ::testing::AssertionSuccess();
}

/// torch.randint(0, 2**31, (2,)) right after an op: the low 31 bits of the next two draws.
inline json probe(torchlite::Generator& gen) {
  const int64_t a = gen.random() & 0x7FFFFFFF;
  const int64_t b = gen.random() & 0x7FFFFFFF;
  return json::array({a, b});
}

/// Counts the cases that pass, prints "N/M cases pass" and reports each failure.
class Tally {
 public:
  explicit Tally(std::string name) : name_(std::move(name)) {}
  void add(const ::testing::AssertionResult& ok, const std::string& what) {
    ++total_;
    if (ok) {
      ++passed_;
    } else {
      ADD_FAILURE() << what << ": " << ok.message();
    }
  }
  /// A vector whose op this test cannot run (it lives in a higher layer).
  void skip() { ++skipped_; }
  int skipped() const { return skipped_; }
  ~Tally() {
    std::printf("%s: %d/%d cases pass (%d vectors left to other tests)\n", name_.c_str(), passed_,
                total_, skipped_);
    EXPECT_GT(total_, 0) << name_ << ": no cases ran";
  }

 private:
  std::string name_;
  int passed_ = 0;
  int total_ = 0;
  int skipped_ = 0;
};

inline torchlite::Sizes sizes_of(const json& v) {
  return torchlite::Sizes(v.get<std::vector<int64_t>>());
}

/// An empty tensor of `shape` laid out as the fixture says (see gen_rng_fixtures.py).
inline torchlite::Tensor make(const json& a) {
  const torchlite::Sizes shape = sizes_of(a.at("shape"));
  const torchlite::Dtype dtype = torchlite::dtype_from_name(a.value("dtype", "float32"));
  const std::string layout = a.value("layout", "contiguous");
  const auto nd = static_cast<int64_t>(shape.size());
  if (layout == "transpose") {
    torchlite::Sizes rev(shape.rbegin(), shape.rend());
    std::vector<int64_t> dims;
    for (int64_t d = nd - 1; d >= 0; --d) dims.push_back(d);
    return torchlite::empty(rev, dtype).permute(dims);
  }
  if (layout == "step2") {
    torchlite::Sizes wide = shape;
    wide.back() *= 2;
    return torchlite::empty(wide, dtype).slice(nd - 1, std::nullopt, std::nullopt, 2);
  }
  return torchlite::empty(shape, dtype);
}

/// Runs one recorded core op on the default generator (gen empty) or on `gen`.
/// Returns false for ops that live in higher layers (nn.init, nn.Linear).
inline bool replay_core(const std::string& op, const json& a,
                        std::optional<torchlite::Generator> gen,
                        std::vector<torchlite::Tensor>& outs) {
  torchlite::Generator& g = gen ? *gen : torchlite::default_generator();
  auto dtype = [&] { return torchlite::dtype_from_name(a.value("dtype", "float32")); };
  if (op == "rand") {
    outs = {torchlite::rand(sizes_of(a["shape"]), g, dtype())};
  } else if (op == "randn") {
    outs = {gen ? torchlite::randn(sizes_of(a["shape"]), g, dtype())
                : torchlite::randn(sizes_of(a["shape"]), dtype())};
  } else if (op == "randint") {
    outs = {torchlite::randint(a["low"], a["high"], sizes_of(a["shape"]), g, dtype())};
  } else if (op == "randperm") {
    outs = {torchlite::randperm(a["n"], g, torchlite::dtype_from_name(a.value("dtype", "int64")))};
  } else if (op == "uniform_") {
    outs = {make(a).uniform_(a["a"], a["b"], gen)};
  } else if (op == "normal_") {
    outs = {make(a).normal_(a["mean"], a["std"], gen)};
  } else if (op == "random_") {
    outs = {make(a).random_(a["low"], a["high"], gen)};
  } else if (op == "bernoulli_") {
    outs = {make(a).bernoulli_(a["p"], gen)};
  } else {
    return false;
  }
  return true;
}

/// Whether `t` has the recorded shape and dtype and every element within `atol` of the recorded
/// full hex: for results that pass through LAPACK/BLAS, whose last bits follow the CPU's kernels.
inline ::testing::AssertionResult close(const torchlite::Tensor& t, const json& rec, double atol) {
  if (std::vector<int64_t>(t.sizes()) != rec.at("shape").get<std::vector<int64_t>>())
    return ::testing::AssertionFailure() << "shape differs: got " << t.sizes();
  if (numpy_name(t.dtype()) != rec.at("dtype").get<std::string>())
    return ::testing::AssertionFailure() << "dtype differs: got " << t.dtype();
  const torchlite::Tensor got = t.contiguous().to(torchlite::kFloat64);
  const std::string want = rec.at("hex").get<std::string>();
  const size_t w = 2 * t.element_size();
  for (int64_t i = 0; i < got.numel(); ++i) {
    const uint64_t bits = std::stoull(want.substr(i * w, w), nullptr, 16);
    double expected;
    if (w == 16) {
      std::memcpy(&expected, &bits, sizeof expected);
    } else {
      const auto b32 = static_cast<uint32_t>(bits);
      float f;
      std::memcpy(&f, &b32, sizeof f);
      expected = f;
    }
    const double diff = std::abs(got.data_ptr<double>()[i] - expected);
    if (!(diff <= atol))
      return ::testing::AssertionFailure() << "element " << i << " differs by " << diff << " > "
                                           << atol << ": got " << got.data_ptr<double>()[i]
                                           << ", torch " << expected;
  }
  return ::testing::AssertionSuccess();
}

/// Compares one replayed output with its record (exact bits by default).
using Compare = std::function<::testing::AssertionResult(
    const std::string& op, const json& args, const torchlite::Tensor& out, const json& rec)>;

inline ::testing::AssertionResult same_bits(const std::string&, const json&,
                                            const torchlite::Tensor& out, const json& rec) {
  return same(out, rec);
}

/// Replays `op`; returns false when it does not know the op.
using Replay = std::function<bool(const std::string& op, const json& args,
                                  std::optional<torchlite::Generator> gen,
                                  std::vector<torchlite::Tensor>& outs)>;

/// Replays every vector (ops, seqs, own-generator cases) that `replay` knows; counts each output
/// and each probe in `tally`. Generator cases seed the default generator with `default_seed`.
inline void check_vectors(const json& vectors, Tally& tally, uint64_t default_seed = 0,
                          const Replay& replay = replay_core, const Compare& compare = same_bits) {
  for (const auto& v : vectors) {
    const uint64_t seed = seed_of(v["seed"]);
    const bool own_gen = v.value("generator", false);
    std::optional<torchlite::Generator> gen;
    if (own_gen) {
      torchlite::manual_seed(default_seed);
      gen = torchlite::Generator(seed);
    } else {
      torchlite::manual_seed(seed);
    }
    const json steps = v["op"] == "seq" ? v["steps"] : json::array({v});
    bool known = true;
    std::vector<std::pair<std::vector<torchlite::Tensor>, const json*>> results;
    for (const auto& st : steps) {
      std::vector<torchlite::Tensor> outs;
      if (!replay(st["op"], st["args"], gen, outs)) {
        known = false;
        break;
      }
      results.emplace_back(outs, &st);
    }
    if (!known) {
      tally.skip();
      continue;
    }
    for (auto& [outs, st] : results) {
      const std::string what =
          (*st)["op"].get<std::string>() + " " + (*st)["args"].dump() + " seed " + v["seed"].dump();
      for (size_t k = 0; k < outs.size(); ++k) {
        tally.add(compare((*st)["op"], (*st)["args"], outs[k], (*st)["outputs"][k]), what);
      }
    }
    const std::string what =
        "probe after " + v["op"].get<std::string>() + " seed " + v["seed"].dump();
    tally.add(probe(torchlite::default_generator()) == v["probe"]
                  ? ::testing::AssertionSuccess()
                  : ::testing::AssertionFailure() << "draws consumed differ",
              what);
    if (own_gen) {
      tally.add(probe(*gen) == v["gen_probe"]
                    ? ::testing::AssertionSuccess()
                    : ::testing::AssertionFailure() << "generator draws consumed differ",
                what + " (own generator)");
    }
  }
}

}  // namespace rngtest
