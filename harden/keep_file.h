// The keep file of `warden harden --keep FILE`: what the coverage run could
// not reach but the hardened tree must hold. One glob per line, in the
// policy files' glob syntax (warden-policy(5): * within a name, ** across
// directories, ?, [set]); `!GLOB` takes paths out again; `#` starts a
// comment; blank lines are ignored. The last matching line decides.
#ifndef WARDEN_HARDEN_KEEP_FILE_H_
#define WARDEN_HARDEN_KEEP_FILE_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace warden::harden {

struct KeepLine {
  std::string glob;  // absolute
  bool exclude = false;
  int line = 0;
};

class KeepFile {
 public:
  // `name` is the file's name for messages ("FILE:LINE: ...").
  static absl::StatusOr<KeepFile> Parse(std::string_view text, std::string_view name);
  static absl::StatusOr<KeepFile> Read(const std::string& path);

  // Whether `path` (a root path) is kept: the last line that matches says.
  bool Keeps(std::string_view path) const;
  // Whether `path` is taken out by a `!` line (even if observed).
  bool Excludes(std::string_view path) const;
  const std::vector<KeepLine>& lines() const { return lines_; }

 private:
  std::vector<KeepLine> lines_;
};

}  // namespace warden::harden

#endif  // WARDEN_HARDEN_KEEP_FILE_H_
