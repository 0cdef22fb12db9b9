// Writers: safetensors bytes equal the reference serializer's, .pt archives have torch's layout
// and round-trip views, shared storages, Parameters and dict kinds, and saving is atomic.
#include <dirent.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "io/formats.h"
#include "io/zip.h"
#include "io_test_util.h"
#include "torchlite/io/serialize.h"

namespace tl = torchlite;
using namespace iotest;

namespace {

// A fresh directory under /tmp, removed with its files at scope exit.
struct TempDir {
  std::string path;
  TempDir() {
    std::string tmpl = "/tmp/torchlite-io-XXXXXX";
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    for (const auto& f : files()) ::unlink((path + "/" + f).c_str());
    ::rmdir(path.c_str());
  }
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    if (DIR* d = ::opendir(path.c_str())) {
      while (dirent* e = ::readdir(d))
        if (std::string(e->d_name) != "." && std::string(e->d_name) != "..")
          out.push_back(e->d_name);
      ::closedir(d);
    }
    return out;
  }
  std::string operator/(const std::string& name) const { return path + "/" + name; }
};

std::string storage_hex(const tl::Tensor& t) {
  const auto* s = t.impl()->storage.get();
  return to_hex(static_cast<const uint8_t*>(s->data.get()), s->nbytes);
}

TEST(IoSave, SafetensorsBytesEqualTheReferenceWriter) {
  TempDir dir;
  for (const char* name : {"st_linear_2x2", "st_batchnorm1d", "st_all_dtypes"}) {
    SCOPED_TRACE(name);
    const std::string src = fixture(std::string("serial/safetensors/") + name + ".safetensors");
    tl::save(tl::load(src), dir / "out.safetensors");
    EXPECT_EQ(slurp(dir / "out.safetensors"), slurp(src));
  }
}

// Each tensor of `sd` as a view holding the same values in another layout, inside a storage of
// twice its size whose other half holds 7s: every other element (layout 0: from the first,
// 1: from the second), or the second half (2: row-major with an offset, which save writes
// straight from the storage).
tl::nn::StateDict relaid(const tl::nn::StateDict& sd, int layout) {
  tl::nn::StateDict out(sd.ordered);
  for (const auto& [k, t] : sd) {
    tl::Sizes twice = t.sizes();
    if (layout == 2)
      twice.insert(twice.begin(), 2);
    else
      twice.push_back(2);
    tl::Tensor view =
        tl::full(twice, 7, t.dtype()).select(layout == 2 ? 0 : -1, layout == 0 ? 0 : 1);
    view.copy_(t);
    out.insert(k, view);
  }
  return out;
}

TEST(IoSave, SafetensorsBytesOfStridedAndOffsetViewsEqualTheReferenceWriter) {
  TempDir dir;
  for (const char* name : {"st_linear_2x2", "st_batchnorm1d", "st_all_dtypes"}) {
    const std::string src = fixture(std::string("serial/safetensors/") + name + ".safetensors");
    for (int layout : {0, 1, 2}) {
      SCOPED_TRACE(std::string(name) + " layout " + std::to_string(layout));
      const tl::nn::StateDict sd = relaid(tl::load(src), layout);
      for (const auto& [k, t] : sd)
        if (t.numel() > 1) EXPECT_EQ(t.is_contiguous(), layout == 2) << k;
      tl::save(sd, dir / "out.safetensors");
      EXPECT_EQ(slurp(dir / "out.safetensors"), slurp(src));
    }
  }
}

TEST(IoSave, SafetensorsEmptyDictMatchesTheRustVector) {
  // The Rust reference serializes {} (no metadata) as 8 00..00 '{}' + 6 spaces.
  std::string out;
  {
    TempDir dir;
    std::FILE* f = std::fopen((dir / "e.safetensors").c_str(), "wb");
    tl::io::detail::write_safetensors(f, {}, {});
    std::fclose(f);
    out = slurp(dir / "e.safetensors");
  }
  EXPECT_EQ(out, std::string("\x08\0\0\0\0\0\0\0{}      ", 16));
}

TEST(IoSave, TorchArchiveLayout) {
  TempDir dir;
  tl::nn::StateDict sd = tl::load(fixture("serial/pt/linear_2x2.pt"));
  tl::save(sd, dir / "m.pt");
  auto bytes = bytes_of(dir / "m.pt");
  auto z = tl::io::detail::read_zip(bytes);
  EXPECT_EQ(z.archive_name, "archive");
  EXPECT_EQ(z.order, (std::vector<std::string>{"data.pkl", ".format_version", ".storage_alignment",
                                               "byteorder", "data/0", "data/1", "version",
                                               ".data/serialization_id"}));
  for (const auto& [name, rec] : z.records) EXPECT_EQ(rec.offset % 64, 0u) << name;
  // The pickle holds only the globals torch 1.13's weights_only unpickler allows.
  const auto& pkl = z.records.at("data.pkl");
  std::string p(reinterpret_cast<const char*>(bytes.data + pkl.offset), pkl.size);
  EXPECT_EQ(p.substr(0, 2), "\x80\x02");
  EXPECT_EQ(p.find("G"), std::string::npos);  // no BINFLOAT
  EXPECT_NE(p.find("ccollections\nOrderedDict\n"), std::string::npos);
  EXPECT_NE(p.find("ctorch\nFloatStorage\n"), std::string::npos);
}

