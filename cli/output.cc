#include "cli/output.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>

#include "fmt/format.h"

namespace warden::cli {

struct FdStreambuf::Zlib {
  z_stream z{};
  char out[1 << 16];
};

FdStreambuf::FdStreambuf(int fd, bool gzip) : fd_(fd) {
  setp(buf_, buf_ + sizeof buf_);
  if (!gzip) return;
  z_ = std::make_unique<Zlib>();
  // windowBits 15 + 16: the gzip wrapper, as `gzip -c` writes.
  if (deflateInit2(&z_->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    errno_ = ENOMEM;
}

FdStreambuf::~FdStreambuf() {
  Finish();
  if (z_) deflateEnd(&z_->z);
}

bool FdStreambuf::Finish() {
  if (finished_) return errno_ == 0;
  finished_ = true;
  bool ok = sync() == 0;
  if (z_ && ok) ok = Deflate(nullptr, 0, Z_FINISH);
  return ok;
}

bool FdStreambuf::Write(const char* p, size_t n) {
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

bool FdStreambuf::Deflate(const char* p, size_t n, int flush) {
  z_stream& z = z_->z;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(p));
  z.avail_in = static_cast<uInt>(n);
  int rc;
  do {
    z.next_out = reinterpret_cast<Bytef*>(z_->out);
    z.avail_out = sizeof z_->out;
    rc = deflate(&z, flush);
    if (rc == Z_STREAM_ERROR) {
      errno_ = EIO;
      return false;
    }
    if (!Write(z_->out, sizeof z_->out - z.avail_out)) return false;
  } while (z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
  return true;
}

bool FdStreambuf::Drain(const char* p, size_t n) {
  if (errno_) return false;
  if (z_) return n == 0 || Deflate(p, n, Z_NO_FLUSH);
  return Write(p, n);
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
  o->buf_ = std::make_unique<FdStreambuf>(o->fd_, gzip);
  o->stream_.rdbuf(o->buf_.get());
  return o;
}

absl::Status Output::Finish() {
  stream_.flush();
  buf_->Finish();
  int write_errno = buf_->error();
  stream_.rdbuf(nullptr);
  buf_.reset();
  if (write_errno)
    return absl::AbortedError(fmt::format("writing {} failed: {}",
                                          path_.empty() || path_ == "-" ? "the output" : path_,
                                          strerror(write_errno)));
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
