// `warden ship`: copy the runs of a warden SQLite file into PostgreSQL
// (pg_schema.h) with COPY, in batches. Each batch and the cursor of its
// stream commit together, so a batch is in PostgreSQL once or not at all:
// shipping a file again, or after the server went away, sends only what is
// missing. The SQLite file is only read (a live run keeps recording).
#ifndef WARDEN_FLEET_SHIP_H_
#define WARDEN_FLEET_SHIP_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace warden::fleet {

struct ShipOptions {
  std::string db;                 // the SQLite file
  std::string url;                // postgresql://...
  std::vector<int64_t> runs;      // empty: every run of the file
  // Keep going: ship what the runs add while they record, then (with runs
  // given) stop when they have ended and everything is shipped; without
  // runs, follow new runs too until `stop`.
  bool follow = false;
  int batch_rows = 20000;
  int64_t poll_ms = 200;          // follow: pause between rounds
  const std::atomic<bool>* stop = nullptr;  // follow: finish up and return
};

// What a ship did (also when it failed part way).
struct ShipReport {
  bool connected = false;   // the server answered and its schema is usable
  int64_t runs = 0;
  int64_t events = 0;       // event rows sent this time
  int64_t processes = 0;    // process rows sent (new or updated)
  int64_t already = 0;      // rows shipped before (skipped)
  int64_t unshipped = 0;    // rows still to ship when it stopped
  std::vector<std::string> notes;  // one line per run
};

// Errors: those of the SQLite reading layer (NotFound, FailedPrecondition:
// the file is left untouched) and of the connection (pg.h); `report` has
// the counts so far either way. `progress` (may be empty) hears each run's
// line as it finishes.
absl::Status Ship(const ShipOptions& options, ShipReport& report,
                  const std::function<void(const std::string&)>& progress = {});

}  // namespace warden::fleet

#endif  // WARDEN_FLEET_SHIP_H_
