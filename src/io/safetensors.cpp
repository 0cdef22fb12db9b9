// safetensors: the validating reader (the reference's rules in its order, plus duplicate keys)
// and the writer that reproduces the reference serializer's bytes.
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "io/formats.h"
#include "io/json.h"

namespace torchlite::io::detail {

namespace {

constexpr uint64_t kMaxHeader = 100000000;

// The reference's Dtype enum order, which is increasing alignment.
constexpr const char* kStOrder[] = {
    "BOOL",    "F4",          "F6_E2M3",     "F6_E3M2", "U8",  "I8",  "F8_E5M2", "F8_E4M3",
    "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ", "I16",     "U16", "F16", "BF16",    "I32",
    "U32",     "F32",         "C64",         "F64",     "I64", "U64"};

int st_rank(Elem e) {
  const char* name = elem_info(e).st_name;
  for (int i = 0; i < static_cast<int>(std::size(kStOrder)); ++i)
    if (std::strcmp(kStOrder[i], name) == 0) return i;
  return -1;
}

void check_duplicates(const Json& v) {
  if (v.kind == Json::Kind::Object) {
    std::vector<std::string_view> keys;
    for (const auto& [k, m] : v.members) keys.push_back(k);
    std::sort(keys.begin(), keys.end());
    for (size_t i = 1; i < keys.size(); ++i)
      if (keys[i] == keys[i - 1])
        fail("DuplicateKey", "key '" + std::string(keys[i]) + "' appears twice in the header");
    for (const auto& [k, m] : v.members) check_duplicates(m);
  } else if (v.kind == Json::Kind::Array) {
    for (const Json& x : v.items) check_duplicates(x);
  }
}

struct Info {
  std::string name;
  Elem elem;
  std::vector<uint64_t> shape;
  uint64_t begin, end;
};

}  // namespace

SafetensorsFile read_safetensors(const Bytes& file) {
  const uint64_t size = file.size;
  if (size < 8) fail("HeaderTooSmall", "file is shorter than the 8-byte header length");
  const uint64_t n = le64(file.data);
  if (n > kMaxHeader)
    fail("HeaderTooLarge", "header length " + std::to_string(n) + " exceeds 100000000");
  if (8 + n > size)
    fail("InvalidHeaderLength",
         "header length " + std::to_string(n) + " runs past the end of the file");
  const uint8_t* h = file.data + 8;
  if (!valid_utf8(h, n)) fail("InvalidHeader", "header is not valid UTF-8");
  const char* bad = "InvalidHeaderDeserialization";
  Json hdr = parse_json(std::string_view(reinterpret_cast<const char*>(h), n), bad);
  check_duplicates(hdr);
  if (hdr.kind != Json::Kind::Object) fail(bad, "header is not a JSON object");

  SafetensorsFile out;
  out.header_len = n;
  std::vector<Info> infos;
  for (const auto& [name, ti] : hdr.members) {
    if (name == "__metadata__") {
      if (ti.kind == Json::Kind::Null) continue;
      if (ti.kind != Json::Kind::Object) fail(bad, "__metadata__ must map strings to strings");
      out.has_metadata = true;
      for (const auto& [k, v] : ti.members) {
        if (v.kind != Json::Kind::String) fail(bad, "__metadata__ must map strings to strings");
        out.metadata.emplace_back(k, v.text);
      }
      continue;
    }
    const Json* dt = ti.kind == Json::Kind::Object ? ti.find("dtype") : nullptr;
    const Json* shape = ti.kind == Json::Kind::Object ? ti.find("shape") : nullptr;
    const Json* offs = ti.kind == Json::Kind::Object ? ti.find("data_offsets") : nullptr;
    if (!dt || !shape || !offs) fail(bad, "'" + name + "' lacks dtype, shape or data_offsets");
    std::optional<Elem> elem =
        dt->kind == Json::Kind::String ? elem_from_st_name(dt->text) : std::nullopt;
    if (!elem) fail(bad, "'" + name + "' has an unknown dtype");
    Info info{name, *elem, {}, 0, 0};
    if (shape->kind != Json::Kind::Array) fail(bad, "'" + name + "': shape is not a list");
    for (const Json& d : shape->items) {
      if (d.kind != Json::Kind::Number || !d.is_uint)
        fail(bad, "'" + name + "': shape holds a non-integer");
      info.shape.push_back(d.u);
    }
    if (offs->kind != Json::Kind::Array || offs->items.size() != 2)
      fail(bad, "'" + name + "': data_offsets must be [begin, end]");
    for (const Json& d : offs->items)
      if (d.kind != Json::Kind::Number || !d.is_uint)
        fail(bad, "'" + name + "': data_offsets must be integers");
    info.begin = offs->items[0].u;
    info.end = offs->items[1].u;
    infos.push_back(std::move(info));
  }
  std::stable_sort(infos.begin(), infos.end(), [](const Info& a, const Info& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t start = 0;
  for (const Info& t : infos) {
    if (t.begin != start || t.end < t.begin) fail("InvalidOffset", "'" + t.name + "'");
    start = t.end;
    uint64_t numel = 1, nbits;
    for (uint64_t d : t.shape)
      if (!mul_u64(numel, d, &numel))
        fail("ValidationOverflow", "'" + t.name + "': numel overflows");
    if (!mul_u64(numel, elem_info(t.elem).bits, &nbits))
      fail("ValidationOverflow", "'" + t.name + "': size overflows");
    if (nbits % 8) fail("MisalignedSlice", "'" + t.name + "' does not fill whole bytes");
    if (t.end - t.begin != nbits / 8)
      fail("TensorInvalidInfo", "'" + t.name + "' has " + std::to_string(t.end - t.begin) +
                                    " bytes, its shape needs " + std::to_string(nbits / 8));
  }
  if (8 + n + start != size)
    fail("MetadataIncompleteBuffer", "tensor data is " + std::to_string(start) +
                                         " bytes, the file holds " + std::to_string(size - 8 - n));
  for (const Info& t : infos) {
    RawTensor r;
    auto s = std::make_shared<RawStorage>();
    s->key = t.name;
    s->elem = t.elem;
    s->nbytes = t.end - t.begin;
    s->data = file.data + 8 + n + t.begin;
    s->owner = file.owner;
    uint64_t numel = 1;
    for (uint64_t d : t.shape) {
      if (d > static_cast<uint64_t>(INT64_MAX))
        fail("ValidationOverflow", "'" + t.name + "': a dimension exceeds int64");
      r.sizes.push_back(static_cast<int64_t>(d));
      numel *= d;
    }
    s->numel = numel;
    r.strides.assign(r.sizes.size(), 1);
    int64_t stride = 1;
    for (size_t d = r.sizes.size(); d-- > 0;) {
      r.strides[d] = stride;
      if (!mul_i64(stride, std::max<int64_t>(r.sizes[d], 1), &stride))
        fail("ValidationOverflow", "'" + t.name + "': strides overflow");
    }
    r.storage = std::move(s);
    out.tensors.emplace_back(t.name, std::move(r));
  }
  return out;
}

void write_safetensors(std::FILE* out, std::vector<StTensor> tensors,
                       const std::vector<std::pair<std::string, std::string>>& metadata) {
  std::stable_sort(tensors.begin(), tensors.end(),
                   [](const StTensor& a, const StTensor& b) { return a.name < b.name; });
  std::stable_sort(tensors.begin(), tensors.end(), [](const StTensor& a, const StTensor& b) {
    return st_rank(a.elem) > st_rank(b.elem);
  });
  {
    std::vector<std::string_view> names;
    for (const StTensor& t : tensors) names.push_back(t.name);
    std::sort(names.begin(), names.end());
    for (size_t i = 1; i < names.size(); ++i)
      TL_CHECK(names[i] != names[i - 1], "torchlite.save: duplicate tensor name '", names[i], "'");
  }
  std::string h = "{";
  if (!metadata.empty()) {
    h += "\"__metadata__\":{";
    for (size_t i = 0; i < metadata.size(); ++i) {
      if (i) h += ',';
      append_json_string(h, metadata[i].first);
      h += ':';
      append_json_string(h, metadata[i].second);
    }
    h += '}';
  }
  uint64_t off = 0;
  for (const StTensor& t : tensors) {
    if (h.size() > 1) h += ',';
    append_json_string(h, t.name);
    h += ":{\"dtype\":\"";
    h += elem_info(t.elem).st_name;
    h += "\",\"shape\":[";
    for (size_t i = 0; i < t.sizes.size(); ++i) {
      if (i) h += ',';
      h += std::to_string(t.sizes[i]);
    }
    h += "],\"data_offsets\":[" + std::to_string(off) + "," + std::to_string(off + t.nbytes) + "]}";
    off += t.nbytes;
  }
  h += '}';
  h.append((8 - h.size() % 8) % 8, ' ');
  uint8_t len[8];
  for (int k = 0; k < 8; ++k)
    len[k] = static_cast<uint8_t>(static_cast<uint64_t>(h.size()) >> (8 * k));
  auto put = [&](const void* p, size_t n) {
    if (n && std::fwrite(p, 1, n, out) != n)
      throw Error(std::string("torchlite.save: write failed: ") + std::strerror(errno));
  };
  put(len, 8);
  put(h.data(), h.size());
  for (const StTensor& t : tensors) put(t.data, t.nbytes);
}

}  // namespace torchlite::io::detail
