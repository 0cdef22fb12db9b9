// Live round trip with the installed torch 1.13 (skipped when /usr/bin/python3 has no torch):
// files torch writes load in torchlite exactly (every dtype, view, shared storage, Parameter),
// print like print(torch.load(f)), and what torchlite writes loads in torch with
// weights_only=True bit for bit (tests/io/torch_roundtrip.py does the torch side).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <map>

#include "io/zip.h"
#include "io_test_util.h"
#include "torchlite/io/serialize.h"

namespace tl = torchlite;
using tl::io::detail::Json;
using namespace iotest;

namespace {

const std::string kPython = "/usr/bin/python3";
const std::string kScript = std::string(TORCHLITE_FIXTURES) + "/../io/torch_roundtrip.py";

int run(const std::string& cmd) {
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool have_torch() { return run(kPython + " -c 'import torch' >/dev/null 2>&1") == 0; }

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string l; std::getline(ss, l);)
    if (!l.empty()) out.push_back(l);
  return out;
}

std::string hex_of(const tl::Tensor& t) {
  auto bytes = logical_bytes(t);
  return to_hex(bytes.data(), bytes.size());
}

std::vector<int64_t> ints(const Json& list) {
  std::vector<int64_t> out;
  for (const Json& x : list.items) out.push_back(static_cast<int64_t>(x.u));
  return out;
}

void check_tensor(const Json& want, const tl::Tensor& t, std::map<int64_t, const void*>& storages) {
  EXPECT_EQ(tl::dtype_name(t.dtype()), std::string("torch.").append(want.find("dtype")->text));
  EXPECT_EQ(std::vector<int64_t>(t.sizes()), ints(*want.find("shape")));
  EXPECT_EQ(t.strides(), ints(*want.find("stride")));
  EXPECT_EQ(t.storage_offset(), static_cast<int64_t>(want.find("offset")->u));
  EXPECT_EQ(t.impl()->is_parameter, want.find("kind")->text == "parameter");
  EXPECT_EQ(t.impl()->requires_grad, want.find("requires_grad")->b);
  EXPECT_EQ(hex_of(t), want.find("hex")->text);
  auto [it, fresh] =
      storages.emplace(static_cast<int64_t>(want.find("storage")->u), t.impl()->storage.get());
  EXPECT_EQ(it->second, t.impl()->storage.get()) << "storage sharing differs";
  for (const auto& [group, ptr] : storages)
    if (group != static_cast<int64_t>(want.find("storage")->u))
      EXPECT_NE(ptr, t.impl()->storage.get()) << "storage shared with group " << group;
}

// Copies a torch.save archive record by record, giving every entry the ZIP64 fields that
// entries past 4 GiB get, so that torch's reader is checked on them without a 4 GiB file.
void rewrite_with_zip64(const std::string& from, const std::string& to) {
  const auto bytes = bytes_of(from);
  const auto z = tl::io::detail::read_zip(bytes);
  std::FILE* f = std::fopen(to.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  tl::io::detail::ZipWriter w(f, z.archive_name, 0);
  for (const std::string& name : z.order) {
    const auto& rec = z.records.at(name);
    w.add(name, bytes.data + rec.offset, rec.size);
  }
  w.finish();
  std::fclose(f);
}

TEST(IoTorchRoundTrip, TorchToTorchliteToTorch) {
  if (!have_torch()) GTEST_SKIP() << kPython << " cannot import torch";
  char tmpl[] = "/tmp/torchlite-rt-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  ASSERT_EQ(run(kPython + " " + kScript + " write " + dir), 0);
  const auto names = lines(slurp(dir + "/cases.txt"));
  EXPECT_GE(names.size(), 8u);
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    const std::string pt = dir + "/" + name + ".pt";
    Json want = read_json(dir + "/" + name + ".json");
    // print(torch.load(f)) == torchlite's repr of the loaded object.
    EXPECT_EQ(tl::io::repr(tl::io::load_object(pt)) + "\n", slurp(dir + "/" + name + ".print.txt"));
    std::map<int64_t, const void*> storages;
    const std::string kind = want.find("kind")->text;
    if (kind == "tensor" || kind == "parameter") {
      tl::Tensor t = tl::load_tensor(pt);
      check_tensor(want, t, storages);
      tl::save(t, dir + "/" + name + ".tl.pt");
      tl::save(t, dir + "/" + name + ".tl.safetensors");
      continue;
    }
    tl::nn::StateDict sd = tl::load(pt);
    EXPECT_EQ(sd.ordered, kind == "OrderedDict");
    const auto& entries = want.find("entries")->items;
    ASSERT_EQ(sd.size(), entries.size());
    size_t k = 0;
    for (const auto& [key, t] : sd) {
      SCOPED_TRACE(key);
      EXPECT_EQ(key, entries[k].find("key")->text);
      check_tensor(entries[k++], t, storages);
    }
    tl::save(sd, dir + "/" + name + ".tl.pt");
    tl::save(sd, dir + "/" + name + ".tl.safetensors");
    if (name == "views")
      rewrite_with_zip64(dir + "/" + name + ".tl.pt", dir + "/" + name + ".z64.tl.pt");
  }
  EXPECT_EQ(run(kPython + " " + kScript + " check " + dir), 0);
  run("rm -rf '" + dir + "'");
}

TEST(IoTorchRoundTrip, InspectCommandPrintsLikeTorch) {
  if (!have_torch()) GTEST_SKIP() << kPython << " cannot import torch";
  const std::string exe = std::string(TORCHLITE_BINARY_DIR) + "/torchlite";
  if (run("test -x '" + exe + "'") != 0) GTEST_SKIP() << exe << " is not built";
  char tmpl[] = "/tmp/torchlite-inspect-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  ASSERT_EQ(run(kPython + " " + kScript + " write " + dir), 0);
  for (const std::string& name : lines(slurp(dir + "/cases.txt"))) {
    SCOPED_TRACE(name);
    ASSERT_EQ(run("'" + exe + "' inspect '" + dir + "/" + name + ".pt' > '" + dir + "/out.txt'"),
              0);
    EXPECT_EQ(slurp(dir + "/out.txt"), slurp(dir + "/" + name + ".print.txt"));
  }
  run("rm -rf '" + dir + "'");
}

}  // namespace
