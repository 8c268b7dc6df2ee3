// Where a reading command writes: stdout or `-o FILE` (written to a
// temporary file next to it and renamed into place only when complete),
// optionally through `gzip -c`. Used by `warden export`.
#ifndef WARDEN_CLI_OUTPUT_H_
#define WARDEN_CLI_OUTPUT_H_

#include <sys/types.h>

#include <memory>
#include <ostream>
#include <streambuf>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace warden::cli {

// A streambuf over a file descriptor (not closed by it).
class FdStreambuf : public std::streambuf {
 public:
  explicit FdStreambuf(int fd) : fd_(fd) { setp(buf_, buf_ + sizeof buf_); }
  ~FdStreambuf() override { sync(); }
  int error() const { return errno_; }  // errno of the first failed write, or 0

 protected:
  int overflow(int c) override;
  int sync() override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;

 private:
  bool Drain(const char* p, size_t n);
  int fd_;
  int errno_ = 0;
  char buf_[1 << 16];
};

class Output {
 public:
  // `path`: "" or "-" for stdout. `gzip`: compress through `gzip -c`.
  static absl::StatusOr<std::unique_ptr<Output>> Open(const std::string& path, bool gzip);
  // Without Commit: the temporary file (if any) is removed.
  ~Output();

  std::ostream& stream() { return stream_; }
  // Flushes, waits for gzip, renames the file into place.
  absl::Status Commit();

 private:
  Output();
  absl::Status Finish();  // flush, close the pipe, wait for gzip

  std::string path_, tmp_;   // tmp_: "" when writing to stdout or a non-regular file
  int fd_ = -1;              // the final destination (file or stdout)
  bool own_fd_ = false;
  int pipe_fd_ = -1;         // gzip's stdin
  pid_t gzip_ = -1;
  std::unique_ptr<FdStreambuf> buf_;
  std::ostream stream_;
  bool committed_ = false;
};

}  // namespace warden::cli

#endif  // WARDEN_CLI_OUTPUT_H_
