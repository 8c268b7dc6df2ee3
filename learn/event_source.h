// A store of recorded runs, read the same way whatever holds them: the
// SQLite files of `warden run` (OpenDatabases, here), PostgreSQL (runs
// shipped from many files). Every command that reads recorded events
// (learn, expect, verify, profile) is written once against EventSource: it
// picks the runs (SelectRuns), then reads each run's events into a
// RecordedEventSink (recorded_event.h): EventObserver for observations
// (ReadObservations), the profile's builder (profile/profile_builder.h).
//
// What a source must give, so that every source gives the same answers:
//  - SelectRuns: observation.h's Selection semantics, with every RunRef
//    field filled (argv_json, exit_code, exit_signal, interrupted,
//    processes and io_uring_rings too); errors (a missing run, a store that
//    cannot be read) before any event is read.
//  - ReadRun: every process start, exec, file and network event of the run
//    with the RecordedEvent fields set as the database's columns hold them
//    (result unset when NULL, port and fd -1 when NULL), in the order of
//    `warden export`: by time, then process / exec / file / net, then id.
//    It may leave out exec and file events outside the selection's window
//    (readers apply the window themselves; process starts and network
//    events before it carry the state of later ones).
#ifndef WARDEN_LEARN_EVENT_SOURCE_H_
#define WARDEN_LEARN_EVENT_SOURCE_H_

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "learn/observation.h"
#include "learn/recorded_event.h"

namespace warden::learn {

class EventSource {
 public:
  virtual ~EventSource() = default;
  // The runs `selection` picks (observation.h Selection semantics), checked
  // before any event is read.
  virtual absl::StatusOr<std::vector<RunRef>> SelectRuns(const Selection& selection) = 0;
  // Every event of `run` (one SelectRuns returned) to `sink`, in export
  // order (time, then process/exec/file/net, then id). The sink's SetRun is
  // the caller's to call.
  virtual absl::Status ReadRun(const RunRef& run, const Selection& selection,
                               RecordedEventSink& sink) = 0;
};

// The SQLite files of selection.dbs as one source (db_events.h for each):
// every file is opened and checked here (NotFound: no such file;
// FailedPrecondition: not a warden database, with what to do;
// InvalidArgument: no file given). Read-only: no file is ever written.
absl::StatusOr<std::unique_ptr<EventSource>> OpenDatabases(const Selection& selection);

// Picks the runs, hands them to the sink, streams their events through one
// EventObserver (event_observer.h).
absl::Status ReadObservations(EventSource& source, const Selection& selection,
                              ObservationSink& sink);

}  // namespace warden::learn

#endif  // WARDEN_LEARN_EVENT_SOURCE_H_
