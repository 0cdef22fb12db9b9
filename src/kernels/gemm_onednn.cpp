// The float32 GEMM on oneDNN (dnnl_sgemm): it picks its kernel from the instruction sets the CPU
// reports (AVX2, AVX-512, AMX), not from a table of CPU models as OpenBLAS does, so a CPU newer
// than the library still gets a fast kernel (docs/benchmarks.md has the measurements).
#ifdef TORCHLITE_WITH_ONEDNN
#include <oneapi/dnnl/dnnl.h>

#include "kernels/gemm_backend.h"
#include "kernels/onednn_thread.h"
#include "torchlite/error.h"

namespace torchlite::kernels::backend {
namespace {

const char* isa_name(dnnl_cpu_isa_t isa) {
  switch (isa) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx512_mic: return "avx512_mic";
    case dnnl_cpu_isa_avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    default: return "all";
  }
}

}  // namespace

void gemm_serial(int64_t m, int64_t n, int64_t k, GemmOperand<float> a, GemmOperand<float> b,
                 bool accumulate, float* c, int64_t ldc) {
  OneThread one;
  const dnnl_status_t status =
      dnnl_sgemm(a.trans ? 'T' : 'N', b.trans ? 'T' : 'N', m, n, k, 1.0f, a.data, a.ld, b.data,
                 b.ld, accumulate ? 1.0f : 0.0f, c, ldc);
  TL_CHECK(status == dnnl_success, "mm: oneDNN's sgemm failed with status ", status);
}

std::string float_library() {
  const dnnl_version_t* v = dnnl_version();
  return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
         std::to_string(v->patch) + " (ISA " + isa_name(dnnl_get_effective_cpu_isa()) + ")";
}

}  // namespace torchlite::kernels::backend
#endif
