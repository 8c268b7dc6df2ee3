#include "store/schema.h"

#include <iterator>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "store/calls.h"
#include "store/events.h"
#include "store/run_identity.h"
#include "store/sqlite_util.h"

namespace warden::store {
namespace {

// Event tables all have `id INTEGER PRIMARY KEY` (the rowid): the export
// breaks timestamp ties by it, so equal-ts events keep their insertion order.
// Errno columns hold the integer (0 when the call succeeded); the export adds
// the symbolic name. *_json columns hold JSON arrays of strings (JsonQuote).
constexpr std::string_view kStorageTables = R"sql(
-- Version 4: file and syscall events are stored compactly (warden-db(5),
-- STORAGE) and read through the views file_events and syscall_events.
-- strings: every text of a run once. id = run_id << 40 | n; a calls column
-- holds n. A row with dir is a path: the text of string dir, '/', text.
CREATE TABLE IF NOT EXISTS strings (
  id   INTEGER PRIMARY KEY,
  text TEXT NOT NULL,
  dir  INTEGER
);

-- calls: one row per recorded call. id = run_id << 40 | sequence, so a
-- run's rows are one range of ids. Text columns are string numbers n.
-- A row with nr is a syscall event; a row with path is a file event.
CREATE TABLE IF NOT EXISTS calls (
  id     INTEGER PRIMARY KEY,
  ts     INTEGER NOT NULL,          -- ns since runs.start_ns
  pid    INTEGER NOT NULL,
  exe    INTEGER,
  name   INTEGER NOT NULL,          -- the syscall's name
  abi    INTEGER,                   -- NULL: no syscall event
  nr     INTEGER,
  args   INTEGER,                   -- args; with arg, a template (\x01 = arg)
  arg    INTEGER,                   -- 0: path's text; 1: the path; else n
  result INTEGER,
  errno  INTEGER NOT NULL DEFAULT 0,
  action INTEGER NOT NULL,
  rule   INTEGER,
  path   INTEGER,                   -- NULL: no file event
  op     INTEGER,
  flags  INTEGER,
  path2  INTEGER,
  named  INTEGER                    -- version 6: the path as named, when not the file found
);

-- nets (version 5): the network part of a calls row, same id.
CREATE TABLE IF NOT EXISTS nets (
  id        INTEGER PRIMARY KEY,
  op        INTEGER,
  family    INTEGER,
  sock_type INTEGER,
  direction INTEGER,
  address   INTEGER,
  port      INTEGER,
  fd        INTEGER
);

)sql";

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
  lost_events    INTEGER NOT NULL DEFAULT 0,
  policy         TEXT,              -- policy name; NULL without --policy
  policy_mode    TEXT,              -- active, permissive, inactive; NULL without
  stops          INTEGER,           -- tracee stops in warden; NULL until the run ends
  uuid           TEXT,              -- version 7: the run's name wherever it is shipped
  labels         TEXT               -- version 7: JSON object of label -> value
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
  errno          INTEGER NOT NULL DEFAULT 0,
  action         TEXT NOT NULL DEFAULT 'allow',  -- the policy's verdict
  rule           TEXT               -- NULL for the default action
);
CREATE INDEX IF NOT EXISTS exec_events_run_ts ON exec_events(run_id, ts_ns);


-- A policy hit: a call a rule decided, or a category default that is not
-- allow. In permissive mode enforced is 0: what would have happened.
CREATE TABLE IF NOT EXISTS policy_events (
  id       INTEGER PRIMARY KEY,
  run_id   INTEGER NOT NULL REFERENCES runs(id),
  ts_ns    INTEGER NOT NULL,
  pid      INTEGER NOT NULL,
  exe      TEXT,                    -- the program the process was running
  abi      TEXT NOT NULL,
  nr       INTEGER NOT NULL,
  syscall  TEXT NOT NULL,
  args     TEXT NOT NULL,           -- decoded, strace style
  action   TEXT NOT NULL,           -- allow, deny, monitor, kill
  rule     TEXT,                    -- rule name, default:CATEGORY, warden:...
  mode     TEXT NOT NULL,           -- active or permissive
  enforced INTEGER NOT NULL DEFAULT 1,
  category TEXT NOT NULL,           -- network-outbound, file-read, ..., syscall
  target   TEXT,                    -- path, address:port, program; NULL for syscall rules
  result   INTEGER,                 -- as the program saw it; NULL when unknown
  errno    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS policy_events_run_ts ON policy_events(run_id, ts_ns);
CREATE INDEX IF NOT EXISTS policy_events_run_action ON policy_events(run_id, action);

-- A policy loaded (or refused) for the run: --policy, then every reload.
CREATE TABLE IF NOT EXISTS policy_changes (
  id       INTEGER PRIMARY KEY,
  run_id   INTEGER NOT NULL REFERENCES runs(id),
  ts_ns    INTEGER NOT NULL,
  source   TEXT NOT NULL,           -- the policy file
  name     TEXT,                    -- policy name; NULL when refused
  accepted INTEGER NOT NULL,
  message  TEXT                     -- why it was refused; NULL when accepted
);

)sql";

