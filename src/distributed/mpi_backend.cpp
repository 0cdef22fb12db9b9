// backend.h on MPI (Open MPI, MPICH): non-blocking MPI-3 collectives on MPI_COMM_WORLD, errors
// returned (MPI_ERRORS_RETURN) and raised as torchlite::Error, MPI_Abort on an uncaught exception.
#include <mpi.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "distributed/backend.h"
#include "torchlite/error.h"

namespace torchlite::distributed::backend {

struct Request {
  MPI_Request request = MPI_REQUEST_NULL;
};

namespace {

bool we_initialized = false;  // MPI_Init was ours, so MPI_Finalize is too
int local_size_ = 1;

/// Raises torchlite::Error with MPI's own text for a failed call.
void check(int rc, const char* call) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  throw Error(detail::str_cat(call, " failed on rank ", rank(), ": ", std::string(text, len)));
}

MPI_Datatype mpi_type(Dtype dtype) {
  switch (dtype) {
    case kFloat32:
      return MPI_FLOAT;
    case kFloat64:
      return MPI_DOUBLE;
    case kInt64:
      return MPI_INT64_T;
    default:
      throw Error("distributed: unsupported dtype (float32, float64 and int64 are)");
  }
}

MPI_Op mpi_op(ReduceOp op) {
  switch (op) {
    case ReduceOp::SUM:
      return MPI_SUM;
    case ReduceOp::PRODUCT:
      return MPI_PROD;
    case ReduceOp::MIN:
      return MPI_MIN;
    case ReduceOp::MAX:
      return MPI_MAX;
    case ReduceOp::AVG:
      break;
  }
  throw Error("distributed: AVG reaches the backend as SUM");
}

int mpi_count(int64_t count) {
  TL_CHECK(count <= INT_MAX, "distributed: a collective of ", count,
           " elements is beyond MPI's int count");
  return static_cast<int>(count);
}

/// An exception nobody caught: print it with the rank, then end every rank of the job (the
/// others may be blocked in a collective this rank will never join).
[[noreturn]] void abort_on_terminate() {
  std::string what = "unknown exception";
  if (std::exception_ptr e = std::current_exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      what = ex.what();
    } catch (...) {
    }
  } else {
    what = "std::terminate called without an exception";
  }
  std::fprintf(stderr, "torchlite: rank %d: uncaught exception: %s\n", rank(), what.c_str());
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, 1);
  std::abort();
}

void finalize_at_exit() { finalize(); }

}  // namespace

bool launched() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
    if (std::getenv(var)) return true;
  return false;
}

void init() {
  int is_init = 0;
  MPI_Initialized(&is_init);
  if (!is_init) {
    int provided = 0;
    // Collectives are only ever called from one thread at a time.
    if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
      throw Error("init_process_group: MPI_Init_thread failed");
    we_initialized = true;
    std::atexit(finalize_at_exit);
  }
  check(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  MPI_Comm local;
  check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local),
        "MPI_Comm_split_type");
  MPI_Comm_size(local, &local_size_);
  MPI_Comm_free(&local);
  std::set_terminate(abort_on_terminate);
}

bool initialized() {
  int is_init = 0, is_final = 0;
  MPI_Initialized(&is_init);
  MPI_Finalized(&is_final);
  return is_init && !is_final;
}

void finalize() {
  if (we_initialized && initialized()) MPI_Finalize();
}

int rank() {
  int r = 0;
  if (initialized()) MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int size() {
  int s = 1;
  if (initialized()) MPI_Comm_size(MPI_COMM_WORLD, &s);
  return s;
}

int local_size() { return local_size_; }

void barrier() { check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); }

void abort(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

RequestPtr allreduce(void* buf, int64_t count, Dtype dtype, ReduceOp op) {
  auto r = std::make_shared<Request>();
  check(MPI_Iallreduce(MPI_IN_PLACE, buf, mpi_count(count), mpi_type(dtype), mpi_op(op),
                       MPI_COMM_WORLD, &r->request),
        "MPI_Iallreduce");
  return r;
}

RequestPtr broadcast(void* buf, int64_t count, Dtype dtype, int root) {
  auto r = std::make_shared<Request>();
  check(MPI_Ibcast(buf, mpi_count(count), mpi_type(dtype), root, MPI_COMM_WORLD, &r->request),
        "MPI_Ibcast");
  return r;
}

RequestPtr allgather(const void* send, void* recv, int64_t count, Dtype dtype) {
  auto r = std::make_shared<Request>();
  const MPI_Datatype t = mpi_type(dtype);
  check(MPI_Iallgather(send, mpi_count(count), t, recv, mpi_count(count), t, MPI_COMM_WORLD,
                       &r->request),
        "MPI_Iallgather");
  return r;
}

RequestPtr reduce_scatter(const void* send, void* recv, int64_t count, Dtype dtype, ReduceOp op) {
  auto r = std::make_shared<Request>();
  check(MPI_Ireduce_scatter_block(send, recv, mpi_count(count), mpi_type(dtype), mpi_op(op),
                                  MPI_COMM_WORLD, &r->request),
        "MPI_Ireduce_scatter_block");
  return r;
}

void wait(Request& r) { check(MPI_Wait(&r.request, MPI_STATUS_IGNORE), "MPI_Wait"); }

bool test(Request& r) {
  int done = 0;
  check(MPI_Test(&r.request, &done, MPI_STATUS_IGNORE), "MPI_Test");
  return done != 0;
}

}  // namespace torchlite::distributed::backend
