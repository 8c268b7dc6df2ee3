#include "supervisor/resolve.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/openat2.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <iterator>

#include "fmt/format.h"
#include "supervisor/object_path.h"
#include "supervisor/paths.h"
#include "supervisor/tracee_memory.h"

namespace warden::supervisor {
namespace {

constexpr int32_t kAtFdcwd = AT_FDCWD;

// Registers of an i386 call hold 32-bit values; descriptors are signed ints.
int ArgFd(const CapturedCall& c, int i) { return static_cast<int32_t>(c.args[i]); }

bool IsRename(const CapturedCall& c) {
  return c.effect && c.effect->effect == Effect::kTwoPaths && c.op == "rename";
}

// chroot, pivot_root, unshare, setns: from here on the task may see
// another root or other mounts than warden's.
bool MayChangeRoot(const CapturedCall& c) {
  return c.effect && (c.effect->effect == Effect::kNewRoot || c.op == "chroot" ||
                      c.op == "pivot_root");
}

// Whether the call follows a symlink that ends a path, as its row and its
// flags say.
bool Follows(const CapturedCall& c, Follow f) {
  const int flags = c.effect->flags;
  switch (f) {
    case Follow::kAlways: return true;
    case Follow::kNever: return false;
    case Follow::kUnlessONoFollow:
      // O_CREAT|O_EXCL does not follow either: it fails on any existing name.
      return !(c.open_flags & O_NOFOLLOW) && (c.open_flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL);
    case Follow::kUnlessAtNoFollow: return flags < 0 || !(c.args[flags] & AT_SYMLINK_NOFOLLOW);
    case Follow::kIfAtFollow: return flags >= 0 && (c.args[flags] & AT_SYMLINK_FOLLOW);
  }
  return true;
}

}  // namespace

std::string Resolver::FdPath(const Tracee& t, int fd) const {
  char link[64];
  *fmt::format_to_n(link, sizeof link - 1, "/proc/{}/fd/{}", t.tid, fd).out = '\0';
  std::string path = ReadLink(link);
  if (!path.empty() && path[0] == '/') return path;
  if (const FdEntry* e = t.fds->Find(fd); e != nullptr && e->kind == FdEntry::Kind::kFile)
    return e->path;
  return path;
}

std::string Resolver::Cwd(Tracee& t, bool kernel_view) {
  FsState& fs = *t.fs;
  if (!kernel_view && !fs.cwd.empty() && fs.renames_seen == renames_) return fs.cwd;
  // The kernel's cwd: a directory renamed after the chdir is still the cwd,
  // under its new name. The tracked one answers when /proc cannot (task
  // gone) or the cwd was removed.
  std::string cwd = ReadLink(fmt::format("/proc/{}/cwd", t.tid));
  if (cwd.empty() || cwd[0] != '/' || cwd.ends_with(" (deleted)")) return fs.cwd;
  fs.cwd = cwd;
  fs.renames_seen = renames_;
  return cwd;
}

std::string Resolver::Base(Tracee& t, const CapturedCall& c, int dirfd_index, bool kernel_view) {
  if (dirfd_index < 0 || ArgFd(c, dirfd_index) == kAtFdcwd) return Cwd(t, kernel_view);
  std::string base = FdPath(t, ArgFd(c, dirfd_index));
  return base.empty() ? Cwd(t, true) : base;
}

// `raw` relative to the dirfd in argument `dirfd_index` (or the cwd), with
// /proc/self/fd/N-style prefixes replaced by the file they name.
std::string Resolver::ResolveAt(Tracee& t, const CapturedCall& c, int dirfd_index,
                                const std::string& raw, bool kernel_view) {
  std::string path = !raw.empty() && raw[0] == '/'
                         ? NormalizePath(raw)
                         : ResolveOnto(Base(t, c, dirfd_index, kernel_view), raw);
  std::string link, rest;
  if (!SplitProcLink(path, t.tid, t.proc->tgid, &link, &rest)) return path;
  std::string target = ReadLink(link);
  if (target.empty() || target[0] != '/') return path;  // a pipe, a socket, gone
  return NormalizePath(target + rest);
}

std::string Resolver::Locate(Tracee& t, const CapturedCall& c, int dirfd_index,
                             const std::string& raw, bool follow, bool kernel_view,
                             std::string* named) {
  const bool in_root = c.effect_kind() == Effect::kOpenat2 && (c.resolve & RESOLVE_IN_ROOT);
  const bool absolute = !raw.empty() && raw[0] == '/' && !in_root;
  std::string base = absolute ? "" : Base(t, c, dirfd_index, kernel_view);
  PathQuery q;
  q.tid = t.tid;
  q.tgid = t.proc->tgid;
  q.text = raw;
  q.base = base;
  const bool dirfd = dirfd_index >= 0 && ArgFd(c, dirfd_index) != kAtFdcwd;
  q.base_link = dirfd ? fmt::format("/proc/{}/fd/{}", t.tid, ArgFd(c, dirfd_index))
                      : fmt::format("/proc/{}/cwd", t.tid);
  q.follow_last = follow;
  q.in_root = in_root;
  q.own_root = t.fs->own_root;
  // One name, not followed, in a directory the kernel named (fstatat and
  // openat with AT_SYMLINK_NOFOLLOW / O_NOFOLLOW of a directory walker):
  // the name in that directory is the answer, with nothing to look up.
  if (!follow && !in_root && !q.own_root && !absolute && base.starts_with('/') &&
      !base.starts_with("/proc") && !base.ends_with(" (deleted)") && raw != "." && raw != ".." &&
      !raw.empty() && raw.find('/') == std::string::npos)
    return ResolveOnto(std::move(base), raw);
  std::optional<FoundObject> found = FindObject(q);
  if (!found) return ResolveAt(t, c, dirfd_index, raw, kernel_view);
  // The name as written, in warden's view too: under another root, an
  // absolute name starts at that root.
  std::string as_named;
  if (!absolute) as_named = ResolveOnto(std::move(base), in_root ? raw.substr(1) : raw);
  else if (!q.own_root) as_named = NormalizePath(raw);
  else if (std::string root = ReadLink(fmt::format("/proc/{}/root", t.tid)); root.starts_with('/'))
    as_named = NormalizePath(root + raw);
  if (named != nullptr && !as_named.empty() && as_named != found->path) *named = std::move(as_named);
  return std::move(found->path);
}

namespace {

// The dynamic loaders' names (glibc's ld-linux*.so*, ld.so; musl's
// ld-musl-*.so*), matched on the last component.
bool IsDynamicLoader(std::string_view path) {
  const std::string_view name = path.substr(path.find_last_of('/') + 1);
  return name.starts_with("ld-linux") || name.starts_with("ld-musl-") || name == "ld.so" ||
         name.starts_with("ld.so.") || (name.starts_with("ld-") && name.ends_with(".so"));
}

// The program ld.so runs: its first argument that is not an option.
// Options of glibc's ld.so that take a value (ld.so(8)).
std::optional<std::string> LoaderProgram(const std::vector<std::string>& argv) {
  static constexpr std::string_view kWithValue[] = {
      "--library-path", "--inhibit-rpath", "--audit", "--preload", "--argv0",
      "--glibc-hwcaps-prepend", "--glibc-hwcaps-mask"};
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--") return i + 1 < argv.size() ? std::optional(argv[i + 1]) : std::nullopt;
    if (!a.starts_with("--")) return a;
    if (std::find(std::begin(kWithValue), std::end(kWithValue), a) != std::end(kWithValue)) ++i;
  }
  return std::nullopt;
}

}  // namespace

