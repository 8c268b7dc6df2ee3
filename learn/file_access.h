// Which file access a recorded file event is, as file-read and file-write
// rules judge it. Not a second definition: the syscall's effect row
// (supervisor/effects.h) and supervisor::DescribeFileUse -- what the live
// gate and the dry run use -- read back from what the recorder stored (the
// syscall name, and the open flags as decoded text). O_RDWR gives read and
// write; rename and link write path2 too; stat, access, readlink, exec and
// the like are no file access.
#ifndef WARDEN_LEARN_FILE_ACCESS_H_
#define WARDEN_LEARN_FILE_ACCESS_H_

#include <string_view>

#include "policy/evaluate.h"

namespace warden::learn {

struct FileAccessOf {
  policy::FileAccess access = policy::FileAccess::kNone;  // of path
  bool writes_path2 = false;                              // path2 is written too
  bool Reads() const { return static_cast<int>(access) & 1; }
  bool Writes() const { return static_cast<int>(access) & 2; }
};

// `flags` as the recorder decodes them ("O_RDWR|O_CREAT|O_CLOEXEC"); an open
// recorded without flags text is judged by its op (read, write, create,
// truncate) instead.
FileAccessOf FileAccessOfEvent(std::string_view syscall, std::string_view op,
                               std::string_view flags);

}  // namespace warden::learn

#endif  // WARDEN_LEARN_FILE_ACCESS_H_
