// read_image and the ImageNet transforms against Pillow 9.4 / torchvision 0.14
// (tests/fixtures/predict/, written by tools/gen_predict_fixtures.py): decoded, resized and
// cropped uint8 pixels equal, the normalised float32 tensor bit for bit, broken files rejected.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "torchlite/data/image.h"
#include "torchlite/data/transforms.h"
#include "torchlite/error.h"

namespace tl = torchlite;
namespace tf = torchlite::data::transforms;
using nlohmann::json;

namespace {

const std::string kDir = std::string(TORCHLITE_FIXTURES) + "/predict";

const json& fixture() {
  static const json j = [] {
    std::ifstream f(kDir + "/expected.json");
    return json::parse(f);
  }();
  return j;
}

std::string fnv1a(const void* data, size_t n) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ static_cast<const uint8_t*>(data)[i]) * 0x100000001B3ull;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// Shape, hash, and (for a readable failure) the recorded rows of a uint8 [H, W, 3] stage.
void expect_stage(const tl::Tensor& img, const json& want, const std::string& what) {
  std::vector<int64_t> shape(img.sizes().begin(), img.sizes().end());
  ASSERT_EQ(shape, want["shape"].get<std::vector<int64_t>>()) << what;
  const tl::Tensor c = img.contiguous();
  const uint8_t* p = c.data_ptr<uint8_t>();
  const int64_t row = shape[1] * shape[2];
  for (const auto& [y, values] : want["rows"].items()) {
    const auto v = values.get<std::vector<int>>();
    std::vector<int> got(p + std::stoll(y) * row, p + std::stoll(y) * row + v.size());
    EXPECT_EQ(got, v) << what << " row " << y;
  }
  EXPECT_EQ(fnv1a(p, static_cast<size_t>(c.numel())), want["fnv"].get<std::string>()) << what;
}

std::vector<uint8_t> from_hex(const std::string& hex) {
  std::vector<uint8_t> out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) out[i] = std::stoi(hex.substr(2 * i, 2), nullptr, 16);
  return out;
}

TEST(Image, EveryModeDecodesResizesAndCropsAsTorchvision) {
  for (const auto& [name, want] : fixture()["images"].items()) {
    SCOPED_TRACE(name);
    const tl::Tensor img = tl::data::read_image(kDir + "/images/" + name);
    expect_stage(img, want["decoded"], name + " decoded");
    const tl::Tensor resized = tf::resize(img, 256);
    expect_stage(resized, want["resized"], name + " Resize(256)");
    const tl::Tensor cropped = tf::center_crop(resized, 224);
    expect_stage(cropped, want["cropped"], name + " CenterCrop(224)");
    const tl::Tensor t = tf::imagenet_eval(img);
    ASSERT_EQ(t.sizes(), tl::Sizes({3, 224, 224}));
    // ToTensor and Normalize are single float32 operations: the bits equal torch's.
    EXPECT_EQ(fnv1a(t.data_ptr<float>(), 4 * 3 * 224 * 224), want["normalized"]["fnv"]) << name;
    const auto row = want["normalized"]["row100"].get<std::vector<std::string>>();
    for (int64_t c = 0, i = 0; c < 3; ++c)
      for (int64_t x = 0; x < 40; ++x, ++i) {
        uint32_t bits;
        const float v = t.data_ptr<float>()[(c * 224 + 100) * 224 + x];
        std::memcpy(&bits, &v, 4);
        char buf[9];
        std::snprintf(buf, sizeof buf, "%08x", bits);
        ASSERT_EQ(buf, row[i]) << name << " channel " << c << " x " << x;
      }
  }
}