// After the call views, which it reads.
constexpr std::string_view kEventsView = R"sql(
-- Version 3: every event of every kind, one row each, in a common shape
-- (warden-db(5), VIEWS): for timelines and ad-hoc SQL without a UNION.
-- kind: process_start, process_end, exec, file, net, syscall, policy.
-- what: the operation (file op, net direction, syscall args, policy rule).
-- target: the path, address:port or program concerned, when there is one.
CREATE VIEW IF NOT EXISTS events AS
  SELECT run_id, start_ns AS ts_ns, pid, exe, 'process_start' AS kind, NULL AS syscall,
         cwd AS target, argv AS what, NULL AS result, 0 AS errno, NULL AS action, NULL AS rule
    FROM processes WHERE start_ns IS NOT NULL
  UNION ALL
  SELECT run_id, end_ns, pid, exe, 'process_end', NULL, NULL,
         CASE WHEN term_signal IS NOT NULL THEN 'signal ' || term_signal
              ELSE 'exit ' || exit_code END, exit_code, 0, NULL, NULL
    FROM processes WHERE end_ns IS NOT NULL
  UNION ALL
  SELECT run_id, ts_ns, pid, exe, 'exec', 'execve', path, argv, result, errno, action, rule
    FROM exec_events
  UNION ALL
  SELECT run_id, ts_ns, pid, exe, 'file', syscall, path, op, result, errno, action, rule
    FROM file_events
  UNION ALL
  SELECT run_id, ts_ns, pid, exe, 'net', syscall,
         CASE WHEN port IS NOT NULL THEN address || ':' || port ELSE address END,
         direction, result, errno, action, rule
    FROM net_events
  UNION ALL
  SELECT run_id, ts_ns, pid, exe, 'syscall', name, NULL, args, result, errno, action, rule
    FROM syscall_events
  UNION ALL
  SELECT run_id, ts_ns, pid, exe, 'policy', syscall, target, category, result, errno, action, rule
    FROM policy_events;
)sql";

// The views that give file, network and syscall events back from calls,
// nets and strings (versions 4 and 5), with the columns those tables had
// before. Built from StringSql/PathSql, the expressions the queries that
// read calls directly use too.
std::string CallViewsSql() {
  const std::string run = "c.id >> 40";
  auto text = [&](std::string_view col) { return StringSql(run, col); };
  auto path = [&](std::string_view col) { return PathSql(run, col); };
  const std::string common = fmt::format(
      "c.id >> 40 AS run_id, (SELECT start_ns FROM runs WHERE id = c.id >> 40) + c.ts AS ts_ns, "
      "c.pid AS pid, {} AS exe",
      text("c.exe"));
  const std::string verdict =
      fmt::format("c.result AS result, c.errno AS errno, {} AS action, {} AS rule",
                  text("c.action"), text("c.rule"));
  std::string sql = fmt::format(
      "CREATE VIEW IF NOT EXISTS file_events AS SELECT c.id AS id, {common}, {name} AS syscall, "
      "{path} AS path, {op} AS op, {flags} AS flags, c.result AS result, c.errno AS errno, "
      "{path2} AS path2, {action} AS action, {rule} AS rule, {named} AS named "
      "FROM calls c WHERE c.path IS NOT NULL;\n",
      fmt::arg("common", common), fmt::arg("name", text("c.name")), fmt::arg("path", path("c.path")),
      fmt::arg("op", text("c.op")), fmt::arg("flags", text("c.flags")),
      fmt::arg("path2", path("c.path2")), fmt::arg("action", text("c.action")),
      fmt::arg("rule", text("c.rule")), fmt::arg("named", path("c.named")));
  // args: the template with its token put back (calls.arg: 0 the path
  // row's own text, 1 the whole path, else a string of its own).
  sql += fmt::format(
      "CREATE VIEW IF NOT EXISTS syscall_events AS SELECT c.id AS id, {common}, {abi} AS abi, "
      "c.nr AS nr, {name} AS name, CASE WHEN c.arg IS NULL THEN {args} ELSE replace({args}, "
      "char(1), CASE c.arg WHEN 0 THEN {path_text} WHEN 1 THEN {path} ELSE {arg} END) END AS args, "
      "{verdict} FROM calls c WHERE c.nr IS NOT NULL;\n",
      fmt::arg("common", common), fmt::arg("abi", text("c.abi")), fmt::arg("name", text("c.name")),
      fmt::arg("args", text("c.args")), fmt::arg("path_text", text("c.path")),
      fmt::arg("path", path("c.path")), fmt::arg("arg", text("c.arg")),
      fmt::arg("verdict", verdict));
  sql += fmt::format(
      "CREATE VIEW IF NOT EXISTS net_events AS SELECT n.id AS id, {common}, {name} AS syscall, "
      "{op} AS op, {family} AS family, {type} AS sock_type, {direction} AS direction, "
      "{address} AS address, n.port AS port, n.fd AS fd, {verdict} "
      "FROM nets n JOIN calls c ON c.id = n.id;\n",
      fmt::arg("common", common), fmt::arg("name", text("c.name")), fmt::arg("op", text("n.op")),
      fmt::arg("family", text("n.family")), fmt::arg("type", text("n.sock_type")),
      fmt::arg("direction", text("n.direction")), fmt::arg("address", text("n.address")),
      fmt::arg("verdict", verdict));
  return sql;
}

