// What runs torchlite's kernels on this machine. Mirrors torch.__config__.show().
#pragma once

#include <string>

namespace torchlite::config {

/// One line per fact: the GEMM libraries with the instruction set or core they picked on this
/// CPU, and the intra-op thread count.
std::string show();

}  // namespace torchlite::config
