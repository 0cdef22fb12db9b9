// Intra-op threads: how many cores torchlite's kernels may use.
// Mirrors https://pytorch.org/docs/stable/generated/torch.set_num_threads.html
#pragma once

namespace torchlite {

/// Sets the number of threads kernels run on (the caller counts as one), like
/// torch.set_num_threads; n >= 1.
void set_num_threads(int n);

/// The number of threads kernels run on. Unless set, OMP_NUM_THREADS when given, else the cores
/// this process may use: its CPU affinity set, capped by its cgroup CPU quota.
int get_num_threads();

}  // namespace torchlite
