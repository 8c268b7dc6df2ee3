// Whether the warden that records a run is still alive, as any process
// that can open the database file can tell: other wardens, readers, a
// container started later on the same volume, another PID namespace.
//
// While it records run N, warden holds an open-file-description lock
// (fcntl F_OFD_SETLK) on one byte of the database file at kRunLockBase + N,
// far past any data and SQLite's own lock bytes (which start at 1 GiB and
// are POSIX locks: the two kinds only meet on the same bytes). The kernel
// drops the lock when warden's descriptor goes, however warden dies, so a
// run with no end and no lock was interrupted: warden was killed, or its
// machine or container went away. Needs the file on one kernel (a local
// filesystem or a volume on it); over NFS the answer is kUnknown.
#ifndef WARDEN_STORE_RUN_LOCK_H_
#define WARDEN_STORE_RUN_LOCK_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace warden::store {

inline constexpr int64_t kRunLockBase = int64_t{1} << 50;

class RunLock {
 public:
  // Locks run `run`'s byte of the file at `db` (opened again, read-write).
  static absl::StatusOr<RunLock> Take(const std::string& db, int64_t run);
  RunLock(RunLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  RunLock& operator=(RunLock&& o) noexcept;
  RunLock(const RunLock&) = delete;
  ~RunLock();

 private:
  explicit RunLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

enum class Writer { kAlive, kGone, kUnknown };

// Whether a process holds run `run`'s lock on the file at `db`.
Writer RunWriter(const std::string& db, int64_t run);

}  // namespace warden::store

#endif  // WARDEN_STORE_RUN_LOCK_H_
