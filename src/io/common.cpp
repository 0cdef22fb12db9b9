// Byte views, file reading (mmap for large files), UTF-8 validation, element tables and
// tensor bounds checks shared by the .pt and safetensors readers and writers.
#include "io/common.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace torchlite::io::detail {

void fail(const std::string& kind, const std::string& msg) {
  throw FormatError(kind, msg.empty() ? kind : kind + ": " + msg);
}

Bytes copy_bytes(const uint8_t* data, size_t size) {
  Bytes b;
  // Never a null owner, even for 0 bytes, so that views into it are valid pointers.
  b.owner =
      std::shared_ptr<uint8_t>(new uint8_t[size == 0 ? 1 : size], std::default_delete<uint8_t[]>());
  if (size) std::memcpy(b.owner.get(), data, size);
  b.data = b.owner.get();
  b.size = size;
  return b;
}

namespace {

// Closes a file descriptor on scope exit.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Bytes read_file(const std::string& path, size_t mmap_threshold) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  TL_CHECK(f.fd >= 0, "torchlite.load: cannot open '", path, "': ", std::strerror(errno));
  struct stat st {};
  TL_CHECK(::fstat(f.fd, &st) == 0, "torchlite.load: cannot stat '", path,
           "': ", std::strerror(errno));
  TL_CHECK(S_ISREG(st.st_mode), "torchlite.load: '", path, "' is not a regular file");
  const size_t size = static_cast<size_t>(st.st_size);
  Bytes b;
  if (size > 0 && size >= mmap_threshold) {
    // Private, writable mapping: tensors alias the file's pages without copying them, and
    // in-place writes to loaded tensors never reach the file.
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, f.fd, 0);
    TL_CHECK(p != MAP_FAILED, "torchlite.load: cannot map '", path, "': ", std::strerror(errno));
    b.owner = std::shared_ptr<uint8_t>(static_cast<uint8_t*>(p),
                                       [size](uint8_t* q) { ::munmap(q, size); });
    b.data = b.owner.get();
    b.size = size;
    return b;
  }
  b.owner =
      std::shared_ptr<uint8_t>(new uint8_t[size == 0 ? 1 : size], std::default_delete<uint8_t[]>());
  size_t got = 0;
  while (got < size) {
    ssize_t n = ::read(f.fd, b.owner.get() + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    TL_CHECK(n > 0, "torchlite.load: cannot read '", path,
             "': ", n == 0 ? "file shrank while reading" : std::strerror(errno));
    got += static_cast<size_t>(n);
  }
  b.data = b.owner.get();
  b.size = size;
  return b;
}

