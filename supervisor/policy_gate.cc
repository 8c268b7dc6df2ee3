#include "supervisor/policy_gate.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "policy/call_facts.h"
#include "policy/protections.h"
#include "supervisor/effect_facts.h"
#include "supervisor/paths.h"
#include "supervisor/tracee_socket.h"
#include "supervisor/tracee_memory.h"

namespace warden::supervisor {
namespace {

using policy::Action;
using policy::NetKind;

int ArgFd(const PendingCall& c, int i) { return static_cast<int32_t>(c.args[i]); }

// Network facts of connect / sendto / sendmsg (with an address) and bind.
// `judging`: a policy will judge it; only then is the socket's protocol
// asked of the kernel (three syscalls per connect otherwise wasted).
void DescribeNet(Tracee& t, const PendingCall& c, policy::Call& call, bool judging) {
  const Effect e = c.effect->effect;
  const NetKind kind = NetKindOf(e, c.has_addr);
  if (kind != NetKind::kOutbound && kind != NetKind::kBind) return;  // accept: at its exit
  call.net = kind;
  call.unreadable = c.addr.unreadable || (e == Effect::kConnect && !c.has_addr);
  // An address warden could not read could be an IP peer: judged as one,
  // so that network rules and the network default fail closed.
  call.family = call.unreadable ? AF_INET : c.addr.family;
  call.address = c.addr.address;
  call.port = c.addr.port;
  if (judging && (call.family == AF_INET || call.family == AF_INET6)) {
    auto facts = QuerySocket(t.proc->tgid, ArgFd(c, 0));
    if (facts) call.protocol = policy::ProtocolOf(facts->type);
  }
}

}  // namespace

PolicyGate::PolicyGate(std::shared_ptr<const policy::Policy> policy) {
  if (policy) current_ = std::make_shared<policy::Evaluator>(std::move(policy));
}

void PolicyGate::Replace(std::shared_ptr<const policy::Policy> policy) {
  auto next = std::make_shared<policy::Evaluator>(std::move(policy));
  std::lock_guard<std::mutex> lock(mu_);
  next_ = std::move(next);
  generation_.fetch_add(1, std::memory_order_release);
}

std::shared_ptr<policy::Evaluator> PolicyGate::Current() {
  // One atomic load per judged stop; the lock only after a reload.
  if (generation_.load(std::memory_order_acquire) != seen_generation_) {
    std::lock_guard<std::mutex> lock(mu_);
    current_ = next_;
    seen_generation_ = generation_.load(std::memory_order_relaxed);
  }
  return current_;
}

bool PolicyGate::Judging() {
  auto eval = Current();
  return eval && eval->policy().mode != policy::Mode::kInactive;
}

bool PolicyGate::JudgedAtExit(const PendingCall& c) {
  return c.effect != nullptr &&
         (c.effect->effect == Effect::kAccept || c.effect->effect == Effect::kOpenByHandle);
}

void PolicyGate::Apply(PendingCall& c, const policy::Verdict& v, policy::Mode mode,
                       policy::LogMode log, bool ignored, bool protection) {
  c.action = std::string(policy::ActionName(v.action));
  c.rule = v.rule;
  c.hit = v.hit;
  // Built-in protections hold in every mode; the policy's own verdicts
  // (its fail-closed denials included) only in active mode.
  c.enforced = mode == policy::Mode::kActive || protection;
  c.mode = std::string(policy::ModeName(c.enforced ? policy::Mode::kActive : mode));
  c.record_behavior = !ignored && policy::RecordsBehavior(log);
  c.record_hit = !ignored && v.hit && policy::RecordsHit(log, v.action);
}

policy::Verdict PolicyGate::Decide(Tracee& t, const policy::Call& call,
                                   std::optional<uint64_t> clone3) {
  PendingCall& c = t.call;
  auto eval = Current();
  const policy::Mode mode = eval ? eval->policy().mode : policy::Mode::kActive;
  const policy::LogMode log = eval ? eval->policy().log_mode : policy::LogMode::kBehavior;
  const bool ignored = eval && c.def != nullptr && eval->Ignored(c.def->name);
  policy::Verdict v;
  auto protection = policy::JudgeProtections(call, clone3);
  if (protection) v = *protection;
  else if (eval && mode != policy::Mode::kInactive) v = eval->Judge(call);
  Apply(c, v, mode, log, ignored, protection.has_value());
  if (c.record_hit) {  // only policy events carry them: not formatted per stop
    c.category = std::string(policy::CategoryName(call));
    c.target = policy::Target(call);
  }
  if (!c.enforced || v.action == Action::kMonitor) return policy::Verdict{};
  return v;
}

policy::Verdict PolicyGate::AtEntry(Tracee& t, SyscallRecorder& recorder) {
  PendingCall& c = t.call;
  policy::Call call;
  call.abi = c.abi;
  call.def = c.def;
  for (int i = 0; i < 6; ++i) call.args[i] = c.args[i];
  call.exe = t.proc->exe;
  call.exe_alias = t.proc->exec_path;
  const bool judging = Judging();
  if (c.effect != nullptr && !JudgedAtExit(c)) {
    // The protections need the file facts too (/proc/PID/mem).
    DescribeFileUse(*c.effect, c.path, c.path2, c.open_flags, call);
    DescribeNet(t, c, call, judging);
  }
  std::optional<uint64_t> clone3;
  if (c.def != nullptr && c.def->name == "clone3") {
    uint64_t flags = 0;
    TraceeMemory mem(t.tid);
    if (mem.Read(c.args[0], &flags, sizeof flags) == sizeof flags) clone3 = flags;
  }
  call.read_string = [&t, &recorder](int index) -> std::optional<std::string> {
    // Paths as file rules see them: absolute, whatever the program wrote.
    if (t.call.def != nullptr && t.call.def->args[index].type == syscalls::ArgType::kPath)
      return recorder.ResolvePathArg(t, index);
    TraceeMemory mem(t.tid);
    auto s = syscalls::ReadCString(mem, t.call.args[index], 4096);
    if (s.unreadable || s.truncated) return std::nullopt;
    return s.value;
  };
  if (judging && c.effect != nullptr && c.effect->effect == Effect::kSendmmsg &&
      c.msg_addrs.size() > 1)
    return JudgeEachMessage(t, call);
  return Decide(t, call, clone3);
}

// sendmmsg: every message's destination is judged; the first one refused
// refuses the whole call (no message is sent).
policy::Verdict PolicyGate::JudgeEachMessage(Tracee& t, policy::Call& call) {
  policy::Verdict v;
  for (const syscalls::SockAddr& a : t.call.msg_addrs) {
    call.unreadable = a.unreadable;
    call.family = a.unreadable ? AF_INET : a.family;
    call.address = a.address;
    call.port = a.port;
    v = Decide(t, call, std::nullopt);
    if (v.action == Action::kDeny || v.action == Action::kKill) break;
  }
  return v;
}

policy::Verdict PolicyGate::AtExit(Tracee& t, SyscallRecorder& recorder, int64_t ret) {
  PendingCall& c = t.call;
  // No built-in protection is judged at exit: without a policy, nothing to do.
  if (!JudgedAtExit(c) || ret < 0 || c.action != "allow" || !Judging()) return policy::Verdict{};
  policy::Call call;
  call.abi = c.abi;
  call.def = c.def;
  for (int i = 0; i < 6; ++i) call.args[i] = c.args[i];
  call.exe = t.proc->exe;
  call.exe_alias = t.proc->exec_path;
  std::string path;
  if (c.effect->effect == Effect::kAccept) {
    auto facts = QuerySocket(t.proc->tgid, static_cast<int>(ret));
    call.net = NetKind::kAccept;
    if (!facts) {
      call.unreadable = true;
    } else {
      call.family = facts->peer.family;
      path = facts->peer.address;
      call.address = path;
      call.port = facts->local.port;  // inbound rules name the local port
      call.protocol = policy::ProtocolOf(facts->type);
    }
  } else {
    path = recorder.FdPath(t, static_cast<int>(ret));
    policy::DescribeOpenedFile(path, c.args[2], call);
  }
  return Decide(t, call, std::nullopt);
}

}  // namespace warden::supervisor
