// Built-in protections: calls a traced program could use to escape or to
// take control of warden, refused in every mode, with or without a policy
// (SECURITY.md 6 and 8). Those that registers decide are compiled into the
// seccomp filter; the supervisor judges the rest, and every i386 call.
#ifndef WARDEN_POLICY_PROTECTIONS_H_
#define WARDEN_POLICY_PROTECTIONS_H_

#include <optional>
#include <span>
#include <string_view>

#include "policy/evaluate.h"
#include "seccomp/filter.h"

namespace warden::policy {

// ptrace, process_vm_writev, pidfd_getfd, clone(CLONE_UNTRACED): decided by
// the syscall number and registers.
struct Protection {
  std::string_view rule;     // "warden:no-ptrace"
  std::string_view syscall;  // table name, valid in both ABIs
  int arg = -1;              // -1: every call; else (args[arg] & mask) != 0
  uint64_t mask = 0;
  int err = 1;
};
std::span<const Protection> Protections();

// The verdict of the built-in protections, or nullopt when none applies.
// x32 calls are always refused (ENOSYS, "warden:no-x32").
// `clone3_flags`: for clone3, the flags read from struct clone_args
// (nullopt when unreadable: denied, the flags could hide CLONE_UNTRACED).
std::optional<Verdict> JudgeProtections(const Call& c, std::optional<uint64_t> clone3_flags);

// Adds the register-decided protections to the filter (x86_64) as deny
// rules, and traces what the supervisor must judge (clone3; opens that can
// write, for /proc/PID/mem).
void AddProtections(seccomp::FilterSpec& spec);

}  // namespace warden::policy

#endif  // WARDEN_POLICY_PROTECTIONS_H_
