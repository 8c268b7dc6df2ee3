// The local port of an accepted connection, which the recorder does not
// store with the accept: accept's row holds the peer and the listening
// socket's fd. The port is the one that socket listens on: listen's row
// holds it (the port the kernel chose after a bind to port 0, asked of the
// kernel), bind's the port the program asked for. Descriptors belong to a
// process (tgid), which its threads share and a forked child inherits
// (pre-fork servers accept in children). One per run, fed in time order.
#ifndef WARDEN_LEARN_LISTEN_PORTS_H_
#define WARDEN_LEARN_LISTEN_PORTS_H_

#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace warden::learn {

class ListenPorts {
 public:
  // A process or thread started: its tgid; a new process inherits the
  // descriptors of its parent's process.
  void Start(int pid, int ppid, int tgid, bool is_thread);
  // The process `pid` belongs to (pid itself when its start is unknown).
  int Tgid(int pid) const;
  // A successful bind (port as asked; 0: the kernel chooses) or listen
  // (the port listened on) of socket `fd`.
  void Bind(int tgid, int fd, int port);
  void Listen(int tgid, int fd, int port);
  // The local port of socket `fd`; -1 when unknown.
  int LocalPort(int tgid, int fd) const;

 private:
  using Fds = std::vector<std::pair<int, int>>;  // (fd, port); few per process
  void Set(int tgid, int fd, int port);
  absl::flat_hash_map<int, int> tgid_;   // pid -> tgid
  absl::flat_hash_map<int, Fds> ports_;  // tgid -> its sockets' local ports
};

}  // namespace warden::learn

#endif  // WARDEN_LEARN_LISTEN_PORTS_H_
