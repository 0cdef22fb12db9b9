// Hand-made hostile checkpoints beyond the reference fixtures: pickle programs that try to run
// code, exhaust memory or build cycles, zip containers with lying offsets, and safetensors
// headers that bend the JSON rules. Each must be refused with its kind, and nothing may crash.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "io/formats.h"
#include "io/zip.h"
#include "io_test_util.h"
#include "torchlite/io/serialize.h"

namespace tl = torchlite;
namespace d = torchlite::io::detail;
using namespace std::string_literals;

namespace {

// A torch.save-style archive holding `pkl` as data.pkl, the `extra` records and version 3.
d::Bytes archive(const std::string& pkl,
                 const std::vector<std::pair<std::string, std::string>>& extra = {},
                 bool with_version = true, uint64_t zip64_from = 0xFFFFFFFFu) {
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* f = ::open_memstream(&buf, &len);
  {
    d::ZipWriter w(f, "archive", zip64_from);
    w.add("data.pkl", pkl.data(), pkl.size());
    for (const auto& [name, data] : extra) w.add(name, data.data(), data.size());
    if (with_version) w.add("version", "3\n", 2);
    w.finish();
  }
  std::fclose(f);
  d::Bytes b = d::copy_bytes(reinterpret_cast<const uint8_t*>(buf), len);
  std::free(buf);
  return b;
}

std::string kind_of(const d::Bytes& b, tl::CheckpointFormat fmt = tl::CheckpointFormat::Torch) {
  try {
    tl::io::Object o = d::read_object(b, fmt);
    (void)tl::io::repr(o);
    return "ok";
  } catch (const tl::io::FormatError& e) {
    return e.kind();
  }
}

std::string pickle_kind(const std::string& body,
                        const std::vector<std::pair<std::string, std::string>>& extra = {}) {
  return kind_of(archive(std::string("\x80\x02", 2) + body, extra));
}

std::string u32(uint32_t v) {
  std::string s(4, '\0');
  for (int k = 0; k < 4; ++k) s[k] = static_cast<char>(v >> (8 * k));
  return s;
}

std::string str(const std::string& s) { return "X" + u32(static_cast<uint32_t>(s.size())) + s; }

// _rebuild_tensor_v2(storage 'key' of `cls` with `numel`, offset, size, stride, False,
// OrderedDict())
std::string tensor(const std::string& cls, const std::string& key, const std::string& numel,
                   const std::string& offset, const std::string& size, const std::string& stride) {
  return "ctorch._utils\n_rebuild_tensor_v2\n((" + str("storage") + "ctorch\n" + cls + "\n" +
         str(key) + str("cpu") + numel + "tQ" + offset + size + stride + "\x89" +
         "ccollections\nOrderedDict\n)Rt" + "R";
}

const std::string K0 = std::string("K\x00", 2);
const std::string K1 = "K\x01";
const std::string K2 = "K\x02";
const std::string K4 = "K\x04";

TEST(IoMalicious, CodeExecutionAttemptsAreRefusedBeforeAnythingRuns) {
  EXPECT_EQ(pickle_kind("cos\nsystem\n(X\x02\x00\x00\x00idtR."s), "DisallowedGlobal");
  EXPECT_EQ(pickle_kind("c__builtin__\neval\n(X\x01\x00\x00\x00"
                        "1tR."s),
            "DisallowedGlobal");
  EXPECT_EQ(pickle_kind("ctorch\nload\n)R."), "DisallowedGlobal");
  EXPECT_EQ(pickle_kind("ctorch._utils\n_rebuild_tensor\n)R."), "DisallowedGlobal");
  EXPECT_EQ(pickle_kind("ctorch\nFloatStorage\nK\x04\x85R."), "DisallowedReduce");
  EXPECT_EQ(pickle_kind("K\x01)R."), "DisallowedReduce");
  EXPECT_EQ(pickle_kind("]}b."), "DisallowedBuild");
  EXPECT_EQ(pickle_kind("ccollections\nOrderedDict\n)R]b."), "DisallowedBuild");
  EXPECT_EQ(pickle_kind("ccollections\nOrderedDict\n(K\x01tR."), "DisallowedReduce");
  EXPECT_EQ(pickle_kind("U\x02os."), "UnsupportedOpcode");         // SHORT_BINSTRING
  EXPECT_EQ(pickle_kind("(ios\nsystem\n."), "UnsupportedOpcode");  // INST
  EXPECT_EQ(pickle_kind("ccollections\nOrderedDict\n)\x81."), "UnsupportedOpcode");  // NEWOBJ
  EXPECT_EQ(pickle_kind("\x8c\x02os\x8c\x06system\x93."), "UnsupportedOpcode");  // SHORT_BINUNICODE
  EXPECT_EQ(pickle_kind("Pfoo\n."), "UnsupportedOpcode");                        // PERSID
  EXPECT_EQ(pickle_kind("\x82\x01."), "UnsupportedOpcode");                      // EXT1
  EXPECT_EQ(kind_of(archive(std::string("\x80\x04\x95", 3))), "UnsupportedProtocol");
}

TEST(IoMalicious, StackAndMemoAbuse) {
  EXPECT_EQ(pickle_kind("."), "PickleStackError");
  EXPECT_EQ(pickle_kind("NN."), "PickleStackError");
  EXPECT_EQ(pickle_kind("(N."), "PickleStackError");
  EXPECT_EQ(pickle_kind("t."), "PickleStackError");
  EXPECT_EQ(pickle_kind("N\x87."), "PickleStackError");
  EXPECT_EQ(pickle_kind("h\x05."), "PickleStackError");
  EXPECT_EQ(pickle_kind("(Nr\xff\xff\xff\xffj\xff\xff\xff\xfft."), "ok");
  EXPECT_EQ(pickle_kind("NNs."), "PickleStackError");
  EXPECT_EQ(pickle_kind("}G\x3f\xf0\x00\x00\x00\x00\x00\x00Ns."s), "BadArgs");  // float key
  EXPECT_EQ(pickle_kind("N."), "ok");
  EXPECT_EQ(pickle_kind(""), "PickleTruncated");
  EXPECT_EQ(pickle_kind("X\xff\xff\xff\xff"), "PickleTruncated");
  EXPECT_EQ(pickle_kind("\x8a\xff"), "BadArgs");
  EXPECT_EQ(pickle_kind("X\x02\x00\x00\x00\xc3\x28."s), "BadArgs");  // invalid UTF-8
  EXPECT_EQ(pickle_kind("c" + std::string(300, 'a')), "PickleTruncated");
}

TEST(IoMalicious, ResourceBombsHitLimits) {
  EXPECT_EQ(pickle_kind(std::string(5000, '(')), "PickleLimit");
  // 300 nested lists: ] x300 then APPEND x299.
  EXPECT_EQ(pickle_kind(std::string(300, ']') + std::string(299, 'a') + "."), "PickleLimit");
  // A tuple doubled 40 times by memo (2^40 expanded elements).
  std::string dag = ")q\x00"s;
  for (int i = 0; i < 40; ++i) dag += "h\x00\x86q\x00"s;
  EXPECT_EQ(pickle_kind(dag + "."), "PickleLimit");
  // Moderate sharing is fine.
  std::string small = ")q\x00"s;
  for (int i = 0; i < 10; ++i) small += "h\x00\x86q\x00"s;
  EXPECT_EQ(pickle_kind(small + "."), "ok");
}

TEST(IoMalicious, CyclesCannotBeBuilt) {
  EXPECT_EQ(pickle_kind("]q\x00h\x00"
                        "a."s),
            "PickleStackError");  // l.append(l)
  EXPECT_EQ(pickle_kind("]q\x00]q\x01h\x00"
                        "ah\x00h\x01"
                        "a."s),
            "PickleStackError");  // a in b, then b in a
  EXPECT_EQ(pickle_kind("}q\x00X\x01\x00\x00\x00kh\x00s."s), "PickleStackError");  // d['k'] = d
  // Mutating a container after it was placed in another one.
  EXPECT_EQ(pickle_kind("]q\x00h\x00\x85h\x00Na."s), "PickleStackError");
}

TEST(IoMalicious, StorageAndTensorBounds) {
  const std::string data(16, '\x01');  // 4 floats
  auto with = [&](const std::string& body) { return pickle_kind(body + ".", {{"data/0", data}}); };
  EXPECT_EQ(with(tensor("FloatStorage", "0", K4, K0, K4 + "\x85", K1 + "\x85")), "ok");
  EXPECT_EQ(with(tensor("FloatStorage", "0", K4, K1, K4 + "\x85", K1 + "\x85")),
            "TensorOutOfBounds");
  EXPECT_EQ(with(tensor("FloatStorage", "0", K4, K0, K2 + "\x85", K4 + "\x85")),
            "TensorOutOfBounds");
  EXPECT_EQ(with(tensor("FloatStorage", "0", K4, K0, K2 + "\x85", "J\xff\xff\xff\xff\x85")),
            "BadTensorGeometry");
  EXPECT_EQ(with(tensor("FloatStorage", "0", K4, "J\xff\xff\xff\xff", K1 + "\x85", K1 + "\x85")),
            "BadTensorGeometry");
  EXPECT_EQ(with(tensor("FloatStorage", "0", K4, K0, K2 + "\x85", K1 + K1 + "\x86")),
            "BadTensorGeometry");
  // Offsets and strides near 2^63 must not wrap around.
  const std::string big = "\x8a\x08\xff\xff\xff\xff\xff\xff\xff\x3f";
  EXPECT_EQ(with(tensor("FloatStorage", "0", K4, big, K2 + "\x85", K1 + "\x85")),
            "TensorOutOfBounds");
  EXPECT_EQ(with(tensor("FloatStorage", "0", K4, K0, K4 + "\x85", big + "\x85")),
            "TensorOutOfBounds");
  EXPECT_EQ(with(tensor("FloatStorage", "0", K4, K0, "(" + big + big + big + "t",
                        "(" + K0 + K0 + K0 + "t")),
            "BadTensorGeometry");
  // A zero-sized dimension needs no storage at all.
  EXPECT_EQ(with(tensor("FloatStorage", "0", K4, K0, big + K0 + "\x86", K1 + K1 + "\x86")), "ok");
  // numel x itemsize overflowing, or a record of the wrong size.
  EXPECT_EQ(with(tensor("DoubleStorage", "0", big, K0, K1 + "\x85", K1 + "\x85")),
            "RecordSizeMismatch");
  EXPECT_EQ(with(tensor("DoubleStorage", "0", K4, K0, K1 + "\x85", K1 + "\x85")),
            "RecordSizeMismatch");
  EXPECT_EQ(with(tensor("FloatStorage", "../../../etc/passwd", K4, K0, K1 + "\x85", K1 + "\x85")),
            "MissingRecord");
  EXPECT_EQ(with(tensor("FloatStorage", "0", "J\xff\xff\xff\xff", K0, K1 + "\x85", K1 + "\x85")),
            "BadPersistentId");
  EXPECT_EQ(with("(X\x07\x00\x00\x00storageK\x01tQ"s), "BadPersistentId");
  EXPECT_EQ(with("(X\x06\x00\x00\x00moduleN"s + str("0") + str("cpu") + K4 + "tQ"),
            "BadPersistentId");
  // Only empty hooks and metadata are accepted.
  std::string hooks = tensor("FloatStorage", "0", K4, K0, K4 + "\x85", K1 + "\x85");
  hooks.replace(hooks.rfind(")Rt"), 3, ")RK\x01K\x02stR");
  EXPECT_EQ(with(hooks.substr(0, hooks.size() - 1) + ""), "BadArgs");
}

TEST(IoMalicious, ContainerLies) {
  const std::string pkl = "\x80\x02N.";
  d::Bytes good = archive(pkl);
  ASSERT_EQ(kind_of(good), "ok");
  auto patched = [&](size_t at, const std::string& bytes) {
    std::string s(reinterpret_cast<const char*>(good.data), good.size);
    s.replace(at, bytes.size(), bytes);
    return d::copy_bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  };
  const std::string s(reinterpret_cast<const char*>(good.data), good.size);
  const size_t eocd = s.rfind("PK\x05\x06");
  const size_t cd = s.find("PK\x01\x02");
  EXPECT_EQ(kind_of(patched(eocd + 16, u32(0x7fffff00))), "ZipBadCentralDir");
  // A saturated count sends the reader to the ZIP64 record, which must then be intact.
  EXPECT_EQ(kind_of(patched(eocd + 10, "\xff\xff")), "ok");
  {
    std::string t = s;
    t.replace(eocd + 10, 2, "\xff\xff");
    t.replace(eocd - 20, 2, "XX");
    EXPECT_EQ(kind_of(d::copy_bytes(reinterpret_cast<const uint8_t*>(t.data()), t.size())),
              "ZipBadZip64");
    t.replace(eocd - 20, 2, "PK");
    t.replace(eocd - 20 + 8, 8, "\xf0\xff\xff\xff\xff\xff\xff\xff");  // ZIP64 record offset
    EXPECT_EQ(kind_of(d::copy_bytes(reinterpret_cast<const uint8_t*>(t.data()), t.size())),
              "ZipBadZip64");
  }
  EXPECT_EQ(kind_of(patched(cd + 42, u32(0x7fffff00))), "ZipBadLocalHeader");
  EXPECT_EQ(kind_of(patched(cd + 20, u32(0x7fffff00) + u32(0x7fffff00))), "ZipTruncated");
  EXPECT_EQ(kind_of(patched(cd + 20, u32(0xffffffff) + u32(0xffffffff))), "ZipBadZip64");
  EXPECT_EQ(kind_of(patched(cd + 10, "\x08\x00"s)), "UnsupportedCompression");
  EXPECT_EQ(kind_of(patched(cd + 8, "\x01\x00"s)), "ZipEncrypted");
  EXPECT_EQ(kind_of(patched(cd + 46, "X")), "ZipNameMismatch");
  EXPECT_EQ(kind_of(patched(0, "PK\x03\x05")), "NotZip");
  EXPECT_EQ(kind_of(d::copy_bytes(good.data, 20)), "ZipNoEOCD");
  EXPECT_EQ(kind_of(d::copy_bytes(good.data, good.size - 1)), "ZipNoEOCD");
  EXPECT_EQ(kind_of(archive(pkl, {{"data.pkl", "x"}})), "ZipDuplicateName");
  EXPECT_EQ(kind_of(archive(pkl, {{"constants.pkl", "x"}})), "TorchScriptArchive");
  EXPECT_EQ(kind_of(archive(pkl, {}, false)), "MissingRecord");
  EXPECT_EQ(kind_of(archive(pkl, {{".data/version", "11\n"}})), "BadVersion");
  EXPECT_EQ(kind_of(archive(pkl, {{".data/version", "abc"}})), "BadVersion");
  EXPECT_EQ(kind_of(archive(pkl, {{".data/version", " 0003\n"}})), "ok");
  EXPECT_EQ(kind_of(archive(pkl, {{".data/version", "99999999999999999999999"}})), "BadVersion");
  EXPECT_EQ(kind_of(archive(pkl, {{"byteorder", "middle"}})), "UnsupportedByteOrder");
  EXPECT_EQ(kind_of(d::copy_bytes(reinterpret_cast<const uint8_t*>(""), 0)), "NotZip");
}

TEST(IoMalicious, Zip64FieldsAreWrittenAndRead) {
  // Entries past 4 GiB get ZIP64 extra fields; a lowered threshold puts them on every entry.
  const std::string body = tensor("FloatStorage", "0", K1, K0, K1 + "\x85", K1 + "\x85") + ".";
  const std::string one = std::string("\x00\x00\x80\x3f", 4);
  d::Bytes b =
      archive(std::string("\x80\x02", 2) + body, {{"data/0", one}, {"empty", ""}}, true, 0);
  d::ZipArchive z = d::read_zip(b);
  ASSERT_EQ(z.records.size(), 4u);
  for (const auto& [name, rec] : z.records) EXPECT_EQ(rec.offset % 64, 0u) << name;
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(b.data + z.records.at("data/0").offset), 4),
            one);
  EXPECT_EQ(z.records.at("empty").size, 0u);
  EXPECT_EQ(kind_of(b), "ok");
  const std::string s(reinterpret_cast<const char*>(b.data), b.size);
  EXPECT_EQ(s.substr(s.find("PK\x01\x02") + 20, 8),
            std::string(8, '\xff'));  // sizes only in ZIP64 extra
  // Python's zipfile, an independent reader, agrees and verifies every CRC.
  if (std::system("python3 -c 'import zipfile' 2>/dev/null") == 0) {
    char tmpl[] = "/tmp/torchlite-zip64-XXXXXX";
    const int fd = ::mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, b.data, b.size), static_cast<ssize_t>(b.size));
    ::close(fd);
    const std::string py =
        "python3 -c \"import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); "
        "assert z.testzip() is None; assert z.read('archive/data/0')==b'\\x00\\x00\\x80?'\" ";
    EXPECT_EQ(std::system((py + tmpl).c_str()), 0);
    ::unlink(tmpl);
  }
}

