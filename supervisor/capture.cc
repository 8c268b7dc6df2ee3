#include "supervisor/capture.h"

#include <fcntl.h>
#include <sys/socket.h>

#include <algorithm>

#include "fmt/format.h"
#include "supervisor/clock.h"
#include "supervisor/tracee_memory.h"
#include "supervisor/tracee_socket.h"

namespace warden::supervisor {
namespace {

using syscalls::Abi;

constexpr uint64_t kX32Bit = 0x40000000;
constexpr size_t kPathCap = 4096;

}  // namespace

std::string_view OpenOpOf(uint64_t flags) {
  if (flags & O_PATH) return "stat";
  if (flags & O_CREAT) return "create";
  if (flags & O_TRUNC) return "truncate";
  if ((flags & O_ACCMODE) != O_RDONLY) return "write";
  return "read";
}

namespace {

// A path warden could not read whole comes back as a marker starting with
// '<' (never taken for a recorded path, which is always absolute): NULL and
// unmapped pointers as "<unreadable 0x...>", a string that runs into an
// unmapped page or past PATH_MAX as "<truncated 0x...: what was read>".
RawPath ReadPath(syscalls::MemoryReader& mem, uint64_t addr) {
  RawPath p;
  p.present = true;
  p.null = addr == 0;
  syscalls::StringValue s = syscalls::ReadCString(mem, addr, kPathCap);
  p.ok = !s.unreadable && !s.truncated;
  if (s.unreadable) p.text = fmt::format("<unreadable {:#x}>", addr);
  else if (s.truncated) p.text = fmt::format("<truncated {:#x}: {}>", addr, s.value);
  else p.text = std::move(s.value);
  return p;
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

// i386 socketcall(call, unsigned long args[]) multiplexes every socket call:
// without looking inside, a 64-bit program could connect through int $0x80
// unrecorded. The sub-call's arguments (32-bit words in tracee memory)
// replace the registers for the later steps, so that the connect, bind or
// accept is judged and recorded like the direct call.
void DemuxSocketcall(CapturedCall& c, syscalls::MemoryReader& mem) {
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

void CaptureFile(CapturedCall& c, syscalls::MemoryReader& mem, bool record_env) {
  const EffectRow& e = *c.effect;
  if (e.path >= 0) c.path = ReadPath(mem, c.args[e.path]);
  if (e.path2 >= 0) c.path2 = ReadPath(mem, c.args[e.path2]);
  c.op = e.op;
  if (e.effect == Effect::kOpen && e.flags >= 0) {
    c.open_flags = c.args[e.flags];
    c.cloexec = c.open_flags & O_CLOEXEC;
    if (c.op.empty()) c.op = OpenOpOf(c.open_flags);
  } else if (e.effect == Effect::kOpen) {  // creat
    c.open_flags = O_WRONLY | O_CREAT | O_TRUNC;
  } else if (e.effect == Effect::kOpenat2) {
    uint64_t how[3] = {0, 0, 0};  // struct open_how {flags, mode, resolve}
    // Unreadable: the kernel fails it with EFAULT; judged as a write open,
    // the most a policy could have to refuse.
    if (mem.Read(c.args[2], how, sizeof how) != sizeof how) how[0] = O_RDWR | O_CREAT;
    c.open_flags = how[0];
    c.resolve = how[2];
    c.cloexec = how[0] & O_CLOEXEC;
    c.op = OpenOpOf(how[0]);
  }
  if (e.effect == Effect::kOpen || e.effect == Effect::kOpenat2) {
    c.flags_text = syscalls::DecodeOpenFlags;
    c.flags = c.open_flags;
  } else if (e.flags >= 0) {
    // The table's type says which AT_* meaning 0x200 has for this call.
    const bool access_flags = c.def && c.def->args[e.flags].type == syscalls::ArgType::kAccessAtFlags;
    c.flags_text = access_flags ? syscalls::DecodeAccessAtFlags : syscalls::DecodeAtFlags;
    c.flags = c.args[e.flags];
    if (e.name == "unlinkat" && (c.flags & AT_REMOVEDIR)) c.op = "rmdir";
  }
  if (e.effect == Effect::kExec) {
    const int ptr = c.abi == Abi::kI386 ? 4 : 8;
    const int argv_i = e.path + 1;
    auto argv = syscalls::ReadStringArray(mem, c.args[argv_i], 4096, 128 * 1024, ptr);
    c.argv = std::move(argv.items);
    c.argv_truncated = argv.truncated || argv.unreadable;
    if (record_env)
      c.envp = syscalls::ReadStringArray(mem, c.args[argv_i + 1], 4096, 128 * 1024, ptr).items;
  }
}

void CaptureNet(CapturedCall& c, syscalls::MemoryReader& mem) {
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
}

}  // namespace

std::string_view CapturedCall::callee_name() const {
  const syscalls::SyscallDef* callee = demuxed ? demuxed : def;
  return callee ? callee->name : std::string_view();
}

bool CapturedCall::never_returns() const {
  return def && (def->name == "exit" || def->name == "exit_group");
}

CapturedCall Capture(pid_t tid, const std::string& exe, Abi abi, uint64_t nr,
                     const uint64_t args[6], const CaptureOptions& options) {
  CapturedCall c;
  c.abi = abi;
  c.x32 = abi == Abi::kX86_64 && (nr & kX32Bit);
  c.nr = static_cast<int>(nr);
  c.ts_ns = NowNs();
  c.exe = exe;
  c.def = c.x32 ? nullptr : syscalls::ByNumber(abi, c.nr);
  c.effect = c.x32 ? nullptr : EffectOf(abi, c.nr);
  for (int i = 0; i < 6; ++i) c.args[i] = abi == Abi::kI386 ? static_cast<uint32_t>(args[i]) : args[i];
  c.raw.abi = abi;
  c.raw.values = c.args;
  if (c.x32) return c;
  // One reader for the whole stop: its page cache lets the steps below
  // reuse what the argument capture already copied out of the tracee.
  TraceeMemory mem(tid);
  if (c.def != nullptr) c.raw = syscalls::CaptureArgs(*c.def, c.args.data(), mem, abi);
  if (c.def != nullptr && abi == Abi::kI386 && c.def->name == "socketcall") DemuxSocketcall(c, mem);
  if (c.def != nullptr && c.def->name == "clone3") {
    uint64_t flags = 0;
    if (mem.Read(c.args[0], &flags, sizeof flags) == sizeof flags) c.clone3_flags = flags;
  }
  if (c.effect == nullptr) return c;
  if (c.effect->effect == Effect::kOpenByHandle) {
    // struct file_handle {unsigned int handle_bytes; int handle_type;
    // unsigned char f_handle[]}: the kernel refuses more than MAX_HANDLE_SZ.
    uint32_t header[2] = {0, 0};
    if (mem.Read(c.args[1], header, sizeof header) == sizeof header && header[0] <= 128) {
      c.file_handle.resize(sizeof header + header[0]);
      if (mem.Read(c.args[1], c.file_handle.data(), c.file_handle.size()) != c.file_handle.size())
        c.file_handle.clear();
    }
  }
  CaptureFile(c, mem, options.record_env);
  CaptureNet(c, mem);
  return c;
}

ExitFacts CaptureExit(pid_t tid, pid_t tgid, const CapturedCall& c, int64_t ret,
                      bool listen_port_unknown) {
  ExitFacts f;
  if (ret < 0 || c.effect == nullptr) return f;
  TraceeMemory mem(tid);
  // Out-parameter sockaddr filled by the kernel: (addr, socklen_t *len).
  auto out_addr = [&](uint64_t addr, uint64_t lenp) {
    uint32_t len = 0;
    if (addr != 0 && mem.Read(lenp, &len, 4) == 4) f.peer = syscalls::ReadSockAddr(mem, addr, len);
  };
  switch (c.effect->effect) {
    case Effect::kAccept:
      if (c.args[1] != 0) {
        out_addr(c.args[1], c.args[2]);
      } else if (auto facts = QuerySocket(tgid, static_cast<int>(ret)); facts) {
        // accept4(fd, NULL, NULL), as libuv does: the kernel knows the peer.
        f.peer = facts->peer;
      }
      break;
    case Effect::kRecvfrom:
      out_addr(c.args[4], c.args[5]);
      break;
    case Effect::kRecvmsg: {
      uint64_t name = 0;
      uint32_t len = 0;
      const int ptr = c.abi == Abi::kI386 ? 4 : 8;
      if (mem.Read(c.args[1], &name, ptr) == static_cast<size_t>(ptr) &&
          mem.Read(c.args[1] + ptr, &len, 4) == 4 && name != 0)
        f.peer = syscalls::ReadSockAddr(mem, name, len);
      break;
    }
    case Effect::kListen:
      if (listen_port_unknown)
        if (auto facts = QuerySocket(tgid, static_cast<int>(c.args[0])); facts && facts->local.port > 0)
          f.listen_local = facts->local;
      break;
    default:
      break;
  }
  return f;
}

}  // namespace warden::supervisor
