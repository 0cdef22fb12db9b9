// torchlite::config::show: the kernel libraries and threads in use.
#include "torchlite/config.h"

#include "kernels/gemm.h"
#include "torchlite/parallel.h"

namespace torchlite::config {

std::string show() {
  return kernels::gemm_info() + "\nintra-op threads: " + std::to_string(get_num_threads()) + "\n";
}

}  // namespace torchlite::config
