#include "supervisor/tracee_socket.h"

#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

namespace warden::supervisor {
namespace {

// A descriptor of ours for the tracee's `fd`, closed on scope exit.
class FdCopy {
 public:
  FdCopy(pid_t tgid, int fd) {
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, tgid, 0));
    if (pidfd < 0) return;
    fd_ = static_cast<int>(syscall(SYS_pidfd_getfd, pidfd, fd, 0));
    close(pidfd);
  }
  ~FdCopy() {
    if (fd_ >= 0) close(fd_);
  }
  FdCopy(const FdCopy&) = delete;
  FdCopy& operator=(const FdCopy&) = delete;
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

template <typename Call>
syscalls::SockAddr Address(int fd, Call call) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (call(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
  return syscalls::DecodeSockAddr(&ss, std::min<size_t>(len, sizeof ss));
}

}  // namespace

std::optional<SocketFacts> QuerySocket(pid_t tgid, int fd) {
  FdCopy copy(tgid, fd);
  if (copy.get() < 0) return std::nullopt;
  SocketFacts f;
  socklen_t len = sizeof f.type;
  getsockopt(copy.get(), SOL_SOCKET, SO_TYPE, &f.type, &len);
  f.local = Address(copy.get(), getsockname);
  f.peer = Address(copy.get(), getpeername);
  return f;
}

void ResetSocket(pid_t tgid, int fd) {
  FdCopy copy(tgid, fd);
  if (copy.get() < 0) return;
  linger hard{1, 0};  // RST, not FIN: the peer learns it was refused
  setsockopt(copy.get(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  shutdown(copy.get(), SHUT_RDWR);
}

}  // namespace warden::supervisor
