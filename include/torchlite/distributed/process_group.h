// distributed: the process group (MPI backend): rank, world size, barrier, abort.
// Mirrors https://pytorch.org/docs/stable/distributed.html#initialization
#pragma once

#include <string>

namespace torchlite::distributed {

/// Joins the job started by the launcher (mpirun, srun): rank and world size come from it.
/// Without a launcher the process is a world of one. Safe to call again (no-op). From here on
/// an uncaught exception on any rank aborts the whole job with that rank's message.
void init_process_group(const std::string& backend = "mpi");
/// True after init_process_group() and before destroy_process_group().
bool is_initialized();
/// Leaves the job (MPI_Finalize); also done at exit when forgotten.
void destroy_process_group();
/// This process's rank in [0, world size); needs init_process_group().
int get_rank();
/// Number of processes in the job.
int get_world_size();
/// Number of processes of the job on this machine (to share its cores among them).
int get_local_world_size();
/// Blocks until every rank has reached it.
void barrier();
/// Ends the whole job now with `code` after printing `message` (prefixed with the rank) to
/// stderr: what a rank that cannot go on calls instead of returning, which would hang the others.
[[noreturn]] void abort(const std::string& message, int code = 1);

}  // namespace torchlite::distributed
