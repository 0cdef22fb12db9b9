// IDX reading and (Fashion)MNIST: valid plain/gzip files, and malformed files whose errors name
// the file and the problem.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "torchlite/data/dataloader.h"
#include "torchlite/data/mnist.h"

namespace tl = torchlite;
namespace data = torchlite::data;
namespace fs = std::filesystem;

namespace {

using Bytes = std::vector<unsigned char>;

Bytes idx(uint32_t magic, const std::vector<uint32_t>& dims, const Bytes& payload) {
  Bytes out;
  auto put = [&](uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<unsigned char>(v >> s));
  };
  put(magic);
  for (uint32_t d : dims) put(d);
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

void write_plain(const fs::path& p, const Bytes& b) {
  std::ofstream f(p, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

void write_gz(const fs::path& p, const Bytes& b) {
  gzFile f = gzopen(p.string().c_str(), "wb");
  gzwrite(f, b.data(), static_cast<unsigned>(b.size()));
  gzclose(f);
}

Bytes images_payload(uint32_t n) {
  Bytes b(static_cast<size_t>(n) * 784);
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<unsigned char>((i * 7) % 256);
  return b;
}

class Mnist : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("torchlite_mnist_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  /// A valid split of n examples; gz picks compressed files.
  void write_split(const std::string& prefix, uint32_t n, bool gz) {
    Bytes labels(n);
    for (uint32_t i = 0; i < n; ++i) labels[i] = static_cast<unsigned char>(i % 10);
    auto write = gz ? write_gz : write_plain;
    const std::string ext = gz ? ".gz" : "";
    write(dir_ / (prefix + "-images-idx3-ubyte" + ext), idx(0x803, {n, 28, 28}, images_payload(n)));
    write(dir_ / (prefix + "-labels-idx1-ubyte" + ext), idx(0x801, {n}, labels));
  }
  /// The message of the error reading `file` as IDX, or "" if none.
  std::string idx_error(const std::string& file) {
    try {
      data::read_idx((dir_ / file).string());
    } catch (const tl::Error& e) {
      return e.what();
    }
    return "";
  }
  fs::path dir_;
};

}  // namespace

TEST_F(Mnist, ReadsGzipAndPlainFiles) {
  write_split("train", 12, true);
  write_split("t10k", 5, false);
  data::FashionMNIST train(dir_.string(), true);
  data::FashionMNIST test(dir_.string(), false);
  EXPECT_EQ(train.data().sizes(), (tl::Sizes{12, 28, 28}));
  EXPECT_EQ(train.data().dtype(), tl::kUInt8);
  EXPECT_EQ(train.targets().dtype(), tl::kInt64);
  EXPECT_EQ(test.size(), 5);
  EXPECT_EQ(train.targets().data_ptr<int64_t>()[11], 1);
  EXPECT_EQ(train.data().data_ptr<uint8_t>()[784 * 3 + 5], (784 * 3 + 5) * 7 % 256);
  EXPECT_EQ(train.classes()[9], "Ankle boot");
  // batches are ToTensor()'d: float [B, 1, 28, 28] = byte / 255
  const auto [x, y] = train.get_batch({3, 0});
  EXPECT_EQ(x.sizes(), (tl::Sizes{2, 1, 28, 28}));
  EXPECT_EQ(x.data_ptr<float>()[5], static_cast<float>((784 * 3 + 5) * 7 % 256) / 255.0f);
  EXPECT_EQ(y.data_ptr<int64_t>()[0], 3);
  data::DataLoader loader(train, {.batch_size = 5});
  int64_t seen = 0;
  for (const auto& [bx, by] : loader) seen += by.numel();
  EXPECT_EQ(seen, 12);
}

TEST_F(Mnist, FindsTorchvisionsRawFolderAndTheEnvironmentDefault) {
  fs::create_directories(dir_ / "MNIST" / "raw");
  write_plain(dir_ / "MNIST" / "raw" / "train-images-idx3-ubyte",
              idx(0x803, {2, 28, 28}, images_payload(2)));
  write_plain(dir_ / "MNIST" / "raw" / "train-labels-idx1-ubyte", idx(0x801, {2}, {4, 2}));
  EXPECT_EQ(data::MNIST(dir_.string()).size(), 2);
  setenv("TORCHLITE_DATA", "/some/where", 1);
  EXPECT_EQ(data::FashionMNIST::default_root(), "/some/where");
  unsetenv("TORCHLITE_DATA");
  EXPECT_EQ(data::FashionMNIST::default_root(), "/usr/share/datasets/fashion-mnist");
}

TEST_F(Mnist, MissingDatasetSaysWhereItLooked) {
  try {
    data::FashionMNIST(dir_.string(), true);
    ADD_FAILURE() << "no error";
  } catch (const tl::Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("train-images-idx3-ubyte"), std::string::npos) << m;
    EXPECT_NE(m.find(dir_.string()), std::string::npos) << m;
  }
}

TEST_F(Mnist, MalformedFilesNameTheFileAndTheProblem) {
  write_plain(dir_ / "magic", idx(0x0805, {3}, {1, 2, 3}));
  write_plain(dir_ / "type", idx(0x0D01, {3}, {1, 2, 3}));
  write_plain(dir_ / "short", idx(0x0801, {10}, {1, 2, 3}));
  write_plain(dir_ / "long", idx(0x0801, {2}, {1, 2, 3}));
  write_plain(dir_ / "header", Bytes{0, 0, 8});
  write_plain(dir_ / "dims", Bytes{0, 0, 8, 3, 0, 0, 0, 2});
  write_plain(dir_ / "huge", idx(0x0804, {0x80000000u, 0x80000000u, 0x80000000u, 2}, {1}));
  Bytes gz_bytes;
  write_gz(dir_ / "full.gz", idx(0x803, {4, 28, 28}, images_payload(4)));
  {
    std::ifstream f(dir_ / "full.gz", std::ios::binary);
    gz_bytes.assign(std::istreambuf_iterator<char>(f), {});
  }
  write_plain(dir_ / "cut.gz", Bytes(gz_bytes.begin(), gz_bytes.begin() + gz_bytes.size() / 2));
  Bytes corrupt = gz_bytes;
  for (size_t i = 20; i < 60; ++i) corrupt[i] ^= 0x5a;
  write_plain(dir_ / "corrupt.gz", corrupt);

  auto expect = [&](const std::string& file, const std::string& problem) {
    const std::string m = idx_error(file);
    EXPECT_NE(m.find((dir_ / file).string()), std::string::npos) << file << ": " << m;
    EXPECT_NE(m.find(problem), std::string::npos) << file << ": " << m;
  };
  expect("magic", "bad IDX magic number 0x00000805");
  expect("type", "unsupported IDX element type 0x0d");
  expect("short", "truncated IDX data: the header promises 10 bytes of data, the file has 3");
  expect("long", "wrong IDX size");
  expect("header", "truncated IDX file");
  expect("dims", "truncated IDX header");
  expect("huge", "more than 64 GiB");
  expect("cut.gz", "gzip");
  expect("corrupt.gz", "gzip");
  expect("missing", "cannot open file");
  EXPECT_EQ(idx_error("full.gz"), "");
}

TEST_F(Mnist, InconsistentSplitsAreRejected) {
  write_split("train", 6, false);
  write_plain(dir_ / "train-labels-idx1-ubyte", idx(0x801, {5}, {1, 2, 3, 4, 5}));
  try {
    data::FashionMNIST(dir_.string(), true);
    ADD_FAILURE() << "no error";
  } catch (const tl::Error& e) {
    EXPECT_NE(std::string(e.what()).find("5 labels for the 6 images"), std::string::npos)
        << e.what();
  }
  write_plain(dir_ / "train-labels-idx1-ubyte", idx(0x801, {6}, {1, 2, 3, 4, 5, 12}));
  EXPECT_THROW(data::FashionMNIST(dir_.string(), true), tl::Error);
  write_plain(dir_ / "train-images-idx3-ubyte", idx(0x803, {1, 28, 27}, Bytes(28 * 27)));
  try {
    data::FashionMNIST(dir_.string(), true);
    ADD_FAILURE() << "no error";
  } catch (const tl::Error& e) {
    EXPECT_NE(std::string(e.what()).find("wrong size"), std::string::npos) << e.what();
  }
}

TEST_F(Mnist, GzippedFilesAreDecompressedOnceIntoTheCache) {
  write_split("train", 12, /*gz=*/true);
  const fs::path cache = dir_ / "cache";
  ::setenv("TORCHLITE_CACHE", cache.c_str(), 1);
  data::FashionMNIST first(dir_.string(), true);
  ASSERT_TRUE(fs::exists(cache));
  int copies = 0;
  for (const auto& entry : fs::directory_iterator(cache)) {
    ++copies;
    // A damaged copy is refused and replaced by a fresh one from the original.
    if (entry.path().filename().string().rfind("train-images", 0) == 0) fs::resize_file(entry.path(), 100);
  }
  EXPECT_EQ(copies, 2);
  data::FashionMNIST second(dir_.string(), true);
  data::FashionMNIST third(dir_.string(), true);
  ::unsetenv("TORCHLITE_CACHE");
  EXPECT_TRUE(first.data().equal(second.data()));
  EXPECT_TRUE(first.data().equal(third.data()));
  EXPECT_TRUE(first.targets().equal(third.targets()));
  for (const auto& entry : fs::directory_iterator(cache))
    if (entry.path().filename().string().rfind("train-images", 0) == 0)
      EXPECT_EQ(fs::file_size(entry.path()), 16u + 12u * 784u) << entry.path();
}
