#include "dryrun/describe.h"

#include <sys/socket.h>

#include <charconv>

#include "fmt/format.h"
#include "policy/call_facts.h"
#include "supervisor/effect_facts.h"
#include "syscalls/decode.h"
#include "syscalls/syscall_table.h"

namespace warden::dryrun {
namespace {

using policy::NetKind;
using supervisor::Effect;
using syscalls::Abi;

// A constant's value by its decoded name ("AF_INET", "SOCK_STREAM"); -1
// when empty or unknown.
int ConstantOr(std::string_view name, int fallback) {
  if (name.empty()) return fallback;
  auto v = syscalls::ConstantByName(name);
  return v ? static_cast<int>(*v) : fallback;
}

// The table row and the effect row of the call: by number when the
// syscall part is there, else by the name its other part gives. i386
// socketcall's network part names the inner call, whose row applies (the
// live gate demultiplexes it the same way); the call stays socketcall.
void FindRows(const RecordedCall& r, Described& out) {
  Abi abi = Abi::kX86_64;
  const syscalls::SyscallDef* def = nullptr;
  if (r.sys) {
    abi = syscalls::ParseAbi(r.sys->abi).value_or(Abi::kX86_64);
    def = syscalls::ByNumber(abi, r.sys->nr);
  } else {
    def = syscalls::ByName(abi, r.file ? r.file->syscall : r.net->syscall);
  }
  out.call.abi = abi;
  out.call.def = def;
  if (def == nullptr) return;
  out.effect = supervisor::EffectOf(abi, def->nr);
  if (r.net && def->name == "socketcall")
    if (const auto* inner = syscalls::ByName(Abi::kI386, r.net->syscall))
      out.effect = supervisor::EffectOf(Abi::kI386, inner->nr);
}

void DescribeFile(const RecordedCall& r, Described& out) {
  const FilePart& f = *r.file;
  if (out.effect->effect == Effect::kOpenByHandle) {
    // Judged when it returns, on the file it opened.
    if (f.result && *f.result >= 0) policy::DescribeOpenedFile(f.path, syscalls::ParseFlagsText(f.flags), out.call);
    return;
  }
  const uint64_t flags = syscalls::ParseFlagsText(f.flags);
  supervisor::DescribeFileUse(*out.effect, f.path, f.path2, flags, out.call);
  // The one register value a recording gives back exactly: open's flags
  // (argument matchers on it are judged; offline_policy.h).
  if (out.effect->effect == Effect::kOpen && out.effect->flags >= 0)
    out.call.args[out.effect->flags] = flags;
  // Glob matchers of syscall rules on the path argument see the recorded
  // path, as the live gate's read_string resolves it (offline_policy.h).
  const supervisor::EffectRow* e = out.effect;
  out.call.read_string = [&f, e](int index) -> std::optional<std::string> {
    const std::string* p = index == e->path ? &f.path
                           : (e->effect == Effect::kTwoPaths && index == e->path2) ? &f.path2
                                                                                   : nullptr;
    if (p == nullptr || p->empty() || policy::UnreadablePath(*p)) return std::nullopt;
    return *p;
  };
}

void DescribeNet(const RecordedCall& r, ProcessHistory& history, Described& out) {
  const NetPart& n = *r.net;
  policy::Call& c = out.call;
  // An address warden could not read is recorded as none, and the
  // argument text shows the marker: judged as an IP peer, failing closed.
  const bool unreadable =
      n.address.empty() && r.sys && r.sys->args.find("<unreadable") != std::string::npos;
  NetKind kind = supervisor::NetKindOf(out.effect->effect, !n.address.empty() || unreadable);
  if (kind == NetKind::kAccept && !(n.result && *n.result >= 0)) kind = NetKind::kNone;
  if (kind == NetKind::kNone) return;
  if (kind == NetKind::kOutbound && n.address.empty() && !unreadable) return;  // AF_UNSPEC
  c.net = kind;
  c.unreadable = unreadable;
  c.family = unreadable ? AF_INET : ConstantOr(n.family, -1);
  c.address = n.address;
  c.port = n.port;
  const int type = ConstantOr(n.sock_type, -1);
  c.protocol = policy::ProtocolOf(type);
  out.protocol_unknown = type < 0;
  if (kind == NetKind::kAccept) {
    // The event has the peer the program asked for; rules name the local port.
    out.peer_unknown = n.address.empty();
    auto port = history.LocalPort(r.pid, n.fd);
    out.port_unknown = !port.has_value();
    c.port = port.value_or(-1);
  }
}

}  // namespace


void Describe(const RecordedCall& r, ProcessHistory& history, Described& out) {
  FindRows(r, out);
  out.exec_path = history.ExecPath(r.pid);
  out.call.exe = r.exe;
  out.call.exe_alias = out.exec_path;
  if (out.effect == nullptr) return;
  if (r.file) DescribeFile(r, out);
  if (r.net) DescribeNet(r, history, out);
}

std::string CallName(const RecordedCall& r) {
  if (r.sys) return r.sys->name;
  return r.file ? r.file->syscall : r.net->syscall;
}

std::string CallArgs(const RecordedCall& r) {
  if (r.sys) return r.sys->args;
  if (r.file) return fmt::format("\"{}\"", r.file->path);
  return fmt::format("{}:{}", r.net->address, r.net->port);
}

}  // namespace warden::dryrun
