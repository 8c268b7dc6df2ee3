// `warden events [--follow]`: the events of one run, and with --follow the
// ones a concurrent `warden run` commits afterwards, read from another
// process. The file is only ever read (WAL: a reader sees every committed
// transaction and never blocks the writer).
#ifndef WARDEN_FORENSICS_FOLLOW_H_
#define WARDEN_FORENSICS_FOLLOW_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace warden::forensics {

enum class EventsFormat {
  kNdjson,  // the lines of `warden export`
  kText,    // TIME [pid P] KIND details, for people
};

struct FollowOptions {
  std::optional<int64_t> run_id;  // unset: the latest run
  std::vector<std::string> kinds;  // empty: every kind (export.h kEventKinds)
  EventsFormat format = EventsFormat::kNdjson;
  bool follow = false;
  // How often the file is read again while following.
  std::chrono::milliseconds poll{150};
  // Asked between reads (and while waiting); true ends the follow (Ok).
  std::function<bool()> stop;
};

// Prints the run's events in time order. With `follow`, reads the file
// again every `poll` for rows committed since, prints them (in time order
// within each read), and returns once the run has ended (runs.end_ns set:
// everything it recorded is committed by then) and all of it is printed.
// Errors: as the export's (NotFound, FailedPrecondition); Aborted when
// `out` fails.
absl::Status FollowEvents(const std::string& db_path, const FollowOptions& options,
                          std::ostream& out);

}  // namespace warden::forensics

#endif  // WARDEN_FORENSICS_FOLLOW_H_