TEST(IoMalicious, BigEndianArchivesAreSwapped) {
  // A torch.save from a big-endian host: byteorder "big", 1.0f stored as 3f 80 00 00.
  const std::string body = tensor("FloatStorage", "0", K1, K0, K1 + "\x85", K1 + "\x85") + ".";
  d::Bytes b = archive(std::string("\x80\x02", 2) + body,
                       {{"byteorder", "big"}, {"data/0", std::string("\x3f\x80\x00\x00", 4)}});
  tl::io::Object o = d::read_object(b, tl::CheckpointFormat::Torch);
  ASSERT_EQ(o.kind, tl::io::Object::Kind::Tensor);
  float v;
  std::memcpy(&v, o.tensor.impl()->storage->data.get(), 4);
  EXPECT_EQ(v, 1.0f);
}

std::string st_file(const std::string& header, const std::string& data = "") {
  std::string s(8, '\0');
  for (int k = 0; k < 8; ++k)
    s[k] = static_cast<char>(static_cast<uint64_t>(header.size()) >> (8 * k));
  return s + header + data;
}

std::string st_kind(const std::string& header, const std::string& data = "") {
  const std::string f = st_file(header, data);
  return kind_of(d::copy_bytes(reinterpret_cast<const uint8_t*>(f.data()), f.size()),
                 tl::CheckpointFormat::Safetensors);
}

