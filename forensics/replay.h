// `warden replay`: the recorded syscall events of a run as strace-like
// lines, with the policy's verdicts marked:
//   [pid 1234] openat(AT_FDCWD, "/etc/hosts", O_RDONLY|O_CLOEXEC) = 3
//   [pid 1234] openat(AT_FDCWD, "/etc/shadow", O_RDONLY) = -1 EACCES (Permission denied) <denied by no-secrets>
#ifndef WARDEN_FORENSICS_REPLAY_H_
#define WARDEN_FORENSICS_REPLAY_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace warden::forensics {

struct ReplayOptions {
  std::optional<int64_t> run_id;  // unset: the latest run
  std::optional<int> pid;         // only this pid (a thread's own id)
  std::string syscall;            // only calls of this name; "" for all
  // Only calls whose file event's path (or second path) matches; for a
  // policy hit recorded without its call, the hit's target. Null: all.
  std::function<bool(std::string_view)> path_match;
  std::optional<int64_t> from_ns, to_ns;  // inclusive bounds on the call's time
  bool time = false;                      // a leading RFC 3339 UTC time (µs)
};

// One call as replay renders it.
struct ReplayCall {
  int64_t ts_ns = 0;
  int pid = 0;
  std::string name;   // syscall name
  std::string args;   // decoded, strace style, without the parentheses
  std::optional<int64_t> result;  // unset: unknown ("= ?")
  int err = 0;
  std::string action;  // allow, deny, kill, monitor
  std::string rule;    // "" for the default
  // Whether the verdict was enforced: false in permissive mode; unset when
  // not recorded (then the run's mode decides).
  std::optional<bool> enforced;
};

// The line for `call` (with its newline). `permissive_run`: the run's policy
// was in permissive mode (for a verdict whose enforcement was not recorded).
std::string RenderCall(const ReplayCall& call, bool time, bool permissive_run);

// Writes the lines of the run's calls in time order. Errors: NotFound (no
// file, no such run), FailedPrecondition (not a warden database, ...),
// Aborted when `out` fails.
absl::Status Replay(const std::string& db_path, const ReplayOptions& options, std::ostream& out);

}  // namespace warden::forensics

#endif  // WARDEN_FORENSICS_REPLAY_H_
