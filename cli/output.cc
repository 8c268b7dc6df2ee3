#include "cli/output.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fmt/format.h"

extern char** environ;

namespace warden::cli {

bool FdStreambuf::Drain(const char* p, size_t n) {
  if (errno_) return false;
  while (n > 0) {
    ssize_t w = write(fd_, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      errno_ = w < 0 ? errno : EIO;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

int FdStreambuf::overflow(int c) {
  if (sync() != 0) return traits_type::eof();
  if (c != traits_type::eof()) {
    *pptr() = static_cast<char>(c);
    pbump(1);
  }
  return traits_type::not_eof(c);
}

int FdStreambuf::sync() {
  bool ok = Drain(pbase(), static_cast<size_t>(pptr() - pbase()));
  setp(buf_, buf_ + sizeof buf_);
  return ok ? 0 : -1;
}

std::streamsize FdStreambuf::xsputn(const char* s, std::streamsize n) {
  // Large writes go straight through, after what is buffered.
  if (n >= static_cast<std::streamsize>(sizeof buf_)) {
    if (sync() != 0 || !Drain(s, static_cast<size_t>(n))) return 0;
    return n;
  }
  return std::streambuf::xsputn(s, n);
}

Output::Output() : stream_(nullptr) {}

Output::~Output() {
  if (committed_) return;
  stream_.rdbuf(nullptr);
  buf_.reset();
  if (pipe_fd_ >= 0) close(pipe_fd_);
  if (gzip_ > 0) waitpid(gzip_, nullptr, 0);
  if (own_fd_) close(fd_);
  if (!tmp_.empty()) unlink(tmp_.c_str());
}

absl::StatusOr<std::unique_ptr<Output>> Output::Open(const std::string& path, bool gzip) {
  std::unique_ptr<Output> o(new Output());
  o->path_ = path;
  if (path.empty() || path == "-") {
    o->fd_ = STDOUT_FILENO;
  } else {
    struct stat st;
    if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
      // A device or a FIFO (/dev/stdout, a named pipe): written in place.
      o->fd_ = open(path.c_str(), O_WRONLY | O_CLOEXEC);
      if (o->fd_ < 0)
        return absl::FailedPreconditionError(fmt::format("cannot write {}: {}", path, strerror(errno)));
    } else {
      // Next to the file, so that the rename stays on one file system; an
      // existing file is only replaced by a complete one.
      size_t slash = path.rfind('/');
      std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
      std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
      o->tmp_ = fmt::format("{}{}.{}.XXXXXX", slash == std::string::npos ? "" : dir, "." + base,
                            "partial");
      o->fd_ = mkostemp(o->tmp_.data(), O_CLOEXEC);
      if (o->fd_ < 0) {
        o->tmp_.clear();
        return absl::FailedPreconditionError(fmt::format("cannot write {}: {}", path, strerror(errno)));
      }
      mode_t mask = umask(0);
      umask(mask);
      fchmod(o->fd_, 0666 & ~mask);
    }
    o->own_fd_ = true;
    // A failing write (a full disk, gzip gone) is then an error to report
    // and clean up after, not a silent death by SIGPIPE.
    signal(SIGPIPE, SIG_IGN);
  }
  int target = o->fd_;
  if (gzip) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
      return absl::InternalError(fmt::format("pipe: {}", strerror(errno)));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&fa, o->fd_, STDOUT_FILENO);
    char arg0[] = "gzip", arg1[] = "-c";
    char* argv[] = {arg0, arg1, nullptr};
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, "gzip", &fa, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(p[0]);
    if (rc != 0) {
      close(p[1]);
      return absl::InternalError(fmt::format("cannot run gzip: {}", strerror(rc)));
    }
    o->gzip_ = pid;
    o->pipe_fd_ = p[1];
    target = p[1];
  }
  o->buf_ = std::make_unique<FdStreambuf>(target);
  o->stream_.rdbuf(o->buf_.get());
  return o;
}

absl::Status Output::Finish() {
  stream_.flush();
  int write_errno = buf_->error();
  stream_.rdbuf(nullptr);
  buf_.reset();
  if (pipe_fd_ >= 0) {
    close(pipe_fd_);
    pipe_fd_ = -1;
  }
  std::string gzip_error;
  if (gzip_ > 0) {
    int status = 0;
    while (waitpid(gzip_, &status, 0) < 0 && errno == EINTR) {
    }
    gzip_ = -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      gzip_error = WIFEXITED(status) ? fmt::format("gzip exited with status {}", WEXITSTATUS(status))
                                     : fmt::format("gzip was killed by signal {}", WTERMSIG(status));
  }
  if (write_errno)
    return absl::AbortedError(fmt::format("writing {} failed: {}",
                                          path_.empty() || path_ == "-" ? "the output" : path_,
                                          strerror(write_errno)));
  if (!gzip_error.empty()) return absl::AbortedError(gzip_error);
  return absl::OkStatus();
}

absl::Status Output::Commit() {
  if (auto s = Finish(); !s.ok()) return s;
  if (own_fd_) {
    int rc = close(fd_);
    own_fd_ = false;
    if (rc != 0)
      return absl::AbortedError(fmt::format("writing {} failed: {}", path_, strerror(errno)));
  }
  if (!tmp_.empty()) {
    if (rename(tmp_.c_str(), path_.c_str()) != 0)
      return absl::AbortedError(fmt::format("cannot write {}: {}", path_, strerror(errno)));
    tmp_.clear();
  }
  committed_ = true;
  return absl::OkStatus();
}

}  // namespace warden::cli
