#include "supervisor/colocate.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "fmt/format.h"

namespace warden::supervisor {
namespace {

// Another task that stopped this recently and is runnable now runs in
// parallel with the one stopping.
constexpr int64_t kRecentNs = 2'000'000;
// How long a /proc answer that a task is not running is reused (a running
// task is asked again at every stop: a parent that was about to wait for
// its child is sleeping by the child's next stop).
constexpr int64_t kCheckValidNs = 200'000;
// After parallel tracees were seen: how long nothing is bound.
constexpr int64_t kSpreadNs = 50'000'000;
// Stops in a row that must see another task running before the tracees
// count as parallel. One is not enough: a parent that forked a child runs
// on for a moment before it waits for it (a shell, make, a compiler
// driver), and its child's first stop sees it running.
constexpr int kEvidenceNeeded = 3;
// Parallel tasks are spread only when the tracer has time to spare: when
// it is busy handling stops more than half of the time, the tracer (one
// thread) is the bottleneck, every stop waits for it anyway, and spreading
// would only add cross-CPU wake-ups (bench workload pfind: two threads
// that stat in parallel ran faster bound to one CPU).
constexpr double kBusyTracer = 0.5;

bool SetAffinity(pid_t tid, const cpu_set_t& set) {
  return sched_setaffinity(tid, sizeof set, &set) == 0;
}

// The state letter of /proc/TID/stat ('R' running or runnable).
char TaskState(pid_t tid) {
  char buf[512];
  int fd = open(fmt::format("/proc/{}/stat", tid).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return '?';
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return '?';
  buf[n] = '\0';
  const char* paren = strrchr(buf, ')');  // the command may hold spaces and parens
  return paren != nullptr && paren[1] == ' ' ? paren[2] : '?';
}

}  // namespace

Colocator::Colocator(bool enabled) {
  CPU_ZERO(&allowed_);
  enabled_ = enabled && sched_getaffinity(0, sizeof allowed_, &allowed_) == 0 &&
             CPU_COUNT(&allowed_) > 1;
}

bool Colocator::Watches(std::string_view name) {
  return name == "sched_getaffinity" || name == "sched_setaffinity";
}

bool Colocator::Running(pid_t tid, Task& t, int64_t now) {
  if (t.running || now - t.checked > kCheckValidNs) {
    t.running = TaskState(tid) == 'R';
    t.checked = now;
  }
  return t.running;
}

void Colocator::Spread(int64_t now) {
  for (auto& [tid, t] : tasks_) {
    if (t.cpu < 0) continue;
    SetAffinity(tid, allowed_);
    t.cpu = -1;
  }
  if (tracer_cpu_ >= 0) {
    SetAffinity(0, allowed_);
    MoveOwnThreads(allowed_);
  }
  tracer_cpu_ = -1;
  spread_until_ = now + kSpreadNs;
}

// warden's other threads (the database writer, the status line, the
// policy reloader): off the tracer's CPU while it is bound, so that they
// do not take it from the tracer and the tracees; every CPU otherwise.
void Colocator::MoveOwnThreads(const cpu_set_t& set) {
  const pid_t self = static_cast<pid_t>(syscall(SYS_gettid));
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return;
  while (dirent* e = readdir(dir)) {
    const pid_t tid = static_cast<pid_t>(atoi(e->d_name));
    if (tid > 0 && tid != self) SetAffinity(tid, set);
  }
  closedir(dir);
}

void Colocator::Bind(pid_t tid, Task& t) {
  if (tracer_cpu_ < 0) {
    int cpu = sched_getcpu();
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    if (cpu < 0 || !CPU_ISSET(cpu, &allowed_) || !SetAffinity(0, one)) return;
    tracer_cpu_ = cpu;
    cpu_set_t others = allowed_;
    CPU_CLR(cpu, &others);
    MoveOwnThreads(others);
  }
  if (t.cpu == tracer_cpu_) return;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(tracer_cpu_, &one);
  if (SetAffinity(tid, one)) t.cpu = tracer_cpu_;
  else t.own = true;  // not ours to move (another user's setuid program): leave it
}

void Colocator::OnStop(pid_t tid, int64_t now) {
  if (!enabled_) return;
  Task& me = tasks_[tid];
  me.last_stop = now;
  bool parallel = false;
  for (pid_t other : recent_) {
    if (other == 0 || other == tid) continue;
    auto it = tasks_.find(other);
    if (it != tasks_.end() && now - it->second.last_stop < kRecentNs &&
        Running(other, it->second, now)) {
      parallel = true;
      break;
    }
  }
  if (recent_[0] != tid) {
    auto pos = std::find(recent_.begin(), recent_.end(), tid);
    if (pos == recent_.end()) pos = recent_.end() - 1;
    std::rotate(recent_.begin(), pos, pos + 1);
    recent_[0] = tid;
  }
  evidence_ = parallel ? evidence_ + 1 : 0;
  if (evidence_ >= kEvidenceNeeded && busy_ < kBusyTracer) {
    if (tracer_cpu_ >= 0 || now >= spread_until_) Spread(now);
    spread_until_ = now + kSpreadNs;
    return;
  }
  if (me.own || now < spread_until_) return;
  Bind(tid, me);
}

void Colocator::Account(int64_t waited_ns, int64_t busy_ns) {
  if (!enabled_ || waited_ns + busy_ns <= 0) return;
  const double fraction = static_cast<double>(busy_ns) / static_cast<double>(waited_ns + busy_ns);
  busy_ += (fraction - busy_) / 64;
}

void Colocator::Adopted(pid_t child, pid_t parent) {
  if (!enabled_) return;
  auto it = tasks_.find(parent);
  if (it == tasks_.end()) return;
  Task t;
  t.cpu = it->second.cpu;
  t.own = it->second.own;
  tasks_[child] = t;
}

void Colocator::Gone(pid_t tid) {
  tasks_.erase(tid);
  for (pid_t& r : recent_)
    if (r == tid) r = 0;
}

void Colocator::AfterCall(pid_t tid, const CapturedCall& c, int64_t ret) {
  if (!enabled_ || c.def == nullptr || ret < 0) return;
  const pid_t target = c.args[0] == 0 ? tid : static_cast<pid_t>(c.args[0]);
  if (c.def->name == "sched_setaffinity") {
    Task& t = tasks_[target];
    t.own = true;  // the program's choice from now on
    t.cpu = -1;
    return;
  }
  if (c.def->name != "sched_getaffinity") return;
  // Unless the task chose its CPUs itself, the answer is the CPUs it had
  // without warden: warden's own at start, which every task inherited. Also
  // for a task warden did not bind itself (a child or thread of one it did
  // inherits the binding).
  auto it = tasks_.find(target);
  if (it != tasks_.end() && it->second.own) return;
  const size_t len = std::min<size_t>(static_cast<size_t>(ret), sizeof allowed_);
  iovec local{&allowed_, len};
  iovec remote{reinterpret_cast<void*>(c.args[2]), len};
  process_vm_writev(tid, &local, 1, &remote, 1, 0);
}

}  // namespace warden::supervisor
