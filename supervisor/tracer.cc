#include "supervisor/tracer.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "supervisor/clock.h"
#include "supervisor/paths.h"
#include "supervisor/tracee_socket.h"
#include "supervisor/tracee_memory.h"
#include "supervisor/watch.h"

namespace warden::supervisor {
namespace {

bool GetSyscallInfo(pid_t pid, __ptrace_syscall_info& info) {
  return ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof info, &info) > 0;
}

// Resumes or edits a stopped task. ESRCH means it is gone (killed
// meanwhile: its exit follows through waitpid); any other failure leaves a
// task warden cannot control, which is killed (fail closed).
bool Checked(long rc, pid_t tid) {
  if (rc == 0 || errno == ESRCH) return rc == 0;
  kill(tid, SIGKILL);
  return false;
}

// True when the open can write: the /proc/PID/mem protection judges the
// path of those, which must then be the kernel's view.
bool CanWrite(const CapturedCall& c) {
  const Effect e = c.effect_kind();
  if (e != Effect::kOpen && e != Effect::kOpenat2) return false;
  return (c.open_flags & O_ACCMODE) != O_RDONLY || (c.open_flags & (O_CREAT | O_TRUNC));
}

// "Tgid:" and "PPid:" from /proc/PID/status; 0 when gone.
void ReadIds(pid_t pid, pid_t& tgid, pid_t& ppid) {
  tgid = ppid = 0;
  std::ifstream in(fmt::format("/proc/{}/status", pid));
  std::string key;
  while (in >> key) {
    if (key == "Tgid:") in >> tgid;
    else if (key == "PPid:") in >> ppid;
    if (tgid && ppid) return;
    in.ignore(4096, '\n');
  }
}

// How the child of a fork/vfork/clone event was made, read from the
// parent's registers (still inside the syscall at the event stop).
uint64_t CloneFlags(const Tracee& parent_task, int event) {
  // The parent's clone/clone3 was captured at its seccomp stop when it is
  // watched: clone3's flags are not read from memory a second time.
  const CapturedCall& c = parent_task.call.call;
  if (parent_task.call.active && c.def != nullptr) {
    if (c.def->name == "clone") return c.args[0];
    if (c.def->name == "clone3" && c.clone3_flags) return *c.clone3_flags;
  }
  const pid_t parent = parent_task.tid;
  uint64_t fallback = event == PTRACE_EVENT_VFORK ? (CLONE_VM | CLONE_VFORK) : 0;
  __ptrace_syscall_info info{};
  user_regs_struct regs{};
  if (!GetSyscallInfo(parent, info) || ptrace(PTRACE_GETREGS, parent, nullptr, &regs) != 0)
    return fallback;
  const bool i386 = info.arch == AUDIT_ARCH_I386;
  const uint64_t nr = regs.orig_rax;
  const uint64_t arg0 = i386 ? static_cast<uint32_t>(regs.rbx) : regs.rdi;
  if (nr == (i386 ? 120u : 56u)) return arg0;  // clone(flags, ...)
  if (nr == 435) {                             // clone3(struct clone_args *)
    uint64_t flags = 0;
    TraceeMemory mem(parent);
    if (mem.Read(arg0, &flags, sizeof flags) == sizeof flags) return flags;
  }
  return fallback;
}

// When a tracee stops, the kernel wakes the tracer, usually on another CPU;
// on a VM that wake-up is most of a stop's cost. Polling for a few tens of
// microseconds first catches the next stop of a syscall-heavy tracee
// without the wake-up (about 2x fewer seconds per stop here, see
// bench/README.md), and bounds the CPU burnt when the tracee computes.
//
// Adaptive: after a run of polls that all came back empty (the tracees
// compute, or wait on each other as a shell waits for its child), polling
// pauses for a while, so that it does not take a CPU from a tracee.
class StopWaiter {
 public:
  explicit StopWaiter(int64_t spin_ns) : spin_ns_(spin_ns) {}

