// A tiny gzipped Fashion-MNIST look-alike for tests that run the command line or the examples.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace synthetic_mnist {

/// Writes `<prefix>-{images-idx3,labels-idx1}-ubyte.gz` with n 28x28 images into dir; label
/// i % 10, and a bright band of rows whose position gives the class away (learnable quickly).
inline void write_split(const std::filesystem::path& dir, const std::string& prefix, uint32_t n) {
  auto header = [](std::vector<unsigned char>& out, std::vector<uint32_t> words) {
    for (uint32_t v : words)
      for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<unsigned char>(v >> s));
  };
  std::vector<unsigned char> images, labels;
  header(images, {0x803, n, 28, 28});
  header(labels, {0x801, n});
  for (uint32_t i = 0; i < n; ++i) {
    const unsigned char label = static_cast<unsigned char>(i % 10);
    labels.push_back(label);
    for (uint32_t px = 0; px < 784; ++px)
      images.push_back(
          static_cast<unsigned char>(px / 78 == label ? 200 + (i % 50) : (px * i) % 40));
  }
  for (const auto& [name, bytes] :
       {std::pair{"-images-idx3-ubyte.gz", &images}, std::pair{"-labels-idx1-ubyte.gz", &labels}}) {
    gzFile f = gzopen((dir / (prefix + name)).string().c_str(), "wb");
    gzwrite(f, bytes->data(), static_cast<unsigned>(bytes->size()));
    gzclose(f);
  }
}

}  // namespace synthetic_mnist
