// ZIP container for torch.save archives: the validating reader and the torch-layout writer.
#include "io/zip.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <set>

namespace torchlite::io::detail {

namespace {

constexpr uint32_t kLocalSig = 0x04034B50;
constexpr uint32_t kCentralSig = 0x02014B50;
constexpr uint32_t kEndSig = 0x06054B50;
constexpr uint32_t kEnd64Sig = 0x06064B50;
constexpr uint32_t kLocator64Sig = 0x07064B50;
constexpr uint32_t kDescriptorSig = 0x08074B50;
constexpr uint32_t k32Max = 0xFFFFFFFFu;
constexpr uint64_t kAlign = 64;

// "PK\x03\x04" followed by the legacy pickle magic 0x1950a86a20f9469cfc6c, or a tar header.
void reject_non_zip(const Bytes& f) {
  static const uint8_t kLegacy[] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c,
                                    0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
  const char* advice = "re-save with a current torch (>= 1.6), or convert to safetensors";
  if (f.size >= sizeof(kLegacy) && std::memcmp(f.data, kLegacy, sizeof(kLegacy)) == 0)
    fail("LegacyFormat",
         std::string("legacy pre-1.6 torch.save format is not supported: ") + advice);
  if (f.size >= 262 && std::memcmp(f.data + 257, "ustar", 5) == 0)
    fail("LegacyFormat",
         std::string("legacy tar-based torch.save format is not supported: ") + advice);
  fail("NotZip", "not a torch.save zip archive (it does not start with PK\\x03\\x04)");
}

}  // namespace

ZipArchive read_zip(const Bytes& f) {
  const uint8_t* b = f.data;
  const uint64_t n = f.size;
  if (n < 4 || le32(b) != kLocalSig) reject_non_zip(f);
  if (n < 22) fail("ZipNoEOCD", "file too short for an end-of-central-directory record");
  // The EOCD is the last 22 bytes plus a comment of at most 65535 bytes.
  uint64_t e = n - 22;
  const uint64_t lowest = n - 22 > 0xFFFF ? n - 22 - 0xFFFF : 0;
  for (;; --e) {
    if (le32(b + e) == kEndSig) break;
    if (e == lowest) fail("ZipNoEOCD", "no end-of-central-directory record (truncated file?)");
  }
  uint64_t count = le16(b + e + 10);
  uint64_t cd_size = le32(b + e + 12);
  uint64_t cd_off = le32(b + e + 16);
  if (count == 0xFFFF || cd_size == k32Max || cd_off == k32Max) {
    if (e < 20 || le32(b + e - 20) != kLocator64Sig) fail("ZipBadZip64", "missing ZIP64 locator");
    uint64_t z64 = le64(b + e - 20 + 8);
    uint64_t z64_end;
    if (!add_u64(z64, 56, &z64_end) || z64_end > n || le32(b + z64) != kEnd64Sig)
      fail("ZipBadZip64", "bad ZIP64 end-of-central-directory record");
    count = le64(b + z64 + 32);
    cd_size = le64(b + z64 + 40);
    cd_off = le64(b + z64 + 48);
  }
  uint64_t cd_end;
  if (!add_u64(cd_off, cd_size, &cd_end) || cd_end > n)
    fail("ZipBadCentralDir", "central directory lies outside the file");
  if (count > cd_size / 46)
    fail("ZipBadCentralDir", "more entries than the central directory holds");

  ZipArchive z;
  std::vector<std::pair<std::string, ZipRecord>> entries;
  std::set<std::string> seen;
  uint64_t p = cd_off;
  for (uint64_t i = 0; i < count; ++i) {
    if (cd_end - p < 46 || le32(b + p) != kCentralSig)
      fail("ZipBadCentralDir", "bad central directory entry " + std::to_string(i));
    const uint8_t* c = b + p;
    const uint16_t flags = le16(c + 8), method = le16(c + 10);
    uint64_t csize = le32(c + 20), usize = le32(c + 24);
    const uint64_t name_len = le16(c + 28), extra_len = le16(c + 30), comment_len = le16(c + 32);
    uint64_t lh = le32(c + 42);
    if (cd_end - p - 46 < name_len + extra_len + comment_len)
      fail("ZipBadCentralDir", "central directory entry " + std::to_string(i) + " overruns it");
    std::string name(reinterpret_cast<const char*>(c + 46), name_len);
    if (!valid_utf8(c + 46, name_len)) fail("ZipBadName", "record name is not UTF-8");
    if (usize == k32Max || csize == k32Max || lh == k32Max) {
      // ZIP64 extended information: usize, csize, offset, each only if saturated above.
      const uint8_t* x = c + 46 + name_len;
      bool found = false;
      for (uint64_t q = 0; q + 4 <= extra_len;) {
        const uint16_t id = le16(x + q), len = le16(x + q + 2);
        if (q + 4 + len > extra_len) break;
        if (id == 1) {
          uint64_t r = q + 4, end = q + 4 + len;
          auto next = [&](uint64_t* v) {
            if (end - r < 8) fail("ZipBadZip64", "short ZIP64 extra field in '" + name + "'");
            *v = le64(x + r);
            r += 8;
          };
          if (usize == k32Max) next(&usize);
          if (csize == k32Max) next(&csize);
          if (lh == k32Max) next(&lh);
          found = true;
          break;
        }
        q += 4 + len;
      }
      if (!found) fail("ZipBadZip64", "missing ZIP64 extra field in '" + name + "'");
    }
    if (flags & 1) fail("ZipEncrypted", "record '" + name + "' is encrypted");
    if (method != 0)
      fail("UnsupportedCompression", "record '" + name + "' uses compression method " +
                                         std::to_string(method) + "; only stored records are read");
    if (csize != usize) fail("ZipBadCentralDir", "stored record '" + name + "' changes size");
    uint64_t lh_end;
    if (!add_u64(lh, 30, &lh_end) || lh_end > n || le32(b + lh) != kLocalSig)
      fail("ZipBadLocalHeader", "bad local header for '" + name + "'");
    const uint64_t lname = le16(b + lh + 26), lextra = le16(b + lh + 28);
    if (lname != name_len || n - lh_end < lname || std::memcmp(b + lh_end, c + 46, name_len) != 0)
      fail("ZipNameMismatch", "local and central names differ for '" + name + "'");
    const uint64_t data_off = lh_end + lname + lextra;
    uint64_t data_end;
    if (!add_u64(data_off, usize, &data_end) || data_end > n)
      fail("ZipTruncated", "record '" + name + "' extends past the end of the file");
    if (!seen.insert(name).second) fail("ZipDuplicateName", "record '" + name + "' appears twice");
    entries.push_back({name, ZipRecord{data_off, usize}});
    p += 46 + name_len + extra_len + comment_len;
  }
  if (entries.empty()) fail("ZipEmpty", "the archive has no records");
  const std::string& first = entries.front().first;
  const size_t slash = first.find('/');
  if (slash == std::string::npos || slash == 0)
    fail("NotInSubdirectory", "file in archive is not in a subdirectory: '" + first + "'");
  const std::string prefix = first.substr(0, slash + 1);
  z.archive_name = first.substr(0, slash);
  for (auto& [name, rec] : entries) {
    if (name.compare(0, prefix.size(), prefix) != 0)
      fail("NotInSubdirectory", "record '" + name + "' is outside '" + prefix + "'");
    std::string key = name.substr(prefix.size());
    z.order.push_back(key);
    z.records.emplace(std::move(key), rec);
  }
  return z;
}

ZipWriter::ZipWriter(std::FILE* out, std::string archive_name, uint64_t zip64_from)
    : out_(out), archive_(std::move(archive_name)), zip64_from_(zip64_from) {}

void ZipWriter::put(const void* data, size_t n) {
  if (n && std::fwrite(data, 1, n, out_) != n)
    throw Error(std::string("torchlite.save: write failed: ") + std::strerror(errno));
  cursor_ += n;
}
void ZipWriter::put16(uint16_t v) {
  uint8_t x[2] = {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8)};
  put(x, 2);
}
void ZipWriter::put32(uint32_t v) {
  put16(static_cast<uint16_t>(v));
  put16(static_cast<uint16_t>(v >> 16));
}
void ZipWriter::put64(uint64_t v) {
  put32(static_cast<uint32_t>(v));
  put32(static_cast<uint32_t>(v >> 32));
}