  // `may_spin`: false while the tracer shares its CPU with the tracees.
  pid_t Wait(int* status, bool may_spin) {
    if (spin_ns_ > 0 && pause_ == 0 && may_spin) {
      const int64_t until = MonotonicNs() + spin_ns_;
      int64_t now;
      do {
        pid_t pid = waitpid(-1, status, __WALL | WNOHANG);
        if (pid != 0) {
          misses_ = 0;
          return pid;
        }
        // A waitpid takes locks the tracees' own syscalls need: polled
        // back to back it halves the speed of their unwatched calls
        // (bench/unwatched.sh). A short pause in user space between polls
        // costs at most that much latency.
        const int64_t next = MonotonicNs() + kPollGapNs;
        do {
          __builtin_ia32_pause();
          now = MonotonicNs();
        } while (now < next);
      } while (now < until);
      if (++misses_ >= kMissesBeforePause) pause_ = kPausedWaits;
    } else if (pause_ > 0) {
      --pause_;
      if (pause_ == 0) misses_ = kMissesBeforePause - 1;  // one try, then pause again
    }
    return waitpid(-1, status, __WALL);
  }

 private:
  static constexpr int64_t kPollGapNs = 2000;
  static constexpr int kMissesBeforePause = 8;
  static constexpr int kPausedWaits = 64;
  int64_t spin_ns_;
  int misses_ = 0;
  int pause_ = 0;
};

}  // namespace

Tracer::Tracer(store::Store* store, RecorderOptions options, TracerOptions tracer_options)
    : capture_options_{options.record_env},
      gate_(tracer_options.policy),
      recorder_(store),
      colocator_(tracer_options.colocate),
      store_(store) {
  // Spinning on the only CPU the tracees may use would starve them.
  cpu_set_t set;
  bool one_cpu = sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) <= 1;
  spin_ns_ = one_cpu ? 0 : static_cast<int64_t>(tracer_options.spin_us) * 1000;
  kill_on_main_exit_ = tracer_options.kill_on_main_exit;
  want_results_ = tracer_options.want_results;
}

ExitStatus Tracer::Run(pid_t main_pid, const std::string& cwd,
                       const std::vector<std::string>& argv) {
  main_pid_ = main_pid;
  auto t = std::make_unique<Tracee>();
  t->tid = main_pid;
  // Until its exec the child is a fork of warden, about to run `argv`.
  std::string exe = ReadLink("/proc/self/exe");
  if (exe.empty()) exe = "warden";
  t->proc = std::make_shared<ProcessInfo>(ProcessInfo{main_pid, getpid(), exe, argv});
  t->fds = std::make_shared<FdTable>();
  t->fs = std::make_shared<FsState>(FsState{cwd});
  recorder_.ProcessStarted(*t, cwd);
  tracees_[main_pid] = std::move(t);
  StopWaiter waiter(spin_ns_);
  while (!tracees_.empty() || !parked_.empty()) {
    int status = 0;
    const int64_t waiting = MonotonicNs();
    pid_t pid = waiter.Wait(&status, !colocator_.binding());
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;  // ECHILD: nothing left to wait for
    }
    const int64_t stopped = MonotonicNs();
    Dispatch(pid, status);
    PublishCounters();
    colocator_.Account(stopped - waiting, MonotonicNs() - stopped);
  }
  return main_status_;
}

void Tracer::PublishCounters() {
  // A plain store per stop; the processes are counted again only when the
  // set of tracees changed (forks and exits are rare next to stops).
  counters_.stops.store(stops_, std::memory_order_relaxed);
  if (tracees_.size() == counted_tasks_) return;
  counted_tasks_ = tracees_.size();
  uint64_t processes = 0;
  for (const auto& [tid, t] : tracees_) processes += !t->is_thread;
  counters_.processes.store(processes, std::memory_order_relaxed);
}

void Tracer::Dispatch(pid_t pid, int status) {
  if (WIFEXITED(status) || WIFSIGNALED(status)) return OnTerminated(pid, status);
  if (!WIFSTOPPED(status)) return;
  ++stops_;
  auto it = tracees_.find(pid);
  if (it == tracees_.end()) return OnUnknownStop(pid, status);
  Tracee& t = *it->second;
  if (t.inject.active && OnInjectionStop(t, status)) return;
  const int sig = WSTOPSIG(status);
  const int event = status >> 16;
  if (sig == (SIGTRAP | 0x80)) return OnSyscallExitStop(t);
  switch (event) {
    case PTRACE_EVENT_SECCOMP: return OnSeccompStop(t);
    case PTRACE_EVENT_FORK:
    case PTRACE_EVENT_VFORK:
    case PTRACE_EVENT_CLONE: return OnForkEvent(t, event);
    case PTRACE_EVENT_EXEC: return OnExecEvent(t);
    case PTRACE_EVENT_EXIT: return Resume(t);  // not asked for (no TRACEEXIT): a stop per exit saved
    case PTRACE_EVENT_STOP: return OnEventStop(t, sig);
    default: break;
  }
  // Signal-delivery-stop: deliver the signal, once, by resuming with it.
  Resume(t, sig);
}

