// The reference checkpoint fixtures (serial_fixtures, made by gen_serial_fixtures.py against
// torch 1.13): every file is accepted or refused as its MANIFEST entry says, and accepted files
// read back exactly the tensors, views, storages and values their JSON describes.
#include <gtest/gtest.h>

#include <map>

#include "io/formats.h"
#include "io_test_util.h"
#include "torchlite/io/serialize.h"

namespace tl = torchlite;
using tl::io::detail::Json;
using tl::io::detail::RawTensor;
using tl::io::detail::Value;
using namespace iotest;

namespace {

struct ManifestEntry {
  std::string file, expect, kind;
};

std::vector<ManifestEntry> manifest() {
  Json m = read_json(fixture("serial/MANIFEST.json"));
  std::vector<ManifestEntry> out;
  for (const Json& f : m.find("fixtures")->items) {
    const Json* k = f.find("reject_kind");
    out.push_back({f.find("file")->text, f.find("expect")->text,
                   k->kind == Json::Kind::String ? k->text : ""});
  }
  return out;
}

bool is_pt(const std::string& file) { return file.rfind("pt/", 0) == 0; }

// Runs the raw reader of the file's format; returns the error kind, or "" if accepted.
std::string raw_result(const std::string& file) {
  try {
    auto bytes = bytes_of(fixture("serial/" + file));
    if (is_pt(file))
      tl::io::detail::read_pt(bytes);
    else
      tl::io::detail::read_safetensors(bytes);
    return "";
  } catch (const tl::io::FormatError& e) {
    EXPECT_EQ(std::string(e.what()).find(e.kind()), 0u) << e.what();
    return e.kind();
  }
}

TEST(IoFixtures, ManifestCoversBothFormats) {
  auto m = manifest();
  size_t pt = 0, st = 0, rejects = 0;
  for (auto& e : m) {
    (is_pt(e.file) ? pt : st)++;
    rejects += e.expect == "reject";
  }
  EXPECT_EQ(pt, 37u);
  EXPECT_EQ(st, 34u);
  EXPECT_EQ(rejects, 44u);
}

TEST(IoFixtures, EveryFixtureAcceptedOrRefusedAsTheManifestSays) {
  for (const auto& e : manifest()) {
    SCOPED_TRACE(e.file);
    EXPECT_EQ(raw_result(e.file), e.expect == "ok" ? "" : e.kind);
  }
}

TEST(IoFixtures, PublicLoadRefusesWithTheKindInTheMessage) {
  for (const auto& e : manifest()) {
    if (e.expect != "reject") continue;
    SCOPED_TRACE(e.file);
    try {
      tl::io::load_object(fixture("serial/" + e.file));
      ADD_FAILURE() << "accepted";
    } catch (const tl::io::FormatError& err) {
      EXPECT_EQ(err.kind(), e.kind);
      EXPECT_NE(std::string(err.what()).find(e.kind), std::string::npos) << err.what();
      EXPECT_NE(std::string(err.what()).find(e.file.substr(e.file.find('/') + 1)),
                std::string::npos)
          << err.what();
    }
  }
}

TEST(IoFixtures, LegacyFormatMessageSaysWhatToDo) {
  try {
    tl::load(fixture("serial/pt/legacy_linear_2x2.pt"));
    FAIL() << "legacy file accepted";
  } catch (const tl::io::FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("re-save with a current torch"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("convert to safetensors"), std::string::npos) << e.what();
  }
}

TEST(IoFixtures, DisallowedGlobalIsNamed) {
  try {
    tl::load(fixture("serial/pt/bad_global_os_getcwd.pt"));
    FAIL();
  } catch (const tl::io::FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("os.getcwd"), std::string::npos) << e.what();
  }
}

// ---- accepted .pt files: compare the raw objects with the JSON descriptions ----

