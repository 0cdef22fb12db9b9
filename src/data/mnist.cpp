// IDX reader (zlib reads gzip and plain files alike) and the MNIST / Fashion-MNIST datasets.
#include "torchlite/data/mnist.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <new>

#include <unistd.h>

namespace torchlite::data {
namespace {

constexpr int64_t kImageSide = 28;

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

/// Reads up to `len` bytes; returns the count, throwing on a zlib error.
size_t read_some(gzFile f, void* dst, size_t len, const std::string& path) {
  size_t done = 0;
  auto* out = static_cast<unsigned char*>(dst);
  while (done < len) {
    const unsigned chunk = static_cast<unsigned>(std::min<size_t>(len - done, 1u << 30));
    const int got = gzread(f, out + done, chunk);
    if (got < 0) {
      int errnum = 0;
      const char* msg = gzerror(f, &errnum);
      throw Error(path + ": corrupt gzip data (zlib: " + (msg ? msg : "unknown error") + ")");
    }
    if (got == 0) break;
    done += static_cast<size_t>(got);
  }
  if (done < len) {  // a gzip stream cut short reports its error only here
    int errnum = 0;
    const char* msg = gzerror(f, &errnum);
    if (errnum != Z_OK && errnum != Z_STREAM_END)
      throw Error(path + ": truncated or corrupt gzip data (zlib: " + (msg ? msg : "") + ")");
  }
  return done;
}

std::string hex(uint32_t v, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%0*x", digits, v);
  return buf;
}

uint32_t big_endian(const unsigned char* b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

/// The first of root/<stem>[.gz], root/<name>/raw/<stem>[.gz] that exists.
std::string find_file(const std::string& root, const std::string& name, const std::string& stem) {
  namespace fs = std::filesystem;
  for (const fs::path& dir : {fs::path(root), fs::path(root) / name / "raw"}) {
    for (const char* ext : {"", ".gz"}) {
      const fs::path p = dir / (stem + ext);
      std::error_code ec;
      if (fs::is_regular_file(p, ec)) return p.string();
    }
  }
  throw Error(name + ": dataset not found: no " + stem + "[.gz] in " + root +
              " (install Debian's dataset-fashion-mnist, or pass --data DIR / set TORCHLITE_DATA)");
}

/// dst[j] = src[j] / 255 (ToTensor's true division), compiled for the widest vector unit found
/// at run time.
[[gnu::target_clones("avx512f", "avx2", "default")]] void to_unit_floats(const uint8_t* src, float* dst,
                                                                         int64_t n) {
  for (int64_t j = 0; j < n; ++j) dst[j] = static_cast<float>(src[j]) / 255.0f;
}

/// Where decompressed copies of .gz IDX files are kept: $TORCHLITE_CACHE, else
/// $XDG_CACHE_HOME/torchlite, else ~/.cache/torchlite; empty when none is set.
std::filesystem::path cache_dir() {
  if (const char* d = std::getenv("TORCHLITE_CACHE"); d && *d) return d;
  if (const char* d = std::getenv("XDG_CACHE_HOME"); d && *d) return std::filesystem::path(d) / "torchlite";
  if (const char* d = std::getenv("HOME"); d && *d) return std::filesystem::path(d) / ".cache" / "torchlite";
  return {};
}

/// Writes `t` as an uncompressed IDX file, atomically (temp file, then rename); best effort.
void write_idx(const Tensor& t, const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  const fs::path tmp = path.string() + ".tmp" + std::to_string(::getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return;
  unsigned char head[4] = {0, 0, 0x08, static_cast<unsigned char>(t.dim())};
  bool ok = std::fwrite(head, 1, 4, f) == 4;
  for (int64_t s : t.sizes()) {
    const auto v = static_cast<uint32_t>(s);
    unsigned char b[4] = {static_cast<unsigned char>(v >> 24), static_cast<unsigned char>(v >> 16),
                          static_cast<unsigned char>(v >> 8), static_cast<unsigned char>(v)};
    ok = ok && std::fwrite(b, 1, 4, f) == 4;
  }
  ok = ok && std::fwrite(t.raw_data(), 1, t.nbytes(), f) == t.nbytes();
  ok = std::fclose(f) == 0 && ok;
  if (ok) fs::rename(tmp, path, ec);
  if (!ok || ec) fs::remove(tmp, ec);
}

/// read_idx with a decompressed copy of gzipped files kept in the cache directory, keyed by the
/// file's name, size and modification time: later starts read plain bytes instead of inflating
/// 26 MB (most of `torchlite train`'s start-up).
Tensor read_idx_cached(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path dir = cache_dir();
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  const auto mtime = fs::last_write_time(path, ec);
  if (dir.empty() || ec || path.size() < 3 || path.compare(path.size() - 3, 3, ".gz") != 0)
    return read_idx(path);
  const fs::path stem = fs::path(path).stem();
  const fs::path cached = dir / (stem.string() + "-" + std::to_string(size) + "-" +
                                 std::to_string(static_cast<unsigned long long>(mtime.time_since_epoch().count())));
  if (fs::is_regular_file(cached, ec)) {
    try {
      return read_idx(cached.string());
    } catch (const Error&) {
      fs::remove(cached, ec);  // a damaged copy: fall back to the original
    }
  }
  Tensor t = read_idx(path);
  write_idx(t, cached);
  return t;
}

}  // namespace

Tensor read_idx(const std::string& path) {
  errno = 0;
  GzFile f(gzopen(path.c_str(), "rb"));
  if (!f) throw Error(path + ": cannot open file: " + std::strerror(errno ? errno : ENOENT));
  gzbuffer(f.get(), 1 << 20);
  unsigned char head[4];
  if (read_some(f.get(), head, 4, path) < 4)
    throw Error(path + ": truncated IDX file: no 4-byte magic number");
  const uint32_t magic = big_endian(head);
  if (head[0] != 0 || head[1] != 0 || head[3] == 0 || head[3] > 4)
    throw Error(path + ": bad IDX magic number " + hex(magic, 8) +
                " (expected 0x000008NN with NN the number of dimensions, e.g. 0x00000803)");
  if (head[2] != 0x08)
    throw Error(path + ": unsupported IDX element type " + hex(head[2], 2) +
                " (only unsigned bytes, 0x08, are supported)");
  const int ndim = head[3];
  std::array<unsigned char, 16> dims_raw{};
  if (read_some(f.get(), dims_raw.data(), 4 * static_cast<size_t>(ndim), path) <
      4 * static_cast<size_t>(ndim))
    throw Error(path + ": truncated IDX header: expected " + std::to_string(ndim) +
                " dimension sizes");
  Sizes sizes;
  uint64_t total = 1;
  for (int d = 0; d < ndim; ++d) {
    const uint32_t s = big_endian(dims_raw.data() + 4 * d);
    if (s > (1u << 31)) throw Error(path + ": bad IDX dimension size " + std::to_string(s));
    sizes.push_back(static_cast<int64_t>(s));
    constexpr uint64_t kMaxBytes = uint64_t{1} << 36;
    if (s != 0 && total > kMaxBytes / s)
      throw Error(path + ": bad IDX header: the dimensions describe more than 64 GiB of data");
    total *= s;
  }
  Tensor out;
  try {
    out = empty(sizes, kUInt8);
  } catch (const std::bad_alloc&) {
    throw Error(path + ": cannot allocate the " + std::to_string(total) +
                " bytes its IDX header describes");
  }
  const size_t got = read_some(f.get(), out.raw_data(), total, path);
  if (got < total)
    throw Error(path + ": truncated IDX data: the header promises " + std::to_string(total) +
                " bytes of data, the file has " + std::to_string(got));
  unsigned char extra[1];
  if (read_some(f.get(), extra, 1, path) != 0)
    throw Error(path + ": wrong IDX size: the file has more than the " + std::to_string(total) +
                " bytes of data its header describes");
  return out;
}

MNIST::MNIST(const std::string& root, bool train) : MNIST(root, train, "MNIST") {}

MNIST::MNIST(const std::string& root, bool train, const std::string& name) {
  const std::string prefix = train ? "train" : "t10k";
  const std::string images_path = find_file(root, name, prefix + "-images-idx3-ubyte");
  const std::string labels_path = find_file(root, name, prefix + "-labels-idx1-ubyte");
  data_ = read_idx_cached(images_path);
  TL_CHECK(data_.dim() == 3 && data_.size(1) == kImageSide && data_.size(2) == kImageSide,
           images_path, ": wrong size: expected images [N, 28, 28], got ", data_.sizes());
  const Tensor labels = read_idx_cached(labels_path);
  TL_CHECK(labels.dim() == 1, labels_path, ": wrong size: expected labels [N], got ",
           labels.sizes());
  TL_CHECK(labels.size(0) == data_.size(0), labels_path, ": wrong size: ", labels.size(0),
           " labels for the ", data_.size(0), " images of ", images_path);
  targets_ = empty({labels.size(0)}, kInt64);
  const uint8_t* l = labels.data_ptr<uint8_t>();
  int64_t* t = targets_.data_ptr<int64_t>();
  for (int64_t i = 0; i < labels.size(0); ++i) {
    TL_CHECK(l[i] < 10, labels_path, ": label ", int{l[i]}, " at index ", i,
             " is not a class (0 to 9)");
    t[i] = l[i];
  }
}

int64_t MNIST::size() const { return data_.size(0); }

Batch MNIST::get_batch(const std::vector<int64_t>& indices) const {
  // ToTensor(): uint8 -> float / 255 (a true division, as PyTorch), gathered and converted in
  // one vectorised pass.
  const int64_t n = size(), b = static_cast<int64_t>(indices.size());
  constexpr int64_t pixels = kImageSide * kImageSide;
  Tensor x = empty({b, 1, kImageSide, kImageSide}, kFloat32);
  Tensor y = empty({b}, kInt64);
  const uint8_t* src = data_.data_ptr<uint8_t>();
  const int64_t* tgt = targets_.data_ptr<int64_t>();
  float* xp = x.data_ptr<float>();
  int64_t* yp = y.data_ptr<int64_t>();
  for (const int64_t i : indices)
    TL_CHECK(i >= 0 && i < n, "index ", i, " is out of bounds for dataset of size ", n);
  for (int64_t k = 0; k < b; ++k) {
    // shuffled rows are scattered over the 47 MB of pixels: fetch the next row while converting
    if (k + 1 < b) {
      const uint8_t* next = src + indices[static_cast<size_t>(k + 1)] * pixels;
      for (int64_t off = 0; off < pixels; off += 64) __builtin_prefetch(next + off);
    }
    const uint8_t* row = src + indices[static_cast<size_t>(k)] * pixels;
    float* dst = xp + k * pixels;
    to_unit_floats(row, dst, pixels);
    yp[k] = tgt[indices[static_cast<size_t>(k)]];
  }
  return {x, y};
}

std::vector<std::string> MNIST::classes() const {
  return {"0 - zero", "1 - one", "2 - two",   "3 - three", "4 - four",
          "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"};
}

FashionMNIST::FashionMNIST(const std::string& root, bool train)
    : MNIST(root, train, "FashionMNIST") {}

std::vector<std::string> FashionMNIST::classes() const {
  return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
          "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
}

std::string FashionMNIST::default_root() {
  const char* env = std::getenv("TORCHLITE_DATA");
  return env && *env ? env : "/usr/share/datasets/fashion-mnist";
}

}  // namespace torchlite::data
