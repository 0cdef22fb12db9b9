// Collectives on tensors: argument checks, staging through contiguous buffers, AVG, and the
// world of one; the transfers themselves go through backend.h.
#include "torchlite/distributed/collectives.h"

#include <functional>

#include "distributed/backend.h"
#include "torchlite/distributed/process_group.h"

namespace torchlite::distributed {

/// A collective in flight: the backend request (null when nothing is sent) and what to do once
/// it is done (divide for AVG, write staging buffers back into the caller's tensors).
struct Work::State {
  backend::RequestPtr request;
  std::function<void()> finish;
  bool done = false;

  void complete() {
    if (done) return;
    if (request) backend::wait(*request);
    done = true;
    if (finish) {
      NoGradGuard no_grad;
      finish();
    }
  }
  ~State() {
    try {
      complete();
    } catch (...) {  // a destructor must not throw; wait() reports the error to who asks
    }
  }
};

void Work::wait() {
  if (state_) state_->complete();
}

bool Work::is_completed() {
  if (!state_ || state_->done) return true;
  if (state_->request && !backend::test(*state_->request)) return false;
  state_->complete();
  return true;
}

namespace {

void check_tensor(const char* fn, const Tensor& t) {
  TL_CHECK(t.defined(), fn, ": the tensor is undefined");
  const Dtype d = t.dtype();
  TL_CHECK(d == kFloat32 || d == kFloat64 || d == kInt64, fn, ": unsupported dtype ", dtype_name(d),
           " (float32, float64 and int64 are supported)");
}

void check_op(const char* fn, const Tensor& t, ReduceOp op) {
  TL_CHECK(op != ReduceOp::AVG || t.is_floating_point(), fn,
           ": ReduceOp.AVG needs a floating-point tensor, got ", dtype_name(t.dtype()));
}

/// Starts (async) or runs (blocking) a collective; `start` makes the backend request.
Work launch(std::function<backend::RequestPtr()> start, std::function<void()> finish,
            bool async_op) {
  auto state = std::make_shared<Work::State>();
  state->finish = std::move(finish);
  if (start) state->request = start();
  Work work(std::move(state));
  if (!async_op) work.wait();
  return work;
}

/// A contiguous buffer with the tensor's elements (the tensor itself when it is contiguous).
Tensor staging(const Tensor& t) { return t.is_contiguous() ? t : t.contiguous(); }

/// Writes `buf` back into `t` when it is a copy; marks `t` as written either way.
void write_back(Tensor& t, const Tensor& buf) {
  if (buf.is_same(t))
    t.bump_version();
  else
    t.copy_(buf);
}

}  // namespace

Work all_reduce(Tensor& tensor, ReduceOp op, bool async_op) {
  check_tensor("all_reduce", tensor);
  check_op("all_reduce", tensor, op);
  const int world = get_world_size();
  Tensor buf = staging(tensor);
  std::function<backend::RequestPtr()> start;
  if (world > 1 && buf.numel() > 0)
    start = [buf, op] {
      return backend::allreduce(buf.raw_data(), buf.numel(), buf.dtype(),
                                op == ReduceOp::AVG ? ReduceOp::SUM : op);
    };
  return launch(
      std::move(start),
      [tensor, buf, op, world]() mutable {
        if (op == ReduceOp::AVG && world > 1) buf.div_(world);
        write_back(tensor, buf);
      },
      async_op);
}

Work broadcast(Tensor& tensor, int src, bool async_op) {
  check_tensor("broadcast", tensor);
  const int world = get_world_size();
  TL_CHECK(src >= 0 && src < world, "broadcast: invalid src rank ", src, " (world size ", world,
           ")");
  Tensor buf = staging(tensor);
  std::function<backend::RequestPtr()> start;
  if (world > 1 && buf.numel() > 0)
    start = [buf, src] {
      return backend::broadcast(buf.raw_data(), buf.numel(), buf.dtype(), src);
    };
  return launch(
      std::move(start), [tensor, buf]() mutable { write_back(tensor, buf); }, async_op);
}

Work all_gather(std::vector<Tensor>& tensor_list, const Tensor& tensor, bool async_op) {
  check_tensor("all_gather", tensor);
  const int world = get_world_size();
  TL_CHECK(static_cast<int>(tensor_list.size()) == world, "all_gather: tensor_list has ",
           tensor_list.size(), " tensors, expected the world size ", world);
  for (const Tensor& t : tensor_list)
    TL_CHECK(t.defined() && t.dtype() == tensor.dtype() && t.sizes() == tensor.sizes(),
             "all_gather: every output tensor must have the input's dtype and shape ",
             tensor.sizes());
  const int64_t n = tensor.numel();
  Tensor send = tensor.contiguous();
  Tensor recv = empty({world * n}, tensor.dtype());
  std::function<backend::RequestPtr()> start;
  if (world > 1 && n > 0)
    start = [send, recv, n] {
      return backend::allgather(send.raw_data(), recv.raw_data(), n, send.dtype());
    };
  else
    recv.copy_(send.reshape({n}));
  return launch(
      std::move(start),
      [tensor_list, recv, n]() mutable {
        for (size_t r = 0; r < tensor_list.size(); ++r)
          tensor_list[r].copy_(
              recv.narrow(0, static_cast<int64_t>(r) * n, n).view(tensor_list[r].sizes()));
      },
      async_op);
}

Work reduce_scatter(Tensor& output, const std::vector<Tensor>& input_list, ReduceOp op,
                    bool async_op) {
  check_tensor("reduce_scatter", output);
  check_op("reduce_scatter", output, op);
  const int world = get_world_size();
  TL_CHECK(static_cast<int>(input_list.size()) == world, "reduce_scatter: input_list has ",
           input_list.size(), " tensors, expected the world size ", world);
  for (const Tensor& t : input_list)
    TL_CHECK(t.defined() && t.dtype() == output.dtype() && t.sizes() == output.sizes(),
             "reduce_scatter: every input tensor must have the output's dtype and shape ",
             output.sizes());
  const int64_t n = output.numel();
  Tensor send = empty({world * n}, output.dtype());
  for (int r = 0; r < world; ++r) send.narrow(0, r * n, n).copy_(input_list[r].reshape({n}));
  Tensor recv = staging(output);
  std::function<backend::RequestPtr()> start;
  if (world > 1 && n > 0)
    start = [send, recv, n, op] {
      return backend::reduce_scatter(send.raw_data(), recv.raw_data(), n, send.dtype(),
                                     op == ReduceOp::AVG ? ReduceOp::SUM : op);
    };
  else
    recv.view({n}).copy_(send);
  return launch(
      std::move(start),
      [output, recv, op, world]() mutable {
        if (op == ReduceOp::AVG && world > 1) recv.div_(world);
        write_back(output, recv);
      },
      async_op);
}

}  // namespace torchlite::distributed