void check_tensor(const Json& want, const RawTensor& t,
                  std::map<std::string, const void*>& storages) {
  EXPECT_EQ(want.find("kind")->text == "parameter", t.is_parameter);
  const auto& info = tl::io::detail::elem_info(t.storage->elem);
  EXPECT_EQ(want.find("dtype")->text, info.torch_name);
  std::vector<int64_t> shape, stride;
  for (const Json& d : want.find("shape")->items) shape.push_back(static_cast<int64_t>(d.u));
  for (const Json& d : want.find("stride")->items) stride.push_back(static_cast<int64_t>(d.u));
  EXPECT_EQ(t.sizes, shape);
  EXPECT_EQ(t.strides, stride);
  EXPECT_EQ(t.offset, static_cast<int64_t>(want.find("storage_offset")->u));
  EXPECT_EQ(t.requires_grad, want.find("requires_grad")->b);
  const Json& st = *want.find("storage");
  EXPECT_EQ(t.storage->key, st.find("key")->text);
  EXPECT_EQ(t.storage->numel, st.find("numel")->u);
  EXPECT_EQ(t.storage->nbytes, st.find("nbytes")->u);
  if (st.find("hex")->kind == Json::Kind::String)
    EXPECT_EQ(to_hex(t.storage->data, t.storage->nbytes), st.find("hex")->text);
  // One storage object per key: entries on the same key share it.
  auto [it, fresh] = storages.emplace(t.storage->key, t.storage.get());
  if (!fresh)
    EXPECT_EQ(it->second, t.storage.get()) << "storage " << t.storage->key << " loaded twice";
  const auto raw = tl::io::detail::contiguous_bytes(t);
  const size_t isz = tl::io::detail::elem_size(t.storage->elem);
  const bool cplx =
      t.storage->elem == tl::io::detail::Elem::C64 || t.storage->elem == tl::io::detail::Elem::C128;
  if (const Json* hex = want.find("values_hex"))
    EXPECT_EQ(element_hex(raw, isz, cplx), json_hex(*hex));
  EXPECT_EQ(std::to_string(bits_sum(raw, isz)), want.find("bits_sum_u64")->text);
}

void check_value(const Json& want, const Value& v, std::map<std::string, const void*>& storages) {
  const std::string kind = want.find("kind")->text;
  using K = Value::Kind;
  if (kind == "tensor" || kind == "parameter") {
    ASSERT_EQ(v.kind, K::Tensor);
    check_tensor(want, *v.tensor, storages);
  } else if (kind == "dict" || kind == "OrderedDict") {
    ASSERT_EQ(v.kind, K::Dict);
    EXPECT_EQ(v.c->ordered, kind == "OrderedDict");
    const auto& entries = want.find("entries")->items;
    if (const Json* total = want.find("entries_total")) {
      ASSERT_EQ(v.c->entries.size(), total->u);
      for (size_t k = 0; k < 3; ++k) check_value(entries[k], v.c->entries[k].second, storages);
      for (size_t k = 0; k < 2; ++k)
        check_value(entries[3 + k], v.c->entries[total->u - 2 + k].second, storages);
      return;
    }
    ASSERT_EQ(v.c->entries.size(), entries.size());
    for (size_t k = 0; k < entries.size(); ++k) {
      EXPECT_EQ(*v.c->entries[k].first.s, entries[k].find("key")->text);
      check_value(entries[k], v.c->entries[k].second, storages);
    }
    EXPECT_EQ(!v.c->attrs.empty(), want.find("attrs") != nullptr);
  } else if (kind == "list" || kind == "tuple") {
    ASSERT_EQ(v.kind, kind == "list" ? K::List : K::Tuple);
    const auto& items = want.find("items")->items;
    ASSERT_EQ(v.c->items.size(), items.size());
    for (size_t k = 0; k < items.size(); ++k) check_value(items[k], v.c->items[k], storages);
  } else if (kind == "int") {
    ASSERT_EQ(v.kind, K::Int);
    EXPECT_EQ(std::to_string(v.i), want.find("value")->text);
  } else if (kind == "float") {
    ASSERT_EQ(v.kind, K::Float);
    uint64_t bits;
    std::memcpy(&bits, &v.f, 8);
    char b[17];
    std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(bits));
    EXPECT_EQ(b, want.find("bits_hex")->text);
  } else if (kind == "str") {
    ASSERT_EQ(v.kind, K::Str);
    EXPECT_EQ(*v.s, want.find("value")->text);
  } else if (kind == "bool") {
    ASSERT_EQ(v.kind, K::Bool);
    EXPECT_EQ(v.b, want.find("value")->b);
  } else if (kind == "none") {
    EXPECT_EQ(v.kind, K::None);
  } else {
    ADD_FAILURE() << "unknown kind " << kind;
  }
}

