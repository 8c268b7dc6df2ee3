// What each syscall means to the recorder and to the per-process state, as
// one data table keyed by syscall name (valid for both ABIs): which
// arguments are paths and dirfds, which file operation it is, and what it
// does to the fd table or cwd. Syscalls without a row get a raw event only.
#ifndef WARDEN_SUPERVISOR_EFFECTS_H_
#define WARDEN_SUPERVISOR_EFFECTS_H_

#include <cstdint>
#include <span>
#include <string_view>

#include "syscalls/syscall_table.h"

namespace warden::supervisor {

enum class Effect : uint8_t {
  kNone,
  kOpen,          // open/openat/creat: op from flags, result fd enters the table
  kOpenat2,       // openat2: flags in struct open_how
  kOpenByHandle,  // open_by_handle_at: path only known from the new fd
  kPathOp,        // one path, fixed op (stat, access, unlink, mkdir, ...)
  kTwoPaths,      // rename / link: path -> path2
  kSymlink,       // symlink(target, linkpath): path = link, path2 = target text
  kFdOp,          // fixed op on the file behind descriptor `dirfd` (fchmod, fchown, ...)
  kExec,          // execve / execveat
  kChdir,
  kFchdir,
  kDup,           // dup(old)
  kDup2,          // dup2/dup3(old, new[, flags])
  kFcntl,         // F_DUPFD / F_DUPFD_CLOEXEC
  kClose,
  kCloseRange,
  kSocket,
  kConnect,
  kBind,
  kListen,
  kAccept,        // accept / accept4: peer from the out sockaddr
  kSendto,
  kSendmsg,
  kSendmmsg,      // one address per message of the vector
  kRecvfrom,
  kRecvmsg,
  kNewRoot,       // unshare / setns: the root or mount namespace may change
};

// What a NULL path argument means for a call.
enum class NullPath : uint8_t {
  kMarker,      // nothing: recorded as the "<unreadable 0x0>" marker
  kDirfd,       // the dirfd itself (utimensat(fd, NULL)); with AT_FDCWD a marker
  kDirfdOrCwd,  // the dirfd itself, or the cwd for AT_FDCWD (fanotify_mark)
  kNoFile,      // no file at all: no file event (quotactl(Q_SYNC, NULL))
};

// Whether the call follows a symlink that is the last component of a path
// (warden-policy(5), PATHS): the file judged and recorded is the link's
// target, or the link itself.
enum class Follow : uint8_t {
  kAlways,
  kNever,              // the call acts on the name (unlink, lstat, readlink, rename)
  kUnlessONoFollow,    // opens: O_NOFOLLOW in the open flags
  kUnlessAtNoFollow,   // AT_SYMLINK_NOFOLLOW in the `flags` argument
  kIfAtFollow,         // AT_SYMLINK_FOLLOW in the `flags` argument (linkat, name_to_handle_at)
};

struct EffectRow {
  std::string_view name;
  Effect effect = Effect::kNone;
  std::string_view op;  // file op ("stat", "unlink", ...) or "" when derived
  int8_t dirfd = -1;    // argument index of the dirfd; -1 = relative to cwd
  int8_t path = -1;     // argument index of the path
  int8_t dirfd2 = -1;
  int8_t path2 = -1;
  int8_t flags = -1;    // argument index of open/AT_* flags
  NullPath null_path = NullPath::kMarker;
  Follow follow = Follow::kAlways;  // for `path`
  Follow follow2 = Follow::kNever;  // for `path2`
};

// The row for a syscall of `abi`, or nullptr. Constant time.
const EffectRow* EffectOf(syscalls::Abi abi, int nr);

// Every row, for tests and documentation.
std::span<const EffectRow> EffectRows();

// What a call does to files, as file-read / file-write policy rules see it:
// nothing (stat, access, readlink, ...), a modification (unlink, rename,
// chmod, ...), or an open whose flags say (open, openat, openat2,
// open_by_handle_at; creat always writes).
enum class FileUse : uint8_t { kNone, kWrite, kOpen };
FileUse FileUseOf(const EffectRow& e);

// True when `name` changes state warden keeps (fd table, cwd), so it is
// traced whatever classes the user watches.
bool KeepsState(std::string_view name);

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_EFFECTS_H_
