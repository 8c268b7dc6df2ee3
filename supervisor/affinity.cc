#include "supervisor/affinity.h"

#include <sched.h>
#include <string.h>

#include "fmt/format.h"

namespace warden::supervisor {

absl::Status PinCallingThread(int cpu) {
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
    return absl::InternalError(fmt::format("sched_getaffinity: {}", strerror(errno)));
  if (cpu < 0) {
    for (int c = 0; c < CPU_SETSIZE; ++c)
      if (CPU_ISSET(c, &allowed)) {
        cpu = c;
        break;
      }
  }
  if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &allowed))
    return absl::InvalidArgumentError(
        fmt::format("--pin: CPU {} is not one warden may run on (see `taskset -p $$`)", cpu));
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  if (sched_setaffinity(0, sizeof one, &one) != 0)
    return absl::InternalError(fmt::format("sched_setaffinity: {}", strerror(errno)));
  return absl::OkStatus();
}

}  // namespace warden::supervisor
