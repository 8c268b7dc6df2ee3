// Which syscalls stop in warden: the classes the user watches, plus the
// calls that keep warden's fd table and cwd right, narrowed in BPF by
// register arguments where a stop would teach warden nothing.
#ifndef WARDEN_SUPERVISOR_WATCH_H_
#define WARDEN_SUPERVISOR_WATCH_H_

#include <cstdint>

#include "seccomp/filter.h"
#include "syscalls/syscall_table.h"

namespace warden::supervisor {

// Default for `warden run --watch`.
inline constexpr uint32_t kDefaultWatch =
    syscalls::kFile | syscalls::kExec | syscalls::kNetwork | syscalls::kProcess;

// The filter for `classes` (a syscalls::Class mask).
seccomp::FilterSpec PlanWatch(uint32_t classes);

// True when the tracer must also stop at the exit of this syscall to learn
// its result (everything but the calls that never return).
bool NeedsExitStop(const syscalls::SyscallDef* def);

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_WATCH_H_
