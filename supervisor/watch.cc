#include "supervisor/watch.h"

#include <fcntl.h>

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

}  // namespace

seccomp::FilterSpec PlanWatch(uint32_t classes) {
  seccomp::FilterSpec spec;
  for (const auto& d : syscalls::Table(syscalls::Abi::kX86_64)) {
    if ((d.classes & classes) || KeepsState(d.name) || OpensUnseenChannel(d.name))
      AddRules(d, classes, spec.trace);
  }
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
