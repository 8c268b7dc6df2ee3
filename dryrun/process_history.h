// What the dry run knows about each traced process at a point of the
// recorded run, rebuilt in time order from the process rows and the calls
// (the live supervisor keeps the same facts in its ProcessInfo and FdTable):
// the path its image was executed by (rules' program globs match it as
// well as the exe), the ports its listening sockets are bound to (accept
// is judged by the local port), and whether the process would still exist
// under the policy (not after a predicted kill, nor in an image whose exec
// would be denied).
#ifndef WARDEN_DRYRUN_PROCESS_HISTORY_H_
#define WARDEN_DRYRUN_PROCESS_HISTORY_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "dryrun/recorded_call.h"

namespace warden::dryrun {

class ProcessHistory {
 public:
  // A new process inherits its parent's state (fork copies the image and
  // the descriptors); a thread joins its group's.
  void Start(const ProcessRow& p);

  // The path the caller's image was executed by; "" when not known.
  const std::string& ExecPath(int pid) { return Of(pid).exec_path; }
  // A successful exec of `path`.
  void Exec(int pid, std::string path) { Of(pid).exec_path = std::move(path); }

  // A successful bind or listen of socket `fd` on `port` (listen records
  // the port the kernel picked for a bind to port 0, so it comes last).
  void Bound(int pid, int fd, int port) { Of(pid).ports[fd] = port; }
  // The local port of socket `fd`, when a bind or listen of it was seen.
  std::optional<int> LocalPort(int pid, int fd);

  // The process would be gone (killed) or would never have run this image.
  void Doom(int pid) { Of(pid).doomed = true; }
  bool Doomed(int pid) { return Of(pid).doomed; }

 private:
  struct State {
    std::string exec_path;
    absl::flat_hash_map<int, int> ports;  // fd -> local port
    bool doomed = false;
  };
  State& Of(int pid);

  absl::flat_hash_map<int, int> tgid_;  // thread -> its group
  absl::flat_hash_map<int, std::shared_ptr<State>> groups_;
};

}  // namespace warden::dryrun

#endif  // WARDEN_DRYRUN_PROCESS_HISTORY_H_
