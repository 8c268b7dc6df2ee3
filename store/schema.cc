#include "store/schema.h"

#include <string>

#include "fmt/format.h"
#include "store/sqlite_util.h"

namespace warden::store {
namespace {

// Event tables all have `id INTEGER PRIMARY KEY` (the rowid): the export
// breaks timestamp ties by it, so equal-ts events keep their insertion order.
// Errno columns hold the integer (0 when the call succeeded); the export adds
// the symbolic name. *_json columns hold JSON arrays of strings (JsonQuote).
constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused
  argv           TEXT NOT NULL,     -- JSON array
  cwd            TEXT NOT NULL,
  host           TEXT NOT NULL,
  warden_version TEXT NOT NULL,
  start_ns       INTEGER NOT NULL,
  end_ns         INTEGER,           -- NULL while running or if warden died
  exit_code      INTEGER,
  exit_signal    INTEGER,
  lost_events    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS processes (
  id          INTEGER PRIMARY KEY,
  run_id      INTEGER NOT NULL REFERENCES runs(id),
  pid         INTEGER NOT NULL,
  ppid        INTEGER,
  tgid        INTEGER,
  is_thread   INTEGER NOT NULL DEFAULT 0,
  exe         TEXT,
  argv        TEXT,                 -- JSON array
  cwd         TEXT,
  start_ns    INTEGER,              -- NULL: exit seen without a start
  end_ns      INTEGER,
  exit_code   INTEGER,
  term_signal INTEGER
);
CREATE INDEX IF NOT EXISTS processes_run_pid ON processes(run_id, pid);

CREATE TABLE IF NOT EXISTS file_events (
  id      INTEGER PRIMARY KEY,
  run_id  INTEGER NOT NULL REFERENCES runs(id),
  ts_ns   INTEGER NOT NULL,
  pid     INTEGER NOT NULL,
  exe     TEXT,                     -- the program the process was running
  syscall TEXT NOT NULL,
  path    TEXT NOT NULL,
  op      TEXT NOT NULL,
  flags   TEXT,                     -- NULL when none
  result  INTEGER,                  -- NULL when unknown
  errno   INTEGER NOT NULL DEFAULT 0,
  path2   TEXT                      -- NULL when the call has one path
);
CREATE INDEX IF NOT EXISTS file_events_run_ts ON file_events(run_id, ts_ns);
CREATE INDEX IF NOT EXISTS file_events_path ON file_events(path);

CREATE TABLE IF NOT EXISTS exec_events (
  id             INTEGER PRIMARY KEY,
  run_id         INTEGER NOT NULL REFERENCES runs(id),
  ts_ns          INTEGER NOT NULL,
  pid            INTEGER NOT NULL,
  exe     TEXT,                     -- the program the process was running
  path           TEXT NOT NULL,
  argv           TEXT NOT NULL,     -- JSON array
  envp           TEXT,              -- JSON array; NULL unless --record-env
  argv_truncated INTEGER NOT NULL DEFAULT 0,
  result         INTEGER,
  errno          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS exec_events_run_ts ON exec_events(run_id, ts_ns);

CREATE TABLE IF NOT EXISTS net_events (
  id        INTEGER PRIMARY KEY,
  run_id    INTEGER NOT NULL REFERENCES runs(id),
  ts_ns     INTEGER NOT NULL,
  pid       INTEGER NOT NULL,
  exe     TEXT,                     -- the program the process was running
  syscall   TEXT NOT NULL,
  op        TEXT NOT NULL,
  family    TEXT,
  sock_type TEXT,
  direction TEXT,
  address   TEXT,
  port      INTEGER,                -- NULL when not applicable
  fd        INTEGER,                -- NULL when not applicable
  result    INTEGER,
  errno     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS net_events_run_ts ON net_events(run_id, ts_ns);

CREATE TABLE IF NOT EXISTS syscall_events (
  id      INTEGER PRIMARY KEY,
  run_id  INTEGER NOT NULL REFERENCES runs(id),
  ts_ns   INTEGER NOT NULL,
  pid     INTEGER NOT NULL,
  exe     TEXT,
  abi     TEXT NOT NULL,
  nr      INTEGER NOT NULL,
  name    TEXT NOT NULL,
  args    TEXT NOT NULL,
  result  INTEGER,
  errno   INTEGER NOT NULL DEFAULT 0,
  action  TEXT NOT NULL,
  rule    TEXT                      -- NULL for the default action
);
CREATE INDEX IF NOT EXISTS syscall_events_run_ts ON syscall_events(run_id, ts_ns);
)sql";

absl::Status CreateTables(sqlite3* db) {
  int version = 0;
  if (auto s = ReadSchemaVersion(db, &version); !s.ok()) return s;
  if (version > kSchemaVersion)
    return absl::FailedPreconditionError(fmt::format(
        "database schema version {} is newer than this warden understands ({}); "
        "use a newer warden or another --db file",
        version, kSchemaVersion));
  if (auto s = ExecSql(db, std::string(kSchema).c_str()); !s.ok())
    return absl::InternalError(fmt::format("creating tables: {}", std::string(s.message())));
  return ExecSql(db, fmt::format("PRAGMA user_version = {}", kSchemaVersion).c_str());
}

}  // namespace

std::string_view SchemaSql() { return kSchema; }

absl::Status ReadSchemaVersion(sqlite3* db, int* version) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr) != SQLITE_OK)
    return absl::InternalError(sqlite3_errmsg(db));
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) *version = sqlite3_column_int(stmt, 0);
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW) return absl::InternalError(sqlite3_errmsg(db));
  return absl::OkStatus();
}

absl::Status ApplySchema(sqlite3* db) {
  // IMMEDIATE: two wardens opening a fresh file at once must not both create
  // (busy_timeout makes the second one wait instead of failing).
  if (auto s = ExecSql(db, "BEGIN IMMEDIATE"); !s.ok()) return s;
  absl::Status s = CreateTables(db);
  if (s.ok()) s = ExecSql(db, "COMMIT");
  if (!s.ok()) ExecSql(db, "ROLLBACK").IgnoreError();
  return s;
}

}  // namespace warden::store
