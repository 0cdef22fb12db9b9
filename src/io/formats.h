// The two checkpoint formats at the level of raw records: torch.save zip archives and
// safetensors files, read into validated RawTensors and written from contiguous bytes.
#pragma once

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "io/common.h"
#include "io/pickle.h"
#include "torchlite/io/serialize.h"

namespace torchlite::io::detail {

/// Reads a torch.save archive (torch >= 1.6) into the pickled object; never runs anything.
Value read_pt(const Bytes& file);

/// A tensor to write to a .pt file: its view of a storage written once under `key`.
struct PtStorage {
  std::string key;
  Elem elem;
  const uint8_t* data;
  uint64_t nbytes;
};

/// Writes a torch.save archive: data.pkl (`pickle`), the storages, and torch 2.x's extra
/// records, laid out as torch >= 2.7 does.
void write_pt(std::FILE* out, const std::string& pickle, const std::vector<PtStorage>& storages);

/// A validated safetensors file: metadata and tensors in file (offset) order.
struct SafetensorsFile {
  bool has_metadata = false;
  std::vector<std::pair<std::string, std::string>> metadata;
  std::vector<std::pair<std::string, RawTensor>> tensors;
  uint64_t header_len = 0;
};

/// Validates like the reference's SafeTensors::read_metadata, plus duplicate keys.
SafetensorsFile read_safetensors(const Bytes& file);

/// One tensor to write to safetensors: `nbytes` little-endian, row-major bytes at `data`, which
/// the caller keeps alive (a contiguous tensor's own storage, or a copy of a strided one).
struct StTensor {
  std::string name;
  Elem elem;
  std::vector<int64_t> sizes;
  const uint8_t* data;
  uint64_t nbytes;
};

/// Writes tensors as the reference serializer does: descending alignment then name, compact
/// JSON with `{"format":"pt"}` first, header padded with spaces to a multiple of 8.
void write_safetensors(std::FILE* out, std::vector<StTensor> tensors,
                       const std::vector<std::pair<std::string, std::string>>& metadata);

/// Reads checkpoint bytes in `format` (Torch or Safetensors) as load_object does.
Object read_object(const Bytes& file, CheckpointFormat format);

}  // namespace torchlite::io::detail
