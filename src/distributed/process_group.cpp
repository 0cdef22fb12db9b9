// The process group: the launcher's world on the backend, or a world of one without launcher.
#include "torchlite/distributed/process_group.h"

#include <cstdio>
#include <cstdlib>

#include "distributed/backend.h"
#include "torchlite/error.h"

namespace torchlite::distributed {

namespace {

enum class State { kNone, kAlone, kBackend, kDestroyed };
State state = State::kNone;

void check_initialized(const char* fn) {
  TL_CHECK(state == State::kAlone || state == State::kBackend, fn,
           ": Default process group has not been initialized, please make sure to call "
           "init_process_group.");
}

}  // namespace

void init_process_group(const std::string& backend) {
  TL_CHECK(backend == "mpi", "init_process_group: backend '", backend,
           "' is not available (torchlite has 'mpi')");
  if (state == State::kAlone || state == State::kBackend) return;
  TL_CHECK(state != State::kDestroyed,
           "init_process_group: the process group was destroyed (MPI cannot start again)");
  if (backend::launched()) {
    backend::init();
    state = State::kBackend;
  } else {
    state = State::kAlone;
  }
}

bool is_initialized() { return state == State::kAlone || state == State::kBackend; }

void destroy_process_group() {
  if (state == State::kBackend) backend::finalize();
  if (state != State::kNone) state = State::kDestroyed;
}

int get_rank() {
  check_initialized("get_rank");
  return state == State::kBackend ? backend::rank() : 0;
}

int get_world_size() {
  check_initialized("get_world_size");
  return state == State::kBackend ? backend::size() : 1;
}

int get_local_world_size() {
  check_initialized("get_local_world_size");
  return state == State::kBackend ? backend::local_size() : 1;
}

void barrier() {
  check_initialized("barrier");
  if (state == State::kBackend) backend::barrier();
}

void abort(const std::string& message, int code) {
  const int rank = state == State::kBackend ? backend::rank() : 0;
  std::fprintf(stderr, "torchlite: rank %d: %s\n", rank, message.c_str());
  std::fflush(stderr);
  if (state == State::kBackend) backend::abort(code);
  std::exit(code);
}

}  // namespace torchlite::distributed
