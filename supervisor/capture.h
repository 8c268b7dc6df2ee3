// The capture step of a stop: registers and tracee memory in, an immutable
// CapturedCall out. Reads the tracee once per stop (one page cache for the
// argument data, the paths, the addresses and argv); formats nothing.
#ifndef WARDEN_SUPERVISOR_CAPTURE_H_
#define WARDEN_SUPERVISOR_CAPTURE_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "supervisor/captured_call.h"
#include "syscalls/decode.h"

namespace warden::supervisor {

struct CaptureOptions {
  bool record_env = false;  // copy execve's envp too
};

// `nr` and `args` as PTRACE_GET_SYSCALL_INFO reported them at the seccomp stop.
CapturedCall Capture(pid_t tid, const std::string& exe, syscalls::Abi abi, uint64_t nr,
                     const uint64_t args[6], const CaptureOptions& options);

// The file op an open with these flags is: "stat" (O_PATH), "create",
// "truncate", "write" or "read".
std::string_view OpenOpOf(uint64_t flags);

// What only the call's exit can show, read at its exit stop.
struct ExitFacts {
  // accept/accept4, recvfrom, recvmsg: the peer the kernel wrote back; for
  // accept4(fd, NULL, NULL) the accepted socket's peer, asked of the kernel.
  std::optional<syscalls::SockAddr> peer;
  // listen on a socket bound to port 0 (or never bound): the port the
  // kernel picked.
  std::optional<syscalls::SockAddr> listen_local;
};
ExitFacts CaptureExit(pid_t tid, pid_t tgid, const CapturedCall& call, int64_t ret,
                      bool listen_port_unknown);

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_CAPTURE_H_