// Columns added to existing tables since version 1. CREATE TABLE IF NOT
// EXISTS leaves an existing table as it is, so a file written by an older
// warden gets these with ALTER TABLE (each declaration matches kSchema).
struct AddedColumn {
  const char* table;
  const char* column;
  const char* decl;
};
constexpr AddedColumn kAddedColumns[] = {
    // version 2
    {"runs", "policy", "TEXT"},
    {"runs", "policy_mode", "TEXT"},
    {"runs", "stops", "INTEGER"},
    {"file_events", "action", "TEXT NOT NULL DEFAULT 'allow'"},
    {"file_events", "rule", "TEXT"},
    {"exec_events", "action", "TEXT NOT NULL DEFAULT 'allow'"},
    {"exec_events", "rule", "TEXT"},
    {"net_events", "action", "TEXT NOT NULL DEFAULT 'allow'"},
    {"net_events", "rule", "TEXT"},
    // version 6
    {"calls", "named", "INTEGER"},
    // version 7
    {"runs", "uuid", "TEXT"},
    {"runs", "labels", "TEXT"},
};

// Whether `table` exists (*exists) and has `column` (*has).
absl::Status InspectColumn(sqlite3* db, const char* table, const char* column, bool* exists,
                           bool* has) {
  *exists = *has = false;
  // Table names cannot be bound; ours are constants from kAddedColumns.
  auto stmt = PrepareSql(db, fmt::format("PRAGMA table_info({})", table));
  if (!stmt.ok()) return stmt.status();
  sqlite3_stmt* s = stmt->get();
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    *exists = true;
    if (ColumnText(s, 1) == column) *has = true;  // columns: cid, name, type, ...
  }
  if (rc != SQLITE_DONE) return absl::InternalError(sqlite3_errmsg(db));
  return absl::OkStatus();
}

// Brings the tables of an older file up to kSchema's shape. Idempotent.
absl::Status AddMissingColumns(sqlite3* db) {
  for (const AddedColumn& c : kAddedColumns) {
    bool exists = false, has = false;
    if (auto s = InspectColumn(db, c.table, c.column, &exists, &has); !s.ok()) return s;
    if (!exists || has) continue;  // a missing table is created whole by kSchema
    std::string sql = fmt::format("ALTER TABLE {} ADD COLUMN {} {}", c.table, c.column, c.decl);
    if (auto s = ExecSql(db, sql.c_str()); !s.ok())
      return absl::InternalError(fmt::format("upgrading the database ({}): {}", sql,
                                             std::string(s.message())));
  }
  return absl::OkStatus();
}