ResolvedPaths Resolver::Resolve(Tracee& t, const CapturedCall& c, bool kernel_view) {
  ResolvedPaths out;
  if (c.effect == nullptr) return out;
  const EffectRow& e = *c.effect;
  // Set before the call runs (and kept if it fails): the slower, exact
  // way from then on is right either way.
  if (MayChangeRoot(c)) t.fs->own_root = true;
  if (c.path.present && c.path.null) {
    // What a NULL path means is the row's to say. Any other NULL, unmapped
    // or truncated path keeps its marker: resolving it would record a
    // real-looking path (the cwd, for NULL) that the call never named.
    const bool real_dirfd = e.dirfd >= 0 && ArgFd(c, e.dirfd) != kAtFdcwd;
    switch (e.null_path) {
      case NullPath::kDirfd:
        out.path = real_dirfd ? ResolveAt(t, c, e.dirfd, "", kernel_view) : c.path.text;
        break;
      case NullPath::kDirfdOrCwd:
        out.path = ResolveAt(t, c, e.dirfd, "", kernel_view);
        break;
      case NullPath::kNoFile:
        break;
      case NullPath::kMarker:
        out.path = c.path.text;
        break;
    }
  } else if (c.path.present) {
    // The file the kernel will act on: what is judged and what is recorded.
    out.path = c.path.ok ? Locate(t, c, e.dirfd, c.path.text, Follows(c, e.follow), kernel_view,
                                  &out.named)
                         : c.path.text;
  }
  if (e.effect == Effect::kFdOp) out.path = FdPath(t, ArgFd(c, e.dirfd));
  if (c.path2.present) {
    // A symlink's target is text stored in the link, not a path to resolve.
    out.path2 = e.effect == Effect::kSymlink || !c.path2.ok
                    ? c.path2.text
                    : Locate(t, c, e.dirfd2, c.path2.text, Follows(c, e.follow2), kernel_view,
                             nullptr);
  }
  // The loader as a program runner runs PROG, which exec rules must judge
  // as if it were exec'd (ld.so opens it relative to the cwd, no PATH).
  if (e.effect == Effect::kExec && c.path.ok && IsDynamicLoader(out.path))
    if (auto prog = LoaderProgram(c.argv))
      out.loaded_program = Locate(t, c, -1, *prog, true, kernel_view, nullptr);
  // A relative AF_UNIX path names a socket file relative to the caller's
  // cwd, as a file path does (found by bench/fidelity.sh). Abstract names
  // (@...) and unnamed sockets stay as they are.
  if (c.has_addr && c.addr.family == AF_UNIX && !c.addr.address.empty() &&
      c.addr.address[0] != '/' && c.addr.address[0] != '@')
    out.unix_address = ResolveAt(t, c, -1, c.addr.address, kernel_view);
  return out;
}