void expect_same(const tl::nn::StateDict& a, const tl::nn::StateDict& b) {
  ASSERT_EQ(a.keys(), b.keys());
  EXPECT_EQ(a.ordered, b.ordered);
  for (const auto& [k, t] : a) {
    SCOPED_TRACE(k);
    const tl::Tensor& u = b[k];
    EXPECT_EQ(t.dtype(), u.dtype());
    EXPECT_EQ(t.sizes(), u.sizes());
    EXPECT_EQ(t.strides(), u.strides());
    EXPECT_EQ(t.storage_offset(), u.storage_offset());
    EXPECT_EQ(t.impl()->is_parameter, u.impl()->is_parameter);
    EXPECT_EQ(t.impl()->requires_grad, u.impl()->requires_grad);
    EXPECT_EQ(storage_hex(t), storage_hex(u));
  }
  // The sharing pattern is kept: entries share a storage in b exactly when they do in a.
  for (const auto& [k1, t1] : a)
    for (const auto& [k2, t2] : a) {
      EXPECT_EQ(t1.impl()->storage == t2.impl()->storage,
                b[k1].impl()->storage == b[k2].impl()->storage)
          << k1 << " / " << k2;
      EXPECT_EQ(t1.is_same(t2), b[k1].is_same(b[k2])) << k1 << " / " << k2;
    }
}

TEST(IoSave, TorchRoundTripKeepsEverything) {
  TempDir dir;
  for (const char* name :
       {"linear_2x2", "batchnorm1d", "f64_i64_plain_dict", "half_bf16", "parameter_in_dict",
        "shared_storage", "transposed_noncontig", "slice_offset", "empty_tensors", "scalar_0dim",
        "many_keys_1001", "specw_dtypes_nomemo_v2x"}) {
    SCOPED_TRACE(name);
    tl::nn::StateDict sd = tl::load(fixture(std::string("serial/pt/") + name + ".pt"));
    tl::save(sd, dir / "rt.pt");
    expect_same(sd, tl::load(dir / "rt.pt"));
  }
}

TEST(IoSave, SafetensorsRoundTripMakesTensorsContiguous) {
  TempDir dir;
  for (const char* name : {"shared_storage", "transposed_noncontig", "slice_offset", "half_bf16",
                           "empty_tensors", "scalar_0dim", "f64_i64_plain_dict"}) {
    SCOPED_TRACE(name);
    tl::nn::StateDict sd = tl::load(fixture(std::string("serial/pt/") + name + ".pt"));
    tl::save(sd, dir / "rt.safetensors");
    tl::nn::StateDict back = tl::load(dir / "rt.safetensors");
    ASSERT_EQ(back.size(), sd.size());
    for (const auto& [k, t] : sd) {
      const tl::Tensor& u = back[k];
      EXPECT_EQ(u.sizes(), t.sizes()) << k;
      EXPECT_EQ(u.storage_offset(), 0) << k;
      EXPECT_EQ(u.impl()->storage->nbytes, t.nbytes()) << k;
      EXPECT_EQ(logical_bytes(u), logical_bytes(t)) << k;
    }
  }
}

TEST(IoSave, SingleTensor) {
  TempDir dir;
  tl::Tensor p = tl::load_tensor(fixture("serial/pt/parameter_toplevel.pt"));
  tl::save(p, dir / "p.pt");
  tl::Tensor q = tl::load_tensor(dir / "p.pt");
  EXPECT_TRUE(q.impl()->is_parameter);
  EXPECT_EQ(q.impl()->requires_grad, p.impl()->requires_grad);
  EXPECT_EQ(logical_bytes(q), logical_bytes(p));
  tl::save(p, dir / "p.safetensors");
  EXPECT_EQ(logical_bytes(tl::load_tensor(dir / "p.safetensors")), logical_bytes(p));
}

TEST(IoSave, FailedSaveLeavesTheOldFileAndNoTemporary) {
  TempDir dir;
  tl::nn::StateDict good = tl::load(fixture("serial/pt/linear_2x2.pt"));
  tl::save(good, dir / "m.pt");
  const std::string before = slurp(dir / "m.pt");
  tl::nn::StateDict bad = good;
  bad.insert("broken", tl::Tensor());
  EXPECT_THROW(tl::save(bad, dir / "m.pt"), tl::Error);
  EXPECT_THROW(tl::save(bad, dir / "m.safetensors"), tl::Error);
  EXPECT_EQ(slurp(dir / "m.pt"), before);
  EXPECT_EQ(dir.files(), std::vector<std::string>{"m.pt"});
  tl::nn::StateDict odd;
  odd.insert("__metadata__", good["bias"]);
  EXPECT_THROW(tl::save(odd, dir / "m.safetensors"), tl::Error);
  odd = tl::nn::StateDict();
  odd.insert("bad\xff", good["bias"]);
  EXPECT_THROW(tl::save(odd, dir / "m.pt"), tl::Error);
  EXPECT_THROW(tl::save(good, dir / "missing-dir/m.pt"), tl::Error);
  EXPECT_THROW(tl::save(good, dir / "m.unknown"), tl::Error);
  EXPECT_EQ(dir.files(), std::vector<std::string>{"m.pt"});
}

