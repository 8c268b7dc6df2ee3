// Reads one recorded run back for the dry run, in time order: the process
// rows (who forked whom) and the calls, each put together from its file,
// network and syscall parts. The parts of one call share its thread and
// its instant (ts_ns, pid), in every schema version (from version 4 they
// share one calls row as well), so they are matched on that.
#ifndef WARDEN_DRYRUN_RUN_READER_H_
#define WARDEN_DRYRUN_RUN_READER_H_

#include <sqlite3.h>

#include <cstdint>

#include "absl/status/status.h"
#include "dryrun/recorded_call.h"

namespace warden::dryrun {

class RunVisitor {
 public:
  virtual ~RunVisitor() = default;
  // A process starts before its first call.
  virtual void OnProcess(const ProcessRow& p) = 0;
  virtual void OnCall(const RecordedCall& c) = 0;
};

// Visits run `run` of an open database of schema `version`. The caller
// holds a read transaction (one snapshot).
absl::Status ReadRun(sqlite3* db, int version, int64_t run, RunVisitor& visitor);

}  // namespace warden::dryrun

#endif  // WARDEN_DRYRUN_RUN_READER_H_
