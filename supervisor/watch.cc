#include "supervisor/watch.h"

#include <fcntl.h>
#include <sys/prctl.h>

#include <optional>

#include <algorithm>

#include "policy/protections.h"
#include "supervisor/colocate.h"
#include "supervisor/effects.h"

namespace warden::supervisor {
namespace {

using seccomp::ArgCondition;
using seccomp::TraceRule;

// Register-argument narrowing, applied unless the user watches `desc`,
// the class that makes the plain calls interesting:
//  - newfstatat / statx with AT_EMPTY_PATH are fstat()s of an fd. BPF cannot
//    see that the path is really empty: a program could hide a path stat
//    this way, a documented limit (warden(1), SECURITY NOTES);
//  - sendto / recvfrom without an address use the connected peer, already
//    recorded at connect/accept.
struct Narrowing {
  std::string_view name;
  ArgCondition trace_when;
};
constexpr Narrowing kNarrowings[] = {
    {"newfstatat", {3, AT_EMPTY_PATH, 0}},
    {"statx", {2, AT_EMPTY_PATH, 0}},
    {"sendto", {4, 0, 0, /*not_equal=*/true}},
    {"recvfrom", {4, 0, 0, /*not_equal=*/true}},
};

void AddRules(const syscalls::SyscallDef& d, uint32_t classes,
              std::vector<TraceRule>& out) {
  if (!(classes & syscalls::kDesc)) {
    for (const Narrowing& n : kNarrowings)
      if (n.name == d.name) return out.push_back({d.nr, {n.trace_when}});
  }
  out.push_back({d.nr, {}});
}

// io_uring performs opens, reads and connects that no syscall shows
// (SECURITY.md 7). Its setup is always recorded, so a run that used it says
// so instead of silently claiming full coverage.
bool OpensUnseenChannel(std::string_view name) { return name == "io_uring_setup"; }

// Calls that change what warden can see or judge are always stopped on,
// judged by the protections and recorded, whatever the watched classes:
// seccomp(2) (a filter of the program's own; policy/protections.cc), and
// prctl(PR_SET_SECCOMP) (the same through prctl), only that option.
struct AlwaysWatched {
  std::string_view name;
  std::optional<ArgCondition> when;
};
const AlwaysWatched kAlwaysWatched[] = {
    {"seccomp", std::nullopt},
    {"prctl", ArgCondition{0, ~0ull, PR_SET_SECCOMP}},
};

// Whether the policy's categories need this call judged. Network calls
// include socket(), whose type tells tcp from udp.
bool PolicyNeeds(const syscalls::SyscallDef& d, const policy::CompiledPolicy& p) {
  for (const auto& name : p.syscalls)
    if (name == d.name) return true;
  const EffectRow* e = EffectOf(syscalls::Abi::kX86_64, d.nr);
  if (e == nullptr) return false;
  switch (e->effect) {
    case Effect::kExec: return p.categories & policy::kExecCalls;
    case Effect::kConnect:
    case Effect::kSendto:
    case Effect::kSendmsg:
    case Effect::kSendmmsg: return p.categories & policy::kNetOutbound;
    case Effect::kAccept:
    case Effect::kBind: return p.categories & policy::kNetInbound;
    case Effect::kSocket: return p.categories & (policy::kNetOutbound | policy::kNetInbound);
    default: break;
  }
  switch (FileUseOf(*e)) {
    case FileUse::kOpen: return p.categories & (policy::kFileRead | policy::kFileWrite);
    case FileUse::kWrite: return p.categories & policy::kFileWrite;
    case FileUse::kNone: return false;
  }
  return false;
}

bool Ignored(const syscalls::SyscallDef& d, const policy::CompiledPolicy* p) {
  return p != nullptr && std::find(p->ignored.begin(), p->ignored.end(), d.name) != p->ignored.end();
}

}  // namespace

seccomp::FilterSpec PlanWatch(uint32_t classes, const policy::CompiledPolicy* p, bool colocate) {
  seccomp::FilterSpec spec;
  for (const auto& d : syscalls::Table(syscalls::Abi::kX86_64)) {
    const bool recorded = (d.classes & classes) && !Ignored(d, p);
    if (recorded || KeepsState(d.name) || OpensUnseenChannel(d.name) ||
        (colocate && Colocator::Watches(d.name)) ||
        (p != nullptr && PolicyNeeds(d, *p)))
      AddRules(d, classes, spec.trace);
  }
  for (const AlwaysWatched& a : kAlwaysWatched) {
    const syscalls::SyscallDef* d = syscalls::ByName(syscalls::Abi::kX86_64, a.name);
    if (d == nullptr) continue;
    const bool traced = std::any_of(spec.trace.begin(), spec.trace.end(),
                                    [&](const TraceRule& r) { return r.nr == d->nr && r.conditions.empty(); });
    if (traced) continue;
    TraceRule r{d->nr, {}};
    if (a.when) r.conditions.push_back(*a.when);
    spec.trace.push_back(r);
  }
  if (p != nullptr) spec.deny = p->bpf;
  policy::AddProtections(spec);
  return spec;
}

bool NeedsExitStop(const syscalls::SyscallDef* def, const EffectRow* effect, bool want_results) {
  if (def != nullptr && (def->name == "exit" || def->name == "exit_group")) return false;
  if (want_results) return true;
  if (effect == nullptr) return false;  // a raw event only
  switch (effect->effect) {
    case Effect::kOpen:
    case Effect::kOpenat2:
    case Effect::kPathOp:
    case Effect::kTwoPaths:
    case Effect::kSymlink:
      return false;  // dirfds are read from /proc, not from the fd table
    default:
      return true;
  }
}

}  // namespace warden::supervisor
