// Walking a source root: the whole tree for the report's counts, never
// into what the kernel mounts on a running system's root (procfs, sysfs,
// devpts, cgroup and the like), which no image holds and which would make
// hardening `/` read every process's files.
#ifndef WARDEN_HARDEN_TREE_WALK_H_
#define WARDEN_HARDEN_TREE_WALK_H_

#include <sys/stat.h>

#include <functional>
#include <string>

namespace warden::harden {

// Whether `host_path` is on one of the kernel's pseudo filesystems.
bool OnPseudoFs(const std::string& host_path);

// Calls `fn` with the root path (below `root`, "/..."; not "/" itself) and
// the lstat of every entry of the tree, not following symlinks and not
// descending into pseudo filesystems or unreadable directories.
void WalkTree(const std::string& root,
              const std::function<void(const std::string& path, const struct stat& st)>& fn);

}  // namespace warden::harden

#endif  // WARDEN_HARDEN_TREE_WALK_H_
