// One traced task (thread or process) and the syscall it is in the middle
// of, if any.
#ifndef WARDEN_SUPERVISOR_TRACEE_H_
#define WARDEN_SUPERVISOR_TRACEE_H_

#include <sys/types.h>
#include <sys/user.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "supervisor/effects.h"
#include "supervisor/process_state.h"
#include "syscalls/decode.h"
#include "syscalls/syscall_table.h"

namespace warden::supervisor {

// What the seccomp stop captured for the exit stop to finish.
struct PendingCall {
  bool active = false;      // between the seccomp stop and the exit stop
  bool exec_done = false;   // PTRACE_EVENT_EXEC already recorded the exec
  syscalls::Abi abi = syscalls::Abi::kX86_64;
  int nr = -1;
  const syscalls::SyscallDef* def = nullptr;
  const EffectRow* effect = nullptr;
  // i386 socketcall: the socket call it carried (effect and args are that
  // call's; def stays socketcall for the raw event).
  const syscalls::SyscallDef* demuxed = nullptr;
  std::array<uint64_t, 6> args{};
  int64_t ts_ns = 0;
  std::string exe;          // the caller's image (an exec changes it mid-call)
  std::string args_text;
  std::string path, path2;  // absolute (path2: rename/link target, symlink text)
  std::string op;
  std::string flags_text;
  bool cloexec = false;     // the new fd gets FD_CLOEXEC
  syscalls::SockAddr addr;  // connect / bind / sendto / sendmsg (sendmmsg: the first)
  bool has_addr = false;
  std::vector<syscalls::SockAddr> msg_addrs;  // sendmmsg: each message's address
  std::vector<std::string> argv, envp;
  bool argv_truncated = false;
  uint64_t open_flags = 0;  // open/openat/openat2 flags (openat2: from open_how)
  // The verdict (supervisor/policy_gate.h) and what to record.
  std::string action = "allow";
  std::string rule;
  bool hit = false;              // a policy hit: a rule decided, or a non-allow default
  bool enforced = true;          // false in permissive mode
  std::string mode;              // "active" / "permissive" when a policy judged it
  std::string category;          // "file-read", "network-outbound", ...
  std::string target;            // what the verdict was about (path, address:port)
  bool record_behavior = true;   // file / exec / network / syscall events
  bool record_hit = false;       // a policy event
};

// A syscall warden makes the tracee run (close of a descriptor a denied
// accept returned), with the registers to restore when it returns.
struct Injection {
  bool active = false;
  user_regs_struct saved{};
  int64_t result = 0;  // what the denied call returns once restored
};

struct Tracee {
  pid_t tid = 0;
  bool is_thread = false;  // created with CLONE_THREAD
  std::shared_ptr<ProcessInfo> proc;
  std::shared_ptr<FdTable> fds;
  std::shared_ptr<FsState> fs;
  PendingCall call;
  Injection inject;
};

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_TRACEE_H_
