// The file a traced call's path names, found the way the kernel will find
// it for that task: from the task's own root and mount namespace, its cwd
// or dirfd, every symlink on the way followed (the last one as the call
// says), ".." taken after the symlink it follows, magic links
// (/proc/PID/fd/N, /proc/PID/root, .../cwd, .../exe) jumped as the kernel
// jumps them, and /proc/self, /proc/thread-self meaning the task, not
// warden. One answer serves the record and the verdict (warden-policy(5),
// PATHS): a rule is judged on what the kernel acts on, not on the text the
// program wrote.
//
// Racy by nature: a symlink or a mount can change between this look and
// the kernel's. That leaves a race an attacker must win each time, not a
// recipe (warden(1), SECURITY NOTES).
#ifndef WARDEN_SUPERVISOR_OBJECT_PATH_H_
#define WARDEN_SUPERVISOR_OBJECT_PATH_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace warden::supervisor {

struct PathQuery {
  pid_t tid = 0, tgid = 0;
  std::string_view text;  // as the program wrote it (read whole)
  // Where a relative `text` starts: the directory's absolute path as the
  // kernel showed it (cwd, dirfd), or "" to open `base_link` instead.
  std::string_view base;
  std::string base_link;  // /proc/TID/cwd or /proc/TID/fd/N
  bool follow_last = true;  // the call follows a symlink in the last component
  bool in_root = false;     // openat2 RESOLVE_IN_ROOT: the base is the root
  // The task may have a root or mount namespace of its own (chroot,
  // pivot_root, unshare, setns): absolute paths start at /proc/TID/root.
  bool own_root = false;
};

struct FoundObject {
  std::string path;  // absolute, as warden sees it; the caller's /proc/TGID is /proc/self
  bool exists = true;  // false: the directory was found, the last name is not there (yet)
};

// nullopt when the path cannot be followed (a missing directory, a loop,
// no permission, not a path: a pipe): the call then names no file the
// kernel can reach, and the caller keeps the text.
std::optional<FoundObject> FindObject(const PathQuery& q);

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_OBJECT_PATH_H_
