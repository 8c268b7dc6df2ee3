// Optional CPU pinning for `warden run --pin`: the tracer thread and the
// whole traced tree on one CPU, where a stop costs a fraction of a
// cross-CPU wake-up (../shared/PERFORMANCE.md). The trade-off is that the
// program sees one CPU: nproc, GOMAXPROCS and make -j follow it.
#ifndef WARDEN_SUPERVISOR_AFFINITY_H_
#define WARDEN_SUPERVISOR_AFFINITY_H_

#include "absl/status/status.h"

namespace warden::supervisor {

// Pins the calling thread (and so every child it forks afterwards) to
// `cpu`, or to the first CPU it may run on when `cpu` is -1. Threads started
// earlier (the store's writer) keep their CPUs.
absl::Status PinCallingThread(int cpu);

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_AFFINITY_H_
