// The seam between torchlite::distributed and the message-passing library: plain buffers in,
// requests out. mpi_backend.cpp is its one implementation and the only file that sees mpi.h.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "torchlite/distributed/collectives.h"
#include "torchlite/dtype.h"

namespace torchlite::distributed::backend {

/// A pending collective; its destructor does not wait (Work's state does).
struct Request;
using RequestPtr = std::shared_ptr<Request>;

/// True when a launcher started this process (else the job is a world of one and no backend
/// call below but finalize() is made).
bool launched();
/// Initialises the library (errors returned, not fatal) and installs the abort-on-uncaught-
/// exception handler.
void init();
bool initialized();
void finalize();
int rank();
int size();
int local_size();
void barrier();
[[noreturn]] void abort(int code);

/// In-place reduction of `count` elements at `buf` over all ranks (op is never AVG).
RequestPtr allreduce(void* buf, int64_t count, Dtype dtype, ReduceOp op);
RequestPtr broadcast(void* buf, int64_t count, Dtype dtype, int root);
/// recv holds size() * count elements, rank r's at r * count.
RequestPtr allgather(const void* send, void* recv, int64_t count, Dtype dtype);
/// send holds size() * count elements; recv gets the reduction of every rank's block rank().
RequestPtr reduce_scatter(const void* send, void* recv, int64_t count, Dtype dtype, ReduceOp op);
/// Blocks until `r` is done.
void wait(Request& r);
/// Progresses `r`; true once done.
bool test(Request& r);

}  // namespace torchlite::distributed::backend
