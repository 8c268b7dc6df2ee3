// What a policy needs from the seccomp filter: which kinds of call the
// supervisor must judge (so they are traced), and which verdicts need only
// the syscall number and register arguments, so that BPF decides them with
// no stop at all (SECCOMP_RET_ERRNO / KILL_PROCESS).
#ifndef WARDEN_POLICY_COMPILE_H_
#define WARDEN_POLICY_COMPILE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "policy/policy.h"
#include "seccomp/filter.h"

namespace warden::policy {

// Kinds of call the supervisor must see for the policy (a bit mask).
enum Category : uint32_t {
  kNetOutbound = 1u << 0,
  kNetInbound = 1u << 1,
  kFileRead = 1u << 2,
  kFileWrite = 1u << 3,
  kExecCalls = 1u << 4,
};

struct CompiledPolicy {
  uint32_t categories = 0;
  std::vector<std::string> syscalls;       // named by syscall rules the tracer judges
  std::vector<seccomp::DenyRule> bpf;      // verdicts BPF decides (x86_64)
  std::vector<std::string> bpf_rules;      // the rules behind them
  // ignored_syscalls: not traced for recording (they would make no event);
  // still traced when a rule or warden's own bookkeeping needs them.
  std::vector<std::string> ignored;
};

// Rules warden adds after the policy's own (so an explicit rule wins):
// under an active policy that can deny or kill anything, io_uring_setup is
// refused with ENOSYS (SECURITY.md 7: io_uring opens and connects without
// syscalls any rule could judge). Programs fall back to plain syscalls.
void AddImplicitRules(Policy& p);

// `bpf_verdicts`: compile what registers decide into the filter (active
// mode without --reload). Inactive policies need nothing.
CompiledPolicy Compile(const Policy& p, bool bpf_verdicts);

}  // namespace warden::policy

#endif  // WARDEN_POLICY_COMPILE_H_
