// libFuzzer target: arbitrary bytes through the JPEG and PNG decoders (libjpeg-turbo and libpng
// behind longjmp) and the ImageNet transforms. Only torchlite::Error may result.
#include <cstddef>
#include <cstdint>

#include "torchlite/data/image.h"
#include "torchlite/data/transforms.h"
#include "torchlite/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace torchlite;
  try {
    const Tensor img = data::decode_image(data, size, "input");
    // Resizing is linear in the pixels; keep each run short on large decoded images.
    if (img.size(0) * img.size(1) <= 512 * 512) (void)data::transforms::imagenet_eval(img);
  } catch (const Error&) {
  }
  return 0;
}
