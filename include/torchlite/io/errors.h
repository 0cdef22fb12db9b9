// FormatError: why a checkpoint file was refused (malformed, malicious or unsupported).
#pragma once

#include <string>
#include <utility>

#include "torchlite/error.h"

namespace torchlite::io {

/// Thrown by the checkpoint readers; `kind()` is a stable name such as "DisallowedGlobal",
/// "TensorOutOfBounds" or "InvalidOffset" (docs/checkpoints.md lists them), and the message
/// starts with it.
class FormatError : public Error {
 public:
  FormatError(std::string kind, const std::string& what) : Error(what), kind_(std::move(kind)) {}
  const std::string& kind() const { return kind_; }

 private:
  std::string kind_;
};

}  // namespace torchlite::io
