// One traced task (thread or process) and the syscall it is in the middle
// of, if any.
#ifndef WARDEN_SUPERVISOR_TRACEE_H_
#define WARDEN_SUPERVISOR_TRACEE_H_

#include <sys/types.h>

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
  syscalls::SockAddr addr;  // connect / bind / sendto / sendmsg
  bool has_addr = false;
  std::vector<std::string> argv, envp;
  bool argv_truncated = false;
  std::string action = "allow";
};

struct Tracee {
  pid_t tid = 0;
  bool is_thread = false;  // created with CLONE_THREAD
  std::shared_ptr<ProcessInfo> proc;
  std::shared_ptr<FdTable> fds;
  std::shared_ptr<FsState> fs;
  PendingCall call;
};

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_TRACEE_H_