void Tracer::OnSeccompStop(Tracee& t) {
  __ptrace_syscall_info info{};
  if (!GetSyscallInfo(t.tid, info) || info.op != PTRACE_SYSCALL_INFO_SECCOMP) return Resume(t);
  if (info.arch != AUDIT_ARCH_X86_64 && info.arch != AUDIT_ARCH_I386) {
    // An arch warden cannot decode: fail closed.
    kill(t.tid, SIGKILL);
    return;
  }
  colocator_.OnStop(t.tid, MonotonicNs());
  const auto abi = info.arch == AUDIT_ARCH_I386 ? syscalls::Abi::kI386 : syscalls::Abi::kX86_64;
  InFlight& in = t.call;
  in.active = true;
  in.call = Capture(t.tid, t.proc->exe, abi, info.seccomp.nr, info.seccomp.args, capture_options_);
  // Every path is the file the kernel will act on (a symlink to
  // /proc/PID/mem meets the /proc/*/mem protection, policy or not); a
  // verdict takes the cwd from the kernel, not from what was tracked.
  in.paths = resolver_.Resolve(t, in.call, gate_.JudgesPaths() || CanWrite(in.call));
  if (in.call.effect_kind() == Effect::kOpenByHandle && gate_.JudgesPaths())
    in.paths.handle_path = resolver_.HandlePath(t, in.call).value_or("");
  in.decision = gate_.AtEntry(*t.proc, in.call, in.paths,
                              [this, &t](int i) { return resolver_.ReadArg(t, t.call.call, i); });
  if (in.decision.enforce == policy::Action::kDeny) return DenyCall(t, in.decision.err);
  if (in.decision.enforce == policy::Action::kKill) return KillCall(t);
  if (!NeedsExitStop(in.call.def, in.call.effect, want_results_) && !PolicyGate::JudgedAtExit(in.call))
    Finish(t, ExitFacts{}, std::nullopt);
  Resume(t);
}

// The end of the task's in-flight call: recorded, and no longer in flight.
void Tracer::Finish(Tracee& t, const ExitFacts& exit, std::optional<int64_t> ret) {
  if (!t.call.active) return;
  t.call.active = false;
  recorder_.Record(t, std::move(t.call), exit, ret);
}

// Kill: the call must not run either (SIGKILL takes effect when the task
// next returns to the kernel's exit path, after the call would have run).
void Tracer::KillCall(Tracee& t) {
  counters_.denials.fetch_add(1, std::memory_order_relaxed);
  Checked(ptrace(PTRACE_POKEUSER, t.tid, offsetof(user_regs_struct, orig_rax), -1L), t.tid);
  kill(t.proc->tgid, SIGKILL);
  Finish(t, ExitFacts{}, std::nullopt);
  Resume(t);
}

