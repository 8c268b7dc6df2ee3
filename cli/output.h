// Where a reading command writes: stdout or `-o FILE` (written to a
// temporary file next to it and renamed into place only when complete),
// optionally compressed with zlib. Used by `warden export`.
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

// A streambuf over a file descriptor (not closed by it), optionally
// compressing into the gzip format with zlib on the way (no gzip program
// needed: a slim image has none).
class FdStreambuf : public std::streambuf {
 public:
  FdStreambuf(int fd, bool gzip);
  ~FdStreambuf() override;
  int error() const { return errno_; }  // errno of the first failed write, or 0
  // Flushes, and with gzip writes the end of the stream; once.
  bool Finish();

 protected:
  int overflow(int c) override;
  int sync() override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;

 private:
  bool Drain(const char* p, size_t n);             // through zlib when gzip
  bool Deflate(const char* p, size_t n, int flush);
  bool Write(const char* p, size_t n);             // to the descriptor
  int fd_;
  int errno_ = 0;
  struct Zlib;
  std::unique_ptr<Zlib> z_;  // set when compressing
  bool finished_ = false;
  char buf_[1 << 16];
};

class Output {
 public:
  // `path`: "" or "-" for stdout. `gzip`: compress (zlib, gzip format).
  static absl::StatusOr<std::unique_ptr<Output>> Open(const std::string& path, bool gzip);
  // Without Commit: the temporary file (if any) is removed.
  ~Output();

  std::ostream& stream() { return stream_; }
  // Flushes, ends the gzip stream, renames the file into place.
  absl::Status Commit();

 private:
  Output();
  absl::Status Finish();  // flush, end the gzip stream

  std::string path_, tmp_;   // tmp_: "" when writing to stdout or a non-regular file
  int fd_ = -1;              // the final destination (file or stdout)
  bool own_fd_ = false;
  std::unique_ptr<FdStreambuf> buf_;
  std::ostream stream_;
  bool committed_ = false;
};

}  // namespace warden::cli

#endif  // WARDEN_CLI_OUTPUT_H_
