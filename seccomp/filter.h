// The seccomp-BPF pre-filter: watched x86_64 syscalls return
// SECCOMP_RET_TRACE (a stop in warden), everything else runs natively.
// Built with libseccomp, loaded in the child between fork and exec.
#ifndef WARDEN_SECCOMP_FILTER_H_
#define WARDEN_SECCOMP_FILTER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace warden::seccomp {

// Data values carried by SECCOMP_RET_TRACE, read back by the tracer from
// PTRACE_GET_SYSCALL_INFO (seccomp.ret_data).
inline constexpr uint16_t kTraceWatched = 0;  // a watched x86_64 syscall
inline constexpr uint16_t kTraceForeignArch = 1;  // i386 (int $0x80) or x32: never run unseen

// A condition on one register argument, evaluated in BPF:
// (arg[index] & mask) == value, or arg[index] != value when `not_equal`.
// Several conditions on one rule are ANDed.
struct ArgCondition {
  int index = 0;
  uint64_t mask = ~0ull;
  uint64_t value = 0;
  bool not_equal = false;
};

// Trace syscall `nr` (x86_64 number) when every condition holds; a syscall
// may appear in several rules (ORed), e.g. fcntl for F_DUPFD and for
// F_DUPFD_CLOEXEC.
struct TraceRule {
  int nr = -1;
  std::vector<ArgCondition> conditions;
};

// Decide `nr` in BPF when every condition holds: fail with `errno_value`
// (the call never reaches warden).
struct DenyRule {
  int nr = -1;
  int errno_value = 1;
  std::vector<ArgCondition> conditions;
};

struct FilterSpec {
  std::vector<TraceRule> trace;
  std::vector<DenyRule> deny;
};

// A built filter, ready to load. Building happens in the parent (it may
// allocate); Load() in the child only calls into the kernel.
//
// Deny rules go into a filter of their own, stacked on the trace filter:
// the kernel runs both and takes the stronger action (KILL > ERRNO >
// TRACE > ALLOW), so a call a deny rule matches never stops, whatever the
// trace rules say for the same syscall. Inside one libseccomp filter, rules
// with different actions for one syscall have no documented precedence.
class Filter {
 public:
  struct CtxDeleter {  // seccomp_release
    void operator()(void* ctx) const;
  };

  static absl::StatusOr<Filter> Build(const FilterSpec& spec);
  Filter(Filter&&) noexcept;
  Filter& operator=(Filter&&) noexcept;
  ~Filter();

  // Installs the filter on the calling thread. Tries without
  // no_new_privs first (so setuid programs keep working when warden is
  // root or has CAP_SYS_ADMIN), then with it. Async-signal-safe enough for
  // a freshly forked child: it only issues prctl/seccomp syscalls.
  // Returns 0 or -errno.
  int Load() const;

  // The filter in libseccomp's pseudo-filter-code text, for debugging.
  std::string Pfc() const;
  // Number of BPF instructions, both filters.
  size_t size() const { return (bpf_.size() + deny_bpf_.size()) / 8; }

 private:
  Filter() = default;
  std::vector<unsigned char> bpf_;       // trace filter: struct sock_filter[] bytes
  std::vector<unsigned char> deny_bpf_;  // deny filter; empty when no deny rule
  // libseccomp's context, kept for Pfc(): exporting text costs a temporary
  // file, which `warden run` does not need.
  std::unique_ptr<void, CtxDeleter> ctx_;
};

}  // namespace warden::seccomp

#endif  // WARDEN_SECCOMP_FILTER_H_
