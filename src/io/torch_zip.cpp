// torch.save archives: checks the records torch requires, runs data.pkl through the
// allowlisted interpreter with bounds-checked storages, and writes torch 2.x-layout archives.
#include <cerrno>
#include <cstring>

#include "io/formats.h"
#include "io/zip.h"

namespace torchlite::io::detail {

namespace {

std::string record_text(const Bytes& f, const ZipRecord& r) {
  return std::string(reinterpret_cast<const char*>(f.data + r.offset), r.size);
}

}  // namespace

Value read_pt(const Bytes& file) {
  ZipArchive z = read_zip(file);
  if (z.records.count("constants.pkl"))
    fail("TorchScriptArchive",
         "this is a TorchScript archive (torch.jit.save); save the "
         "state_dict() with torch.save instead");
  auto pkl = z.records.find("data.pkl");
  if (pkl == z.records.end()) fail("MissingRecord", "record 'data.pkl' is missing");
  auto ver = z.records.find(".data/version");
  if (ver == z.records.end()) ver = z.records.find("version");
  if (ver == z.records.end()) fail("MissingRecord", "record 'version' is missing");
  {
    // Like Python's int(text.strip()): optional surrounding whitespace, decimal digits.
    if (ver->second.size > 64) fail("BadVersion", "the version record is too long");
    std::string v = record_text(file, ver->second);
    const size_t first = v.find_first_not_of(" \t\r\n"), last = v.find_last_not_of(" \t\r\n");
    const std::string digits = first == std::string::npos ? "" : v.substr(first, last - first + 1);
    uint64_t n = 0;
    bool ok = !digits.empty();
    for (char ch : digits)
      ok = ok && ch >= '0' && ch <= '9' && mul_u64(n, 10, &n) &&
           add_u64(n, static_cast<uint64_t>(ch - '0'), &n);
    if (!ok || n < 1 || n > 10)
      fail("BadVersion", "unsupported archive version '" + v.substr(0, 16) + "'");
  }
  bool swap = false;
  if (auto bo = z.records.find("byteorder"); bo != z.records.end()) {
    const std::string order = bo->second.size <= 16 ? record_text(file, bo->second) : "(long)";
    if (order == "big")
      swap = true;
    else if (order != "little")
      fail("UnsupportedByteOrder", "byteorder record says '" + order.substr(0, 16) + "'");
  }
  StorageLoader load = [&](const std::string& key, Elem elem, uint64_t numel) {
    auto rec = z.records.find("data/" + key);
    if (rec == z.records.end()) fail("MissingRecord", "record 'data/" + key + "' is missing");
    uint64_t want;
    if (!mul_u64(numel, elem_size(elem), &want) || want != rec->second.size)
      fail("RecordSizeMismatch", "record 'data/" + key + "' has " +
                                     std::to_string(rec->second.size) + " bytes, the pickle says " +
                                     std::to_string(numel) + " x " + elem_info(elem).torch_name);
    auto s = std::make_shared<RawStorage>();
    s->key = key;
    s->elem = elem;
    s->numel = numel;
    s->nbytes = want;
    if (swap && elem_size(elem) > 1) {
      // Complex numbers swap each half; every other type swaps the whole element.
      const size_t unit =
          (elem == Elem::C64 || elem == Elem::C128) ? elem_size(elem) / 2 : elem_size(elem);
      Bytes copy = copy_bytes(file.data + rec->second.offset, want);
      for (size_t i = 0; i + unit <= want; i += unit)
        std::reverse(copy.owner.get() + i, copy.owner.get() + i + unit);
      s->owner = copy.owner;
      s->data = copy.data;
    } else {
      s->owner = file.owner;
      s->data = file.data + rec->second.offset;
    }
    return s;
  };
  return unpickle(file.data + pkl->second.offset, pkl->second.size, load);
}

void write_pt(std::FILE* out, const std::string& pickle, const std::vector<PtStorage>& storages) {
  ZipWriter w(out, "archive");
  w.add("data.pkl", pickle.data(), pickle.size());
  w.add(".format_version", "1", 1);
  w.add(".storage_alignment", "64", 2);
  w.add("byteorder", "little", 6);
  for (const PtStorage& s : storages) w.add("data/" + s.key, s.data, s.nbytes);
  w.add("version", "3\n", 2);
  // Only logged by torch: 40 decimal digits derived from the pickle, like torch's id.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char ch : pickle) h = (h ^ ch) * 1099511628211ull;
  std::string id;
  for (int i = 0; i < 40; ++i) {
    id += static_cast<char>('0' + h % 10);
    h = h * 6364136223846793005ull + 1442695040888963407ull;
  }
  w.add(".data/serialization_id", id.data(), id.size());
  w.finish();
}

}  // namespace torchlite::io::detail
