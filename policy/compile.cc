#include "policy/compile.h"

#include <algorithm>
#include <map>

#include "policy/evaluate.h"
#include "policy/protections.h"
#include "syscalls/syscall_table.h"

namespace warden::policy {
namespace {

using seccomp::ArgCondition;
using Conjunction = std::vector<ArgCondition>;

constexpr size_t kMaxExpansion = 64;  // BPF rules per policy rule

uint32_t CategoryOf(RuleType t) {
  switch (t) {
    case RuleType::kNetworkOutbound: return kNetOutbound;
    case RuleType::kNetworkInbound: return kNetInbound;
    case RuleType::kFileRead: return kFileRead;
    case RuleType::kFileWrite: return kFileWrite;
    case RuleType::kExec: return kExecCalls;
    case RuleType::kSyscall: return 0;
  }
  return 0;
}

uint32_t DefaultCategories(const Defaults& d) {
  uint32_t c = 0;
  if (d.network != Action::kAllow) c |= kNetOutbound | kNetInbound;
  if (d.file != Action::kAllow) c |= kFileRead | kFileWrite;
  if (d.exec != Action::kAllow) c |= kExecCalls;
  return c;
}

// One matcher as alternatives, each a conjunction of BPF conditions;
// nullopt when BPF cannot express it (globs, signed or two-sided ranges,
// int-sized inequalities whose upper register half is undefined).
std::optional<std::vector<Conjunction>> Alternatives(const ArgMatcher& m, bool int_sized) {
  const uint64_t width = int_sized ? 0xffffffffull : ~0ull;
  switch (m.op) {
    case MatchOp::kEq: return std::vector<Conjunction>{{{m.index, width, m.value & width}}};
    case MatchOp::kNe:
      if (int_sized) return std::nullopt;
      return std::vector<Conjunction>{{{m.index, ~0ull, m.value, true}}};
    case MatchOp::kMask: {
      if (!m.mask_any) return std::vector<Conjunction>{{{m.index, m.mask, m.value & m.mask}}};
      std::vector<Conjunction> out;
      for (uint64_t bit = 1; bit != 0; bit <<= 1)
        if (m.mask & bit) out.push_back({{m.index, bit, bit}});
      return out;
    }
    case MatchOp::kIn: {
      std::vector<Conjunction> out;
      for (uint64_t v : m.values) out.push_back({{m.index, width, v & width}});
      return out;
    }
    case MatchOp::kRange:
    case MatchOp::kGlob: return std::nullopt;
  }
  return std::nullopt;
}

// The rule's matchers as a disjunction of conjunctions (the cross product
// of each matcher's alternatives); nullopt when it cannot be expressed.
std::optional<std::vector<Conjunction>> Expand(const Rule& r, const syscalls::SyscallDef& def) {
  std::vector<Conjunction> out = {{}};
  for (const ArgMatcher& m : r.args) {
    const auto t = def.args[m.index].type;
    const bool int_sized = t == syscalls::ArgType::kInt || t == syscalls::ArgType::kFd ||
                           t == syscalls::ArgType::kDirFd || t == syscalls::ArgType::kPid ||
                           t == syscalls::ArgType::kSignal;
    auto alts = Alternatives(m, int_sized);
    if (!alts) return std::nullopt;
    std::vector<Conjunction> next;
    for (const auto& base : out)
      for (const auto& alt : *alts) {
        Conjunction c = base;
        // libseccomp compares each argument once per rule.
        for (const auto& cond : alt)
          if (std::any_of(c.begin(), c.end(), [&](auto& x) { return x.index == cond.index; }))
            return std::nullopt;
        c.insert(c.end(), alt.begin(), alt.end());
        next.push_back(std::move(c));
      }
    if (next.size() > kMaxExpansion) return std::nullopt;
    out = std::move(next);
  }
  return out;
}

// Deny only: SECCOMP_RET_KILL_PROCESS would end the program with SIGSYS
// (and maybe a core dump), not with the SIGKILL a kill verdict promises, and
// nothing would be recorded; kill rules are judged by the supervisor.
bool BpfCandidate(const Rule& r) {
  return r.type == RuleType::kSyscall && r.program == "*" && r.action == Action::kDeny &&
         !r.name.starts_with("warden:");
}

// The built-in protections already have BPF rules for these calls; a second
// rule with another errno on the same conditions is a conflict libseccomp
// refuses. The supervisor judges them (after the protection).
bool Protected(std::string_view name) {
  for (const Protection& p : Protections())
    if (p.syscall == name) return true;
  return false;
}

// Calls of these classes may also be judged by file, network or exec rules,
// whose first-match order BPF cannot keep.
constexpr uint32_t kCategoryClasses = syscalls::kFile | syscalls::kNetwork | syscalls::kExec;

}  // namespace

void AddImplicitRules(Policy& p) {
  auto restrictive = [](Action a) { return a == Action::kDeny || a == Action::kKill; };
  bool can_deny = restrictive(p.defaults.network) || restrictive(p.defaults.file) ||
                  restrictive(p.defaults.exec);
  for (const Rule& r : p.rules) can_deny = can_deny || (r.enabled && restrictive(r.action));
  if (p.mode != Mode::kActive || !can_deny) return;
  Rule r;
  r.name = "warden:no-io-uring";
  r.type = RuleType::kSyscall;
  r.syscalls = {"io_uring_setup"};
  r.action = Action::kDeny;
  r.err = 38;  // ENOSYS: "not supported here", which io_uring users fall back from
  p.rules.push_back(std::move(r));
}

CompiledPolicy Compile(const Policy& p, bool bpf_verdicts) {
  CompiledPolicy out;
  out.ignored = p.ignored_syscalls;
  if (p.mode == Mode::kInactive) return out;
  out.categories = DefaultCategories(p.defaults);
  std::map<std::string, std::vector<const Rule*>> by_syscall;  // file order kept per name
  for (const Rule& r : p.rules) {
    if (!r.enabled) continue;
    out.categories |= CategoryOf(r.type);
    for (const auto& name : r.syscalls) by_syscall[name].push_back(&r);
  }
  for (const auto& [name, rules] : by_syscall) {
    const auto* def = syscalls::ByName(syscalls::Abi::kX86_64, name);
    bool compiled = false;
    if (bpf_verdicts && def != nullptr && !Protected(name) &&
        !(out.categories && (def->classes & kCategoryClasses))) {
      // Only when every rule for the call is BPF material (deny) with one
      // errno: then first-match order cannot change the outcome.
      const Rule* first = rules.front();
      std::vector<seccomp::DenyRule> bpf;
      bool ok = true;
      for (const Rule* r : rules) {
        if (!BpfCandidate(*r) || r->err != first->err) {
          ok = false;
          break;
        }
        auto conj = Expand(*r, *def);
        if (!conj) { ok = false; break; }
        for (auto& c : *conj)
          bpf.push_back({def->nr, r->err, std::move(c)});
      }
      if (ok) {
        compiled = true;
        out.bpf.insert(out.bpf.end(), bpf.begin(), bpf.end());
        for (const Rule* r : rules) out.bpf_rules.push_back(r->name);
      }
    }
    if (!compiled) out.syscalls.push_back(name);
  }
  return out;
}

}  // namespace warden::policy
