// The ptrace event loop: one waitpid(__WALL) loop over the whole process
// tree, one handler per kind of stop. The tracer only stops, reads
// registers and resumes; a seccomp stop goes one way through the steps:
//   capture (supervisor/capture.h: registers and memory, once)
//   -> resolve (supervisor/resolve.h: paths against the fd table and cwd)
//   -> gate (supervisor/policy_gate.h: a Decision)
//   -> the tracer enforces it (deny, kill, or resume)
//   -> recorder (supervisor/call_recorder.h: one record per call) -> store.
#ifndef WARDEN_SUPERVISOR_TRACER_H_
#define WARDEN_SUPERVISOR_TRACER_H_

#include <sys/types.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "policy/policy.h"
#include "store/store.h"
#include "supervisor/call_recorder.h"
#include "supervisor/capture.h"
#include "supervisor/colocate.h"
#include "supervisor/policy_gate.h"
#include "supervisor/resolve.h"
#include "supervisor/tracee.h"

namespace warden::supervisor {

struct ExitStatus {
  int exit_code = -1;  // as a shell reports it: the code, or 128+N
  int signal = 0;      // N when the main child died of signal N
};

struct TracerOptions {
  // Poll this long for the next stop before sleeping in waitpid (0: never).
  int spin_us = 50;
  // When the main child ends, SIGKILL every descendant still traced instead
  // of waiting for them (SECURITY.md 20; tini-like).
  bool kill_on_main_exit = false;
  // Stop at every syscall exit to record results; false skips the exit
  // stops that only the recorded result needs (warden run --no-results).
  bool want_results = true;
  // The policy to enforce; null: only the built-in protections.
  std::shared_ptr<const policy::Policy> policy;
  // Bind a busy tracee and the tracer to one CPU (supervisor/colocate.h).
  bool colocate = false;
};

class Tracer {
 public:
  Tracer(store::Store* store, RecorderOptions options, TracerOptions tracer_options = {});

  // Traces `main_pid` (already seized by Launch) and everything it starts,
  // until no tracee is left. Returns how the main child ended.
  ExitStatus Run(pid_t main_pid, const std::string& cwd, const std::vector<std::string>& argv);

  // The policy gate, for the reload thread (PolicyGate::Replace).
  PolicyGate& gate() { return gate_; }
  // Stops taken so far (seccomp, syscall-exit, ptrace events, signals).
  uint64_t stops() const { return stops_; }
  // io_uring instances the program set up: their work is not seen.
  uint64_t io_uring_rings() const { return io_uring_rings_; }

  // Published for a reader on another thread (the status line of
  // supervisor/progress.h): relaxed atomics, updated after every stop.
  struct Counters {
    std::atomic<uint64_t> stops{0};
    std::atomic<uint64_t> processes{0};  // traced processes (not threads) alive
    std::atomic<uint64_t> denials{0};    // calls denied or killed by warden
  };
  const Counters& counters() const { return counters_; }

 private:
  void Dispatch(pid_t pid, int status);
  void OnSeccompStop(Tracee& t);
  void OnSyscallExitStop(Tracee& t);
  void OnForkEvent(Tracee& parent, int event);
  void OnExecEvent(Tracee& t);
  void OnEventStop(Tracee& t, int sig);
  void OnTerminated(pid_t pid, int status);
  void OnUnknownStop(pid_t pid, int status);
  void DenyCall(Tracee& t, int err);
  void KillCall(Tracee& t);
  void DenyAtExit(Tracee& t, int64_t ret, int err);
  void Finish(Tracee& t, const ExitFacts& exit, std::optional<int64_t> ret);
  bool OnInjectionStop(Tracee& t, int status);
  Tracee& AdoptChild(pid_t child, Tracee* parent, uint64_t clone_flags);
  void ReleaseParkedChildrenOf(pid_t ppid);
  void Resume(Tracee& t, int sig = 0);
  void PublishCounters();

  CaptureOptions capture_options_;
  Resolver resolver_;
  PolicyGate gate_;
  CallRecorder recorder_;
  Colocator colocator_;
  uint64_t stops_ = 0;
  uint64_t io_uring_rings_ = 0;
  Counters counters_;
  size_t counted_tasks_ = 0;  // tracees_.size() when processes was last counted
  store::Store* store_;
  int64_t spin_ns_ = 0;
  bool kill_on_main_exit_ = false;
  bool want_results_ = true;
  pid_t main_pid_ = 0;
  ExitStatus main_status_;
  absl::flat_hash_map<pid_t, std::unique_ptr<Tracee>> tracees_;
  // New children stopped before their parent's fork event told us how they
  // were cloned: kept stopped until it does (SECURITY.md 10).
  absl::flat_hash_map<pid_t, pid_t> parked_;  // child -> parent pid
  absl::flat_hash_set<pid_t> gone_before_adoption_;
};

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_TRACER_H_
