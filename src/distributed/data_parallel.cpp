// DistributedDataParallel: shape check and rank-0 broadcast at construction; gradient buckets in
// reverse registration order whose allreduces start from leaf hooks as soon as they are full.
#include "torchlite/distributed/data_parallel.h"

#include <algorithm>
#include <chrono>

#include "torchlite/distributed/process_group.h"

namespace torchlite::nn::parallel {

namespace dist = torchlite::distributed;

namespace {
constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kFirstBucketBytes = kMiB;  // dist._DEFAULT_FIRST_BUCKET_BYTES

std::string shape_text(const std::vector<int64_t>& row) {
  // row: [ndim, size0, size1, ...] padded
  std::string s = "[";
  for (int64_t d = 0; d < row[0]; ++d) s += (d ? ", " : "") + std::to_string(row[1 + d]);
  return s + "]";
}
}  // namespace

DistributedDataParallelImpl::DistributedDataParallelImpl(std::shared_ptr<Module> module_,
                                                         DistributedDataParallelOptions options)
    : Module("DistributedDataParallel"), options_(options) {
  TL_CHECK(module_ != nullptr, "DistributedDataParallel: module is null");
  TL_CHECK(dist::is_initialized(),
           "Default process group has not been initialized, please make sure to call "
           "init_process_group.");
  TL_CHECK(options.bucket_cap_mb > 0, "DistributedDataParallel: bucket_cap_mb must be positive");
  module = register_module("module", std::move(module_));
  world_ = dist::get_world_size();
  for (const auto& [name, p] : module->named_parameters())
    if (p.requires_grad()) params_.push_back(p);
  verify_shapes();
  {
    // _sync_module_states: every rank starts from rank 0's parameters and buffers.
    NoGradGuard no_grad;
    for (Tensor t : params_) dist::broadcast(t, 0);
    for (auto& [name, b] : module->named_buffers()) dist::broadcast(b, 0);
  }
  build_buckets();
  if (world_ == 1) return;  // nothing to average: no hooks, backward costs what it did
  for (size_t i = 0; i < params_.size(); ++i)
    hook_ids_.push_back(
        params_[i].register_post_accumulate_grad_hook([this, i](const Tensor&) { mark_ready(i); }));
}

DistributedDataParallelImpl::~DistributedDataParallelImpl() {
  for (size_t i = 0; i < hook_ids_.size(); ++i)
    params_[i].remove_post_accumulate_grad_hook(hook_ids_[i]);
}

void DistributedDataParallelImpl::verify_shapes() {
  if (world_ == 1) return;
  const NamedTensors named = module->named_parameters();
  std::vector<std::string> names;
  for (const auto& [name, p] : named)
    if (p.requires_grad()) names.push_back(name);
  const int64_t n = static_cast<int64_t>(params_.size());
  // Every rank needs the same parameter count before rows can be compared.
  Tensor counts = tensor({n, -n});
  dist::all_reduce(counts, dist::ReduceOp::MAX);
  const int64_t most = counts.data_ptr<int64_t>()[0], fewest = -counts.data_ptr<int64_t>()[1];
  TL_CHECK(most == fewest,
           "DistributedDataParallel: DDP expects same model across all ranks, "
           "but ranks have between ",
           fewest, " and ", most, " parameters (this rank, ", dist::get_rank(), ", has ", n,
           "); first parameter not on every rank: '",
           n > fewest ? names[static_cast<size_t>(fewest)] : std::string("?"), "'");
  int64_t width = 1;
  for (const Tensor& p : params_) width = std::max<int64_t>(width, p.dim() + 1);
  Tensor w = tensor({width});
  dist::all_reduce(w, dist::ReduceOp::MAX);
  width = w.item<int64_t>();
  Tensor mine = zeros({n, width}, kInt64);
  for (int64_t i = 0; i < n; ++i) {
    int64_t* row = mine.data_ptr<int64_t>() + i * width;
    row[0] = params_[i].dim();
    for (int64_t d = 0; d < params_[i].dim(); ++d) row[1 + d] = params_[i].size(d);
  }
  Tensor ref = mine.clone();
  dist::broadcast(ref, 0);
  // The first mismatching parameter over all ranks, and the lowest rank that has it.
  int64_t first = n;
  for (int64_t i = 0; i < n && first == n; ++i)
    if (!mine[i].equal(ref[i])) first = i;
  Tensor key = tensor({first * world_ + dist::get_rank()});
  dist::all_reduce(key, dist::ReduceOp::MIN);
  const int64_t k = key.item<int64_t>(), bad = k / world_;
  if (bad == n) return;
  const int bad_rank = static_cast<int>(k % world_);
  Tensor theirs = mine[bad].clone();
  dist::broadcast(theirs, bad_rank);
  auto row = [&](const Tensor& t) {
    return std::vector<int64_t>(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + width);
  };
  throw Error(torchlite::detail::str_cat(
      "DistributedDataParallel: DDP expects same model across all ranks, but parameter '",
      names[static_cast<size_t>(bad)], "' (params[", bad, "]) has shape ", shape_text(row(theirs)),
      " on rank ", bad_rank, " and ", shape_text(row(ref[bad])), " on rank 0"));
}

void DistributedDataParallelImpl::build_buckets() {
  // Reverse registration order approximates the order backward produces gradients in; a bucket
  // closes once it reaches its cap (1 MiB for the first, bucket_cap_mb after) or the dtype
  // changes (_compute_bucket_assignment_by_size).
  bucket_of_.assign(params_.size(), 0);
  Bucket current;
  int64_t bytes = 0;
  auto close = [&] {
    if (current.params.empty()) return;
    buckets_.push_back(std::move(current));
    current = Bucket();
    bytes = 0;
  };
  for (size_t j = params_.size(); j-- > 0;) {
    const Tensor& p = params_[j];
    if (!current.params.empty() && params_[current.params.front()].dtype() != p.dtype()) close();
    const double cap = buckets_.empty() ? kFirstBucketBytes : options_.bucket_cap_mb * kMiB;
    bucket_of_[j] = buckets_.size();
    current.offsets.push_back(bytes / static_cast<int64_t>(p.element_size()));
    current.params.push_back(j);
    bytes += static_cast<int64_t>(p.nbytes());
    if (static_cast<double>(bytes) >= cap) close();
  }
  close();
  for (Bucket& b : buckets_) {
    const Tensor& last = params_[b.params.back()];
    b.flat = zeros({b.offsets.back() + last.numel()}, last.dtype());
    b.pending = b.params.size();
  }
}

std::vector<std::vector<size_t>> DistributedDataParallelImpl::bucket_indices() const {
  std::vector<std::vector<size_t>> out;
  for (const Bucket& b : buckets_) out.push_back(b.params);
  return out;
}

Tensor DistributedDataParallelImpl::forward(const Tensor& input) {
  TL_CHECK(ready_this_pass_ == 0,
           "Expected to have finished reduction in the prior iteration before starting a new "
           "one. This error indicates that your module has parameters that were not used in "
           "producing loss (torchlite's DistributedDataParallel needs every parameter to get a "
           "gradient in every backward).");
  if (options_.broadcast_buffers && world_ > 1 && is_training()) {
    NoGradGuard no_grad;
    for (auto& [name, b] : module->named_buffers()) dist::broadcast(b, 0);
  }
  return module->forward(input);
}

void DistributedDataParallelImpl::mark_ready(size_t param) {
  if (!require_sync_) return;
  ++ready_this_pass_;
  Bucket& bucket = buckets_[bucket_of_[param]];
  if (--bucket.pending == 0) launch(bucket);
  // MPI moves non-blocking collectives along only inside MPI calls: poke the running ones.
  for (Bucket& b : buckets_)
    if (b.launched) (void)b.work.is_completed();
  if (buckets_launched_ == buckets_.size()) finish_reduction();
}

void DistributedDataParallelImpl::launch(Bucket& bucket) {
  for (size_t k = 0; k < bucket.params.size(); ++k) {
    const Tensor& p = params_[bucket.params[k]];
    bucket.flat.narrow(0, bucket.offsets[k], p.numel()).view(p.sizes()).copy_(p.grad());
  }
  bucket.flat.div_(world_);  // averaging before the sum, as PyTorch's reducer does
  bucket.work = dist::all_reduce(bucket.flat, dist::ReduceOp::SUM, /*async_op=*/true);
  bucket.launched = true;
  ++buckets_launched_;
}

void DistributedDataParallelImpl::finish_reduction() {
  const auto t0 = std::chrono::steady_clock::now();
  for (Bucket& b : buckets_) b.work.wait();
  wait_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (Bucket& b : buckets_) {
    for (size_t k = 0; k < b.params.size(); ++k) {
      Tensor g = params_[b.params[k]].grad();
      g.copy_(b.flat.narrow(0, b.offsets[k], g.numel()).view(g.sizes()));
    }
    b.work = distributed::Work();
    b.launched = false;
    b.pending = b.params.size();
  }
  buckets_launched_ = 0;
  ready_this_pass_ = 0;
}

}  // namespace torchlite::nn::parallel
