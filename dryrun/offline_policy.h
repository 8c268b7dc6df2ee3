// The policy as the dry run judges it. Same rules, same evaluator, with
// three differences that a recording forces or that the point of a dry run
// (previewing enforcement) asks for:
//   - a permissive policy is judged as if active (inactive judges nothing:
//     the caller says so), and warden run's implicit rules are added as
//     warden run adds them for an active policy (warden:no-io-uring);
//   - a syscall rule whose argument matchers cannot be checked against what
//     was recorded (raw register values are not recorded) loses its
//     matchers and is renamed to a marker: when the evaluator says such a
//     rule decides a call, the call is "not judged" by that rule, since its
//     matchers may or may not hold. Two kinds of matchers are checked, on
//     what was recorded: globs on the argument that is the call's recorded
//     path (openat's pathname, rename's two paths, ...), and integer
//     matchers on the flags of open and openat (recorded decoded, every
//     bit named or kept as hex).
#ifndef WARDEN_DRYRUN_OFFLINE_POLICY_H_
#define WARDEN_DRYRUN_OFFLINE_POLICY_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>

#include "policy/policy.h"

namespace warden::dryrun {

std::shared_ptr<const policy::Policy> OfflinePolicy(const policy::Policy& p);

// The index (in the policy's rules) of the rule a verdict's marker names,
// or nullopt for an ordinary verdict.
std::optional<size_t> UnjudgedRule(std::string_view verdict_rule);

// Whether every argument matcher of `r` can be checked against a recorded
// call of every syscall the rule names: globs on the path argument warden
// records as the file event's path (or, for rename and link, the second
// path), and integer matchers on open's and openat's flags.
bool MatchersRecoverable(const policy::Rule& r);

}  // namespace warden::dryrun

#endif  // WARDEN_DRYRUN_OFFLINE_POLICY_H_
