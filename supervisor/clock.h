// The two clocks of the supervisor.
#ifndef WARDEN_SUPERVISOR_CLOCK_H_
#define WARDEN_SUPERVISOR_CLOCK_H_

#include <time.h>

#include <cstdint>

namespace warden::supervisor {

// Wall time of events (CLOCK_REALTIME), nanoseconds since the epoch.
inline int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// For intervals (CLOCK_MONOTONIC).
inline int64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_CLOCK_H_
