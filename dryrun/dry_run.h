// `warden policy test`: judges every recorded call of a run with a policy,
// offline, with the evaluator the live gate uses (policy::Evaluator over
// policy::Calls built as the gate builds them), and says which calls would
// have been denied, killed or monitored, by which rule.
//
// What a recording cannot tell (warden(1), policy test): calls a denial
// would have prevented never happened, nor did what they led to;
// argument matchers need register values that are not recorded; calls the
// recording did not watch were not recorded at all.
#ifndef WARDEN_DRYRUN_DRY_RUN_H_
#define WARDEN_DRYRUN_DRY_RUN_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "policy/policy.h"

namespace warden::dryrun {

// A recorded call the policy would deny, kill or monitor.
struct Hit {
  int64_t ts_ns = 0;
  int pid = 0;
  std::string exe;
  std::string syscall;
  std::string args;  // as recorded, strace style
  std::optional<int64_t> result;  // what the recorded call returned
  int err = 0;
  std::string category;  // as policy events name it: file-read, exec, ...
  std::string target;    // as policy events name it: path, address:port, ...
  policy::Action action = policy::Action::kAllow;
  std::string rule;  // a rule name, default:CATEGORY, warden:unreadable, ...
};

// The calls one rule (or default) decided.
struct RuleCount {
  std::string rule;
  policy::Action action = policy::Action::kAllow;
  int64_t calls = 0;       // decided by it
  int64_t not_judged = 0;  // it would decide them if its matchers held
};

struct Outcome {
  int64_t run_id = 0;
  bool judged = true;    // false: the policy is inactive, nothing judged
  int64_t calls = 0;     // recorded calls read
  int64_t protected_calls = 0;  // decided by built-in protections, not by the policy
  int64_t unreachable = 0;  // after a predicted kill or denied exec: would not happen
  int64_t not_judged = 0;   // a rule's matchers or a missing fact decide them
  int64_t denied = 0, killed = 0, monitored = 0;
  // Rules in file order, then defaults and warden's rules by name; only
  // those that decided (or could decide) some call.
  std::vector<RuleCount> rules;
};

struct DryRunOptions {
  std::string db_path;
  std::optional<int64_t> run;  // unset: the latest run
};

// Errors: NotFound (no such file, no such run), FailedPrecondition (not a
// warden database, ...), Internal (reading failed).
absl::StatusOr<Outcome> DryRun(const DryRunOptions& options, const policy::Policy& policy,
                               const std::function<void(const Hit&)>& on_hit);

}  // namespace warden::dryrun

#endif  // WARDEN_DRYRUN_DRY_RUN_H_