TEST(IoMalicious, SafetensorsHeaders) {
  const std::string t = R"("t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]})";
  EXPECT_EQ(st_kind("{" + t + "}", "abcd"), "ok");
  EXPECT_EQ(st_kind(R"({"__metadata__":null,)" + t + "}", "abcd"), "ok");
  EXPECT_EQ(st_kind(R"({"__metadata__":{"a":"1","a":"2"}})"), "DuplicateKey");
  EXPECT_EQ(st_kind(R"({"__metadata__":{"a":["x"]}})"), "InvalidHeaderDeserialization");
  EXPECT_EQ(
      st_kind(R"({"t":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}})", "abcd"),
      "DuplicateKey");
  EXPECT_EQ(st_kind(R"({"t":{"dtype":"F32","shape":[01],"data_offsets":[0,4]}})", "abcd"),
            "InvalidHeaderDeserialization");
  EXPECT_EQ(st_kind(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4],}})", "abcd"),
            "InvalidHeaderDeserialization");
  EXPECT_EQ(st_kind(R"({"t\ud800":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", "abcd"),
            "InvalidHeaderDeserialization");
  EXPECT_EQ(
      st_kind(R"({"t\ud83d\ude00":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", "abcd"),
      "ok");
  EXPECT_EQ(st_kind(R"({"t":{"dtype":"F32","shape":[18446744073709551616],"data_offsets":[0,4]}})",
                    "abcd"),
            "InvalidHeaderDeserialization");
  EXPECT_EQ(st_kind(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":{"x":[1,2]}}})",
                    "abcd"),
            "ok");
  EXPECT_EQ(st_kind(R"({"t":{"dtype":7,"shape":[1],"data_offsets":[0,4]}})", "abcd"),
            "InvalidHeaderDeserialization");
  EXPECT_EQ(st_kind(R"({"t":[1]})", "abcd"), "InvalidHeaderDeserialization");
  EXPECT_EQ(st_kind("{\"t\":" + std::string(500, '[') + std::string(500, ']') + "}"),
            "InvalidHeaderDeserialization");
  EXPECT_EQ(st_kind("{\"a\x01\":1}"), "InvalidHeaderDeserialization");
  // Valid for the reference but not representable: a dimension beyond int64 with numel 0.
  EXPECT_EQ(
      st_kind(R"({"t":{"dtype":"F32","shape":[0,18446744073709551615],"data_offsets":[0,0]}})"),
      "ValidationOverflow");
  // Sub-byte and unknown-to-torchlite dtypes.
  EXPECT_EQ(st_kind(R"({"t":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}})", "ab"),
            "MisalignedSlice");
  EXPECT_EQ(st_kind(R"({"t":{"dtype":"F4","shape":[2],"data_offsets":[0,1]}})", "a"),
            "UnsupportedDtype");
  EXPECT_EQ(st_kind(R"({"t":{"dtype":"U16","shape":[2],"data_offsets":[0,4]}})", "abcd"),
            "UnsupportedDtype");
  const std::string huge = std::string("\xff\xff\xff\xff\xff\x00\x00\x00", 8) + "{}";
  EXPECT_EQ(kind_of(d::copy_bytes(reinterpret_cast<const uint8_t*>(huge.data()), huge.size()),
                    tl::CheckpointFormat::Safetensors),
            "HeaderTooLarge");
}

}  // namespace