TEST(IoSave, OverwritingAMappedFileKeepsLoadedTensorsValid) {
  TempDir dir;
  tl::save(tl::load(fixture("serial/pt/seq_flatten_linear784.pt")), dir / "m.pt");
  tl::LoadOptions opt;
  opt.mmap_threshold = 0;
  tl::nn::StateDict mapped = tl::load(dir / "m.pt", opt);
  const std::string before = storage_hex(mapped["1.bias"]);
  tl::save(tl::load(fixture("serial/pt/linear_2x2.pt")), dir / "m.pt");
  EXPECT_EQ(storage_hex(mapped["1.bias"]), before);
}

TEST(IoSave, ExplicitFormatOverridesTheExtension) {
  TempDir dir;
  tl::nn::StateDict sd = tl::load(fixture("serial/pt/linear_2x2.pt"));
  tl::SaveOptions so;
  so.format = tl::CheckpointFormat::Safetensors;
  tl::save(sd, dir / "weights.data", so);
  EXPECT_EQ(tl::io::detect_format(dir / "weights.data"), tl::CheckpointFormat::Safetensors);
  tl::LoadOptions lo;
  lo.format = tl::CheckpointFormat::Safetensors;
  EXPECT_EQ(tl::load(dir / "weights.data", lo).size(), 2u);
  EXPECT_EQ(tl::load(dir / "weights.data").size(), 2u);  // recognised by content
  lo.format = tl::CheckpointFormat::Torch;
  EXPECT_THROW(tl::load(dir / "weights.data", lo), tl::io::FormatError);
}

}  // namespace

// What Python prints for the same object, torch.save()d and torch.load()ed:
// print({'model': OrderedDict(w=torch.tensor([1.5, -2.0]), v=torch.tensor([3])),
//        'vocab': ['<unk>', 'a', 'é'], 'config': {'n': 3, 'big': 70000, 'neg': -5, 'f': 0.25,
//        'b': True, 'c': False, 'none': None, 't': (1, 'x'), 'e': []}})
TEST(IoSave, ObjectRoundTripPrintsAsPython) {
  using tl::io::Object;
  auto leaf = [](Object::Kind kind) {
    Object o;
    o.kind = kind;
    return o;
  };
  auto str = [&](const std::string& s) {
    Object o = leaf(Object::Kind::Str);
    o.s = s;
    return o;
  };
  auto integer = [&](int64_t v) {
    Object o = leaf(Object::Kind::Int);
    o.i = v;
    return o;
  };
  auto tensor = [&](const tl::Tensor& t) {
    Object o = leaf(Object::Kind::Tensor);
    o.tensor = t;
    return o;
  };
  Object model = leaf(Object::Kind::OrderedDict);
  model.entries = {{str("w"), tensor(tl::tensor({1.5f, -2.0f}))},
                   {str("v"), tensor(tl::tensor({int64_t{3}}))}};
  Object vocab = leaf(Object::Kind::List);
  vocab.items = {str("<unk>"), str("a"), str("é")};
  Object f = leaf(Object::Kind::Float), b = leaf(Object::Kind::Bool), c = b;
  f.f = 0.25;
  b.b = true;
  Object t = leaf(Object::Kind::Tuple);
  t.items = {integer(1), str("x")};
  Object config = leaf(Object::Kind::Dict);
  config.entries = {{str("n"), integer(3)},    {str("big"), integer(70000)},
                    {str("neg"), integer(-5)}, {str("f"), f},
                    {str("b"), b},             {str("c"), c},
                    {str("none"), leaf(Object::Kind::None)},
                    {str("t"), t},             {str("e"), leaf(Object::Kind::List)}};
  Object top = leaf(Object::Kind::Dict);
  top.entries = {{str("model"), model}, {str("vocab"), vocab}, {str("config"), config}};
  TempDir dir;
  tl::io::save(top, dir / "o.pt");
  EXPECT_EQ(tl::io::repr(tl::io::load_object(dir / "o.pt")),
            "{'model': OrderedDict([('w', tensor([ 1.5000, -2.0000])), ('v', tensor([3]))]), "
            "'vocab': ['<unk>', 'a', 'é'], 'config': {'n': 3, 'big': 70000, 'neg': -5, 'f': "
            "0.25, 'b': True, 'c': False, 'none': None, 't': (1, 'x'), 'e': []}}");
  EXPECT_THROW(tl::io::save(top, dir / "o.safetensors"), tl::Error);
}