TEST(Image, ResizeBilinearEqualsPillowUpAndDown) {
  for (const json& c : fixture()["resize"]) {
    const auto shape = c["shape"].get<std::vector<int64_t>>();
    const std::vector<uint8_t> in = from_hex(c["hex"]);
    tl::Tensor img = tl::empty({shape[0], shape[1], shape[2]}, tl::kUInt8);
    std::memcpy(img.data_ptr<uint8_t>(), in.data(), in.size());
    for (const json& o : c["outputs"]) {
      const auto size = o["size"].get<std::vector<int64_t>>();
      const tl::Tensor r = tf::resize_bilinear(img, size[0], size[1]);
      const std::vector<uint8_t> want = from_hex(o["hex"]);
      std::vector<uint8_t> got(r.data_ptr<uint8_t>(), r.data_ptr<uint8_t>() + r.numel());
      EXPECT_EQ(got, want) << shape[0] << "x" << shape[1] << " -> " << size[0] << "x" << size[1];
    }
  }
}

TEST(Image, BrokenFilesThrowNamingFileAndProblem) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"truncated.jpg", "image file is truncated"},
      {"truncated.png", "image file is truncated"},
      {"not_image.jpg", "cannot identify image file"},
      {"empty.png", "cannot identify image file"},
      {"missing.png", "cannot open file"},
  };
  ASSERT_EQ(fixture()["broken"].size(), cases.size() - 1);
  for (const auto& [name, problem] : cases) {
    const std::string path = kDir + "/images/" + name;
    try {
      tl::data::read_image(path);
      ADD_FAILURE() << name << " was read";
    } catch (const tl::Error& e) {
      const std::string msg = e.what();
      EXPECT_EQ(msg.rfind(path + ": ", 0), 0u) << msg;
      EXPECT_NE(msg.find(problem), std::string::npos) << msg;
    }
  }
}

TEST(Image, CorruptPngChecksumAndJpegDataThrow) {
  std::ifstream f(kDir + "/images/gray.png", std::ios::binary);
  std::vector<uint8_t> png((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  png[40] ^= 0xff;  // inside the first chunks: a CRC mismatch
  EXPECT_THROW(tl::data::decode_image(png.data(), png.size(), "bad.png"), tl::Error);
  const uint8_t jpeg_head[] = {0xff, 0xd8, 0xff, 0x00, 0x01, 0x02};
  try {
    tl::data::decode_image(jpeg_head, sizeof jpeg_head, "bad.jpg");
    ADD_FAILURE() << "decoded";
  } catch (const tl::Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("bad.jpg: ", 0), 0u) << e.what();
  }
}

TEST(Image, TransformsRejectWrongInputs) {
  EXPECT_THROW(tf::resize(tl::zeros({3, 4}, tl::kUInt8), 256), tl::Error);
  EXPECT_THROW(tf::resize(tl::zeros({3, 4, 3}), 256), tl::Error);
  // A thin image whose resize would need gigabytes is refused, as the decoders refuse them.
  try {
    tf::resize(tl::zeros({1, 20000, 3}, tl::kUInt8), 256);
    ADD_FAILURE() << "resize of a 1x20000 image to a short side of 256 did not throw";
  } catch (const tl::Error& e) {
    EXPECT_NE(std::string(e.what()).find("256x5120000, would have more than 2^28 pixels"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(tf::resize_bilinear(tl::zeros({3, 4, 3}, tl::kUInt8), 0, 4), tl::Error);
  EXPECT_THROW(tf::normalize(tl::zeros({4, 2, 2}), {0, 0, 0}, {1, 1, 1}), tl::Error);
  EXPECT_THROW(tf::normalize(tl::zeros({3, 2, 2}), {0, 0, 0}, {1, 0, 1}), tl::Error);
}

TEST(Image, CenterCropPadsSmallImagesWithZeros) {
  // torchvision pads [(224 - w) // 2, (224 - h) // 2, ...] then crops at round(0 / 2).
  tl::Tensor img = tl::full({3, 2, 3}, 7, tl::kUInt8);
  const tl::Tensor c = tf::center_crop(img, 4);
  const uint8_t* p = c.data_ptr<uint8_t>();
  // Padding left 1, top 0, right 1, bottom 1; the crop then starts at (0, 0).
  std::vector<int> got;
  for (int64_t i = 0; i < 16; ++i) got.push_back(p[i * 3]);
  EXPECT_EQ(got, std::vector<int>({0, 7, 7, 0, 0, 7, 7, 0, 0, 7, 7, 0, 0, 0, 0, 0}));
}

}  // namespace
