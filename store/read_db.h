// Opening a warden database to read it (export, events, replay) or to prune
// it, and the checks every reader makes first: the file exists, is an SQLite
// file, is a warden database of a version this warden understands, and has
// the run asked for. Internal to store/.
//
// Errors, for the commands' exit codes: NotFound (no such file, no such
// run), FailedPrecondition (not a warden database, corrupt, too new,
// locked) -- bad input, the file is left as it was; Aborted: writing the
// output failed.
#ifndef WARDEN_STORE_READ_DB_H_
#define WARDEN_STORE_READ_DB_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/export.h"
#include "store/sqlite_util.h"
#include "store/timeparse.h"  // FormatRfc3339Us, for readers

namespace warden::store {

// A connection and the file's schema version: a reader cannot upgrade an
// older file, so it reads each version's own shape.
struct ReadDb {
  DbPtr db;
  int version = 0;
};

// Read-only: nothing is ever written to the file.
absl::StatusOr<ReadDb> OpenReadOnly(const std::string& path);
// Read-write without creating (prune); the same checks.
absl::StatusOr<ReadDb> OpenExisting(const std::string& path);

// PRAGMA user_version and what it says about the file.
absl::Status CheckVersion(sqlite3* db, const std::string& path, int* version);

// The runs, oldest first.
absl::StatusOr<std::vector<RunSummary>> ReadRuns(sqlite3* db, int version);

// `run` when the file has it, else NotFound naming the runs there are;
// without `run`, the latest run (NotFound when there is none).
absl::StatusOr<RunSummary> ResolveRun(sqlite3* db, int version, const std::string& path,
                                      std::optional<int64_t> run);

// NotFound: "no run 7 in PATH; available runs: 1, 2".
absl::Status UnknownRun(const std::string& path, int64_t run, const std::vector<RunSummary>& runs);

// The WHERE condition that picks run `param` (an SQL parameter such as
// "?1") out of `table`. From version 4, file_events and syscall_events are
// views over `calls` (from 5 net_events too), whose ids are run_id << 40 | n: a range of ids, which
// SQLite reads without a scan, where "run_id = ?" would read every run.
std::string RunRows(int version, std::string_view table, std::string_view param = "?1");

// Whether a table or view of that name exists.
absl::StatusOr<bool> HasTable(sqlite3* db, std::string_view name);

// Aborted: the output could not be written (a closed pipe, a full disk).
absl::Status OutputError();


}  // namespace warden::store

#endif  // WARDEN_STORE_READ_DB_H_
