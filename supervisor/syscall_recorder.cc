#include "supervisor/syscall_recorder.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

#include "fmt/format.h"
#include "supervisor/paths.h"
#include "supervisor/tracee_socket.h"
#include "supervisor/tracee_memory.h"

namespace warden::supervisor {
namespace {

using syscalls::Abi;

constexpr int32_t kAtFdcwd = AT_FDCWD;
constexpr size_t kPathCap = 4096;
constexpr int64_t kNoResult = INT64_MIN;


// Registers of an i386 call hold 32-bit values; descriptors are signed ints.
int ArgFd(const PendingCall& c, int i) { return static_cast<int32_t>(c.args[i]); }

std::string OpenOp(uint64_t flags) {
  if (flags & O_PATH) return "stat";
  if (flags & O_CREAT) return "create";
  if (flags & O_TRUNC) return "truncate";
  if ((flags & O_ACCMODE) != O_RDONLY) return "write";
  return "read";
}

std::optional<int64_t> Result(int64_t ret) {
  if (ret == kNoResult) return std::nullopt;  // the task vanished inside the call
  if (ret < 0 && ret >= -4095) return -1;
  return ret;
}
int Errno(int64_t ret) { return (ret < 0 && ret >= -4095) ? static_cast<int>(-ret) : 0; }

std::string FamilyName(int family) {
  if (family < 0) return "";
  return syscalls::DecodeSocketDomain(static_cast<uint64_t>(family));
}

std::string TypeName(int type) {
  if (type < 0) return "";
  return syscalls::DecodeSocketType(static_cast<uint64_t>(type));
}

// The destination of the struct msghdr at `msghdr` (msg_name and
// msg_namelen come first in both ABIs). False when it names none; an
// unreadable msghdr is an unreadable address (judged fail-closed).
bool ReadMsgName(syscalls::MemoryReader& mem, uint64_t msghdr, Abi abi, syscalls::SockAddr* out) {
  uint64_t name = 0;
  uint32_t len = 0;
  const int ptr = abi == Abi::kI386 ? 4 : 8;
  if (mem.Read(msghdr, &name, ptr) != static_cast<size_t>(ptr) ||
      mem.Read(msghdr + ptr, &len, 4) != 4) {
    *out = syscalls::SockAddr{};
    out->unreadable = true;
    return true;
  }
  if (name == 0) return false;
  *out = syscalls::ReadSockAddr(mem, name, len);
  return true;
}

}  // namespace

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// The kernel's own answer comes first: close(2) and fcntl(F_DUPFD) are not
// traced by default and descriptors can arrive over SCM_RIGHTS, so the fd
// table may be stale; one readlink costs far less than the stops it saves.
// The table answers when /proc cannot (the task is gone).
std::string SyscallRecorder::FdPath(const Tracee& t, int fd) const {
  std::string path = ReadLink(fmt::format("/proc/{}/fd/{}", t.tid, fd));
  if (!path.empty() && path[0] == '/') return path;
  if (const FdEntry* e = t.fds->Find(fd); e != nullptr && e->kind == FdEntry::Kind::kFile)
    return e->path;
  return path;
}

// A path warden could not read whole comes back as a marker starting with
// '<' (never taken for a recorded path, which is always absolute): NULL and
// unmapped pointers as "<unreadable 0x...>", a string that runs into an
// unmapped page or past PATH_MAX as "<truncated 0x...: what was read>".
std::string SyscallRecorder::ReadPath(syscalls::MemoryReader& mem, uint64_t addr, bool* ok) {
  syscalls::StringValue s = syscalls::ReadCString(mem, addr, kPathCap);
  *ok = !s.unreadable && !s.truncated;
  if (s.unreadable) return fmt::format("<unreadable {:#x}>", addr);
  if (s.truncated) return fmt::format("<truncated {:#x}: {}>", addr, s.value);
  return s.value;
}

// `raw` relative to the dirfd in argument `dirfd_index` (or the cwd), with
// /proc/self/fd/N-style prefixes replaced by the file they name.
std::string SyscallRecorder::ResolveAt(Tracee& t, int dirfd_index, const std::string& raw) {
  std::string path = ResolveAgainstBase(t, dirfd_index, raw);
  std::string link, rest;
  if (!SplitProcLink(path, t.tid, t.proc->tgid, &link, &rest)) return path;
  std::string target = ReadLink(link);
  if (target.empty() || target[0] != '/') return path;  // a pipe, a socket, gone
  return NormalizePath(target + rest);
}

std::string SyscallRecorder::ResolveAgainstBase(Tracee& t, int dirfd_index,
                                                const std::string& raw) {
  if (!raw.empty() && raw[0] == '/') return NormalizePath(raw);
  std::string base;
  if (dirfd_index < 0 || ArgFd(t.call, dirfd_index) == kAtFdcwd) {
    // The kernel's cwd first, as FdPath does for dirfds: a directory renamed
    // after the chdir is still the cwd, under its new name, which the cwd
    // tracked at chdir time cannot know. That one answers when /proc cannot
    // (task gone) or the cwd was removed.
    base = ReadLink(fmt::format("/proc/{}/cwd", t.tid));
    if (base.empty() || base[0] != '/' || base.ends_with(" (deleted)")) base = t.fs->cwd;
  } else {
    base = FdPath(t, ArgFd(t.call, dirfd_index));
  }
  if (base.empty()) base = ReadLink(fmt::format("/proc/{}/cwd", t.tid));
  return ResolvePath(base, raw);
}

std::optional<std::string> SyscallRecorder::ResolvePathArg(Tracee& t, int index) {
  const PendingCall& c = t.call;
  TraceeMemory mem(t.tid);
  bool ok = true;
  std::string raw = ReadPath(mem, c.args[index], &ok);
  if (!ok) return std::nullopt;
  const bool at = c.def != nullptr && index > 0 &&
                  c.def->args[index - 1].type == syscalls::ArgType::kDirFd;
  return ResolveAt(t, at ? index - 1 : -1, raw);
}

void SyscallRecorder::OnEntry(Tracee& t, Abi abi, int nr, const uint64_t args[6]) {
  PendingCall& c = t.call;
  c = PendingCall{};
  c.active = true;
  c.abi = abi;
  c.nr = nr;
  c.ts_ns = NowNs();
  c.exe = t.proc->exe;
  c.def = syscalls::ByNumber(abi, nr);
  c.effect = EffectOf(abi, nr);
  for (int i = 0; i < 6; ++i)
    c.args[i] = abi == Abi::kI386 ? static_cast<uint32_t>(args[i]) : args[i];
  // One reader for the whole stop: its page cache lets the captures below
  // reuse what the argument decoder already copied out of the tracee.
  TraceeMemory mem(t.tid);
  if (c.def != nullptr) {
    auto decoded = syscalls::DecodeArgs(*c.def, c.args.data(), mem, abi);
    std::vector<std::string> parts;
    for (auto& d : decoded)
      if (!d.hidden) parts.push_back(std::move(d.text));  // as FormatCall: no mode without O_CREAT
    c.args_text = fmt::format("{}", fmt::join(parts, ", "));
  }
  if (c.def != nullptr && abi == Abi::kI386 && c.def->name == "socketcall") DemuxSocketcall(c, mem);
  if (c.effect == nullptr) return;
  CapturePaths(t, mem);
  CaptureNet(t, mem);
}

// i386 socketcall(call, unsigned long args[]) multiplexes every socket call:
// without looking inside, a 64-bit program could connect through int $0x80
// unrecorded. The sub-call's arguments (32-bit words in tracee memory)
// replace the registers for the recorder, so that it records the connect,
// bind or accept like the direct call; the raw event keeps socketcall.
void SyscallRecorder::DemuxSocketcall(PendingCall& c, syscalls::MemoryReader& mem) {
  // Sub-call numbers of <linux/net.h>, with their argument counts.
  struct SubCall {
    std::string_view name;
    int nargs;
  };
  static constexpr SubCall kCalls[] = {
      {"", 0},          {"socket", 3},   {"bind", 3},        {"connect", 3},
      {"listen", 2},    {"accept", 3},   {"getsockname", 3}, {"getpeername", 3},
      {"socketpair", 4}, {"send", 4},    {"recv", 4},        {"sendto", 6},
      {"recvfrom", 6},  {"shutdown", 2}, {"setsockopt", 5},  {"getsockopt", 5},
      {"sendmsg", 3},   {"recvmsg", 3},  {"accept4", 4},     {"recvmmsg", 5},
      {"sendmmsg", 4},
  };
  const uint64_t call = c.args[0];
  if (call == 0 || call >= std::size(kCalls)) return;
  const SubCall& sub = kCalls[call];
  const syscalls::SyscallDef* def = syscalls::ByName(Abi::kI386, sub.name);
  uint32_t words[6] = {};
  const size_t want = static_cast<size_t>(sub.nargs) * 4;
  if (def == nullptr || mem.Read(c.args[1], words, want) != want) return;  // raw event only
  c.effect = EffectOf(Abi::kI386, def->nr);
  for (int i = 0; i < 6; ++i) c.args[i] = i < sub.nargs ? words[i] : 0;
  c.demuxed = def;
}

// The absolute path of the call's path argument; "" when it names no file.
std::string SyscallRecorder::CapturePath(Tracee& t, syscalls::MemoryReader& mem,
                                         const EffectRow& e) {
  const uint64_t addr = t.call.args[e.path];
  if (addr == 0) {
    const bool real_dirfd = e.dirfd >= 0 && ArgFd(t.call, e.dirfd) != kAtFdcwd;
    switch (e.null_path) {
      case NullPath::kDirfd:
        if (real_dirfd) return ResolveAt(t, e.dirfd, "");
        break;
      case NullPath::kDirfdOrCwd:
        return ResolveAt(t, e.dirfd, "");
      case NullPath::kNoFile:
        return "";
      case NullPath::kMarker:
        break;
    }
  }
  // Any other NULL, unmapped or truncated path keeps its marker: resolving
  // it would record a real-looking path (the cwd, for NULL) that the call
  // never named.
  bool ok = true;
  std::string raw = ReadPath(mem, addr, &ok);
  return ok ? ResolveAt(t, e.dirfd, raw) : raw;
}

void SyscallRecorder::CapturePaths(Tracee& t, syscalls::MemoryReader& mem) {
  PendingCall& c = t.call;
  const EffectRow& e = *c.effect;
  if (e.path >= 0) c.path = CapturePath(t, mem, e);
  if (e.effect == Effect::kFdOp) c.path = FdPath(t, ArgFd(c, e.dirfd));
  if (e.path2 >= 0) {
    bool ok = true;
    std::string raw = ReadPath(mem, c.args[e.path2], &ok);
    // A symlink's target is text stored in the link, not a path to resolve.
    c.path2 = e.effect == Effect::kSymlink || !ok ? raw : ResolveAt(t, e.dirfd2, raw);
  }
  c.op = std::string(e.op);
  if (e.effect == Effect::kOpen && e.flags >= 0) {
    c.flags_text = syscalls::DecodeOpenFlags(c.args[e.flags]);
    c.open_flags = c.args[e.flags];
    c.cloexec = c.args[e.flags] & O_CLOEXEC;
    if (c.op.empty()) c.op = OpenOp(c.args[e.flags]);
  } else if (e.effect == Effect::kOpen) {  // creat
    c.flags_text = "O_WRONLY|O_CREAT|O_TRUNC";
    c.open_flags = O_WRONLY | O_CREAT | O_TRUNC;
  } else if (e.effect == Effect::kOpenat2) {
    uint64_t how[3] = {0, 0, 0};  // struct open_how {flags, mode, resolve}
    // Unreadable: the kernel fails it with EFAULT; judged as a write open,
    // the most a policy could have to refuse.
    if (mem.Read(c.args[2], how, sizeof how) != sizeof how) how[0] = O_RDWR | O_CREAT;
    c.open_flags = how[0];
    c.flags_text = syscalls::DecodeOpenFlags(how[0]);
    c.cloexec = how[0] & O_CLOEXEC;
    c.op = OpenOp(how[0]);
  } else if (e.flags >= 0) {
    // The table's type says which AT_* meaning 0x200 has for this call.
    const bool access_flags = c.def && c.def->args[e.flags].type == syscalls::ArgType::kAccessAtFlags;
    c.flags_text = access_flags ? syscalls::DecodeAccessAtFlags(c.args[e.flags])
                                : syscalls::DecodeAtFlags(c.args[e.flags]);
    if (e.name == "unlinkat" && (c.args[e.flags] & AT_REMOVEDIR)) c.op = "rmdir";
  }
  if (e.effect == Effect::kExec) {
    int ptr = c.abi == Abi::kI386 ? 4 : 8;
    int argv_i = e.path + 1;
    auto argv = syscalls::ReadStringArray(mem, c.args[argv_i], 4096, 128 * 1024, ptr);
    c.argv = std::move(argv.items);
    c.argv_truncated = argv.truncated || argv.unreadable;
    if (options_.record_env) {
      auto envp = syscalls::ReadStringArray(mem, c.args[argv_i + 1], 4096, 128 * 1024, ptr);
      c.envp = std::move(envp.items);
    }
  }
}

void SyscallRecorder::CaptureNet(Tracee& t, syscalls::MemoryReader& mem) {
  PendingCall& c = t.call;
  switch (c.effect->effect) {
    case Effect::kConnect:
    case Effect::kBind:
      c.addr = syscalls::ReadSockAddr(mem, c.args[1], c.args[2]);
      c.has_addr = c.args[1] != 0;
      break;
    case Effect::kSendto:
      c.addr = syscalls::ReadSockAddr(mem, c.args[4], c.args[5]);
      c.has_addr = c.args[4] != 0;
      break;
    case Effect::kSendmsg:
      c.has_addr = ReadMsgName(mem, c.args[1], c.abi, &c.addr);
      break;
    case Effect::kSendmmsg: {
      // struct mmsghdr: a msghdr (56 bytes, 28 on i386) and an unsigned int.
      // The kernel sends at most UIO_MAXIOV (1024) messages per call.
      const uint64_t stride = c.abi == Abi::kI386 ? 32 : 64;
      const uint64_t count = std::min<uint64_t>(c.args[2], 1024);
      for (uint64_t i = 0; i < count; ++i) {
        syscalls::SockAddr a;
        if (ReadMsgName(mem, c.args[1] + i * stride, c.abi, &a)) c.msg_addrs.push_back(a);
      }
      c.has_addr = !c.msg_addrs.empty();
      if (c.has_addr) c.addr = c.msg_addrs.front();
      break;
    }
    default:
      break;
  }
  // A relative AF_UNIX path names a socket file relative to the caller's
  // cwd, as a file path does: record it absolute, or "fid.sock" would not
  // say which socket was bound or connected to (found by bench/fidelity.sh).
  // Abstract names (@...) and unnamed sockets stay as they are. Only the
  // addresses the caller names here; an address the kernel returns (accept,
  // recvfrom) is the peer's bind text, relative to the peer's cwd at bind.
  if (c.has_addr && c.addr.family == AF_UNIX && !c.addr.address.empty() &&
      c.addr.address[0] != '/' && c.addr.address[0] != '@')
    c.addr.address = ResolveAt(t, -1, c.addr.address);
}

void SyscallRecorder::OnExecSuccess(Tracee& t) {
  PendingCall& c = t.call;
  int64_t now = NowNs();
  // exec unshares a descriptor table shared through CLONE_FILES.
  t.fds = std::make_shared<FdTable>(*t.fds);
  t.fds->ApplyExec();
  t.proc->exe = ReadLink(fmt::format("/proc/{}/exe", t.tid));
  if (c.active && c.effect != nullptr && c.effect->effect == Effect::kExec) {
    t.proc->argv = c.argv;
    t.proc->exec_path = c.path;
    c.exec_done = true;
    if (c.record_behavior) {
      store_->Submit(store::ExecEvent{c.ts_ns, t.tid, c.exe, c.path, c.argv, c.envp,
                                      c.argv_truncated, 0, 0, c.action, c.rule});
      store_->Submit(store::FileEvent{c.ts_ns, t.tid, c.exe,
                                      c.def ? std::string(c.def->name) : "execve", c.path,
                                      "exec", c.flags_text, 0, 0, "", c.action, c.rule});
    }
  } else {
    std::string cmdline = ReadLink(fmt::format("/proc/{}/exe", t.tid));
    t.proc->argv = {cmdline};
    t.proc->exec_path = cmdline;
  }
  store_->Submit(store::ProcessExec{now, t.tid, t.proc->exe, t.proc->argv});
}

void SyscallRecorder::OnExit(Tracee& t, int64_t ret) {
  PendingCall& c = t.call;
  if (!c.active) return;
  // ERESTARTSYS..ERESTART_RESTARTBLOCK (512-516) never reach the program: a
  // signal interrupted the call and the kernel will run it again, and that
  // second run is what the file, exec and network records describe.
  const bool restarting = ret <= -512 && ret >= -516;
  if (c.effect != nullptr && !restarting) {
    FinishState(t, ret);
    FinishFile(t, ret);
    FinishNet(t, ret);
  }
  RecordRaw(t, ret);
  c.active = false;
}

void SyscallRecorder::FinishWithoutResult(Tracee& t) {
  if (!t.call.active) return;
  // The task vanished inside the call, or --no-results skipped its exit
  // stop. The program did name the path, program or peer: strace shows such
  // a call with "= ?", and "who tried to open the FIFO" must find it. So the
  // file, exec and network events are written too, with no result (NULL);
  // nothing is applied to the fd table or cwd (found by bench/fidelity.sh).
  if (t.call.effect != nullptr) {
    FinishFile(t, kNoResult);
    FinishNet(t, kNoResult);
  }
  RecordRaw(t, kNoResult);
  t.call.active = false;
}

void SyscallRecorder::RecordDenied(Tracee& t, int err) {
  if (t.call.action == "allow") t.call.action = "deny";
  OnExit(t, -err);
}

void SyscallRecorder::RecordHit(const Tracee& t, int64_t ret) {
  const PendingCall& c = t.call;
  store::PolicyEvent ev;
  ev.ts_ns = c.ts_ns;
  ev.pid = t.tid;
  ev.exe = c.exe;
  ev.abi = std::string(syscalls::AbiName(c.abi));
  ev.nr = c.nr;
  ev.syscall = c.def ? std::string(c.def->name) : fmt::format("syscall_{:#x}", c.nr);
  ev.args = c.args_text;
  ev.action = c.action;
  ev.rule = c.rule;
  ev.mode = c.mode;
  ev.enforced = c.enforced;
  ev.category = c.category;
  ev.target = c.target;
  if (ret != kNoResult && NeedsResult(c)) {
    ev.result = Result(ret);
    ev.err = Errno(ret);
  }
  store_->Submit(std::move(ev));
}

void SyscallRecorder::RecordRaw(Tracee& t, int64_t ret) {
  const PendingCall& c = t.call;
  if (c.record_hit) RecordHit(t, ret);
  if (!c.record_behavior) return;
  store::SyscallEvent ev;
  ev.ts_ns = c.ts_ns;
  ev.pid = t.tid;
  ev.exe = c.exe;
  ev.abi = std::string(syscalls::AbiName(c.abi));
  ev.nr = c.nr;
  ev.name = c.def ? std::string(c.def->name) : fmt::format("syscall_{:#x}", c.nr);
  ev.args = c.args_text;
  if (ret != kNoResult && NeedsResult(c)) {
    ev.result = Result(ret);
    ev.err = Errno(ret);
  }
  ev.action = c.action;
  ev.rule = c.rule;
  store_->Submit(std::move(ev));
}

bool SyscallRecorder::NeedsResult(const PendingCall& c) {
  return !(c.def && (c.def->name == "exit" || c.def->name == "exit_group"));
}

void SyscallRecorder::FinishFile(Tracee& t, int64_t ret) {
  PendingCall& c = t.call;
  if (!c.record_behavior) return;
  const Effect e = c.effect->effect;
  if (e == Effect::kOpenByHandle && ret >= 0) {
    c.path = FdPath(t, static_cast<int>(ret));
    c.op = OpenOp(c.args[2]);
    c.flags_text = syscalls::DecodeOpenFlags(c.args[2]);
  }
  if (c.path.empty() && e != Effect::kOpenByHandle) return;
  if (c.op.empty()) return;
  if (e == Effect::kExec) {
    if (c.exec_done) return;  // recorded at the exec event
    store_->Submit(store::ExecEvent{c.ts_ns, t.tid, c.exe, c.path, c.argv, c.envp,
                                    c.argv_truncated, Result(ret), Errno(ret), c.action, c.rule});
  }
  store_->Submit(store::FileEvent{c.ts_ns, t.tid, c.exe, std::string(c.def ? c.def->name : ""),
                                  c.path, c.op, c.flags_text, Result(ret), Errno(ret), c.path2,
                                  c.action, c.rule});
}

void SyscallRecorder::FinishState(Tracee& t, int64_t ret) {
  PendingCall& c = t.call;
  if (ret < 0) return;
  int fd = static_cast<int>(ret);
  switch (c.effect->effect) {
    case Effect::kOpen:
    case Effect::kOpenat2:
      t.fds->Set(fd, FdEntry{FdEntry::Kind::kFile, c.path, c.cloexec});
      break;
    case Effect::kOpenByHandle:
      t.fds->Set(fd, FdEntry{FdEntry::Kind::kFile, FdPath(t, fd), (c.args[2] & O_CLOEXEC) != 0});
      break;
    case Effect::kChdir:
    case Effect::kFchdir:
      // The kernel's own view: exact through symlinks and "..".
      t.fs->cwd = ReadLink(fmt::format("/proc/{}/cwd", t.tid));
      break;
    case Effect::kDup:
      t.fds->Dup(ArgFd(c, 0), fd, false);
      break;
    case Effect::kDup2:
      t.fds->Dup(ArgFd(c, 0), ArgFd(c, 1),
                 c.def && c.def->name == "dup3" && (c.args[2] & O_CLOEXEC));
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
    default:
      break;
  }
}

void SyscallRecorder::FinishNet(Tracee& t, int64_t ret) {
  PendingCall& c = t.call;
  const Effect e = c.effect->effect;
  store::NetEvent ev;
  ev.ts_ns = c.ts_ns;
  ev.pid = t.tid;
  ev.exe = c.exe;
  const syscalls::SyscallDef* callee = c.demuxed ? c.demuxed : c.def;  // socketcall's inner call
  ev.syscall = callee ? std::string(callee->name) : "";
  ev.op = ev.syscall;
  ev.result = Result(ret);
  ev.err = Errno(ret);
  ev.action = c.action;
  ev.rule = c.rule;
  ev.fd = e == Effect::kSocket ? (ret >= 0 ? static_cast<int>(ret) : -1) : ArgFd(c, 0);
  const FdEntry* sock = e == Effect::kSocket ? nullptr : t.fds->Find(ev.fd);
  if (sock != nullptr && sock->kind == FdEntry::Kind::kSocket) {
    ev.family = FamilyName(sock->family);
    ev.sock_type = TypeName(sock->type);
  }
  TraceeMemory mem(t.tid);
  auto take_addr = [&ev](const syscalls::SockAddr& a) {
    if (ev.family.empty() && a.family >= 0) ev.family = FamilyName(a.family);
    ev.address = a.address;
    ev.port = a.port;
  };
  // Out-parameter sockaddr filled by the kernel: (addr, socklen_t *len).
  auto read_out_addr = [&](uint64_t addr, uint64_t lenp) {
    uint32_t len = 0;
    if (ret < 0 || addr == 0 || mem.Read(lenp, &len, 4) != 4) return;
    take_addr(syscalls::ReadSockAddr(mem, addr, len));
  };
  switch (e) {
    case Effect::kSocket:
      ev.family = FamilyName(static_cast<int>(c.args[0]));
      ev.sock_type = TypeName(static_cast<int>(c.args[1] & 0xf));
      ev.direction = "local";
      if (ret >= 0)
        t.fds->Set(static_cast<int>(ret),
                   FdEntry{FdEntry::Kind::kSocket, "", (c.args[1] & SOCK_CLOEXEC) != 0,
                           static_cast<int>(c.args[0]), static_cast<int>(c.args[1] & 0xf)});
      break;
    case Effect::kConnect:
    case Effect::kSendto:
    case Effect::kSendmsg:
    case Effect::kSendmmsg:
      ev.direction = "outbound";
      if (c.has_addr) take_addr(c.addr);
      break;
    case Effect::kBind:
      ev.direction = "local";
      if (c.has_addr) take_addr(c.addr);
      if (ret >= 0 && sock != nullptr) {
        FdEntry updated = *sock;
        updated.local = c.addr.address;
        updated.local_port = c.addr.port;
        t.fds->Set(ev.fd, std::move(updated));
      }
      break;
    case Effect::kListen:
      ev.direction = "local";
      if (sock != nullptr) {
        ev.address = sock->local;
        ev.port = sock->local_port;
        // bind(port 0) or no bind at all: the port being listened on is the
        // one the kernel picked, not the 0 (or nothing) the program passed.
        if (ret >= 0 && (sock->family == AF_INET || sock->family == AF_INET6) &&
            sock->local_port <= 0) {
          if (auto facts = QuerySocket(t.proc->tgid, ev.fd); facts && facts->local.port > 0) {
            const syscalls::SockAddr* real = &facts->local;
            ev.address = real->address;
            ev.port = real->port;
            FdEntry updated = *sock;
            updated.local = real->address;
            updated.local_port = real->port;
            t.fds->Set(ev.fd, std::move(updated));
          }
        }
      }
      break;
    case Effect::kAccept:
      ev.direction = "inbound";
      read_out_addr(c.args[1], c.args[2]);
      if (ret >= 0 && sock != nullptr) {
        FdEntry conn = *sock;
        conn.cloexec = callee && callee->name == "accept4" && (c.args[3] & SOCK_CLOEXEC);
        t.fds->Set(static_cast<int>(ret), std::move(conn));
      }
      break;
    case Effect::kRecvfrom:
      ev.direction = "inbound";
      read_out_addr(c.args[4], c.args[5]);
      break;
    case Effect::kRecvmsg: {
      ev.direction = "inbound";
      uint64_t name = 0;
      uint32_t len = 0;
      int ptr = c.abi == Abi::kI386 ? 4 : 8;
      if (ret >= 0 && mem.Read(c.args[1], &name, ptr) == static_cast<size_t>(ptr) &&
          mem.Read(c.args[1] + ptr, &len, 4) == 4 && name != 0)
        take_addr(syscalls::ReadSockAddr(mem, name, len));
      break;
    }
    default:
      return;
  }
  if (c.record_behavior) store_->Submit(std::move(ev));
}

}  // namespace warden::supervisor
