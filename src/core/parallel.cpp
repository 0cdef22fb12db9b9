// torchlite's thread pool: workers that give way to other threads while they wait, chunks handed
// out one at a time, and a default size taken from the cores the process may really use.
#include "core/parallel.h"

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "torchlite/error.h"

namespace torchlite {
namespace {

/// ceil(quota / period) of a cgroup v2 `cpu.max` ("max 100000" or "150000 100000"), or 0.
int cgroup2_limit(const std::string& dir) {
  std::ifstream f(dir + "/cpu.max");
  std::string quota;
  double period = 0;
  if (!(f >> quota >> period) || quota == "max" || period <= 0) return 0;
  const double q = std::atof(quota.c_str());
  return q > 0 ? static_cast<int>(std::ceil(q / period)) : 0;
}

/// The CPU quota of this process's cgroups (the tightest along the v2 path, or v1's), or 0.
int cgroup_cpu_limit() {
  std::ifstream self("/proc/self/cgroup");
  std::string line;
  int limit = 0;
  auto tighten = [&](int l) {
    if (l > 0 && (limit == 0 || l < limit)) limit = l;
  };
  while (std::getline(self, line)) {
    if (line.rfind("0::", 0) == 0) {
      std::string path = line.substr(3);
      while (true) {
        tighten(cgroup2_limit("/sys/fs/cgroup" + path));
        if (path.empty() || path == "/") break;
        path = path.substr(0, path.find_last_of('/'));
      }
    }
  }
  for (const char* dir : {"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"}) {
    std::ifstream q(std::string(dir) + "/cpu.cfs_quota_us"), p(std::string(dir) + "/cpu.cfs_period_us");
    double quota = 0, period = 0;
    if (q >> quota && p >> period && quota > 0 && period > 0)
      tighten(static_cast<int>(std::ceil(quota / period)));
  }
  return limit;
}

/// OMP_NUM_THREADS when set (its first entry), else affinity capped by the cgroup quota.
int default_num_threads() {
  if (const char* env = std::getenv("OMP_NUM_THREADS")) {
    const int n = std::atoi(env);
    if (n > 0) return n;
  }
  int n = static_cast<int>(std::thread::hardware_concurrency());
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) n = CPU_COUNT(&set);
  const int quota = cgroup_cpu_limit();
  if (quota > 0) n = std::min(n, quota);
  return std::max(n, 1);
}

thread_local bool t_in_parallel = false;

/// Between jobs, workers wait a moment yielding their core, then block on a condition variable:
/// an idle worker costs no CPU, and a waiting one gives way to any other runnable thread, so
/// the pool never keeps other processes off cores it is not using.
class Pool {
 public:
  ~Pool() { resize(0); }

  int threads() const { return threads_.load(std::memory_order_relaxed); }

  void set_threads(int n) {
    std::lock_guard call(call_mutex_);
    threads_.store(n, std::memory_order_relaxed);
    resize(0);  // workers are started again, as many as needed, by the next job
  }

  /// Runs the job on the caller and up to threads() - 1 workers; false when the pool is busy
  /// (another thread's job) or the machine was lately (see below), in which case the caller
  /// runs the job alone.
  bool run(int64_t begin, int64_t end, int64_t chunk,
           const std::function<void(int64_t, int64_t)>& body) {
    std::unique_lock call(call_mutex_, std::try_to_lock);
    if (!call.owns_lock()) return false;
    const int64_t chunks = (end - begin + chunk - 1) / chunk;
    const int helpers = static_cast<int>(std::min<int64_t>(threads() - 1, chunks - 1));
    if (static_cast<int>(workers_.size()) < helpers) resize(helpers);
    if (Clock::now() < serial_until_.load(std::memory_order_relaxed)) return false;
    auto job = std::make_shared<Job>(body, begin, end, chunk, chunks);
    {
      std::lock_guard lock(mutex_);
      job_ = job;
      wanted_ = helpers;
      ++generation_;
    }
    work_.notify_all();
    const auto start = Clock::now();
    work(*job);
    const auto own_done = Clock::now();
    spin_while([&] { return job->remaining.load(std::memory_order_acquire) != 0; });
    std::unique_lock lock(mutex_);
    // Only chunks still running are waited for: a worker that has not woken up yet finds the
    // job gone (or, holding it already, finds no chunk left), so nobody waits on the scheduler.
    done_.wait(lock, [&] { return job->remaining.load() == 0; });
    job_.reset();
    wanted_ = 0;
    lock.unlock();
    // Waiting longer for a worker's chunk than the caller took for its own share means the OS
    // is running the worker late: the cores are busy with other processes. Then jobs run on the
    // caller alone for a while (a fair share of a busy machine is one core, and a parallel job
    // there waits on the slowest thread's time slice), and a later job probes again.
    const auto finished = Clock::now();
    if (finished - own_done > own_done - start + std::chrono::microseconds(50))
      serial_until_.store(finished + kSerialAfterStraggler, std::memory_order_relaxed);
    return true;
  }

