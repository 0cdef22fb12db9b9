// The ZIP container of torch.save files: a validating reader of stored entries and a writer
// that lays records out exactly as PyTorchStreamWriter (miniz) does (serialization.md 1.2).
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "io/common.h"

namespace torchlite::io::detail {

/// A record's place in the file.
struct ZipRecord {
  uint64_t offset = 0;
  uint64_t size = 0;
};

/// The records of a torch.save archive, keyed by name without the `<archive>/` prefix.
struct ZipArchive {
  std::string archive_name;
  std::map<std::string, ZipRecord> records;
  std::vector<std::string> order;  // central-directory order
};

/// Parses the central directory of `file`. Every offset and size is checked against the file;
/// throws FormatError (NotZip, LegacyFormat, ZipNoEOCD, ZipBadCentralDir, ZipBadLocalHeader,
/// ZipNameMismatch, ZipTruncated, ZipDuplicateName, UnsupportedCompression, NotInSubdirectory ...).
ZipArchive read_zip(const Bytes& file);

/// Streams stored records to `out` with torch's 64-byte data alignment, data descriptors,
/// ZIP64 end records and, for entries past 4 GiB, ZIP64 extra fields.
class ZipWriter {
 public:
  /// Entries of at least `zip64_from` bytes, or starting that far into the file, get ZIP64
  /// fields (torch's rule is 0xFFFFFFFF; tests lower it).
  ZipWriter(std::FILE* out, std::string archive_name, uint64_t zip64_from = 0xFFFFFFFFu);
  /// Appends `<archive>/<name>` holding `size` bytes at `data`.
  void add(const std::string& name, const void* data, uint64_t size);
  /// Writes the central directory and end records.
  void finish();

 private:
  struct Entry {
    std::string name;
    uint16_t flags;
    uint32_t crc;
    uint64_t size;
    uint64_t header_offset;
  };
  void put(const void* data, size_t n);
  void put16(uint16_t v);
  void put32(uint32_t v);
  void put64(uint64_t v);

  std::FILE* out_;
  std::string archive_;
  uint64_t zip64_from_;
  uint64_t cursor_ = 0;
  std::vector<Entry> entries_;
};

}  // namespace torchlite::io::detail