// Deny at the exit of a call that already ran (accept, open_by_handle_at):
// the program must not keep what the call gave it. The descriptor is closed
// by making the tracee run close(fd) (rewinding to its syscall instruction,
// strace-style injection), and the call then returns -err. An accepted
// connection is shut down first, so the peer gets nothing through it even
// where the injection cannot be done (then the descriptor stays, dead).
void Tracer::DenyAtExit(Tracee& t, int64_t ret, int err) {
  counters_.denials.fetch_add(1, std::memory_order_relaxed);
  const int fd = static_cast<int>(ret);
  if (t.call.call.effect_kind() == Effect::kAccept) ResetSocket(t.proc->tgid, fd);
  const bool i386 = t.call.call.abi == syscalls::Abi::kI386;
  Finish(t, ExitFacts{}, -static_cast<int64_t>(err));
  user_regs_struct regs{};
  if (!Checked(ptrace(PTRACE_GETREGS, t.tid, nullptr, &regs), t.tid)) return Resume(t);
  errno = 0;
  long word = ptrace(PTRACE_PEEKTEXT, t.tid, regs.rip - 2, nullptr);
  const uint16_t insn = static_cast<uint16_t>(word);
  const bool rewindable = errno == 0 && (insn == 0x050f /* syscall */ || insn == 0x80cd /* int $0x80 */);
  if (!rewindable) {
    Checked(ptrace(PTRACE_POKEUSER, t.tid, offsetof(user_regs_struct, rax), static_cast<long>(-err)),
            t.tid);
    return Resume(t);
  }
  t.inject = Injection{true, regs, -err};
  regs.rax = regs.orig_rax = i386 ? 6 : 3;  // close
  (i386 ? regs.rbx : regs.rdi) = static_cast<unsigned long long>(fd);
  regs.rip -= 2;
  if (!Checked(ptrace(PTRACE_SETREGS, t.tid, nullptr, &regs), t.tid)) return;
  Checked(ptrace(PTRACE_SYSCALL, t.tid, nullptr, 0), t.tid);
}

// Stops of a task running an injected close: step through its entry (and a
// seccomp stop, if close is watched) to its exit, then restore the
// registers with the denied call's result. False: not an injection stop.
bool Tracer::OnInjectionStop(Tracee& t, int status) {
  const int sig = WSTOPSIG(status);
  const int event = status >> 16;
  if (sig == (SIGTRAP | 0x80)) {
    __ptrace_syscall_info info{};
    if (GetSyscallInfo(t.tid, info) && info.op == PTRACE_SYSCALL_INFO_EXIT) {
      user_regs_struct regs = t.inject.saved;
      regs.rax = static_cast<unsigned long long>(t.inject.result);
      Checked(ptrace(PTRACE_SETREGS, t.tid, nullptr, &regs), t.tid);
      t.inject.active = false;
      Resume(t);
      return true;
    }
    Checked(ptrace(PTRACE_SYSCALL, t.tid, nullptr, 0), t.tid);
    return true;
  }
  if (event == PTRACE_EVENT_SECCOMP) {
    Checked(ptrace(PTRACE_SYSCALL, t.tid, nullptr, 0), t.tid);
    return true;
  }
  return false;  // signals, exits: handled as usual (Resume keeps stepping)
}

// Makes the pending call fail with -err without running: at the seccomp
// stop, syscall number -1 skips it and rax becomes its return value. If the
// registers cannot be written, the task is killed (Checked): a denied call
// never runs.
void Tracer::DenyCall(Tracee& t, int err) {
  counters_.denials.fetch_add(1, std::memory_order_relaxed);
  if (Checked(ptrace(PTRACE_POKEUSER, t.tid, offsetof(user_regs_struct, orig_rax), -1L), t.tid))
    Checked(ptrace(PTRACE_POKEUSER, t.tid, offsetof(user_regs_struct, rax), static_cast<long>(-err)),
            t.tid);
  Finish(t, ExitFacts{}, -static_cast<int64_t>(err));
  Resume(t);
}

void Tracer::OnSyscallExitStop(Tracee& t) {
  __ptrace_syscall_info info{};
  if (!GetSyscallInfo(t.tid, info) || info.op != PTRACE_SYSCALL_INFO_EXIT) {
    t.call.active = false;
    return Resume(t);
  }
  if (!t.call.active) return Resume(t);
  InFlight& in = t.call;
  const int64_t ret = info.exit.rval;
  const ExitFacts exit = CaptureExit(t.tid, t.proc->tgid, in.call, ret,
                                     Resolver::ListenPortUnknown(t, in.call));
  if (in.call.effect_kind() == Effect::kOpenByHandle && ret >= 0)
    in.paths.path = resolver_.FdPath(t, static_cast<int>(ret));  // only known now
  if (PolicyGate::JudgedAtExit(in.call)) {
    in.decision = gate_.AtExit(*t.proc, in.call, in.decision, in.paths.path, ret);
    if (in.decision.enforce == policy::Action::kDeny) return DenyAtExit(t, ret, in.decision.err);
    if (in.decision.enforce == policy::Action::kKill) {
      counters_.denials.fetch_add(1, std::memory_order_relaxed);
      kill(t.proc->tgid, SIGKILL);
      Finish(t, ExitFacts{}, std::nullopt);
      return Resume(t);
    }
  }
  // ERESTART* (512-516): the kernel runs the call again; its effect is the
  // second run's.
  if (!(ret <= -512 && ret >= -516)) resolver_.Apply(t, in.call, in.paths, exit, ret);
  colocator_.AfterCall(t.tid, in.call, ret);
  if (ret >= 0 && in.call.def != nullptr && in.call.def->name == "io_uring_setup") ++io_uring_rings_;
  Finish(t, exit, ret);
  Resume(t);
}

