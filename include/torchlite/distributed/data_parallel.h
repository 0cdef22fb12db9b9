// nn::parallel::DistributedDataParallel: a module whose gradients are averaged over the ranks
// during backward, bucket by bucket, overlapping communication with the rest of backward.
// Mirrors https://pytorch.org/docs/stable/generated/torch.nn.parallel.DistributedDataParallel.html
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "torchlite/distributed/collectives.h"
#include "torchlite/nn/module.h"

namespace torchlite::nn::parallel {

/// DistributedDataParallel's keyword arguments: `{.bucket_cap_mb = 10}`.
struct DistributedDataParallelOptions {
  /// Broadcast rank 0's buffers (BatchNorm's running stats) at every forward in training.
  bool broadcast_buffers = true;
  /// Size of a gradient bucket in MiB; the first bucket is 1 MiB, as PyTorch's after its
  /// first iteration (so that communication starts early in backward).
  double bucket_cap_mb = 25;
};

/// Wraps `module` (registered as child "module", so state-dict keys read "module.0.weight").
/// Needs init_process_group(). Construction checks that every rank has the same parameter shapes
/// and copies rank 0's parameters and buffers to all. Every backward() then leaves in each
/// parameter's .grad the average of the ranks' gradients: the optimizer loop stays as in one
/// process. Every parameter must receive a gradient in every backward (PyTorch's default,
/// find_unused_parameters=False).
class DistributedDataParallelImpl : public Module {
 public:
  explicit DistributedDataParallelImpl(std::shared_ptr<Module> module,
                                       DistributedDataParallelOptions options = {});
  template <class M>
  explicit DistributedDataParallelImpl(const ModuleHolder<M>& module,
                                       DistributedDataParallelOptions options = {})
      : DistributedDataParallelImpl(std::static_pointer_cast<Module>(module.ptr()), options) {}
  ~DistributedDataParallelImpl() override;

  /// The wrapped module's forward (after broadcasting buffers, when asked).
  Tensor forward(const Tensor& input) override;

  /// While the returned guard lives, backward() only accumulates local gradients (for gradient
  /// accumulation); the first backward after it averages the accumulated sums.
  class NoSyncGuard {
   public:
    explicit NoSyncGuard(DistributedDataParallelImpl& ddp) : ddp_(ddp), prev_(ddp.require_sync_) {
      ddp.require_sync_ = false;
    }
    ~NoSyncGuard() { ddp_.require_sync_ = prev_; }
    NoSyncGuard(const NoSyncGuard&) = delete;
    NoSyncGuard& operator=(const NoSyncGuard&) = delete;

   private:
    DistributedDataParallelImpl& ddp_;
    bool prev_;
  };
  /// `{ auto guard = ddp->no_sync(); loss.backward(); }`, like `with ddp.no_sync():`.
  [[nodiscard]] NoSyncGuard no_sync() { return NoSyncGuard(*this); }

  /// The parameter indices (registration order) of each bucket, in the order buckets fill.
  std::vector<std::vector<size_t>> bucket_indices() const;
  /// Seconds spent, summed over backward passes, waiting for allreduces still running when
  /// backward produced its last gradient (communication not hidden behind backward).
  double wait_seconds() const { return wait_seconds_; }

  std::shared_ptr<Module> module;

 private:
  struct Bucket {
    std::vector<size_t> params;    // indices into params_
    std::vector<int64_t> offsets;  // of each parameter in `flat`
    Tensor flat;
    size_t pending = 0;  // parameters whose gradient has not arrived this backward
    distributed::Work work;
    bool launched = false;
  };
  void verify_shapes();
  void build_buckets();
  void mark_ready(size_t param);
  void launch(Bucket& bucket);
  void finish_reduction();

  DistributedDataParallelOptions options_;
  std::vector<Tensor> params_;
  std::vector<size_t> bucket_of_;  // parameter -> bucket
  std::vector<Bucket> buckets_;
  std::vector<size_t> hook_ids_;
  size_t buckets_launched_ = 0;
  size_t ready_this_pass_ = 0;
  int world_ = 1;
  bool require_sync_ = true;
  double wait_seconds_ = 0;
};

/// The module handle: `nn::parallel::DistributedDataParallel ddp(net);` then `ddp(x)`.
using DistributedDataParallel = ModuleHolder<DistributedDataParallelImpl>;

}  // namespace torchlite::nn::parallel
