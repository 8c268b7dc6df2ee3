// The rows of one run of a warden SQLite file, read a stream at a time in
// id order from a position on, as the COPY text lines of the PostgreSQL
// tables (pg_schema.h): what `warden ship` sends. Calls rows are read as
// numbers with their text from the run's strings (forensics/run_strings.h),
// reloaded when a live run has added strings since.
#ifndef WARDEN_FLEET_RUN_ROWS_H_
#define WARDEN_FLEET_RUN_ROWS_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "fleet/pg_schema.h"
#include "forensics/run_strings.h"

namespace warden::fleet {

// The oldest SQLite schema ship reads (network events in calls/nets).
inline constexpr int kOldestShippedVersion = 5;

struct Batch {
  std::string copy;        // COPY text lines
  int64_t rows = 0;
  int64_t last_seq = 0;    // of the last row read
  int64_t first_open_seq = -1;  // processes: the first with no end yet (-1: none)
  int64_t min_ts = INT64_MAX, max_ts = INT64_MIN;  // events: for partitions
};

class RunRows {
 public:
  // `key`: the run's key in PostgreSQL (the first column of every line).
  RunRows(sqlite3* db, int version, int64_t run, int64_t start_ns, int64_t key)
      : db_(db), version_(version), run_(run), start_ns_(start_ns), key_(key) {}
  // Up to `limit` rows of `stream` after `after_seq`. Inside the caller's
  // read transaction.
  absl::StatusOr<Batch> Read(Stream stream, int64_t after_seq, int limit);
  // Rows of `stream` after `after_seq` (what is left to ship).
  absl::StatusOr<int64_t> CountAfter(Stream stream, int64_t after_seq);

 private:
  absl::Status ReadCalls(int64_t after_seq, int limit, Batch& b);
  absl::Status ReadSimple(Stream stream, int64_t after_seq, int limit, Batch& b);
  sqlite3* db_;
  int version_;
  int64_t run_, start_ns_, key_;
  forensics::RunStrings strings_;
  bool strings_loaded_ = false;
};

}  // namespace warden::fleet

#endif  // WARDEN_FLEET_RUN_ROWS_H_