void Tracer::OnForkEvent(Tracee& parent, int event) {
  unsigned long msg = 0;
  if (ptrace(PTRACE_GETEVENTMSG, parent.tid, nullptr, &msg) == 0 && msg != 0) {
    pid_t child = static_cast<pid_t>(msg);
    uint64_t flags = CloneFlags(parent, event);
    if (gone_before_adoption_.erase(child)) {
      // Killed while parked: nothing left to adopt.
    } else if (!tracees_.contains(child)) {
      Tracee& c = AdoptChild(child, &parent, flags);
      if (parked_.erase(child)) Resume(c);
    }
  }
  Resume(parent);
}

Tracee& Tracer::AdoptChild(pid_t child, Tracee* parent, uint64_t flags) {
  auto t = std::make_unique<Tracee>();
  t->tid = child;
  t->is_thread = flags & CLONE_THREAD;
  if (parent != nullptr) {
    if (t->is_thread) {
      t->proc = parent->proc;
    } else {
      t->proc = std::make_shared<ProcessInfo>(*parent->proc);
      t->proc->tgid = child;
      t->proc->ppid = (flags & CLONE_PARENT) ? parent->proc->ppid : parent->proc->tgid;
    }
    t->fds = (flags & CLONE_FILES) ? parent->fds : std::make_shared<FdTable>(*parent->fds);
    t->fs = (flags & CLONE_FS) ? parent->fs : std::make_shared<FsState>(*parent->fs);
    if (flags & CLONE_NEWNS) t->fs->own_root = true;  // its own mounts from now on
  } else {
    pid_t tgid, ppid;
    ReadIds(child, tgid, ppid);
    t->proc = std::make_shared<ProcessInfo>(ProcessInfo{child, ppid, "", {}});
    t->fds = std::make_shared<FdTable>();
    t->fs = std::make_shared<FsState>();
    t->fs->own_root = true;  // where it came from is unknown: ask its /proc/TID/root
  }
  Tracee& ref = *t;
  tracees_[child] = std::move(t);
  if (parent != nullptr) colocator_.Adopted(child, parent->tid);
  // The kernel's cwd: the one tracked at chdir is stale after a rename.
  std::string cwd = ReadLink(fmt::format("/proc/{}/cwd", child));
  if (cwd.empty() || cwd[0] != '/') cwd = ref.fs->cwd;
  else resolver_.SetCwd(ref, cwd);
  recorder_.ProcessStarted(ref, cwd);
  return ref;
}

// A stop from a task warden has not heard of: a new child whose parent's
// fork event is still to come. Threads join their group at once; processes
// wait (stopped) for the event, unless their parent is not traced.
void Tracer::OnUnknownStop(pid_t pid, int /*status*/) {
  pid_t tgid = 0, ppid = 0;
  ReadIds(pid, tgid, ppid);
  if (tgid != 0 && tgid != pid) {
    auto leader = tracees_.find(tgid);
    if (leader != tracees_.end()) {
      Resume(AdoptChild(pid, leader->second.get(), CLONE_THREAD | CLONE_FILES | CLONE_FS));
      return;
    }
  }
  if (ppid != 0 && tracees_.contains(ppid)) {
    parked_[pid] = ppid;
    return;
  }
  Resume(AdoptChild(pid, nullptr, 0));
}

void Tracer::ReleaseParkedChildrenOf(pid_t ppid) {
  std::vector<pid_t> orphans;
  for (const auto& [child, parent] : parked_)
    if (parent == ppid) orphans.push_back(child);
  for (pid_t child : orphans) {
    parked_.erase(child);
    Resume(AdoptChild(child, nullptr, 0));
  }
}