namespace {

// The path of the O_PATH descriptor `fd` (closed here), as /proc shows it.
std::optional<std::string> PathOfFd(int fd) {
  if (fd < 0) return std::nullopt;
  char link[64];
  *fmt::format_to_n(link, sizeof link - 1, "/proc/self/fd/{}", fd).out = '\0';
  std::string path = ReadLink(link);
  close(fd);
  if (path.empty() || path[0] != '/' || path.ends_with(" (deleted)")) return std::nullopt;
  return path;
}

}  // namespace

std::optional<std::string> Resolver::HandlePath(const Tracee& t, const CapturedCall& c) const {
  if (c.effect_kind() != Effect::kOpenByHandle || c.file_handle.empty()) return std::nullopt;
  // The caller's mount descriptor, as warden's own (any file of that
  // mount; not O_PATH, which open_by_handle_at does not take).
  const int mount = open(fmt::format("/proc/{}/fd/{}", t.tid, ArgFd(c, 0)).c_str(),
                         O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (mount < 0) return std::nullopt;
  std::string handle = c.file_handle;  // the kernel reads it; a private copy
  const int fd = static_cast<int>(syscall(SYS_open_by_handle_at, mount, handle.data(),
                                          O_PATH | O_CLOEXEC));
  close(mount);
  return PathOfFd(fd);
}

std::optional<std::string> Resolver::ReadArg(Tracee& t, const CapturedCall& c, int index) {
  TraceeMemory mem(t.tid);
  auto s = syscalls::ReadCString(mem, c.args[index], 4096);
  if (s.unreadable || s.truncated) return std::nullopt;
  if (c.def == nullptr || c.def->args[index].type != syscalls::ArgType::kPath) return s.value;
  // Paths as file rules see them: the file found, whatever the program wrote.
  const bool at = index > 0 && c.def->args[index - 1].type == syscalls::ArgType::kDirFd;
  return Locate(t, c, at ? index - 1 : -1, s.value, true, true, nullptr);
}

bool Resolver::ListenPortUnknown(const Tracee& t, const CapturedCall& c) {
  if (c.effect_kind() != Effect::kListen) return false;
  const FdEntry* sock = t.fds->Find(ArgFd(c, 0));
  return sock != nullptr && (sock->family == AF_INET || sock->family == AF_INET6) &&
         sock->local_port <= 0;
}

void Resolver::SetCwd(Tracee& t, const std::string& cwd) {
  if (cwd.empty() || cwd[0] != '/') return;
  t.fs->cwd = cwd;
  t.fs->renames_seen = renames_;
}

void Resolver::ApplyExec(Tracee& t) {
  // exec unshares a descriptor table shared through CLONE_FILES.
  t.fds = std::make_shared<FdTable>(*t.fds);
  t.fds->ApplyExec();
}

void Resolver::Apply(Tracee& t, const CapturedCall& c, const ResolvedPaths& p, const ExitFacts& f,
                     int64_t ret) {
  if (ret < 0 || c.effect == nullptr) return;
  const int fd = static_cast<int>(ret);
  const syscalls::SyscallDef* callee = c.demuxed ? c.demuxed : c.def;
  switch (c.effect->effect) {
    case Effect::kOpen:
    case Effect::kOpenat2:
      t.fds->Set(fd, FdEntry{FdEntry::Kind::kFile, p.path, c.cloexec});
      break;
    case Effect::kOpenByHandle:
      t.fds->Set(fd, FdEntry{FdEntry::Kind::kFile, FdPath(t, fd), (c.args[2] & O_CLOEXEC) != 0});
      break;
    case Effect::kChdir:
    case Effect::kFchdir:
      // The kernel's own view: exact through symlinks and "..".
      t.fs->cwd.clear();
      Cwd(t, true);
      break;
    case Effect::kTwoPaths:
      if (IsRename(c)) ++renames_;
      break;
    case Effect::kDup:
      t.fds->Dup(ArgFd(c, 0), fd, false);
      break;
    case Effect::kDup2:
      t.fds->Dup(ArgFd(c, 0), ArgFd(c, 1), callee && callee->name == "dup3" && (c.args[2] & O_CLOEXEC));
      break;
    case Effect::kFcntl:
      if (c.args[1] == F_DUPFD || c.args[1] == F_DUPFD_CLOEXEC)
        t.fds->Dup(ArgFd(c, 0), fd, c.args[1] == F_DUPFD_CLOEXEC);
      else if (c.args[1] == F_SETFD)
        t.fds->SetCloexec(ArgFd(c, 0), c.args[2] & FD_CLOEXEC);
      break;
    case Effect::kClose:
      t.fds->Close(ArgFd(c, 0));
      break;
    case Effect::kCloseRange:
      if (!(c.args[2] & CLOSE_RANGE_CLOEXEC))
        t.fds->CloseRange(static_cast<unsigned>(c.args[0]), static_cast<unsigned>(c.args[1]));
      break;
    case Effect::kSocket:
      t.fds->Set(fd, FdEntry{FdEntry::Kind::kSocket, "", (c.args[1] & SOCK_CLOEXEC) != 0,
                             static_cast<int>(c.args[0]), static_cast<int>(c.args[1] & 0xf)});
      break;
    case Effect::kBind:
      if (const FdEntry* sock = t.fds->Find(ArgFd(c, 0)); sock != nullptr && c.has_addr) {
        FdEntry updated = *sock;
        updated.local = p.unix_address.empty() ? c.addr.address : p.unix_address;
        updated.local_port = c.addr.port;
        t.fds->Set(ArgFd(c, 0), std::move(updated));
      }
      break;
    case Effect::kListen:
      if (const FdEntry* sock = t.fds->Find(ArgFd(c, 0)); sock != nullptr && f.listen_local) {
        FdEntry updated = *sock;
        updated.local = f.listen_local->address;
        updated.local_port = f.listen_local->port;
        t.fds->Set(ArgFd(c, 0), std::move(updated));
      }
      break;
    case Effect::kAccept:
      if (const FdEntry* sock = t.fds->Find(ArgFd(c, 0)); sock != nullptr) {
        FdEntry conn = *sock;
        conn.cloexec = callee && callee->name == "accept4" && (c.args[3] & SOCK_CLOEXEC);
        t.fds->Set(fd, std::move(conn));
      }
      break;
    default:
      break;
  }
}

}  // namespace warden::supervisor