void ZipWriter::add(const std::string& name, const void* data, uint64_t size) {
  const std::string full = archive_ + "/" + name;
  const bool big_size = size >= zip64_from_, big_off = cursor_ >= zip64_from_;
  const uint64_t z64_len = (big_size ? 16 : 0) + (big_off ? 8 : 0);
  // Pad the "FB" extra field so that the data starts at a multiple of 64 (torch's getPadding).
  uint64_t start = cursor_ + 30 + full.size() + 4 + (z64_len ? 4 + z64_len : 0);
  const uint64_t pad = (kAlign - start % kAlign) % kAlign;
  const uint16_t flags = size ? 0x0808 : 0x0800;
  uint32_t crc = static_cast<uint32_t>(crc32(0L, Z_NULL, 0));
  const auto* bytes = static_cast<const uint8_t*>(data);
  for (uint64_t done = 0; done < size;) {
    const uInt chunk = static_cast<uInt>(std::min<uint64_t>(size - done, 1u << 30));
    crc = static_cast<uint32_t>(crc32(crc, bytes + done, chunk));
    done += chunk;
  }
  const uint64_t header = cursor_;
  put32(kLocalSig);
  put16(0);
  put16(flags);
  put16(0);  // stored
  put16(0);
  put16(0);
  put32(0);  // crc and sizes follow in the data descriptor
  put32(big_size ? k32Max : 0);
  put32(big_size ? k32Max : 0);
  put16(static_cast<uint16_t>(full.size()));
  put16(static_cast<uint16_t>((z64_len ? 4 + z64_len : 0) + 4 + pad));
  put(full.data(), full.size());
  if (z64_len) {
    put16(1);
    put16(static_cast<uint16_t>(z64_len));
    if (big_size) {
      put64(0);
      put64(0);
    }
    if (big_off) put64(header);
  }
  put("FB", 2);
  put16(static_cast<uint16_t>(pad));
  const std::string zs(pad, 'Z');
  put(zs.data(), zs.size());
  put(data, size);
  if (size) {
    put32(kDescriptorSig);
    put32(crc);
    if (big_size || big_off) {
      put64(size);
      put64(size);
    } else {
      put32(static_cast<uint32_t>(size));
      put32(static_cast<uint32_t>(size));
    }
  }
  entries_.push_back({full, flags, crc, size, header});
}

