// libFuzzer target: arbitrary bytes through the JPEG and PNG decoders (libjpeg-turbo and libpng
// behind longjmp) and the ImageNet transforms. Only torchlite::Error may result.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "torchlite/data/image.h"
#include "torchlite/data/transforms.h"
#include "torchlite/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace torchlite;
  try {
    const Tensor img = data::decode_image(data, size, "input");
    // Resizing is linear in the pixels of its result; keep each run short on large or thin
    // decoded images (a 1x512 image becomes 256x131072).
    const int64_t h = img.size(0), w = img.size(1);
    if (h * w <= 512 * 512 && std::max(h, w) <= 8 * std::min(h, w)) {
      (void)data::transforms::imagenet_eval(img);
    }
  } catch (const Error&) {
  }
  return 0;
}
