#include "forensics/prune.h"

#include <algorithm>

#include "fmt/format.h"
#include "forensics/read_db.h"
#include "store/sqlite_util.h"

namespace warden::forensics {
namespace {

// The tables and views that hold a run's rows, and the column of each that
// is a time; read with SQL only (they may be views over other tables).
struct RunTable {
  const char* name;
  const char* time;  // the latest recorded time in it: max(time)
};
constexpr RunTable kRunTables[] = {
    {"processes", "max(coalesce(end_ns, 0), coalesce(start_ns, 0))"},
    {"file_events", "ts_ns"},
    {"exec_events", "ts_ns"},
    {"net_events", "ts_ns"},
    {"syscall_events", "ts_ns"},
    {"policy_events", "ts_ns"},
    {"policy_changes", "ts_ns"},
};

// Removes the runs and every row they have. All the SQL that deletes lives
// here, so that a change of the storage (interned tables behind views)
// changes this one function. Runs inside the caller's transaction.
absl::Status DeleteRuns(sqlite3* db, int version, const std::vector<int64_t>& runs) {
  // From version 4 file and syscall events are views: their rows are
  // deleted from the tables behind them.
  std::vector<RunTable> tables;
  for (const RunTable& t : kRunTables) {
    const std::string_view name = t.name;
    if (version >= 4 && (name == "file_events" || name == "syscall_events")) continue;
    if (version >= 5 && name == "net_events") continue;
    tables.push_back(t);
  }
  if (version >= 5) tables.push_back({"nets", ""});
  if (version >= 4) tables.insert(tables.end(), {{"calls", ""}, {"strings", ""}});
  for (const RunTable& t : tables) {
    auto has = HasTable(db, t.name);
    if (!has.ok()) return has.status();
    if (!*has) continue;  // an older file: the table did not exist yet
    auto stmt =
        PrepareSql(db, fmt::format("DELETE FROM {} WHERE {}", t.name, RunRows(version, t.name)));
    if (!stmt.ok()) return stmt.status();
    for (int64_t run : runs) {
      sqlite3_bind_int64(stmt->get(), 1, run);
      if (!StepDone(stmt->get()))
        return absl::InternalError(fmt::format("deleting the {} of run {}: {}", t.name, run,
                                               sqlite3_errmsg(db)));
    }
  }
  auto stmt = PrepareSql(db, "DELETE FROM runs WHERE id=?1");
  if (!stmt.ok()) return stmt.status();
  for (int64_t run : runs) {
    sqlite3_bind_int64(stmt->get(), 1, run);
    if (!StepDone(stmt->get()))
      return absl::InternalError(fmt::format("deleting run {}: {}", run, sqlite3_errmsg(db)));
  }
  return absl::OkStatus();
}

// The run's row count over every table, and its latest recorded time.
absl::Status Measure(sqlite3* db, int version, PrunedRun& r) {
  r.last_activity_ns = std::max(r.run.start_ns, r.run.end_ns.value_or(0));
  for (const RunTable& t : kRunTables) {
    auto has = HasTable(db, t.name);
    if (!has.ok()) return has.status();
    if (!*has) continue;
    auto stmt = PrepareSql(db, fmt::format("SELECT count(*), max({}) FROM {} WHERE {}", t.time,
                                           t.name, RunRows(version, t.name)));
    if (!stmt.ok()) return stmt.status();
    sqlite3_bind_int64(stmt->get(), 1, r.run.id);
    if (sqlite3_step(stmt->get()) != SQLITE_ROW)
      return absl::InternalError(fmt::format("reading {}: {}", t.name, sqlite3_errmsg(db)));
    r.rows += static_cast<uint64_t>(sqlite3_column_int64(stmt->get(), 0));
    if (auto last = ColumnOptInt(stmt->get(), 1))
      r.last_activity_ns = std::max(r.last_activity_ns, *last);
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> DatabaseBytes(sqlite3* db) {
  int64_t pages = 0, size = 0;
  for (auto [pragma, out] : {std::pair{"PRAGMA page_count", &pages},
                             std::pair{"PRAGMA page_size", &size}}) {
    auto stmt = PrepareSql(db, pragma);
    if (!stmt.ok()) return stmt.status();
    if (sqlite3_step(stmt->get()) != SQLITE_ROW) return absl::InternalError(sqlite3_errmsg(db));
    *out = sqlite3_column_int64(stmt->get(), 0);
  }
  return pages * size;
}

absl::Status Plan(sqlite3* db, int version, const PruneOptions& options, PruneReport& report) {
  auto runs = ReadRuns(db, version);
  if (!runs.ok()) return runs.status();
  for (const RunSummary& run : *runs) {
    if (run.start_ns >= options.cutoff_ns) {
      ++report.runs_kept;
      continue;
    }
    PrunedRun r{run};
    if (auto s = Measure(db, version, r); !s.ok()) return s;
    if (!run.end_ns && r.last_activity_ns >= options.cutoff_ns) {
      ++report.runs_kept;
      report.kept_recording.push_back(std::move(r));
      continue;
    }
    report.rows += r.rows;
    report.removed.push_back(std::move(r));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<PruneReport> Prune(const std::string& db_path, const PruneOptions& options) {
  auto opened = options.dry_run ? OpenReadOnly(db_path) : OpenExisting(db_path);
  if (!opened.ok()) return opened.status();
  sqlite3* db = opened->db.get();
  PruneReport report;
  // IMMEDIATE: the write lock from the start, so that what is measured is
  // what is deleted (a concurrent `warden run` waits for one transaction).
  if (auto s = ExecSql(db, options.dry_run ? "BEGIN" : "BEGIN IMMEDIATE"); !s.ok())
    return absl::FailedPreconditionError(fmt::format(
        "'{}' is locked by another program: {}; it was left unchanged", db_path,
        std::string(s.message())));
  int version = 0;
  absl::Status s = CheckVersion(db, db_path, &version);
  if (s.ok() && options.vacuum && !options.dry_run) {
    auto before = DatabaseBytes(db);
    if (before.ok()) report.bytes_before = *before;
    else s = before.status();
  }
  if (s.ok()) s = Plan(db, version, options, report);
  if (s.ok() && !options.dry_run && !report.removed.empty()) {
    std::vector<int64_t> ids;
    for (const auto& r : report.removed) ids.push_back(r.run.id);
    s = DeleteRuns(db, version, ids);
  }
  if (s.ok() && !options.dry_run) s = ExecSql(db, "COMMIT");
  if (!s.ok() || options.dry_run) {
    ExecSql(db, "ROLLBACK").IgnoreError();
    if (!s.ok()) return s;
    return report;
  }
  if (options.vacuum) {
    if (auto v = ExecSql(db, "VACUUM"); !v.ok())
      return absl::FailedPreconditionError(fmt::format(
          "the runs were removed, but VACUUM failed: {}", std::string(v.message())));
    // Fold the rewritten pages into the file now, so that it shrinks on disk
    // (a no-op for a file not in WAL mode; partial while others read it).
    ExecSql(db, "PRAGMA wal_checkpoint(TRUNCATE)").IgnoreError();
    auto after = DatabaseBytes(db);
    if (!after.ok()) return after.status();
    report.bytes_after = *after;
  }
  return report;
}

}  // namespace warden::forensics
