// Decoding JPEG and PNG files into RGB pixels, as torchvision's default loader does
// (PIL's Image.open(path).convert("RGB")).
// Mirrors https://pytorch.org/vision/0.14/_modules/torchvision/datasets/folder.html#pil_loader
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "torchlite/tensor.h"

namespace torchlite::data {

/// Reads a JPEG or PNG file as Image.open(path).convert("RGB") in Pillow 9.4: uint8 [H, W, 3].
/// Grayscale is replicated, alpha dropped (not composited), palettes looked up, 16-bit RGB(A)
/// keeps the high byte and 16-bit grayscale clips to 255 (as PIL's I -> RGB), CMYK JPEGs use
/// PIL's Adobe-inverted CMYK -> RGB. A missing, truncated, corrupt or non-JPEG/PNG file throws
/// torchlite::Error naming the file and the problem.
Tensor read_image(const std::string& path);

/// Same as read_image for a file's bytes in memory; `name` names the source in errors.
Tensor decode_image(const uint8_t* data, size_t size, const std::string& name);

}  // namespace torchlite::data
