// Lines of a text file that may be gzip-compressed (zlib reads a file
// without the gzip magic bytes as it is), in large blocks: no allocation per
// line. For NDJSON exports.
#ifndef WARDEN_LEARN_LINE_READER_H_
#define WARDEN_LEARN_LINE_READER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace warden::learn {

class LineReader {
 public:
  // NotFound: no such file; FailedPrecondition: a directory, unreadable.
  static absl::StatusOr<std::unique_ptr<LineReader>> Open(const std::string& path);
  ~LineReader();

  // The next line without its "\n" (or "\r\n"), valid until the next call;
  // false at the end. FailedPrecondition when the file cannot be read (a
  // damaged gzip stream).
  absl::StatusOr<bool> Next(std::string_view* line);
  // 1-based number of the line Next returned last.
  int64_t line_number() const { return line_; }
  // Back to the first line.
  absl::Status Rewind();

 private:
  LineReader(std::string path, void* gz) : path_(std::move(path)), gz_(gz) {}
  absl::Status Fill();

  std::string path_;
  void* gz_;  // gzFile
  std::string buf_;
  size_t pos_ = 0, end_ = 0;
  bool eof_ = false;
  int64_t line_ = 0;
};

}  // namespace warden::learn

#endif  // WARDEN_LEARN_LINE_READER_H_
