// libFuzzer target: arbitrary bytes through the safetensors reader (header length, JSON,
// offsets, sizes), conversion to tensors and Python repr. Only FormatError/Error may result.
#include <cstddef>
#include <cstdint>

#include "io/formats.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace torchlite;
  try {
    const io::detail::Bytes bytes = io::detail::copy_bytes(data, size);
    const io::Object o = io::detail::read_object(bytes, CheckpointFormat::Safetensors);
    (void)io::repr(o);
  } catch (const Error&) {
  }
  return 0;
}
