#include "supervisor/call_recorder.h"

#include <sys/wait.h>

#include "policy/policy.h"
#include "supervisor/capture.h"
#include "syscalls/decode.h"

namespace warden::supervisor {
namespace {

std::string FamilyName(int family) {
  if (family < 0) return "";
  return syscalls::DecodeSocketDomain(static_cast<uint64_t>(family));
}

std::string TypeName(int type) {
  if (type < 0) return "";
  return syscalls::DecodeSocketType(static_cast<uint64_t>(type));
}

// The network part of a call, or nullopt for calls without one.
std::optional<store::NetEvent> NetPart(const FdTable& fds, const CapturedCall& c,
                                       const ResolvedPaths& p, const ExitFacts& f,
                                       std::optional<int64_t> ret) {
  const Effect e = c.effect_kind();
  store::NetEvent ev;
  ev.syscall = std::string(c.callee_name());
  ev.op = ev.syscall;
  const int arg_fd = static_cast<int32_t>(c.args[0]);
  ev.fd = e == Effect::kSocket ? (ret && *ret >= 0 ? static_cast<int>(*ret) : -1) : arg_fd;
  const FdEntry* sock = e == Effect::kSocket ? nullptr : fds.Find(ev.fd);
  if (sock != nullptr && sock->kind == FdEntry::Kind::kSocket) {
    ev.family = (FamilyName(sock->family));
    ev.sock_type = TypeName(sock->type);
  }
  auto take_addr = [&ev](const syscalls::SockAddr& a, std::string_view address) {
    if (ev.family.empty() && a.family >= 0) ev.family = (FamilyName(a.family));
    ev.address = std::string(address);
    ev.port = a.port;
  };
  const std::string_view addr = p.unix_address.empty() ? std::string_view(c.addr.address)
                                                       : std::string_view(p.unix_address);
  switch (e) {
    case Effect::kSocket:
      ev.family = (FamilyName(static_cast<int>(c.args[0])));
      ev.sock_type = TypeName(static_cast<int>(c.args[1] & 0xf));
      ev.direction = "local";
      break;
    case Effect::kConnect:
    case Effect::kSendto:
    case Effect::kSendmsg:
    case Effect::kSendmmsg:
      ev.direction = "outbound";
      if (c.has_addr) take_addr(c.addr, addr);
      break;
    case Effect::kBind:
      ev.direction = "local";
      if (c.has_addr) take_addr(c.addr, addr);
      break;
    case Effect::kListen:
      ev.direction = "local";
      if (sock != nullptr) {
        ev.address = sock->local;
        ev.port = sock->local_port;
      }
      // bind(port 0) or no bind at all: the port being listened on is the
      // one the kernel picked, not the 0 (or nothing) the program passed.
      if (f.listen_local) {
        ev.address = f.listen_local->address;
        ev.port = f.listen_local->port;
      }
      break;
    case Effect::kAccept:
    case Effect::kRecvfrom:
    case Effect::kRecvmsg:
      ev.direction = "inbound";
      if (f.peer) take_addr(*f.peer, f.peer->address);
      break;
    default:
      return std::nullopt;
  }
  return ev;
}

}  // namespace

void CallRecorder::Record(const Tracee& t, InFlight&& in, const ExitFacts& exit,
                          std::optional<int64_t> ret) {
  CapturedCall& c = in.call;
  Decision& d = in.decision;
  if (!d.record_behavior && !d.record_hit) return;
  if (c.never_returns()) ret.reset();
  store::CallRecord r;
  r.ts_ns = c.ts_ns;
  r.pid = t.tid;
  r.exe = std::move(c.exe);
  r.nr = c.nr;
  r.def = c.def;
  r.args = std::move(c.raw);
  if (ret) {
    const bool failed = *ret < 0 && *ret >= -4095;
    r.result = failed ? -1 : *ret;
    r.err = failed ? static_cast<int>(-*ret) : 0;
  }
  r.action = policy::ActionName(d.action);
  r.rule = std::move(d.rule);
  r.behavior = d.record_behavior;
  if (d.record_hit)
    r.hit = std::make_shared<const store::CallRecord::Hit>(store::CallRecord::Hit{
        policy::ModeName(d.mode), d.enforced, std::move(d.category), std::move(d.target)});
  // ERESTARTSYS..ERESTART_RESTARTBLOCK (512-516) never reach the program: a
  // signal interrupted the call and the kernel will run it again, and that
  // second run is what the file, exec and network parts describe.
  const bool restarting = ret && *ret <= -512 && *ret >= -516;
  if (c.effect != nullptr && !restarting && d.record_behavior) {
    std::string& path = in.paths.path;
    const bool by_handle = c.effect->effect == Effect::kOpenByHandle;
    std::string_view op = c.op;
    if (by_handle && ret && *ret >= 0) op = OpenOpOf(c.args[2]);
    if (!op.empty() && (!path.empty() || by_handle)) {
      r.file = store::CallRecord::File{c.callee_name(), {}, {}, {}, op, c.flags_text, c.flags};
      if (by_handle) {
        r.file->flags_text = syscalls::DecodeOpenFlags;
        r.file->flags = c.args[2];
      }
      if (c.effect->effect == Effect::kExec) {
        store::ExecEvent ev;
        ev.path = path;
        ev.argv = std::move(c.argv);
        ev.envp = std::move(c.envp);
        ev.argv_truncated = c.argv_truncated;
        r.exec = std::make_shared<const store::ExecEvent>(std::move(ev));
      }
    }
    if (auto net = NetPart(*t.fds, c, in.paths, exit, ret))
      r.net = std::make_shared<const store::NetEvent>(std::move(*net));
    if (r.file) {
      r.file->path = std::move(path);
      r.file->path2 = std::move(in.paths.path2);
      r.file->named = std::move(in.paths.named);
    }
  }
  store_->Submit(std::move(r));
}

void CallRecorder::ProcessStarted(const Tracee& t, const std::string& cwd) {
  store_->Submit(store::ProcessStart{NowNs(), t.tid, t.proc->ppid, t.is_thread, t.proc->tgid,
                                     t.proc->exe, t.proc->argv, cwd});
}

void CallRecorder::ProcessExeced(const Tracee& t) {
  store_->Submit(store::ProcessExec{NowNs(), t.tid, t.proc->exe, t.proc->argv});
}

void CallRecorder::ProcessEnded(pid_t pid, std::optional<int> status) {
  store::ProcessEnd end{NowNs(), pid, std::nullopt, std::nullopt};
  if (status && WIFEXITED(*status)) end.exit_code = WEXITSTATUS(*status);
  else if (status && WIFSIGNALED(*status)) end.term_signal = WTERMSIG(*status);
  store_->Submit(end);
}

}  // namespace warden::supervisor
