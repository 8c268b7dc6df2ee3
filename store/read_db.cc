#include "store/read_db.h"

#include "store/calls.h"

#include <string.h>
#include <sys/stat.h>

#include <cerrno>

#include "fmt/format.h"
#include "store/schema.h"

namespace warden::store {
namespace {

constexpr int kBusyTimeoutMs = 10000;

// What the first statement on the file says about it.
absl::Status TouchError(sqlite3* db, const std::string& path) {
  switch (sqlite3_errcode(db)) {
    case SQLITE_NOTADB:
      return absl::FailedPreconditionError(
          fmt::format("'{}' is not a warden database (not an SQLite file)", path));
    case SQLITE_CORRUPT:
      return absl::FailedPreconditionError(fmt::format("'{}' is a corrupt SQLite database", path));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::FailedPreconditionError(fmt::format(
          "'{}' is locked by another program (waited {} s)", path, kBusyTimeoutMs / 1000));
    default:
      return absl::FailedPreconditionError(
          fmt::format("cannot read database '{}': {}", path, sqlite3_errmsg(db)));
  }
}

absl::StatusOr<ReadDb> Open(const std::string& path, int flags) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT)
      return absl::NotFoundError(
          fmt::format("no database at {}: the file does not exist; record one with "
                      "`warden run --db {} -- CMD`",
                      path, path));
    return absl::FailedPreconditionError(
        fmt::format("cannot open database '{}': {}", path, strerror(errno)));
  }
  if (S_ISDIR(st.st_mode))
    return absl::FailedPreconditionError(
        fmt::format("'{}' is a directory, not a warden database", path));
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK)
    return absl::FailedPreconditionError(fmt::format(
        "cannot open database '{}': {}", path, raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  int version = 0;
  if (auto s = CheckVersion(db.get(), path, &version); !s.ok()) return s;
  return ReadDb{std::move(db), version};
}

}  // namespace

absl::Status CheckVersion(sqlite3* db, const std::string& path, int* version) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr) != SQLITE_OK)
    return TouchError(db, path);
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) *version = sqlite3_column_int(stmt, 0);
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW) return TouchError(db, path);
  if (*version == 0)
    return absl::FailedPreconditionError(fmt::format("'{}' is not a warden database", path));
  if (*version > kSchemaVersion)
    return absl::FailedPreconditionError(fmt::format(
        "'{}' has schema version {}, newer than this warden understands ({}); use a newer warden",
        path, *version, kSchemaVersion));
  return absl::OkStatus();
}

absl::StatusOr<ReadDb> OpenReadOnly(const std::string& path) {
  return Open(path, SQLITE_OPEN_READONLY);
}

absl::StatusOr<ReadDb> OpenExisting(const std::string& path) {
  return Open(path, SQLITE_OPEN_READWRITE);
}

absl::StatusOr<std::vector<RunSummary>> ReadRuns(sqlite3* db, int version) {
  // Version 1 files have no policy columns: read them as NULL.
  auto stmt = PrepareSql(db, version >= 2
                                 ? "SELECT id, argv, start_ns, end_ns, exit_code, exit_signal, "
                                   "lost_events, policy, policy_mode, stops FROM runs ORDER BY id"
                                 : "SELECT id, argv, start_ns, end_ns, exit_code, exit_signal, "
                                   "lost_events, NULL, NULL, NULL FROM runs ORDER BY id");
  if (!stmt.ok()) return stmt.status();
  sqlite3_stmt* s = stmt->get();
  std::vector<RunSummary> runs;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    RunSummary r;
    r.id = sqlite3_column_int64(s, 0);
    r.argv_json = std::string(ColumnText(s, 1));
    r.start_ns = sqlite3_column_int64(s, 2);
    r.end_ns = ColumnOptInt(s, 3);
    if (auto v = ColumnOptInt(s, 4)) r.exit_code = static_cast<int>(*v);
    if (auto v = ColumnOptInt(s, 5)) r.exit_signal = static_cast<int>(*v);
    r.lost_events = static_cast<uint64_t>(sqlite3_column_int64(s, 6));
    r.policy = std::string(ColumnText(s, 7));
    r.policy_mode = std::string(ColumnText(s, 8));
    if (auto v = ColumnOptInt(s, 9)) r.stops = static_cast<uint64_t>(*v);
    runs.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return absl::InternalError(sqlite3_errmsg(db));
  return runs;
}

absl::Status UnknownRun(const std::string& path, int64_t run, const std::vector<RunSummary>& runs) {
  if (runs.empty()) return absl::NotFoundError(fmt::format("no run {} in {}: it has no runs", run, path));
  std::vector<int64_t> ids;
  for (const auto& r : runs) ids.push_back(r.id);
  return absl::NotFoundError(
      fmt::format("no run {} in {}; available runs: {}", run, path, fmt::join(ids, ", ")));
}

absl::StatusOr<RunSummary> ResolveRun(sqlite3* db, int version, const std::string& path,
                                      std::optional<int64_t> run) {
  auto runs = ReadRuns(db, version);
  if (!runs.ok()) return runs.status();
  if (!run) {
    if (runs->empty()) return absl::NotFoundError(fmt::format("{} has no runs yet", path));
    return runs->back();
  }
  for (const auto& r : *runs)
    if (r.id == *run) return r;
  return UnknownRun(path, *run, *runs);
}

std::string RunRows(int version, std::string_view table, std::string_view param) {
  if ((version >= 4 && (table == "file_events" || table == "syscall_events" || table == "calls" ||
                        table == "strings")) ||
      (version >= 5 && (table == "net_events" || table == "nets")))
    return fmt::format("id BETWEEN ({0} << {1}) AND ({0} << {1}) + {2}", param, kRunShift,
                       (int64_t{1} << kRunShift) - 1);
  return fmt::format("run_id = {}", param);
}

absl::StatusOr<bool> HasTable(sqlite3* db, std::string_view name) {
  auto stmt = PrepareSql(db, "SELECT 1 FROM sqlite_master WHERE name=?1 AND type IN ('table','view')");
  if (!stmt.ok()) return stmt.status();
  sqlite3_bind_text(stmt->get(), 1, name.data(), static_cast<int>(name.size()), SQLITE_STATIC);
  int rc = sqlite3_step(stmt->get());
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return absl::InternalError(sqlite3_errmsg(db));
  return rc == SQLITE_ROW;
}

absl::Status OutputError() { return absl::AbortedError("writing the output failed"); }

}  // namespace warden::store
