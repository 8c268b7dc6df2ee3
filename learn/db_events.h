// The events of a warden database's runs, read-only through the
// forensics reading layer (store/read_db.h), for the observer: exec, file
// and network events and process starts, merged in the order of `warden
// export` (time, then process / exec / file / net, then id), so that a run
// read here and from its NDJSON export gives the same observations in the
// same order. One snapshot per file (a run still recording stays
// consistent); statements are prepared once and read a run by its id range;
// from schema 4 (file) and 5 (network) the calls rows are read as numbers
// and their text from the run's strings, read once (db_cursors.h).
#ifndef WARDEN_LEARN_DB_EVENTS_H_
#define WARDEN_LEARN_DB_EVENTS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "learn/recorded_event.h"
#include "learn/observation.h"

namespace warden::learn {

class DbEvents {
 public:
  // NotFound: no such file; FailedPrecondition: not a warden database (or
  // one it cannot read), with what to do.
  static absl::StatusOr<std::unique_ptr<DbEvents>> Open(const std::string& path);
  ~DbEvents();

  // The runs `selection` picks in this file (observation.h, Selection):
  // each of `runs` (NotFound naming the runs there are when one is
  // missing); else the last run, or with a window every run that has exec,
  // file or network events inside it.
  absl::StatusOr<std::vector<RunRef>> SelectRuns(const Selection& selection);

  // Every event of `run` to `sink`, in order. File and exec events
  // outside the window are not read.
  // `run`: one that SelectRuns returned.
  absl::Status ReadRun(const RunRef& run, const Selection& selection, RecordedEventSink& sink);

 private:
  struct Impl;
  explicit DbEvents(std::unique_ptr<Impl> impl);
  absl::StatusOr<bool> HasEventsIn(int64_t run, const Selection& selection);
  std::unique_ptr<Impl> impl_;
};

}  // namespace warden::learn

#endif  // WARDEN_LEARN_DB_EVENTS_H_
