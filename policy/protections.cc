#include "policy/protections.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>

#include "policy/glob.h"

namespace warden::policy {
namespace {

constexpr uint64_t kCloneUntraced = 0x00800000;
constexpr uint64_t kSeccompSetModeFilter = 1;     // SECCOMP_SET_MODE_FILTER
constexpr uint64_t kSeccompNewListener = 1 << 3;  // SECCOMP_FILTER_FLAG_NEW_LISTENER

constexpr Protection kProtections[] = {
    // A tracee that ptraces warden (or SEIZEs a sibling before warden sees
    // it) controls what warden sees; process_vm_writev could rewrite
    // warden's memory; pidfd_getfd could take its descriptors (the database).
    {"warden:no-ptrace", "ptrace", -1, 0, EPERM},
    {"warden:no-process-vm-writev", "process_vm_writev", -1, 0, EPERM},
    {"warden:no-pidfd-getfd", "pidfd_getfd", -1, 0, EPERM},
    // CLONE_UNTRACED makes a child the tracer never sees.
    {"warden:no-untraced-clone", "clone", 0, kCloneUntraced, EPERM},
};

// /proc/PID/mem, /proc/self/task/TID/mem, ...: writing it patches a
// process's memory behind ptrace's back.
constexpr std::string_view kProcMem = "/proc/**/mem";

}  // namespace

std::span<const Protection> Protections() { return kProtections; }

std::optional<Verdict> JudgeProtections(const Call& c, std::optional<uint64_t> clone3_flags) {
  // x32 calls reach warden (the filter's bad-arch action) and never run:
  // warden decodes no x32 table, and they would otherwise pass unjudged.
  if (c.x32) return Verdict{Action::kDeny, ENOSYS, "warden:no-x32", true};
  if (c.def == nullptr) return std::nullopt;
  for (const Protection& p : kProtections) {
    if (c.def->name != p.syscall) continue;
    if (p.arg < 0 || (c.args[p.arg] & p.mask) != 0)
      return Verdict{Action::kDeny, p.err, std::string(p.rule), true};
  }
  // A filter of the program's own whose SECCOMP_RET_USER_NOTIF a thread of
  // its own answers would detour every watched call around warden: the
  // kernel ranks USER_NOTIF above TRACE. Such a filter needs a listener, and
  // a listener is only had by installing the filter with NEW_LISTENER: that
  // flag is refused (a register, so exact). Without a listener a USER_NOTIF
  // filter only fails the program's own calls with ENOSYS. Judged here, not
  // in BPF, so that the attempt is recorded (seccomp is always traced).
  if (c.def->name == "seccomp" && c.args[0] == kSeccompSetModeFilter &&
      (c.args[1] & kSeccompNewListener))
    return Verdict{Action::kDeny, EPERM, "warden:no-seccomp-listener", true};
  if (c.def->name == "clone3" && (!clone3_flags || (*clone3_flags & kCloneUntraced)))
    return Verdict{Action::kDeny, EPERM, "warden:no-untraced-clone", true};
  if ((static_cast<int>(c.access) & static_cast<int>(FileAccess::kWrite)) && !c.exec &&
      c.def->name.starts_with("open") && GlobMatch(kProcMem, c.path))
    return Verdict{Action::kDeny, EACCES, "warden:no-proc-mem-write", true};
  return std::nullopt;
}

void AddProtections(seccomp::FilterSpec& spec) {
  for (const Protection& p : kProtections) {
    const auto* def = syscalls::ByName(syscalls::Abi::kX86_64, p.syscall);
    if (def == nullptr) continue;
    seccomp::DenyRule d{def->nr, p.err};
    if (p.arg >= 0) {
      // One rule per bit: "any bit of mask set" as ORed masked-equals.
      for (uint64_t bit = 1; bit != 0; bit <<= 1)
        if (p.mask & bit) {
          d.conditions = {{p.arg, bit, bit}};
          spec.deny.push_back(d);
        }
    } else {
      spec.deny.push_back(d);
    }
  }
  auto trace = [&](std::string_view name, std::vector<seccomp::ArgCondition> conds) {
    if (const auto* def = syscalls::ByName(syscalls::Abi::kX86_64, name))
      spec.trace.push_back({def->nr, std::move(conds)});
  };
  trace("clone3", {});
  trace("openat2", {});  // its flags are in memory
  trace("creat", {});
  // open / openat only when they can write: O_WRONLY or O_RDWR.
  for (uint64_t mode : {uint64_t{O_WRONLY}, uint64_t{O_RDWR}}) {
    trace("open", {{1, O_ACCMODE, mode}});
    trace("openat", {{2, O_ACCMODE, mode}});
  }
}

}  // namespace warden::policy