bool valid_utf8(const uint8_t* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (n - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

namespace {

constexpr std::array<ElemInfo, 23> kElems = {{
    {"float64", "DoubleStorage", "F64", 64, kFloat64},
    {"float32", "FloatStorage", "F32", 32, kFloat32},
    {"float16", "HalfStorage", "F16", 16, kFloat16},
    {"bfloat16", "BFloat16Storage", "BF16", 16, kBFloat16},
    {"int64", "LongStorage", "I64", 64, kInt64},
    {"int32", "IntStorage", "I32", 32, kInt32},
    {"int16", "ShortStorage", "I16", 16, kInt16},
    {"int8", "CharStorage", "I8", 8, kInt8},
    {"uint8", "ByteStorage", "U8", 8, kUInt8},
    {"bool", "BoolStorage", "BOOL", 8, kBool},
    {"complex64", "ComplexFloatStorage", "C64", 64, std::nullopt},
    {"complex128", "ComplexDoubleStorage", nullptr, 128, std::nullopt},
    {"uint16", nullptr, "U16", 16, std::nullopt},
    {"uint32", nullptr, "U32", 32, std::nullopt},
    {"uint64", nullptr, "U64", 64, std::nullopt},
    {"float8_e4m3fn", nullptr, "F8_E4M3", 8, std::nullopt},
    {"float8_e5m2", nullptr, "F8_E5M2", 8, std::nullopt},
    {"float8_e8m0fnu", nullptr, "F8_E8M0", 8, std::nullopt},
    {"float8_e4m3fnuz", nullptr, "F8_E4M3FNUZ", 8, std::nullopt},
    {"float8_e5m2fnuz", nullptr, "F8_E5M2FNUZ", 8, std::nullopt},
    {"float4_e2m1fn_x2", nullptr, "F4", 4, std::nullopt},
    {"F6_E2M3", nullptr, "F6_E2M3", 6, std::nullopt},
    {"F6_E3M2", nullptr, "F6_E3M2", 6, std::nullopt},
}};

}  // namespace

const ElemInfo& elem_info(Elem e) { return kElems[static_cast<size_t>(e)]; }

std::optional<Elem> elem_from_storage_class(std::string_view name) {
  for (size_t i = 0; i < kElems.size(); ++i)
    if (kElems[i].storage_class && name == kElems[i].storage_class) return static_cast<Elem>(i);
  return std::nullopt;
}

std::optional<Elem> elem_from_st_name(std::string_view name) {
  for (size_t i = 0; i < kElems.size(); ++i)
    if (kElems[i].st_name && name == kElems[i].st_name) return static_cast<Elem>(i);
  return std::nullopt;
}

Elem elem_from_dtype(Dtype d) {
  for (size_t i = 0; i < kElems.size(); ++i)
    if (kElems[i].dtype == d) return static_cast<Elem>(i);
  throw Error("torchlite.save: unsupported dtype " + dtype_name(d));
}

int64_t checked_numel(const std::vector<int64_t>& sizes) {
  int64_t n = 1;
  for (int64_t s : sizes)
    if (s == 0) return 0;
  for (int64_t s : sizes)
    if (s < 0 || !mul_i64(n, s, &n)) fail("BadTensorGeometry", "number of elements overflows");
  return n;
}

void check_tensor_bounds(const RawTensor& t) {
  auto geometry = [&] {
    std::string s = "size (";
    auto list = [&s](const std::vector<int64_t>& v) {
      for (size_t i = 0; i < v.size(); ++i) {
        if (i) s += ", ";
        s += std::to_string(v[i]);
      }
    };
    list(t.sizes);
    s += ") stride (";
    list(t.strides);
    return s + ") offset " + std::to_string(t.offset);
  };
  if (t.sizes.size() != t.strides.size() || t.offset < 0) fail("BadTensorGeometry", geometry());
  for (size_t i = 0; i < t.sizes.size(); ++i)
    if (t.sizes[i] < 0 || t.strides[i] < 0) fail("BadTensorGeometry", geometry());
  for (int64_t s : t.sizes)
    if (s == 0) return;  // no element is ever read
  int64_t last = t.offset;
  for (size_t i = 0; i < t.sizes.size(); ++i) {
    int64_t step;
    if (!mul_i64(t.sizes[i] - 1, t.strides[i], &step) || !add_i64(last, step, &last))
      fail("TensorOutOfBounds", geometry() + " overflows");
  }
  if (static_cast<uint64_t>(last) >= t.storage->numel)
    fail("TensorOutOfBounds", geometry() + " needs element " + std::to_string(last) +
                                  ", storage '" + t.storage->key + "' has " +
                                  std::to_string(t.storage->numel));
  checked_numel(t.sizes);  // in bounds but too many elements: only zero strides get here
}

std::vector<uint8_t> contiguous_bytes(const RawTensor& t) {
  const size_t isz = elem_size(t.storage->elem);
  const int64_t n = checked_numel(t.sizes);
  std::vector<uint8_t> out(static_cast<size_t>(n) * isz);
  if (n == 0) return out;
  const size_t nd = t.sizes.size();
  std::vector<int64_t> idx(nd, 0);
  int64_t pos = t.offset;
  for (int64_t k = 0; k < n; ++k) {
    std::memcpy(out.data() + static_cast<size_t>(k) * isz,
                t.storage->data + static_cast<size_t>(pos) * isz, isz);
    for (size_t d = nd; d-- > 0;) {
      if (++idx[d] < t.sizes[d]) {
        pos += t.strides[d];
        break;
      }
      pos -= (t.sizes[d] - 1) * t.strides[d];
      idx[d] = 0;
    }
  }
  return out;
}

}  // namespace torchlite::io::detail
