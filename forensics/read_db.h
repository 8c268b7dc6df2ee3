// The reading layer's entry: opening a warden database to read it (export,
// events, replay, profile, query, learn, expect, verify, policy test) or to
// prune it, the checks every reader makes first, and the run resolver.
//
// Errors, for the commands' exit codes: NotFound (no such file, no such
// run), FailedPrecondition (not a warden database, corrupt, too new),
// Unavailable (locked past the busy timeout, not readable) -- bad input,
// the file is left as it was; Aborted: writing the output failed.
#ifndef WARDEN_FORENSICS_READ_DB_H_
#define WARDEN_FORENSICS_READ_DB_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "forensics/export.h"
#include "store/json.h"
#include "store/sqlite_util.h"
#include "forensics/timeparse.h"  // FormatRfc3339Us, for readers

namespace warden::forensics {

// The reading layer's SQLite vocabulary: the RAII handles and column
// helpers are the store's (store/sqlite_util.h), shared with the writer.
using store::ColumnIsNull;
using store::ColumnOptInt;
using store::ColumnText;
using store::DbPtr;
using store::ExecSql;
using store::PrepareSql;
using store::StmtPtr;
using store::StepDone;
using store::Binder;
using store::JsonQuote;
using store::JsonStringArray;

// A connection and the file's schema version: a reader cannot upgrade an
// older file, so it reads each version's own shape.
struct ReadDb {
  DbPtr db;
  int version = 0;
  std::string path;
};

// The one way a reading command opens a database. Read-only: nothing is
// ever written to the file (a query's SQL included). Checks, each a clear
// error naming the file and what to do: the file exists and is not a
// directory, is an SQLite file, is a warden database (its tables are
// there) of a version this warden understands. On read-only media (a WAL
// file whose -shm cannot be created) it opens the file as immutable. A
// version-1 file gets TEMP views with the columns later versions added.
absl::StatusOr<ReadDb> OpenReadOnly(const std::string& path);
// Read-write without creating (prune); the same checks.
absl::StatusOr<ReadDb> OpenExisting(const std::string& path);

// The one classification of an SQLite failure on `path` (`code` is the
// result code; 0: the connection's last error): NotFound is never
// returned; FailedPrecondition for a file that is not SQLite, corrupt, or
// cannot be read as a warden database; Unavailable for a locked file (after
// the busy timeout) or one that cannot be opened (permissions).
absl::Status DbError(sqlite3* db, std::string_view path, int code = 0);

// PRAGMA user_version and what it says about the file.
absl::Status CheckVersion(sqlite3* db, const std::string& path, int* version);

// The runs, oldest first.
absl::StatusOr<std::vector<RunSummary>> ReadRuns(sqlite3* db, int version);

// The one run resolver: `run` when the file has it, else NotFound naming
// the runs there are; without `run`, the latest run (NotFound when there is
// none).
absl::StatusOr<RunSummary> ResolveRun(sqlite3* db, int version, const std::string& path,
                                      std::optional<int64_t> run);
absl::StatusOr<RunSummary> ResolveRun(const ReadDb& db, std::optional<int64_t> run);

// NotFound: "no run 7 in PATH; available runs: 1-3, 5 (see `warden runs --db PATH`)".
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

// A statement that runs once (sqlite3_prepare_v2: a bound GLOB pattern may
// re-plan it); errors classified by DbError.
absl::StatusOr<StmtPtr> Prepare(sqlite3* db, std::string_view sql);

// Steps `s` and calls fn(s) for each row; stops at the first error.
template <typename Fn>
absl::Status ForEachRow(sqlite3* db, sqlite3_stmt* s, Fn&& fn) {
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW)
    if (absl::Status st = fn(s); !st.ok()) return st;
  if (rc != SQLITE_DONE) return DbError(db, "", rc);
  return absl::OkStatus();
}

// A read transaction: every statement inside sees one snapshot, also while
// a run is being recorded into the file.
class ReadTxn {
 public:
  explicit ReadTxn(sqlite3* db) : db_(db) { ok_ = ExecSql(db, "BEGIN").ok(); }
  ~ReadTxn() {
    if (ok_) ExecSql(db_, "COMMIT").IgnoreError();
  }
  ReadTxn(const ReadTxn&) = delete;
  ReadTxn& operator=(const ReadTxn&) = delete;

 private:
  sqlite3* db_;
  bool ok_;
};

}  // namespace warden::forensics

#endif  // WARDEN_FORENSICS_READ_DB_H_
