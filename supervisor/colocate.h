// Colocation: keeping the tracer and a busy tracee on one CPU, without
// taking CPUs away from a program that uses them in parallel.
//
// A stop that wakes the tracer on another, idle CPU costs about 16 times a
// stop that stays on one CPU on this kind of VM (../shared/PERFORMANCE.md).
// As gVisor's ptrace platform does with its stub threads, the tracee that
// stops is bound to the CPU the tracer runs on, and the tracer to that CPU.
// When two tracees are seen running at the same time (another recently
// stopped task is runnable when one stops, at three stops in a row) and
// they leave the tracer time to spare (it handles stops less than half of
// the time), every binding is lifted for a while: parallel tracees then run
// on every CPU, at the cross-CPU price. Tasks that keep the tracer busier
// wait for the one tracer anyway, and stay bound.
//
// What the program sees does not change: sched_getaffinity(2) answers with
// the CPUs the task had before warden bound it (warden rewrites the answer
// at the call's exit), and a task that sets its own affinity is left alone
// from then on, with its children.
#ifndef WARDEN_SUPERVISOR_COLOCATE_H_
#define WARDEN_SUPERVISOR_COLOCATE_H_

#include <sched.h>
#include <sys/types.h>

#include <array>
#include <cstdint>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "supervisor/captured_call.h"

namespace warden::supervisor {

class Colocator {
 public:
  // Disabled when `enabled` is false or warden may run on one CPU only.
  explicit Colocator(bool enabled);

  bool enabled() const { return enabled_; }
  // The tracer is bound to one CPU now (it must not spin waiting there).
  bool binding() const { return tracer_cpu_ >= 0; }

  // At a seccomp stop of `tid`: bind it to the tracer's CPU, or lift every
  // binding if another tracee is running in parallel.
  void OnStop(pid_t tid, int64_t now_ns);
  // The tracer's time around one stop: waiting for it, then handling it.
  void Account(int64_t waited_ns, int64_t busy_ns);
  // A new task: it inherits its parent's binding (the kernel copies it).
  void Adopted(pid_t child, pid_t parent);
  void Gone(pid_t tid);
  // sched_getaffinity / sched_setaffinity at their exit stop.
  void AfterCall(pid_t tid, const CapturedCall& c, int64_t ret);

  // The calls colocation must see (added to the filter when enabled).
  static bool Watches(std::string_view name);

 private:
  struct Task {
    int cpu = -1;            // the CPU warden bound it to; -1: not bound
    bool own = false;        // it set its own affinity: never touched again
    int64_t last_stop = 0;
    int64_t checked = 0;     // when `running` was read from /proc
    bool running = false;
  };
  bool Running(pid_t tid, Task& t, int64_t now);
  void Spread(int64_t now);
  void Bind(pid_t tid, Task& t);
  static void MoveOwnThreads(const cpu_set_t& set);

  bool enabled_ = false;
  cpu_set_t allowed_;      // warden's CPUs at start: what tracees had
  int tracer_cpu_ = -1;
  int64_t spread_until_ = 0;
  int evidence_ = 0;  // stops in a row that saw another task running
  double busy_ = 1;  // moving average of the tracer's busy fraction
  std::array<pid_t, 4> recent_{};  // tasks that stopped last, distinct
  absl::flat_hash_map<pid_t, Task> tasks_;
};

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_COLOCATE_H_
