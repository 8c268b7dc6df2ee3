#include "policy/evaluate.h"

#include <sys/socket.h>

#include <algorithm>

#include "policy/cidr.h"
#include "policy/glob.h"

namespace warden::policy {
namespace {

using syscalls::ArgType;

bool HasRead(FileAccess a) { return static_cast<int>(a) & static_cast<int>(FileAccess::kRead); }
bool HasWrite(FileAccess a) { return static_cast<int>(a) & static_cast<int>(FileAccess::kWrite); }
bool Inet(const Call& c) { return c.family == AF_INET || c.family == AF_INET6; }

// Arguments the kernel reads as a C int: compared as signed 32-bit values,
// so that AT_FDCWD and -1 match whatever the upper register half holds.
bool IntSized(ArgType t) {
  return t == ArgType::kInt || t == ArgType::kFd || t == ArgType::kDirFd ||
         t == ArgType::kPid || t == ArgType::kSignal;
}

bool IntMatch(const ArgMatcher& m, uint64_t raw, bool int_sized) {
  auto norm = [int_sized](uint64_t v) -> int64_t {
    return int_sized ? static_cast<int32_t>(v) : static_cast<int64_t>(v);
  };
  const int64_t v = norm(raw);
  switch (m.op) {
    case MatchOp::kEq: return v == norm(m.value);
    case MatchOp::kNe: return v != norm(m.value);
    case MatchOp::kMask:
      return m.mask_any ? (raw & m.mask) != 0 : (raw & m.mask) == (m.value & m.mask);
    case MatchOp::kIn:
      return std::any_of(m.values.begin(), m.values.end(),
                         [&](uint64_t x) { return norm(x) == v; });
    case MatchOp::kRange:
      return int_sized ? (norm(m.lo) <= v && v <= norm(m.hi)) : (m.lo <= raw && raw <= m.hi);
    case MatchOp::kGlob: return false;
  }
  return false;
}

bool AnyGlob(const std::vector<Glob>& globs, std::string_view text) {
  if (text.empty()) return false;
  return std::any_of(globs.begin(), globs.end(), [&](const Glob& g) { return g.Match(text); });
}

bool NetMatch(const Rule& r, const Call& c) {
  if (r.protocol != Protocol::kAny && r.protocol != c.protocol) return false;
  if (!r.addresses.empty() &&
      std::none_of(r.addresses.begin(), r.addresses.end(),
                   [&](const Cidr& n) { return CidrContains(n, c.address); }))
    return false;
  if (!r.ports.empty() &&
      std::none_of(r.ports.begin(), r.ports.end(),
                   [&](const PortRange& p) { return p.lo <= c.port && c.port <= p.hi; }))
    return false;
  return true;
}

}  // namespace

std::optional<Action> DefaultFor(const Defaults& d, const Call& c) {
  if (c.exec) return d.exec;
  if (c.access != FileAccess::kNone) return d.file;
  if (c.net != NetKind::kNone && Inet(c)) return d.network;
  return std::nullopt;
}

Evaluator::Evaluator(std::shared_ptr<const Policy> policy) : policy_(std::move(policy)) {
  for (const auto& name : policy_->ignored_syscalls) ignored_.insert(name);
  for (uint32_t i = 0; i < policy_->rules.size(); ++i) {
    const Rule& r = policy_->rules[i];
    std::vector<Glob>& globs = paths_.emplace_back();
    for (const auto& p : r.paths) globs.emplace_back(p);
    for (const auto& p : r.resolved) globs.emplace_back(p);
    if (!r.enabled) continue;
    by_type_[static_cast<int>(r.type)].push_back(i);
    for (const auto& name : r.syscalls) by_syscall_[name].push_back(i);
  }
}

// The rules that may apply to `c`, in file order, into candidates_.
void Evaluator::Candidates(const Call& c) {
  candidates_.clear();
  auto add = [this](RuleType t) {
    const auto& v = by_type_[static_cast<int>(t)];
    candidates_.insert(candidates_.end(), v.begin(), v.end());
  };
  if (c.exec) add(RuleType::kExec);
  if (!c.exec && HasRead(c.access)) add(RuleType::kFileRead);
  if (!c.exec && HasWrite(c.access)) add(RuleType::kFileWrite);
  if (c.net == NetKind::kOutbound) add(RuleType::kNetworkOutbound);
  if (c.net == NetKind::kAccept || c.net == NetKind::kBind) add(RuleType::kNetworkInbound);
  if (c.def != nullptr && !by_syscall_.empty()) {
    auto it = by_syscall_.find(c.def->name);
    if (it != by_syscall_.end())
      candidates_.insert(candidates_.end(), it->second.begin(), it->second.end());
  }
  // Several lists: back to file order, which decides.
  std::sort(candidates_.begin(), candidates_.end());
}

const std::vector<bool>& Evaluator::ProgramMatches(std::string_view exe, std::string_view alias) {
  if (last_programs_ != nullptr && exe == last_exe_ && alias == last_alias_) return *last_programs_;
  last_exe_.assign(exe);
  last_alias_.assign(alias);
  last_programs_ = &ProgramMatchesUncached(exe, alias);
  return *last_programs_;
}

const std::vector<bool>& Evaluator::ProgramMatchesUncached(std::string_view exe,
                                                           std::string_view alias) {
  key_.assign(exe);
  if (!alias.empty() && alias != exe) key_.append(1, '\0').append(alias);
  auto it = program_cache_.find(key_);
  if (it != program_cache_.end()) return it->second;
  std::vector<bool> m;
  m.reserve(policy_->rules.size());
  for (const Rule& r : policy_->rules)
    m.push_back(ProgramMatch(r.program, exe) || (!alias.empty() && ProgramMatch(r.program, alias)));
  if (program_cache_.size() > 4096) {  // bound memory
    program_cache_.clear();
    last_programs_ = nullptr;
  }
  return program_cache_.emplace(key_, std::move(m)).first->second;
}

// Whether the rule's type covers this call at all (before its matchers).
bool Evaluator::Applies(const Rule& r, const Call& c) const {
  switch (r.type) {
    case RuleType::kNetworkOutbound: return c.net == NetKind::kOutbound && Inet(c);
    case RuleType::kNetworkInbound:
      // A rule that names peers can only be judged when a peer is known.
      return Inet(c) && (c.net == NetKind::kAccept ||
                         (c.net == NetKind::kBind && r.addresses.empty()));
    case RuleType::kFileRead: return !c.exec && HasRead(c.access);
    case RuleType::kFileWrite: return !c.exec && HasWrite(c.access);
    case RuleType::kExec: return c.exec;
    case RuleType::kSyscall:
      return c.def != nullptr && std::find(r.syscalls.begin(), r.syscalls.end(),
                                           c.def->name) != r.syscalls.end();
  }
  return false;
}

bool Evaluator::Matches(size_t i, const Call& c) const {
  const Rule& r = policy_->rules[i];
  switch (r.type) {
    case RuleType::kNetworkOutbound:
    case RuleType::kNetworkInbound: return NetMatch(r, c);
    case RuleType::kFileRead:
    case RuleType::kFileWrite: return AnyGlob(paths_[i], c.path) || AnyGlob(paths_[i], c.path2);
    case RuleType::kExec: return AnyGlob(paths_[i], c.path);
    case RuleType::kSyscall: return ArgsMatch(r, c);
  }
  return false;
}

bool Evaluator::ArgsMatch(const Rule& r, const Call& c) const {
  for (const ArgMatcher& m : r.args) {
    if (m.index < 0 || m.index > 5) return false;
    if (m.op == MatchOp::kGlob) {
      std::optional<std::string> s = c.read_string ? c.read_string(m.index) : std::nullopt;
      if (!s || !GlobMatch(m.glob, *s)) return false;
      continue;
    }
    const bool int_sized = c.def != nullptr && IntSized(c.def->args[m.index].type);
    if (!IntMatch(m, c.args[m.index], int_sized)) return false;
  }
  return true;
}

// True when some rule that could decide this call, or its default, denies
// or kills: then a value warden could not read must not let it through.
bool Evaluator::CanDeny(const Call& c, const std::vector<bool>& programs) const {
  auto refuses = [](Action a) { return a == Action::kDeny || a == Action::kKill; };
  const auto& rules = policy_->rules;
  for (size_t i = 0; i < rules.size(); ++i) {
    const Rule& r = rules[i];
    if (r.enabled && programs[i] && refuses(r.action) && r.type != RuleType::kSyscall &&
        Applies(r, c))
      return true;
  }
  auto d = DefaultFor(policy_->defaults, c);
  return d && refuses(*d);
}

std::optional<Verdict> Evaluator::Default(const Call& c) const {
  auto d = DefaultFor(policy_->defaults, c);
  if (!d) return std::nullopt;
  static const std::string kExec = "default:exec", kFile = "default:file",
                           kNetwork = "default:network";
  const std::string& rule = c.exec ? kExec : c.access != FileAccess::kNone ? kFile : kNetwork;
  return Verdict{*d, *d == Action::kDeny ? policy_->defaults.err : 0, rule, *d != Action::kAllow};
}

Verdict Evaluator::Judge(const Call& c) {
  const std::vector<bool>& programs = ProgramMatches(c.exe, c.exe_alias);
  if (c.unreadable && CanDeny(c, programs))
    return Verdict{Action::kDeny, 1 /*EPERM*/, "warden:unreadable", true};
  Candidates(c);
  for (uint32_t i : candidates_) {
    const Rule& r = policy_->rules[i];
    if (!programs[i] || !Applies(r, c) || !Matches(i, c)) continue;
    return Verdict{r.action, r.action == Action::kDeny ? r.err : 0, r.name, true};
  }
  if (auto d = Default(c)) return *d;
  return Verdict{};
}

}  // namespace warden::policy
