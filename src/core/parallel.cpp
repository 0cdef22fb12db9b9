// torchlite's thread pool: workers that sleep (never spin) between jobs, chunks handed out one at
// a time, and a default size taken from the cores the process may really use.
#include "core/parallel.h"

#include <sched.h>

#include <algorithm>
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

/// Workers block on a condition variable between jobs: a descheduled or idle worker costs no CPU,
/// so the pool never competes with other processes for cores it is not using.
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
  /// (another thread's job), in which case the caller runs the job alone.
  bool run(int64_t begin, int64_t end, int64_t chunk,
           const std::function<void(int64_t, int64_t)>& body) {
    std::unique_lock call(call_mutex_, std::try_to_lock);
    if (!call.owns_lock()) return false;
    const int64_t chunks = (end - begin + chunk - 1) / chunk;
    const int helpers = static_cast<int>(std::min<int64_t>(threads() - 1, chunks - 1));
    if (static_cast<int>(workers_.size()) < helpers) resize(helpers);
    auto job = std::make_shared<Job>(body, begin, end, chunk, chunks);
    {
      std::lock_guard lock(mutex_);
      job_ = job;
      wanted_ = helpers;
      ++generation_;
    }
    work_.notify_all();
    work(*job);
    std::unique_lock lock(mutex_);
    // Only chunks still running are waited for: a worker that has not woken up yet finds the
    // job gone (or, holding it already, finds no chunk left), so nobody waits on the scheduler.
    done_.wait(lock, [&] { return job->remaining.load() == 0; });
    job_.reset();
    wanted_ = 0;
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

  void worker() {
    std::unique_lock lock(mutex_);
    uint64_t seen = generation_;
    while (true) {
      work_.wait(lock, [&] { return stop_ || (generation_ != seen && wanted_ > 0 && job_); });
      if (stop_) return;
      seen = generation_;
      --wanted_;
      std::shared_ptr<Job> job = job_;
      lock.unlock();
      work(*job);
      lock.lock();
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

  std::atomic<int> threads_{default_num_threads()};
  std::mutex call_mutex_;  // one job at a time
  std::mutex mutex_;       // guards the fields below
  std::condition_variable work_, done_;
  std::vector<std::thread> workers_;
  std::shared_ptr<Job> job_;
  uint64_t generation_ = 0;
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
