// Which file access a recorded file event is, as file-read and file-write
// rules judge it (supervisor/policy_gate.cc judges the live call; this reads
// the same decision back from what the recorder stored: the syscall name,
// the op and the decoded open flags of a file_events row).
//
//  - open, openat, openat2, open_by_handle_at: by the flags, as the gate's
//    OpenAccess: O_PATH none; O_RDONLY read; O_WRONLY write; O_RDWR (and
//    the invalid access mode 3) read and write; O_CREAT or O_TRUNC add write;
//  - creat: write;
//  - the modifying ops (create, unlink, rmdir, mkdir, mknod, chmod, chown,
//    truncate, utime, rename, link, symlink) and the xattr writers by
//    syscall name: write; rename and link write path2 too (a symlink's
//    path2 is the link's text, not a file);
//  - everything else (stat, access, readlink, exec, chdir, mount, ...): none.
#ifndef WARDEN_LEARN_FILE_ACCESS_H_
#define WARDEN_LEARN_FILE_ACCESS_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "policy/evaluate.h"

namespace warden::learn {

struct FileAccessOf {
  policy::FileAccess access = policy::FileAccess::kNone;  // of path
  bool writes_path2 = false;                              // path2 is written too
  bool Reads() const { return static_cast<int>(access) & 1; }
  bool Writes() const { return static_cast<int>(access) & 2; }
};

// `flags` as the recorder decodes them ("O_RDWR|O_CREAT|O_CLOEXEC"); for an
// open without flags text (an old recording), the op says it instead.
FileAccessOf FileAccessOfEvent(std::string_view syscall, std::string_view op,
                               std::string_view flags);

// "O_WRONLY|O_CREAT|0x40000000" -> the number; names it does not know (none
// that matters for access) count as 0. nullopt for empty text.
std::optional<uint64_t> ParseOpenFlags(std::string_view flags);

// The gate's rule on open flags (see above).
policy::FileAccess OpenFlagsAccess(uint64_t flags);

}  // namespace warden::learn

#endif  // WARDEN_LEARN_FILE_ACCESS_H_
