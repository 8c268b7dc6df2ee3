// What the kernel knows about a tracee's socket, read through a copy of the
// tracee's descriptor (pidfd_getfd, allowed to its tracer). warden's fd
// table may be stale (close is not traced) or may never have seen the
// socket (inherited, SCM_RIGHTS); the kernel's answer is exact.
#ifndef WARDEN_SUPERVISOR_TRACEE_SOCKET_H_
#define WARDEN_SUPERVISOR_TRACEE_SOCKET_H_

#include <sys/types.h>

#include <optional>

#include "syscalls/decode.h"

namespace warden::supervisor {

struct SocketFacts {
  int type = -1;                  // SOCK_STREAM, SOCK_DGRAM, ...
  syscalls::SockAddr local, peer;  // family -1 when unknown
};

// Unset when the process or the descriptor is gone.
std::optional<SocketFacts> QuerySocket(pid_t tgid, int fd);

// Ends the connection for both sides (RST), before the tracee's own
// descriptor goes (a denied accept).
void ResetSocket(pid_t tgid, int fd);

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_TRACEE_SOCKET_H_