void ZipWriter::finish() {
  const uint64_t cd_off = cursor_;
  for (const Entry& e : entries_) {
    const bool big_size = e.size >= zip64_from_, big_off = e.header_offset >= zip64_from_;
    const uint16_t z64_len = static_cast<uint16_t>((big_size ? 16 : 0) + (big_off ? 8 : 0));
    put32(kCentralSig);
    put16(0);
    put16(0);
    put16(e.flags);
    put16(0);
    put16(0);
    put16(0);
    put32(e.crc);
    put32(big_size ? k32Max : static_cast<uint32_t>(e.size));
    put32(big_size ? k32Max : static_cast<uint32_t>(e.size));
    put16(static_cast<uint16_t>(e.name.size()));
    put16(z64_len ? static_cast<uint16_t>(4 + z64_len) : 0);
    put16(0);
    put16(0);
    put16(0);
    put32(0);
    put32(big_off ? k32Max : static_cast<uint32_t>(e.header_offset));
    put(e.name.data(), e.name.size());
    if (z64_len) {
      put16(1);
      put16(z64_len);
      if (big_size) {
        put64(e.size);
        put64(e.size);
      }
      if (big_off) put64(e.header_offset);
    }
  }
  const uint64_t cd_size = cursor_ - cd_off, z64 = cursor_, n = entries_.size();
  put32(kEnd64Sig);
  put64(44);
  put16(0x031E);
  put16(45);
  put32(0);
  put32(0);
  put64(n);
  put64(n);
  put64(cd_size);
  put64(cd_off);
  put32(kLocator64Sig);
  put32(0);
  put64(z64);
  put32(1);
  put32(kEndSig);
  put16(0);
  put16(0);
  put16(static_cast<uint16_t>(std::min<uint64_t>(n, 0xFFFF)));
  put16(static_cast<uint16_t>(std::min<uint64_t>(n, 0xFFFF)));
  put32(static_cast<uint32_t>(std::min<uint64_t>(cd_size, k32Max)));
  put32(static_cast<uint32_t>(std::min<uint64_t>(cd_off, k32Max)));
  put16(0);
}

}  // namespace torchlite::io::detail
