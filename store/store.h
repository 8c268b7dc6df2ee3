// The SQLite store: one database file holds many runs. Events are handed to
// Submit() and written by a writer thread in batched transactions (WAL), so
// the tracer never waits on the disk unless the queue is full -- then it
// waits (lossless) instead of dropping.
#ifndef WARDEN_STORE_STORE_H_
#define WARDEN_STORE_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/events.h"

namespace warden::store {

class Store {
 public:
  // Opens (creating if needed) the database at `path` and its schema. The
  // error names the path when the file cannot be opened or created.
  // `queue_capacity`: events buffered before Submit starts to wait.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& path,
                                                     size_t queue_capacity = 65536);
  // The schema version of the warden database at `path` when it is older
  // than this warden's (Open will then upgrade it, which takes a while on a
  // big file); nullopt otherwise, and for anything Open would refuse.
  static std::optional<int> OlderSchemaVersion(const std::string& path);
  // Without FinishRun, still writes every queued event; the run keeps a NULL
  // end_ns (it did not finish cleanly).
  virtual ~Store() = default;

  // Records a new run (appended; earlier runs are never touched) and starts
  // the writer thread. Returns the run id. One run at a time per Store.
  virtual absl::StatusOr<int64_t> BeginRun(const RunInfo& info) = 0;
  // Queues an event for the current run. Blocks while the queue is full.
  // Safe from several threads. Without an open run the event is only
  // counted in lost_events().
  virtual void Submit(Event event) = 0;
  // Drains the queue, stops the writer, records the run's end with
  // lost_events = end.lost_events + lost_events(). BeginRun and FinishRun
  // are called from one controlling thread.
  virtual absl::Status FinishRun(const RunEnd& end) = 0;
  // Events of the current run that could not be stored (SQLite errors), so far.
  virtual uint64_t lost_events() const = 0;
  virtual int64_t run_id() const = 0;
};

}  // namespace warden::store

#endif  // WARDEN_STORE_STORE_H_
