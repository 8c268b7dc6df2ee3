// Starts the traced command: fork, PTRACE_SEIZE with warden's options, load
// the seccomp filter in the child, exec with a PATH lookup.
#ifndef WARDEN_SUPERVISOR_LAUNCHER_H_
#define WARDEN_SUPERVISOR_LAUNCHER_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "seccomp/filter.h"

namespace warden::supervisor {

// The ptrace options every tracee gets (children inherit them).
long TraceOptions();

// Forks and seizes the child; the child loads `filter` and execs argv
// (execvp: a name without '/' is looked up in PATH). When the exec fails the
// child prints why and exits 127 (not found) or 126 (not executable), so the
// failure is traced and recorded like any other exit.
absl::StatusOr<pid_t> Launch(const std::vector<std::string>& argv,
                             const seccomp::Filter& filter);

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_LAUNCHER_H_
