#include "supervisor/effects.h"

#include <array>
#include <vector>

namespace warden::supervisor {
namespace {

using E = Effect;
using F = Follow;
constexpr NullPath M = NullPath::kMarker;

// name, effect, op, dirfd, path, dirfd2, path2, flags, null_path, follow, follow2
constexpr EffectRow kRows[] = {
    // Opening files.
    {"open", E::kOpen, "", -1, 0, -1, -1, 1, M, F::kUnlessONoFollow},
    {"openat", E::kOpen, "", 0, 1, -1, -1, 2, M, F::kUnlessONoFollow},
    {"creat", E::kOpen, "create", -1, 0},
    {"openat2", E::kOpenat2, "", 0, 1, -1, -1, -1, M, F::kUnlessONoFollow},
    {"open_by_handle_at", E::kOpenByHandle, "", -1, -1, -1, -1, 2},
    // One path, fixed operation.
    {"stat", E::kPathOp, "stat", -1, 0},
    {"lstat", E::kPathOp, "stat", -1, 0, -1, -1, -1, M, F::kNever},
    {"stat64", E::kPathOp, "stat", -1, 0},
    {"lstat64", E::kPathOp, "stat", -1, 0, -1, -1, -1, M, F::kNever},
    {"oldstat", E::kPathOp, "stat", -1, 0},
    {"oldlstat", E::kPathOp, "stat", -1, 0, -1, -1, -1, M, F::kNever},
    {"newfstatat", E::kPathOp, "stat", 0, 1, -1, -1, 3, M, F::kUnlessAtNoFollow},
    {"fstatat64", E::kPathOp, "stat", 0, 1, -1, -1, 3, M, F::kUnlessAtNoFollow},
    {"statx", E::kPathOp, "stat", 0, 1, -1, -1, 2, M, F::kUnlessAtNoFollow},
    {"statfs", E::kPathOp, "stat", -1, 0},
    {"statfs64", E::kPathOp, "stat", -1, 0},
    {"name_to_handle_at", E::kPathOp, "stat", 0, 1, -1, -1, 4, M, F::kIfAtFollow},
    {"access", E::kPathOp, "access", -1, 0},
    {"faccessat", E::kPathOp, "access", 0, 1},
    {"faccessat2", E::kPathOp, "access", 0, 1, -1, -1, 3, M, F::kUnlessAtNoFollow},
    {"readlink", E::kPathOp, "readlink", -1, 0, -1, -1, -1, M, F::kNever},
    {"readlinkat", E::kPathOp, "readlink", 0, 1, -1, -1, -1, M, F::kNever},
    {"unlink", E::kPathOp, "unlink", -1, 0, -1, -1, -1, M, F::kNever},
    {"unlinkat", E::kPathOp, "unlink", 0, 1, -1, -1, 2, M, F::kNever},  // AT_REMOVEDIR -> rmdir
    {"rmdir", E::kPathOp, "rmdir", -1, 0, -1, -1, -1, M, F::kNever},
    {"mkdir", E::kPathOp, "mkdir", -1, 0, -1, -1, -1, M, F::kNever},
    {"mkdirat", E::kPathOp, "mkdir", 0, 1, -1, -1, -1, M, F::kNever},
    {"mknod", E::kPathOp, "mknod", -1, 0, -1, -1, -1, M, F::kNever},
    {"mknodat", E::kPathOp, "mknod", 0, 1, -1, -1, -1, M, F::kNever},
    {"chmod", E::kPathOp, "chmod", -1, 0},
    {"fchmodat", E::kPathOp, "chmod", 0, 1},
    {"fchmodat2", E::kPathOp, "chmod", 0, 1, -1, -1, 3, M, F::kUnlessAtNoFollow},
    {"chown", E::kPathOp, "chown", -1, 0},
    {"lchown", E::kPathOp, "chown", -1, 0, -1, -1, -1, M, F::kNever},
    {"chown32", E::kPathOp, "chown", -1, 0},
    {"lchown32", E::kPathOp, "chown", -1, 0, -1, -1, -1, M, F::kNever},
    {"fchownat", E::kPathOp, "chown", 0, 1, -1, -1, 4, M, F::kUnlessAtNoFollow},
    {"truncate", E::kPathOp, "truncate", -1, 0},
    {"truncate64", E::kPathOp, "truncate", -1, 0},
    {"utime", E::kPathOp, "utime", -1, 0},
    {"utimes", E::kPathOp, "utime", -1, 0},
    {"futimesat", E::kPathOp, "utime", 0, 1, -1, -1, -1, NullPath::kDirfd},
    {"utimensat", E::kPathOp, "utime", 0, 1, -1, -1, 3, NullPath::kDirfd, F::kUnlessAtNoFollow},
    {"utimensat_time64", E::kPathOp, "utime", 0, 1, -1, -1, 3, NullPath::kDirfd, F::kUnlessAtNoFollow},  // i386
    {"getxattr", E::kPathOp, "xattr", -1, 0},
    {"lgetxattr", E::kPathOp, "xattr", -1, 0, -1, -1, -1, M, F::kNever},
    {"setxattr", E::kPathOp, "xattr", -1, 0},
    {"lsetxattr", E::kPathOp, "xattr", -1, 0, -1, -1, -1, M, F::kNever},
    {"listxattr", E::kPathOp, "xattr", -1, 0},
    {"llistxattr", E::kPathOp, "xattr", -1, 0, -1, -1, -1, M, F::kNever},
    {"removexattr", E::kPathOp, "xattr", -1, 0},
    {"lremovexattr", E::kPathOp, "xattr", -1, 0, -1, -1, -1, M, F::kNever},
    {"chroot", E::kPathOp, "chroot", -1, 0},
    {"inotify_add_watch", E::kPathOp, "watch", -1, 1},
    {"mount", E::kPathOp, "mount", -1, 1},
    {"umount", E::kPathOp, "umount", -1, 0},
    {"umount2", E::kPathOp, "umount", -1, 0},
    {"swapon", E::kPathOp, "swap", -1, 0},
    {"swapoff", E::kPathOp, "swap", -1, 0},
    {"acct", E::kPathOp, "acct", -1, 0},
    {"uselib", E::kPathOp, "exec", -1, 0},
    // strace's %file calls that had no row (raw event only), found by
    // bench/fidelity.sh. fanotify_mark's i386 positions differ: kI386Rows.
    {"fanotify_mark", E::kPathOp, "watch", 3, 4, -1, -1, -1, NullPath::kDirfdOrCwd},
    {"quotactl", E::kPathOp, "quota", -1, 1, -1, -1, -1, NullPath::kNoFile},  // Q_SYNC
    {"open_tree", E::kPathOp, "mount", 0, 1, -1, -1, 2, M, F::kUnlessAtNoFollow},
    {"open_tree_attr", E::kPathOp, "mount", 0, 1, -1, -1, 2, M, F::kUnlessAtNoFollow},
    {"fspick", E::kPathOp, "mount", 0, 1},
    {"mount_setattr", E::kPathOp, "mount", 0, 1, -1, -1, 2, M, F::kUnlessAtNoFollow},
    {"setxattrat", E::kPathOp, "xattr", 0, 1, -1, -1, 2, M, F::kUnlessAtNoFollow},
    {"getxattrat", E::kPathOp, "xattr", 0, 1, -1, -1, 2, M, F::kUnlessAtNoFollow},
    {"listxattrat", E::kPathOp, "xattr", 0, 1, -1, -1, 2, M, F::kUnlessAtNoFollow},
    {"removexattrat", E::kPathOp, "xattr", 0, 1, -1, -1, 2, M, F::kUnlessAtNoFollow},
    {"file_getattr", E::kPathOp, "stat", 0, 1, -1, -1, 4, M, F::kUnlessAtNoFollow},
    {"file_setattr", E::kPathOp, "chmod", 0, 1, -1, -1, 4, M, F::kUnlessAtNoFollow},  // inode flags, project id
    // Changes made through a descriptor that need no write access to it (a
    // read-only fd can fchmod): judged by file-write rules on its path.
    {"fchmod", E::kFdOp, "chmod", 0},
    {"fchown", E::kFdOp, "chown", 0},
    {"fchown32", E::kFdOp, "chown", 0},
    {"fsetxattr", E::kFdOp, "xattr", 0},
    {"fremovexattr", E::kFdOp, "xattr", 0},
    // Two paths.
    {"rename", E::kTwoPaths, "rename", -1, 0, -1, 1, -1, M, F::kNever},
    {"renameat", E::kTwoPaths, "rename", 0, 1, 2, 3, -1, M, F::kNever},
    {"renameat2", E::kTwoPaths, "rename", 0, 1, 2, 3, 4, M, F::kNever},
    {"link", E::kTwoPaths, "link", -1, 0, -1, 1, -1, M, F::kNever},
    {"linkat", E::kTwoPaths, "link", 0, 1, 2, 3, 4, M, F::kIfAtFollow},
    {"pivot_root", E::kTwoPaths, "pivot_root", -1, 0, -1, 1, -1, M, F::kAlways, F::kAlways},
    {"move_mount", E::kTwoPaths, "mount", 0, 1, 2, 3, -1, M, F::kAlways, F::kAlways},  // path2: where it is attached
    {"symlink", E::kSymlink, "symlink", -1, 1, -1, 0, -1, M, F::kNever},
    {"symlinkat", E::kSymlink, "symlink", 1, 2, -1, 0, -1, M, F::kNever},
    // Programs.
    {"execve", E::kExec, "exec", -1, 0},
    {"execveat", E::kExec, "exec", 0, 1, -1, -1, 4, M, F::kUnlessAtNoFollow},
    // State: cwd and descriptors.
    {"chdir", E::kChdir, "chdir", -1, 0},
    {"fchdir", E::kFchdir},
    {"dup", E::kDup},
    {"dup2", E::kDup2},
    {"dup3", E::kDup2},
    {"fcntl", E::kFcntl},
    {"fcntl64", E::kFcntl},
    {"close", E::kClose},
    {"close_range", E::kCloseRange},
    // Network.
    {"socket", E::kSocket},
    {"connect", E::kConnect},
    {"bind", E::kBind},
    {"listen", E::kListen},
    {"accept", E::kAccept},
    {"accept4", E::kAccept},
    {"sendto", E::kSendto},
    {"sendmsg", E::kSendmsg},
    {"sendmmsg", E::kSendmmsg},
    {"recvfrom", E::kRecvfrom},
    {"recvmsg", E::kRecvmsg},
    // The root and mount namespace (object_path.h): after these, paths are
    // found from the task's own root.
    {"unshare", E::kNewRoot},
    {"setns", E::kNewRoot},
};

// Rows whose argument positions differ in the i386 ABI: fanotify_mark's
// 64-bit mask takes two registers there.
constexpr EffectRow kI386Rows[] = {
    {"fanotify_mark", E::kPathOp, "watch", 4, 5, -1, -1, -1, NullPath::kDirfdOrCwd},
};

// fcntl(F_DUPFD*) and close are not here: they are the most frequent calls
// of directory walkers (50k F_DUPFD_CLOEXEC in `find /usr`), and dirfd
// paths are read from /proc/PID/fd at use instead (see FdPath).
// chroot, pivot_root, unshare and setns: where paths start from.
constexpr std::string_view kStateKeepers[] = {"chdir", "fchdir",     "dup",     "dup2",  "dup3",
                                               "close_range", "chroot", "pivot_root", "unshare",
                                               "setns"};

const EffectRow* FindRow(syscalls::Abi abi, std::string_view name) {
  if (abi == syscalls::Abi::kI386)
    for (const auto& r : kI386Rows)
      if (r.name == name) return &r;
  for (const auto& r : kRows)
    if (r.name == name) return &r;
  return nullptr;
}

// Number-indexed views of kRows, one per ABI, built once.
struct Index {
  std::vector<const EffectRow*> by_nr;
  explicit Index(syscalls::Abi abi) {
    for (const auto& d : syscalls::Table(abi)) {
      if (d.nr >= static_cast<int>(by_nr.size())) by_nr.resize(d.nr + 1, nullptr);
      by_nr[d.nr] = FindRow(abi, d.name);
    }
  }
};

}  // namespace

const EffectRow* EffectOf(syscalls::Abi abi, int nr) {
  static const Index* x64 = new Index(syscalls::Abi::kX86_64);
  static const Index* x86 = new Index(syscalls::Abi::kI386);
  const Index& idx = abi == syscalls::Abi::kX86_64 ? *x64 : *x86;
  if (nr < 0 || nr >= static_cast<int>(idx.by_nr.size())) return nullptr;
  return idx.by_nr[nr];
}

std::span<const EffectRow> EffectRows() { return kRows; }

FileUse FileUseOf(const EffectRow& e) {
  // Operations that change a file or a directory; the xattr calls share
  // one op, so the writing ones are named.
  static constexpr std::string_view kWriteOps[] = {
      "create", "unlink", "rmdir", "mkdir", "mknod", "chmod", "chown",
      "truncate", "utime", "rename", "link", "symlink"};
  static constexpr std::string_view kXattrWrites[] = {
      "setxattr", "lsetxattr", "removexattr", "lremovexattr", "setxattrat", "removexattrat",
      "fsetxattr", "fremovexattr"};
  switch (e.effect) {
    case Effect::kOpen:
      return e.op == "create" ? FileUse::kWrite : FileUse::kOpen;
    case Effect::kOpenat2:
    case Effect::kOpenByHandle: return FileUse::kOpen;
    case Effect::kPathOp:
    case Effect::kTwoPaths:
    case Effect::kSymlink:
    case Effect::kFdOp:
      for (auto op : kWriteOps)
        if (e.op == op) return FileUse::kWrite;
      for (auto name : kXattrWrites)
        if (e.name == name) return FileUse::kWrite;
      return FileUse::kNone;
    default: return FileUse::kNone;
  }
}

bool KeepsState(std::string_view name) {
  for (auto n : kStateKeepers)
    if (n == name) return true;
  return false;
}

}  // namespace warden::supervisor
