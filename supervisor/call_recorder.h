// The recording step of a stop, and the one owner of what the store is
// told: a finished call becomes one store::CallRecord (its syscall, file,
// exec and network parts and its policy hit together, arguments as data),
// and process starts, execs and ends become their events. Reads nothing
// from the tracee: everything comes from the steps before it.
#ifndef WARDEN_SUPERVISOR_CALL_RECORDER_H_
#define WARDEN_SUPERVISOR_CALL_RECORDER_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"
#include "supervisor/clock.h"
#include "supervisor/capture.h"
#include "supervisor/tracee.h"

namespace warden::supervisor {

struct RecorderOptions {
  bool record_env = false;
};

class CallRecorder {
 public:
  explicit CallRecorder(store::Store* store) : store_(store) {}

  // A finished call. `ret`: the kernel's return value (-errno on failure);
  // nullopt when there is none (the task vanished inside the call,
  // --no-results skipped the exit stop, or the call never returns): the
  // program did name the path, program or peer, as strace's "= ?" shows.
  // The call's strings are moved into the record: `call` is spent.
  void Record(const Tracee& t, InFlight&& call, const ExitFacts& exit, std::optional<int64_t> ret);

  void ProcessStarted(const Tracee& t, const std::string& cwd);
  void ProcessExeced(const Tracee& t);
  // `status` as waitpid reported it; nullopt: the task ended unseen (the
  // other threads of a group that exec'd).
  void ProcessEnded(pid_t pid, std::optional<int> status);

 private:
  store::Store* store_;
};

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_CALL_RECORDER_H_
