// Internals shared by the checkpoint readers and writers: byte views, checked arithmetic,
// element types of both formats, and the raw (not yet torchlite) tensor records they produce.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "torchlite/dtype.h"
#include "torchlite/io/errors.h"

namespace torchlite::io::detail {

/// Throws FormatError(kind, "<kind>: <msg>").
[[noreturn]] void fail(const std::string& kind, const std::string& msg);

/// A read-only view of bytes plus whatever keeps them alive (a heap buffer or a mapping).
/// The owner's memory is writable (MAP_PRIVATE), so tensors may alias it.
struct Bytes {
  std::shared_ptr<uint8_t> owner;
  const uint8_t* data = nullptr;
  size_t size = 0;
};

/// Copies `size` bytes into a fresh owned buffer.
Bytes copy_bytes(const uint8_t* data, size_t size);
/// Reads a whole file; files of at least `mmap_threshold` bytes are memory-mapped instead.
Bytes read_file(const std::string& path, size_t mmap_threshold);

// ---- overflow-checked arithmetic (false on overflow) ----
inline bool add_u64(uint64_t a, uint64_t b, uint64_t* out) {
  return !__builtin_add_overflow(a, b, out);
}
inline bool mul_u64(uint64_t a, uint64_t b, uint64_t* out) {
  return !__builtin_mul_overflow(a, b, out);
}
inline bool add_i64(int64_t a, int64_t b, int64_t* out) {
  return !__builtin_add_overflow(a, b, out);
}
inline bool mul_i64(int64_t a, int64_t b, int64_t* out) {
  return !__builtin_mul_overflow(a, b, out);
}

// ---- little-endian loads ----
inline uint16_t le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
inline uint32_t le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
inline uint64_t le64(const uint8_t* p) {
  return static_cast<uint64_t>(le32(p)) | (static_cast<uint64_t>(le32(p + 4)) << 32);
}

/// True when [data, data+size) is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF).
bool valid_utf8(const uint8_t* data, size_t size);

/// Element types that either format can name; only some map to a torchlite Dtype.
enum class Elem : uint8_t {
  F64,
  F32,
  F16,
  BF16,
  I64,
  I32,
  I16,
  I8,
  U8,
  Bool,
  C64,
  C128,
  U16,
  U32,
  U64,
  F8_E4M3,
  F8_E5M2,
  F8_E8M0,
  F8_E4M3FNUZ,
  F8_E5M2FNUZ,
  F4,
  F6_E2M3,
  F6_E3M2
};

struct ElemInfo {
  const char* torch_name;     // "float32", or the safetensors name when torch 1.13 has none
  const char* storage_class;  // "FloatStorage", or nullptr
  const char* st_name;        // "F32", or nullptr
  uint32_t bits;
  std::optional<Dtype> dtype;  // the torchlite dtype, if any
};

const ElemInfo& elem_info(Elem e);
std::optional<Elem> elem_from_storage_class(std::string_view name);
std::optional<Elem> elem_from_st_name(std::string_view name);
Elem elem_from_dtype(Dtype d);
/// Bytes per element (bits / 8, rounded up).
inline uint64_t elem_size(Elem e) { return (elem_info(e).bits + 7) / 8; }

/// One storage record of a checkpoint: `numel` elements at `data`, owned by `owner`.
struct RawStorage {
  std::string key;
  Elem elem = Elem::F32;
  uint64_t numel = 0;
  const uint8_t* data = nullptr;
  uint64_t nbytes = 0;
  std::shared_ptr<uint8_t> owner;
};

/// A tensor as a file describes it: a validated strided view of a RawStorage.
struct RawTensor {
  std::shared_ptr<RawStorage> storage;
  int64_t offset = 0;
  std::vector<int64_t> sizes, strides;
  bool requires_grad = false;
  bool is_parameter = false;
};

/// Checks geometry against the storage (sizes/strides >= 0, last element inside), with
/// overflow-checked arithmetic; throws BadTensorGeometry / TensorOutOfBounds.
void check_tensor_bounds(const RawTensor& t);

/// Number of elements of `sizes` (throws BadTensorGeometry on overflow).
int64_t checked_numel(const std::vector<int64_t>& sizes);

/// Row-major copy of the tensor's elements, little-endian.
std::vector<uint8_t> contiguous_bytes(const RawTensor& t);

}  // namespace torchlite::io::detail
