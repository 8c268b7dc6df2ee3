// Which syscalls stop in warden: the classes the user watches, plus the
// calls that keep warden's fd table and cwd right, narrowed in BPF by
// register arguments where a stop would teach warden nothing.
#ifndef WARDEN_SUPERVISOR_WATCH_H_
#define WARDEN_SUPERVISOR_WATCH_H_

#include <cstdint>

#include "policy/compile.h"
#include "seccomp/filter.h"
#include "supervisor/effects.h"
#include "syscalls/syscall_table.h"

namespace warden::supervisor {

// Default for `warden run --watch`.
inline constexpr uint32_t kDefaultWatch =
    syscalls::kFile | syscalls::kExec | syscalls::kNetwork | syscalls::kProcess;

// The filter for `classes` (a syscalls::Class mask; 0 when no behaviour
// event is recorded), plus what a policy needs judged (`policy` may be
// null) and the built-in protections.
// `colocate`: also the calls supervisor/colocate.h must see.
seccomp::FilterSpec PlanWatch(uint32_t classes, const policy::CompiledPolicy* policy = nullptr,
                              bool colocate = false);

// True when the tracer must also stop at the exit of this syscall. With
// `want_results`, every call that returns does (its result is recorded).
// Without (`warden run --no-results`), only the calls whose result warden's
// own bookkeeping needs: a failed exec, a new socket's fd, an accepted
// peer, a new cwd, a duplicated descriptor.
bool NeedsExitStop(const syscalls::SyscallDef* def, const EffectRow* effect,
                   bool want_results);

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_WATCH_H_
