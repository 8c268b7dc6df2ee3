#include "store/run_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "fmt/format.h"

namespace warden::store {
namespace {

struct flock Byte(short type, int64_t run) {
  struct flock l {};
  l.l_type = type;
  l.l_whence = SEEK_SET;
  l.l_start = kRunLockBase + run;
  l.l_len = 1;
  return l;
}

}  // namespace

absl::StatusOr<RunLock> RunLock::Take(const std::string& db, int64_t run) {
  int fd = open(db.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return absl::UnavailableError(fmt::format("'{}': {}", db, strerror(errno)));
  struct flock l = Byte(F_WRLCK, run);
  if (fcntl(fd, F_OFD_SETLK, &l) != 0) {
    const int err = errno;
    close(fd);
    return absl::UnavailableError(fmt::format("'{}': cannot lock run {}: {}", db, run, strerror(err)));
  }
  return RunLock(fd);
}

RunLock& RunLock::operator=(RunLock&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

RunLock::~RunLock() {
  if (fd_ >= 0) close(fd_);
}

Writer RunWriter(const std::string& db, int64_t run) {
  int fd = open(db.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Writer::kUnknown;
  struct flock l = Byte(F_RDLCK, run);
  const bool asked = fcntl(fd, F_OFD_GETLK, &l) == 0;
  close(fd);
  if (!asked) return Writer::kUnknown;
  return l.l_type == F_UNLCK ? Writer::kGone : Writer::kAlive;
}

}  // namespace warden::store