void Tracer::OnExecEvent(Tracee& t) {
  unsigned long former = 0;
  // Unreadable (the task was killed meanwhile): the exec is taken to be the
  // leader's own, which it is unless a thread exec'd.
  if (ptrace(PTRACE_GETEVENTMSG, t.tid, nullptr, &former) != 0) former = 0;
  pid_t pid = t.tid;
  Tracee* now = &t;
  std::vector<pid_t> ended;  // thread ids that no longer exist
  if (former != 0 && static_cast<pid_t>(former) != pid) {
    // A non-leader thread exec'd: it takes over the thread-group id, and its
    // own thread id ends here.
    auto it = tracees_.find(static_cast<pid_t>(former));
    if (it != tracees_.end()) {
      std::unique_ptr<Tracee> moved = std::move(it->second);
      tracees_.erase(it);
      moved->tid = pid;
      now = moved.get();
      tracees_[pid] = std::move(moved);
      ended.push_back(static_cast<pid_t>(former));
    }
  }
  // Every other thread of the group is gone; the kernel may never report
  // their exits, so they end here too.
  auto proc = now->proc;
  absl::erase_if(tracees_, [&](const auto& kv) {
    if (kv.first == pid || kv.second->proc != proc) return false;
    Finish(*kv.second, ExitFacts{}, std::nullopt);
    ended.push_back(kv.first);
    return true;
  });
  for (pid_t tid : ended) {
    recorder_.ProcessEnded(tid, std::nullopt);
    colocator_.Gone(tid);
  }
  now->is_thread = false;
  Resolver::ApplyExec(*now);
  now->proc->exe = ReadLink(fmt::format("/proc/{}/exe", now->tid));
  InFlight& in = now->call;
  if (in.active && in.call.effect_kind() == Effect::kExec) {
    now->proc->argv = in.call.argv;
    now->proc->exec_path = in.paths.named.empty() ? in.paths.path : in.paths.named;
    // The exec succeeded: its result (0) is known here, and its exit stop
    // is not needed (Resume continues without one).
    Finish(*now, ExitFacts{}, 0);
  } else {
    now->proc->argv = {now->proc->exe};
    now->proc->exec_path = now->proc->exe;
  }
  recorder_.ProcessExeced(*now);
  Resume(*now);
}

void Tracer::OnEventStop(Tracee& t, int sig) {
  if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
    // Group-stop: stay stopped until SIGCONT, without blocking the tracer.
    Checked(ptrace(PTRACE_LISTEN, t.tid, nullptr, nullptr), t.tid);
    return;
  }
  Resume(t);
}

void Tracer::OnTerminated(pid_t pid, int status) {
  auto it = tracees_.find(pid);
  if (it == tracees_.end()) {
    // Killed while parked: its parent's fork event may still come, and must
    // not adopt a task that no longer exists.
    if (parked_.erase(pid)) gone_before_adoption_.insert(pid);
    return;
  }
  Tracee& t = *it->second;
  Finish(t, ExitFacts{}, std::nullopt);
  recorder_.ProcessEnded(pid, status);
  colocator_.Gone(pid);
  if (pid == main_pid_) {
    main_status_.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    main_status_.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    if (kill_on_main_exit_) {
      // Their ends still arrive through waitpid and are recorded.
      for (const auto& [tid, other] : tracees_)
        if (tid != pid) kill(tid, SIGKILL);
      for (const auto& [child, parent] : parked_) kill(child, SIGKILL);
    }
  }
  pid_t tgid = t.proc->tgid;
  tracees_.erase(it);
  // Children parked for a fork event of this process can stop waiting once
  // no thread of it is left to report one.
  bool group_alive = std::any_of(tracees_.begin(), tracees_.end(),
                                 [&](const auto& kv) { return kv.second->proc->tgid == tgid; });
  if (!group_alive) ReleaseParkedChildrenOf(tgid);
}

void Tracer::Resume(Tracee& t, int sig) {
  // Stop again at the syscall's exit only when a pending call needs it.
  auto request = (t.call.active || t.inject.active) ? PTRACE_SYSCALL : PTRACE_CONT;
  Checked(ptrace(request, t.tid, nullptr, sig), t.tid);
}

}  // namespace warden::supervisor
