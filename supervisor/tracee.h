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

#include "supervisor/captured_call.h"
#include "supervisor/decision.h"
#include "supervisor/process_state.h"

namespace warden::supervisor {

// The call a task is in the middle of: what each step made of it at the
// seccomp stop, kept for its exit stop.
struct InFlight {
  bool active = false;  // between the seccomp stop and the exit stop
  CapturedCall call;
  ResolvedPaths paths;
  Decision decision;
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
  InFlight call;
  Injection inject;
};

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_TRACEE_H_
