#include "learn/line_reader.h"

#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>

#include "fmt/format.h"

namespace warden::learn {
namespace {

constexpr size_t kBlock = 1 << 20;

gzFile Gz(void* p) { return static_cast<gzFile>(p); }

}  // namespace

absl::StatusOr<std::unique_ptr<LineReader>> LineReader::Open(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT)
      return absl::NotFoundError(fmt::format(
          "no export at {}: the file does not exist; write one with `warden export --format "
          "ndjson -o {}`",
          path, path));
    return absl::FailedPreconditionError(fmt::format("cannot open '{}': {}", path, strerror(errno)));
  }
  if (S_ISDIR(st.st_mode))
    return absl::FailedPreconditionError(
        fmt::format("'{}' is a directory, not an NDJSON export", path));
  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr)
    return absl::FailedPreconditionError(fmt::format("cannot open '{}': {}", path, strerror(errno)));
  gzbuffer(gz, 256 * 1024);
  return std::unique_ptr<LineReader>(new LineReader(path, gz));
}

LineReader::~LineReader() { gzclose(Gz(gz_)); }

absl::Status LineReader::Rewind() {
  if (gzrewind(Gz(gz_)) != 0)
    return absl::FailedPreconditionError(fmt::format("cannot read '{}' again", path_));
  pos_ = end_ = 0;
  eof_ = false;
  line_ = 0;
  return absl::OkStatus();
}

// Moves the unread rest to the front and reads a block after it (the
// buffer grows for a line longer than it).
absl::Status LineReader::Fill() {
  if (pos_ > 0) {
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  if (buf_.size() < end_ + kBlock) buf_.resize(end_ + kBlock);
  int n = gzread(Gz(gz_), buf_.data() + end_, static_cast<unsigned>(buf_.size() - end_));
  if (n < 0) {
    int err = 0;
    const char* msg = gzerror(Gz(gz_), &err);
    return absl::FailedPreconditionError(
        fmt::format("cannot read '{}' after line {}: {}", path_, line_, msg ? msg : "error"));
  }
  if (n == 0) {
    eof_ = true;
    // Z_BUF_ERROR at the end: a gzip stream cut short (a partial copy).
    int err = Z_OK;
    gzerror(Gz(gz_), &err);
    if (err == Z_BUF_ERROR)
      return absl::FailedPreconditionError(fmt::format(
          "'{}' is cut short: its gzip stream ends after line {}", path_, line_));
  }
  end_ += static_cast<size_t>(n);
  return absl::OkStatus();
}

absl::StatusOr<bool> LineReader::Next(std::string_view* line) {
  for (;;) {
    const char* start = buf_.data() + pos_;
    const void* nl = std::memchr(start, '\n', end_ - pos_);
    if (nl != nullptr || (eof_ && pos_ < end_)) {
      size_t len = nl ? static_cast<const char*>(nl) - start : end_ - pos_;
      pos_ += len + (nl ? 1 : 0);
      if (len > 0 && start[len - 1] == '\r') --len;
      *line = std::string_view(start, len);
      ++line_;
      return true;
    }
    if (eof_) return false;
    if (auto s = Fill(); !s.ok()) return s;
  }
}

}  // namespace warden::learn