// Version 7: runs recorded before had no UUID or labels. Each gets the
// UUID `warden ship` gives such a run in an older file it reads
// (DerivedRunUuid), so that shipping before and after the upgrade names
// the run alike, and the label host.
absl::Status FillRunIdentity(sqlite3* db) {
  auto select = PrepareSql(db, "SELECT id, host, start_ns, argv FROM runs WHERE uuid IS NULL");
  if (!select.ok()) return select.status();
  auto update = PrepareSql(db, "UPDATE runs SET uuid = ?, labels = ? WHERE id = ?");
  if (!update.ok()) return update.status();
  int rc;
  while ((rc = sqlite3_step(select->get())) == SQLITE_ROW) {
    sqlite3_stmt* s = select->get();
    const int64_t id = sqlite3_column_int64(s, 0);
    const std::string host(ColumnText(s, 1));
    const std::string uuid =
        DerivedRunUuid(host, sqlite3_column_int64(s, 2), ColumnText(s, 3), id);
    sqlite3_reset(update->get());
    const std::string labels = LabelsJson({{"host", host}});  // bound without a copy
    Binder(update->get()).Text(uuid).Text(labels).Int(id);
    if (sqlite3_step(update->get()) != SQLITE_DONE) return absl::InternalError(sqlite3_errmsg(db));
  }
  if (rc != SQLITE_DONE) return absl::InternalError(sqlite3_errmsg(db));
  return absl::OkStatus();
}

absl::StatusOr<bool> IsTable(sqlite3* db, const char* name) {
  auto stmt = PrepareSql(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  if (!stmt.ok()) return stmt.status();
  Binder(stmt->get()).Text(name);
  int rc = sqlite3_step(stmt->get());
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return absl::InternalError(sqlite3_errmsg(db));
  return rc == SQLITE_ROW;
}

// The tables that hold calls in older files (views over calls since),
// each read as the events the recorder submitted, in one row shape:
// kind, ts_ns, pid, exe, name, result, errno, action, rule, id, then the
// kind's own columns. kind orders the parts of one call as the recorder
// submits them: file, net, syscall.
struct LegacyTable {
  const char* name;
  const char* own_columns;  // seven, NULL-padded
};
constexpr LegacyTable kLegacyTables[] = {
    {"file_events", "path, op, flags, path2, NULL, NULL, NULL"},
    {"net_events", "op, family, sock_type, direction, address, port, fd"},
    {"syscall_events", "abi, nr, args, NULL, NULL, NULL, NULL"},
};
enum LegacyKind { kOldFile = 0, kOldNet = 1, kOldSyscall = 2 };

std::string OldRowsSql(const std::vector<int>& kinds) {
  std::string sql;
  for (int k : kinds) {
    const LegacyTable& t = kLegacyTables[k];
    if (!sql.empty()) sql += " UNION ALL ";
    sql += fmt::format("SELECT {}, ts_ns, pid, exe, {}, result, errno, action, rule, id, {} "
                       "FROM {} WHERE run_id = ?1",
                       k, k == kOldSyscall ? "name" : "syscall", t.own_columns, t.name);
  }
  return sql + " ORDER BY 2, 1, 10";
}

// Adds one old row to the writer; returns the events it could not write.
int AddOldRow(sqlite3_stmt* st, CallWriter& writer) {
  auto text = [&](int i) { return std::string(ColumnText(st, i)); };
  const int64_t ts = sqlite3_column_int64(st, 1);
  const int pid = sqlite3_column_int(st, 2);
  const std::optional<int64_t> result = ColumnOptInt(st, 5);
  const int err = sqlite3_column_int(st, 6);
  switch (sqlite3_column_int(st, 0)) {
    case kOldFile:
      return writer.Add(FileEvent{ts, pid, text(3), text(4), text(10), text(11), text(12), result,
                                  err, text(13), text(7), text(8)});
    case kOldNet: {
      auto opt = [&](int i) { return ColumnIsNull(st, i) ? -1 : sqlite3_column_int(st, i); };
      return writer.Add(NetEvent{ts, pid, text(3), text(4), text(10), text(11), text(12),
                                 text(13), text(14), opt(15), opt(16), result, err, text(7),
                                 text(8)});
    }
    default:
      return writer.Add(SyscallEvent{ts, pid, text(3), text(10), sqlite3_column_int(st, 11),
                                     text(4), text(12), result, err, text(7), text(8)});
  }
}

// Older files kept file, syscall and network events in tables of those
// names: their rows become calls rows (through the writer's own code), run
// by run in the order they happened, and the tables are dropped so that
// the views can take their names. Runs inside ApplySchema's transaction:
// all or nothing.
absl::Status MigrateCallTables(sqlite3* db, const std::vector<int>& kinds) {
  auto writer = CallWriter::Prepare(db);
  if (!writer.ok()) return writer.status();
  std::string run_ids;
  for (int k : kinds)
    run_ids += fmt::format("{}SELECT run_id FROM {}", run_ids.empty() ? "" : " UNION ",
                           kLegacyTables[k].name);
  auto runs = PrepareSql(db, fmt::format(
      "SELECT r.run_id, coalesce((SELECT start_ns FROM runs WHERE id = r.run_id), 0) FROM ({}) r "
      "ORDER BY 1", run_ids));
  if (!runs.ok()) return runs.status();
  auto rows = PrepareSql(db, OldRowsSql(kinds));
  if (!rows.ok()) return rows.status();
  int rc;
  while ((rc = sqlite3_step(runs->get())) == SQLITE_ROW) {
    const int64_t run = sqlite3_column_int64(runs->get(), 0);
    if (auto s = CheckRunId(run); !s.ok()) return s;
    (*writer)->BeginRun(run, sqlite3_column_int64(runs->get(), 1));
    sqlite3_stmt* st = rows->get();
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, run);
    int lost = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) lost += AddOldRow(st, **writer);
    if (rc != SQLITE_DONE) return absl::InternalError(sqlite3_errmsg(db));
    lost += (*writer)->Flush();
    if (lost > 0)
      return absl::InternalError(fmt::format("converting run {}: {} rows could not be written: {}",
                                             run, lost, sqlite3_errmsg(db)));
  }
  if (rc != SQLITE_DONE) return absl::InternalError(sqlite3_errmsg(db));
  if (auto s = ExecSql(db, "DROP VIEW IF EXISTS events"); !s.ok()) return s;
  for (int k : kinds)
    if (auto s = ExecSql(db, fmt::format("DROP TABLE {}", kLegacyTables[k].name).c_str()); !s.ok())
      return s;
  return absl::OkStatus();
}

