// distributed: collectives on tensors (all_reduce, broadcast, all_gather, reduce_scatter),
// blocking or asynchronous. Mirrors https://pytorch.org/docs/stable/distributed.html
#pragma once

#include <memory>
#include <vector>

#include "torchlite/tensor.h"

namespace torchlite::distributed {

/// torch.distributed.ReduceOp. AVG is SUM divided by the world size (floating types only).
enum class ReduceOp { SUM, AVG, PRODUCT, MIN, MAX };

/// The handle of a collective: returned completed by the blocking forms, pending by
/// `async_op = true`. wait() completes it (and writes non-contiguous outputs back); a Work
/// destroyed unwaited waits first, so that no buffer is freed under a running collective.
class Work {
 public:
  struct State;
  Work() = default;
  explicit Work(std::shared_ptr<State> state) : state_(std::move(state)) {}
  /// Blocks until the collective is done and its outputs are written.
  void wait();
  /// True once done (drives the collective's progress; never blocks).
  bool is_completed();

 private:
  std::shared_ptr<State> state_;
};

/// Reduces `tensor` across ranks in place (every rank gets the result). float32/float64/int64,
/// any shape or strides (empty included).
Work all_reduce(Tensor& tensor, ReduceOp op = ReduceOp::SUM, bool async_op = false);
/// Copies rank `src`'s `tensor` into `tensor` on every other rank (same shape and dtype).
Work broadcast(Tensor& tensor, int src, bool async_op = false);
/// tensor_list[r] = rank r's `tensor`; tensor_list has world-size tensors of tensor's shape.
Work all_gather(std::vector<Tensor>& tensor_list, const Tensor& tensor, bool async_op = false);
/// output = op over ranks of their input_list[rank] (input_list: world-size tensors of
/// output's shape and dtype).
Work reduce_scatter(Tensor& output, const std::vector<Tensor>& input_list,
                    ReduceOp op = ReduceOp::SUM, bool async_op = false);

}  // namespace torchlite::distributed
