// Per-process state the tracer keeps: the fd table and cwd (shared between
// tasks created with CLONE_FILES / CLONE_FS, copied otherwise), and what
// the thread group is running.
#ifndef WARDEN_SUPERVISOR_PROCESS_STATE_H_
#define WARDEN_SUPERVISOR_PROCESS_STATE_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace warden::supervisor {

struct FdEntry {
  enum class Kind : uint8_t { kFile, kSocket };
  Kind kind = Kind::kFile;
  std::string path;     // absolute path for files and directories
  bool cloexec = false; // closed by a successful exec
  int family = -1;      // sockets: AF_*
  int type = -1;        // sockets: SOCK_* (without NONBLOCK/CLOEXEC)
  std::string local;    // sockets: bound address, "addr:port" or path
  int local_port = -1;
};

// Descriptor table. close(2) is not traced (it is the second most frequent
// syscall of file-heavy programs); a reused number simply overwrites its
// entry, and a lookup that misses asks /proc.
class FdTable {
 public:
  const FdEntry* Find(int fd) const;
  void Set(int fd, FdEntry e) { fds_[fd] = std::move(e); }
  void Close(int fd) { fds_.erase(fd); }
  void CloseRange(unsigned first, unsigned last);
  void Dup(int from, int to, bool cloexec);
  void SetCloexec(int fd, bool on);
  // A successful exec closes O_CLOEXEC descriptors.
  void ApplyExec();

 private:
  absl::flat_hash_map<int, FdEntry> fds_;
};

struct FsState {
  std::string cwd;
  // The resolver's rename count when `cwd` was read from the kernel: a
  // rename since may have moved one of its directories (supervisor/resolve.h).
  uint64_t renames_seen = 0;
  // The task may have a root or mount namespace other than warden's: it
  // called chroot, pivot_root, unshare or setns, or was cloned with
  // CLONE_NEWNS. Paths are then found from /proc/TID/root (object_path.h).
  bool own_root = false;
};

// What a thread group runs; shared by its threads.
struct ProcessInfo {
  pid_t tgid = 0;
  pid_t ppid = 0;
  std::string exe;
  std::vector<std::string> argv;
  // The path the running image was executed by, as the program named it
  // (made absolute): /bin/sh where exe says /usr/bin/dash. Policy rules'
  // `program` globs match either.
  std::string exec_path;
};

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_PROCESS_STATE_H_