absl::Status CreateTables(sqlite3* db) {
  int version = 0;
  if (auto s = ReadSchemaVersion(db, &version); !s.ok()) return s;
  if (version > kSchemaVersion)
    return absl::FailedPreconditionError(fmt::format(
        "database schema version {} is newer than this warden understands ({}); "
        "use a newer warden or another --db file",
        version, kSchemaVersion));
  // Older tables first, so that kSchema may index the columns they gain.
  if (version < kSchemaVersion)
    if (auto s = AddMissingColumns(db); !s.ok()) return s;
  if (auto s = ExecSql(db, std::string(kStorageTables).c_str()); !s.ok())
    return absl::InternalError(fmt::format("creating tables: {}", std::string(s.message())));
  std::vector<int> legacy;  // kLegacyTables still tables in this file
  for (int k = 0; k < static_cast<int>(std::size(kLegacyTables)); ++k) {
    auto is_table = IsTable(db, kLegacyTables[k].name);
    if (!is_table.ok()) return is_table.status();
    if (*is_table) legacy.push_back(k);
  }
  if (!legacy.empty())
    if (auto s = MigrateCallTables(db, legacy); !s.ok())
      return absl::InternalError(
          fmt::format("upgrading the database to version {}: {}", kSchemaVersion,
                      std::string(s.message())));
  // Version 6 gave file_events a column: an older view goes, to be made again.
  if (version >= 4 && version < 6)
    if (auto s = ExecSql(db, "DROP VIEW IF EXISTS file_events"); !s.ok()) return s;
  const std::string schema = fmt::format("{}{}{}", kSchema, CallViewsSql(), kEventsView);
  if (auto s = ExecSql(db, schema.c_str()); !s.ok())
    return absl::InternalError(fmt::format("creating tables: {}", std::string(s.message())));
  if (version < 7)
    if (auto s = FillRunIdentity(db); !s.ok()) return s;
  if (auto s = ExecSql(db, "CREATE UNIQUE INDEX IF NOT EXISTS runs_uuid ON runs(uuid)"); !s.ok())
    return s;
  return ExecSql(db, fmt::format("PRAGMA user_version = {}", kSchemaVersion).c_str());
}

}  // namespace

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
  // (busy_timeout makes the second one wait instead of failing). The upgrade
  // of an older file happens in the same transaction: all of it or nothing.
  if (auto s = ExecSql(db, "BEGIN IMMEDIATE"); !s.ok()) return s;
  absl::Status s = CreateTables(db);
  if (s.ok()) s = ExecSql(db, "COMMIT");
  if (!s.ok()) ExecSql(db, "ROLLBACK").IgnoreError();
  return s;
}

}  // namespace warden::store