TEST(IoFixtures, AcceptedTorchFilesMatchTheirDescriptions) {
  size_t checked = 0;
  for (const auto& e : manifest()) {
    if (e.expect != "ok" || !is_pt(e.file)) continue;
    SCOPED_TRACE(e.file);
    Json want = read_json(fixture("serial/" + e.file + ".json"));
    Value v = tl::io::detail::read_pt(bytes_of(fixture("serial/" + e.file)));
    std::map<std::string, const void*> storages;
    check_value(*want.find("object"), v, storages);
    ++checked;
  }
  EXPECT_EQ(checked, 18u);
}

TEST(IoFixtures, AcceptedSafetensorsMatchTheirDescriptions) {
  size_t checked = 0;
  for (const auto& e : manifest()) {
    if (e.expect != "ok" || is_pt(e.file)) continue;
    SCOPED_TRACE(e.file);
    Json want = read_json(fixture("serial/" + e.file + ".json"));
    auto st = tl::io::detail::read_safetensors(bytes_of(fixture("serial/" + e.file)));
    EXPECT_EQ(st.header_len, want.find("header_len")->u);
    const Json& meta = *want.find("metadata");
    EXPECT_EQ(st.has_metadata, meta.kind == Json::Kind::Object);
    if (meta.kind == Json::Kind::Object) {
      ASSERT_EQ(st.metadata.size(), meta.members.size());
      for (size_t k = 0; k < meta.members.size(); ++k) {
        EXPECT_EQ(st.metadata[k].first, meta.members[k].first);
        EXPECT_EQ(st.metadata[k].second, meta.members[k].second.text);
      }
    }
    const auto& ts = want.find("tensors_in_offset_order")->items;
    ASSERT_EQ(st.tensors.size(), ts.size());
    for (size_t k = 0; k < ts.size(); ++k) {
      const auto& [name, t] = st.tensors[k];
      EXPECT_EQ(name, ts[k].find("name")->text);
      EXPECT_EQ(tl::io::detail::elem_info(t.storage->elem).st_name, ts[k].find("dtype")->text);
      std::vector<int64_t> shape;
      for (const Json& d : ts[k].find("shape")->items) shape.push_back(static_cast<int64_t>(d.u));
      EXPECT_EQ(t.sizes, shape);
      const auto raw = tl::io::detail::contiguous_bytes(t);
      if (const Json* hex = ts[k].find("values_hex"))
        EXPECT_EQ(element_hex(raw, tl::io::detail::elem_size(t.storage->elem), false),
                  json_hex(*hex));
    }
    ++checked;
  }
  EXPECT_EQ(checked, 9u);
}

// ---- the public API on the same files ----

TEST(IoFixtures, LoadLinearStateDict) {
  tl::nn::StateDict sd = tl::load(fixture("serial/pt/linear_2x2.pt"));
  EXPECT_TRUE(sd.ordered);
  ASSERT_EQ(sd.keys(), (std::vector<std::string>{"weight", "bias"}));
  const tl::Tensor& w = sd["weight"];
  EXPECT_EQ(w.dtype(), tl::kFloat32);
  EXPECT_EQ(std::vector<int64_t>(w.sizes()), (std::vector<int64_t>{2, 2}));
  EXPECT_FALSE(w.impl()->is_parameter);
  uint32_t bits;
  std::memcpy(&bits, static_cast<const char*>(w.impl()->storage->data.get()), 4);
  EXPECT_EQ(bits, 0xbbad7922u);
}

TEST(IoFixtures, LoadKeepsViewsAndSharedStorage) {
  tl::nn::StateDict sd = tl::load(fixture("serial/pt/shared_storage.pt"));
  EXPECT_EQ(sd.size(), 4u);
  const auto& base = sd["base"];
  EXPECT_EQ(base.impl()->storage.get(), sd["view2x3"].impl()->storage.get());
  EXPECT_EQ(base.impl()->storage.get(), sd["tail"].impl()->storage.get());
  EXPECT_TRUE(sd["same_obj"].is_same(sd["base"]) || sd["same_obj"].is_same(sd["view2x3"]) ||
              sd["same_obj"].is_same(sd["tail"]));
  EXPECT_EQ(sd["tail"].storage_offset(), 3);
  tl::nn::StateDict sl = tl::load(fixture("serial/pt/slice_offset.pt"));
  EXPECT_EQ(sl["block"].storage_offset(), 7);
  EXPECT_EQ(sl["block"].strides(), (std::vector<int64_t>{5, 1}));
  EXPECT_EQ(sl["s"].impl()->storage.get(), sl["step"].impl()->storage.get());
}