 private:
  /// One parallel_for: workers that hold it after it ended only find its chunks all taken.
  struct Job {
    Job(const std::function<void(int64_t, int64_t)>& b, int64_t begin, int64_t e, int64_t c,
        int64_t chunks)
        : body(b), end(e), chunk(c), next(begin), remaining(chunks) {}
    const std::function<void(int64_t, int64_t)>& body;
    const int64_t end, chunk;
    std::atomic<int64_t> next;
    std::atomic<int64_t> remaining;  // chunks not finished yet
  };

  /// Takes chunks until none is left; the thread that finishes the last one wakes the caller.
  void work(Job& job) {
    t_in_parallel = true;
    for (int64_t i = job.next.fetch_add(job.chunk); i < job.end; i = job.next.fetch_add(job.chunk)) {
      job.body(i, std::min(i + job.chunk, job.end));
      if (job.remaining.fetch_sub(1) == 1) {
        std::lock_guard lock(mutex_);
        done_.notify_all();
      }
    }
    t_in_parallel = false;
  }

  /// Waits (yielding the core at every turn) while busy() holds, for at most kSpin: a job's
  /// next step usually comes within that, and waking a sleeping thread can take longer (an idle
  /// virtual CPU is halted). Yielding lets any other runnable thread have the core meanwhile.
  template <class Busy>
  static void spin_while(Busy busy) {
    constexpr auto kSpin = std::chrono::microseconds(200);
    const auto deadline = std::chrono::steady_clock::now() + kSpin;
    while (busy() && std::chrono::steady_clock::now() < deadline) sched_yield();
  }

  void worker() {
    uint64_t seen = generation_.load();
    while (true) {
      spin_while([&] { return generation_.load(std::memory_order_acquire) == seen; });
      std::unique_lock lock(mutex_);
      work_.wait(lock, [&] { return stop_ || (generation_ != seen && wanted_ > 0 && job_); });
      if (stop_) return;
      seen = generation_;
      --wanted_;
      std::shared_ptr<Job> job = job_;
      lock.unlock();
      work(*job);
    }
  }

  /// Stops every worker, then starts n; called with call_mutex_ held.
  void resize(int n) {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    work_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
    stop_ = false;
    for (int i = 0; i < n; ++i) workers_.emplace_back([this] { worker(); });
  }

  using Clock = std::chrono::steady_clock;
  static constexpr auto kSerialAfterStraggler = std::chrono::milliseconds(100);

  std::atomic<int> threads_{default_num_threads()};
  std::atomic<Clock::time_point> serial_until_{Clock::time_point()};
  std::mutex call_mutex_;  // one job at a time
  std::mutex mutex_;       // guards the fields below
  std::condition_variable work_, done_;
  std::vector<std::thread> workers_;
  std::shared_ptr<Job> job_;
  std::atomic<uint64_t> generation_{0};  // written under mutex_, read by spinning workers
  int wanted_ = 0;  // workers still to join the current job
  bool stop_ = false;
};

Pool& pool() {
  static Pool p;
  return p;
}

}  // namespace

void set_num_threads(int n) {
  TL_CHECK(n > 0, "set_num_threads expects a positive integer");
  pool().set_threads(n);
}

int get_num_threads() { return pool().threads(); }

namespace detail {

bool in_parallel_region() { return t_in_parallel; }

void parallel_for(int64_t begin, int64_t end, int64_t grain,
                  const std::function<void(int64_t, int64_t)>& body) {
  if (begin >= end) return;
  grain = std::max<int64_t>(grain, 1);
  const int threads = get_num_threads();
  if (threads == 1 || end - begin <= grain || t_in_parallel) {
    body(begin, end);
    return;
  }
  // Two chunks per thread: a thread the OS holds back leaves its second chunk to the others.
  const int64_t per = (end - begin + 2 * threads - 1) / (2 * threads);
  if (!pool().run(begin, end, std::max(per, grain), body)) body(begin, end);
}

}  // namespace detail
}  // namespace torchlite
