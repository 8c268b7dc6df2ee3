#include "supervisor/policy_gate.h"

#include <errno.h>
#include <sys/socket.h>

#include "policy/call_facts.h"
#include "policy/protections.h"
#include "supervisor/effect_facts.h"
#include "supervisor/tracee_socket.h"

namespace warden::supervisor {
namespace {

using policy::Action;
using policy::NetKind;

policy::Call BaseCall(const ProcessInfo& proc, const CapturedCall& c) {
  policy::Call call;
  call.abi = c.abi;
  call.x32 = c.x32;
  call.def = c.def;
  for (int i = 0; i < 6; ++i) call.args[i] = c.args[i];
  call.exe = proc.exe;
  call.exe_alias = proc.exec_path;
  return call;
}

// Network facts of connect / sendto / sendmsg (with an address) and bind.
// `judging`: a policy will judge it; only then is the socket's protocol
// asked of the kernel (three syscalls per connect otherwise wasted).
void DescribeNet(pid_t tgid, const CapturedCall& c, const ResolvedPaths& p, policy::Call& call,
                 bool judging) {
  const Effect e = c.effect->effect;
  const NetKind kind = NetKindOf(e, c.has_addr);
  if (kind != NetKind::kOutbound && kind != NetKind::kBind) return;  // accept: at its exit
  call.net = kind;
  call.unreadable = c.addr.unreadable || (e == Effect::kConnect && !c.has_addr);
  // An address warden could not read could be an IP peer: judged as one,
  // so that network rules and the network default fail closed.
  call.family = call.unreadable ? AF_INET : c.addr.family;
  call.address = p.unix_address.empty() ? std::string_view(c.addr.address) : p.unix_address;
  call.port = c.addr.port;
  if (judging && (call.family == AF_INET || call.family == AF_INET6)) {
    auto facts = QuerySocket(tgid, static_cast<int32_t>(c.args[0]));
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

bool PolicyGate::JudgesPaths() { return Judging(); }

// accept: the peer is only known once the call returns. open_by_handle_at
// used to be judged there too, on the descriptor it returned; but between
// the call's return and warden's close, another thread of the program
// could use that descriptor. It is judged at entry now, on the file the
// handle names (Resolver::HandlePath).
bool PolicyGate::JudgedAtExit(const CapturedCall& c) { return c.effect_kind() == Effect::kAccept; }

Decision PolicyGate::Decide(const CapturedCall& c, const policy::Call& call) {
  auto eval = Current();
  const policy::Mode mode = eval ? eval->policy().mode : policy::Mode::kActive;
  const policy::LogMode log = eval ? eval->policy().log_mode : policy::LogMode::kBehavior;
  const bool ignored = eval && c.def != nullptr && eval->Ignored(c.def->name);
  policy::Verdict v;
  auto protection = policy::JudgeProtections(call, c.clone3_flags);
  if (protection) v = *protection;
  else if (eval && mode != policy::Mode::kInactive) v = eval->Judge(call);
  Decision d;
  d.action = v.action;
  d.rule = std::move(v.rule);
  // Built-in protections hold in every mode; the policy's own verdicts
  // (its fail-closed denials included) only in active mode.
  d.enforced = mode == policy::Mode::kActive || protection.has_value();
  d.mode = d.enforced ? policy::Mode::kActive : mode;
  d.record_behavior = !ignored && policy::RecordsBehavior(log);
  d.record_hit = !ignored && v.hit && policy::RecordsHit(log, v.action);
  if (d.record_hit) {  // only policy events carry them: not formatted per stop
    d.category = std::string(policy::CategoryName(call));
    d.target = policy::Target(call);
  }
  if (d.enforced && (v.action == Action::kDeny || v.action == Action::kKill)) {
    d.enforce = v.action;
    d.err = v.err;
  }
  return d;
}

Decision PolicyGate::AtEntry(const ProcessInfo& proc, const CapturedCall& c,
                             const ResolvedPaths& p, const StringArgReader& read_string) {
  policy::Call call = BaseCall(proc, c);
  const bool judging = Judging();
  if (c.effect != nullptr && !JudgedAtExit(c)) {
    // The protections need the file facts too (/proc/PID/mem).
    DescribeFileUse(*c.effect, p.path, p.path2, c.open_flags, call);
    DescribeNet(proc.tgid, c, p, call, judging);
  }
  if (c.effect_kind() == Effect::kOpenByHandle) {
    // The handle's file, or an unreadable path: fail closed.
    const std::string_view path = p.handle_path.empty() ? std::string_view("<unreadable handle>")
                                                        : std::string_view(p.handle_path);
    policy::DescribeOpenedFile(path, c.args[2], call);
  }
  call.read_string = read_string;
  if (judging && c.effect_kind() == Effect::kSendmmsg && c.msg_addrs.size() > 1)
    return JudgeEachMessage(c, call);
  if (judging && !p.loaded_program.empty()) {
    // `ld.so PROG` runs PROG: an exec rule about PROG must hold, not only
    // one about the loader. The first refusal of the two decides.
    Decision d = Decide(c, call);
    if (d.enforce != Action::kAllow) return d;
    call.path = p.loaded_program;
    call.unreadable = policy::UnreadablePath(p.loaded_program);
    Decision prog = Decide(c, call);
    return prog.enforce != Action::kAllow || prog.record_hit ? prog : d;
  }
  return Decide(c, call);
}

// sendmmsg: every message's destination is judged; the first one refused
// refuses the whole call (no message is sent).
Decision PolicyGate::JudgeEachMessage(const CapturedCall& c, policy::Call& call) {
  Decision d;
  for (const syscalls::SockAddr& a : c.msg_addrs) {
    call.unreadable = a.unreadable;
    call.family = a.unreadable ? AF_INET : a.family;
    call.address = a.address;
    call.port = a.port;
    d = Decide(c, call);
    if (d.enforce != Action::kAllow) break;
  }
  return d;
}

Decision PolicyGate::AtExit(const ProcessInfo& proc, const CapturedCall& c, const Decision& entry,
                            const std::string& opened_path, int64_t ret) {
  // No built-in protection is judged at exit: without a policy, nothing to do.
  if (!JudgedAtExit(c) || ret < 0 || entry.action != Action::kAllow || !Judging()) return entry;
  policy::Call call = BaseCall(proc, c);
  std::string peer;
  if (c.effect->effect == Effect::kAccept) {
    auto facts = QuerySocket(proc.tgid, static_cast<int>(ret));
    call.net = NetKind::kAccept;
    if (!facts) {
      call.unreadable = true;
    } else {
      call.family = facts->peer.family;
      peer = facts->peer.address;
      call.address = peer;
      call.port = facts->local.port;  // inbound rules name the local port
      call.protocol = policy::ProtocolOf(facts->type);
    }
  } else {
    policy::DescribeOpenedFile(opened_path, c.args[2], call);
  }
  return Decide(c, call);
}

}  // namespace warden::supervisor