TEST(IoFixtures, LoadPlainDictAndDtypes) {
  tl::nn::StateDict sd = tl::load(fixture("serial/pt/f64_i64_plain_dict.pt"));
  EXPECT_FALSE(sd.ordered);
  for (const auto& [k, t] : sd)
    EXPECT_TRUE(t.dtype() == tl::kFloat64 || t.dtype() == tl::kInt64) << k;
  tl::nn::StateDict hb = tl::load(fixture("serial/pt/half_bf16.pt"));
  std::vector<tl::Dtype> dts;
  for (const auto& [k, t] : hb) dts.push_back(t.dtype());
  EXPECT_NE(std::find(dts.begin(), dts.end(), tl::kFloat16), dts.end());
  EXPECT_NE(std::find(dts.begin(), dts.end(), tl::kBFloat16), dts.end());
}

TEST(IoFixtures, LoadParameters) {
  tl::nn::StateDict sd = tl::load(fixture("serial/pt/parameter_in_dict.pt"));
  size_t params = 0, grads = 0;
  for (const auto& [k, t] : sd) {
    params += t.impl()->is_parameter;
    grads += t.impl()->requires_grad;
  }
  EXPECT_EQ(params, 2u);
  EXPECT_EQ(grads, 2u);
  tl::Tensor p = tl::load_tensor(fixture("serial/pt/parameter_toplevel.pt"));
  EXPECT_TRUE(p.impl()->is_parameter);
  EXPECT_THROW(tl::load(fixture("serial/pt/parameter_toplevel.pt")), tl::Error);
}

TEST(IoFixtures, ComplexTensorsAreRefusedByName) {
  try {
    tl::load(fixture("serial/pt/int_bool_complex.pt"));
    FAIL();
  } catch (const tl::io::FormatError& e) {
    EXPECT_EQ(e.kind(), "UnsupportedDtype");
    EXPECT_NE(std::string(e.what()).find("c64"), std::string::npos) << e.what();
  }
}

TEST(IoFixtures, NestedCheckpointLoadsAsObject) {
  auto o = tl::io::load_object(fixture("serial/pt/nested_checkpoint.pt"));
  ASSERT_EQ(o.kind, tl::io::Object::Kind::Dict);
  EXPECT_EQ(o.entries.size(), 7u);
  EXPECT_THROW(tl::load(fixture("serial/pt/nested_checkpoint.pt")), tl::Error);
}

TEST(IoFixtures, SafetensorsLoadAsPlainDictInNameOrder) {
  tl::nn::StateDict sd = tl::load(fixture("serial/safetensors/st_all_dtypes.safetensors"));
  EXPECT_FALSE(sd.ordered);
  auto keys = sd.keys();
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  EXPECT_EQ(sd["scalar_f32"].dim(), 0);
  EXPECT_EQ(sd["t_bfloat16"].dtype(), tl::kBFloat16);
  EXPECT_EQ(sd["empty_2x0"].numel(), 0);
}

TEST(IoFixtures, MemoryMappedLoadAliasesTheFile) {
  tl::LoadOptions opt;
  opt.mmap_threshold = 0;  // map every file
  tl::nn::StateDict sd = tl::load(fixture("serial/pt/seq_flatten_linear784.pt"), opt);
  tl::nn::StateDict copy = tl::load(fixture("serial/pt/seq_flatten_linear784.pt"));
  ASSERT_EQ(sd.size(), copy.size());
  for (const auto& [k, t] : sd) {
    const auto& u = copy[k];
    ASSERT_EQ(t.nbytes(), u.nbytes());
    EXPECT_EQ(std::memcmp(t.impl()->storage->data.get(), u.impl()->storage->data.get(), t.nbytes()),
              0);
    // Records are 64-byte aligned in the file, so the tensors point into the mapping.
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.impl()->storage->data.get()) % 64, 0u);
  }
}

}  // namespace
