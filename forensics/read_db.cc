#include "forensics/read_db.h"

#include "store/run_identity.h"

#include <string.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

#include "fmt/format.h"
#include "store/calls.h"
#include "store/run_lock.h"
#include "store/schema.h"

namespace warden::forensics {
namespace {

constexpr int kBusyTimeoutMs = 10000;

// The tables and views every reader may read (warden-db(5)); version 2
// added policy_events and policy_changes.
constexpr const char* kRequired[] = {"runs",       "processes",      "file_events", "exec_events",
                                     "net_events", "syscall_events"};
constexpr const char* kRequiredV2[] = {"policy_events", "policy_changes"};

// Version 1 files (the first release) have no verdict columns and no
// policy tables. TEMP objects live outside the file, so a read-only
// connection can create them; unqualified names find them first.
constexpr const char* kV1Views = R"sql(
CREATE TEMP VIEW file_events AS SELECT *, 'allow' AS action, NULL AS rule FROM main.file_events;
CREATE TEMP VIEW exec_events AS SELECT *, 'allow' AS action, NULL AS rule FROM main.exec_events;
CREATE TEMP VIEW net_events AS SELECT *, 'allow' AS action, NULL AS rule FROM main.net_events;
CREATE TEMP TABLE policy_events (id INTEGER PRIMARY KEY, run_id INTEGER, ts_ns INTEGER,
  pid INTEGER, exe TEXT, abi TEXT, nr INTEGER, syscall TEXT, args TEXT, action TEXT, rule TEXT,
  mode TEXT, enforced INTEGER, category TEXT, target TEXT, result INTEGER, errno INTEGER);
CREATE TEMP TABLE policy_changes (id INTEGER PRIMARY KEY, run_id INTEGER, ts_ns INTEGER,
  source TEXT, name TEXT, accepted INTEGER, message TEXT);
)sql";

constexpr std::string_view kGiveDb = "give --db the file that `warden run --db FILE` recorded into";

// "file:" URI of `path` for SQLite: '%', '?' and '#' (and non-ASCII) are
// percent-encoded.
std::string FileUri(const std::string& path) {
  std::string uri = "file:";
  for (unsigned char c : path) {
    if (c == '%' || c == '?' || c == '#' || c >= 0x80 || c < 0x20)
      uri += fmt::format("%{:02X}", c);
    else
      uri += static_cast<char>(c);
  }
  return uri;
}

absl::StatusOr<DbPtr> Connect(const std::string& path, int flags, bool immutable) {
  sqlite3* raw = nullptr;
  int rc = immutable ? sqlite3_open_v2((FileUri(path) + "?immutable=1").c_str(), &raw,
                                       flags | SQLITE_OPEN_URI, nullptr)
                     : sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) return DbError(raw, path, rc);
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  return db;
}

// The names of the tables and views there are.
absl::StatusOr<std::vector<std::string>> TableNames(sqlite3* db, const std::string& path) {
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type IN ('table','view')",
                              -1, &s, nullptr);
  std::vector<std::string> have;
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) have.emplace_back(ColumnText(s, 0));
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE) return DbError(db, path, rc);
  return have;
}

absl::Status CheckTables(sqlite3* db, const std::string& path, int version, bool read_only) {
  auto have = TableNames(db, path);
  if (!have.ok()) return have.status();
  auto has = [&](std::string_view t) { return std::find(have->begin(), have->end(), t) != have->end(); };
  if (!has("runs"))
    return absl::FailedPreconditionError(fmt::format(
        "'{}' is not a warden database ({}); {}", path,
        have->empty() ? "an SQLite file with no tables" : "an SQLite file without warden's tables",
        kGiveDb));
  std::vector<const char*> required(std::begin(kRequired), std::end(kRequired));
  if (version >= 2) required.insert(required.end(), std::begin(kRequiredV2), std::end(kRequiredV2));
  for (const char* t : required)
    if (!has(t))
      return absl::FailedPreconditionError(fmt::format(
          "'{}' is not a whole warden database: it has no {} table; {}", path, t, kGiveDb));
  // Read-only connections only: prune deletes from the tables themselves.
  if (version < 2 && read_only)
    if (auto s = ExecSql(db, kV1Views); !s.ok())
      return absl::InternalError(fmt::format("reading the version {} database '{}': {}", version,
                                             path, std::string(s.message())));
  return absl::OkStatus();
}

absl::StatusOr<ReadDb> Open(const std::string& path, int flags) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT)
      return absl::NotFoundError(
          fmt::format("no database at {}: the file does not exist; record one with "
                      "`warden run --db {} -- CMD`",
                      path, path));
    return absl::UnavailableError(fmt::format("cannot open database '{}': {}", path, strerror(errno)));
  }
  if (S_ISDIR(st.st_mode))
    return absl::FailedPreconditionError(
        fmt::format("'{}' is a directory, not a warden database", path));
  auto db = Connect(path, flags, false);
  if (!db.ok()) return db.status();
  int version = 0;
  absl::Status s = CheckVersion(db->get(), path, &version);
  // A WAL file on read-only media: SQLite cannot create the -shm file it
  // reads through. Nothing can change the file there: read it as immutable.
  const int code = sqlite3_extended_errcode(db->get());
  if (!s.ok() && flags == SQLITE_OPEN_READONLY &&
      ((code & 0xff) == SQLITE_CANTOPEN || (code & 0xff) == SQLITE_READONLY)) {
    auto frozen = Connect(path, flags, true);
    if (!frozen.ok()) return frozen.status();
    if (absl::Status again = CheckVersion(frozen->get(), path, &version); again.ok()) {
      db = std::move(frozen);
      s = again;
    }
  }
  if (!s.ok()) return s;
  if (s = CheckTables(db->get(), path, version, flags == SQLITE_OPEN_READONLY); !s.ok()) return s;
  return ReadDb{std::move(*db), version, path};
}

}  // namespace

absl::Status DbError(sqlite3* db, std::string_view path_in, int code) {
  std::string path(path_in);
  if (path.empty() && db != nullptr)
    if (const char* f = sqlite3_db_filename(db, "main"); f != nullptr) path = f;
  if (code == 0 && db != nullptr) code = sqlite3_extended_errcode(db);
  const std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  switch (code & 0xff) {
    case SQLITE_NOTADB:
      return absl::FailedPreconditionError(fmt::format(
          "'{}' is not a warden database (not an SQLite file: {}); {}", path, detail, kGiveDb));
    case SQLITE_CORRUPT:
      return absl::FailedPreconditionError(fmt::format(
          "'{}' is a corrupt database ({}); it was left as it is. Restore it from a copy, or "
          "try `sqlite3 {} .recover`",
          path, detail, path));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError(fmt::format(
          "'{}' is locked by another program (waited {} s: {}); try again when it is done", path,
          kBusyTimeoutMs / 1000, detail));
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
    case SQLITE_IOERR:
      return absl::UnavailableError(fmt::format("cannot read database '{}': {}", path, detail));
    default:
      return absl::FailedPreconditionError(
          fmt::format("cannot read '{}' as a warden database: {}", path, detail));
  }
}

absl::Status CheckVersion(sqlite3* db, const std::string& path, int* version) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr) != SQLITE_OK)
    return DbError(db, path);
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) *version = sqlite3_column_int(stmt, 0);
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW) return DbError(db, path, rc);
  if (*version == 0)
    return absl::FailedPreconditionError(
        fmt::format("'{}' is not a warden database (schema version 0); {}", path, kGiveDb));
  if (*version > store::kSchemaVersion)
    return absl::FailedPreconditionError(fmt::format(
        "'{}' has schema version {}, newer than this warden understands ({}); use a newer warden",
        path, *version, store::kSchemaVersion));
  return absl::OkStatus();
}

absl::StatusOr<ReadDb> OpenReadOnly(const std::string& path) {
  return Open(path, SQLITE_OPEN_READONLY);
}

absl::StatusOr<ReadDb> OpenExisting(const std::string& path) {
  return Open(path, SQLITE_OPEN_READWRITE);
}

absl::StatusOr<std::vector<RunSummary>> ReadRuns(sqlite3* db, int version) {
  // Version 1 files have no policy columns, versions before 7 no identity:
  // read them as NULL.
  auto stmt = Prepare(db, fmt::format("SELECT id, argv, start_ns, end_ns, exit_code, exit_signal, "
                                      "lost_events, {}, {}, host, cwd, warden_version FROM runs "
                                      "ORDER BY id",
                                      version >= 2 ? "policy, policy_mode, stops" : "NULL, NULL, NULL",
                                      version >= 7 ? "uuid, labels" : "NULL, NULL"));
  if (!stmt.ok()) return stmt.status();
  std::vector<RunSummary> runs;
  const char* file = sqlite3_db_filename(db, "main");
  auto s = ForEachRow(db, stmt->get(), [&](sqlite3_stmt* st) {
    RunSummary r;
    r.id = sqlite3_column_int64(st, 0);
    r.argv_json = std::string(ColumnText(st, 1));
    r.start_ns = sqlite3_column_int64(st, 2);
    r.end_ns = ColumnOptInt(st, 3);
    if (auto v = ColumnOptInt(st, 4)) r.exit_code = static_cast<int>(*v);
    if (auto v = ColumnOptInt(st, 5)) r.exit_signal = static_cast<int>(*v);
    r.lost_events = static_cast<uint64_t>(sqlite3_column_int64(st, 6));
    r.policy = std::string(ColumnText(st, 7));
    r.policy_mode = std::string(ColumnText(st, 8));
    if (auto v = ColumnOptInt(st, 9)) r.stops = static_cast<uint64_t>(*v);
    r.host = std::string(ColumnText(st, 12));
    r.cwd = std::string(ColumnText(st, 13));
    r.warden_version = std::string(ColumnText(st, 14));
    // A run recorded before version 7: named as the upgrade would name it.
    r.uuid = ColumnIsNull(st, 10) ? store::DerivedRunUuid(r.host, r.start_ns, r.argv_json, r.id)
                                  : std::string(ColumnText(st, 10));
    r.labels_json = ColumnIsNull(st, 11) ? store::LabelsJson({{"host", r.host}})
                                         : std::string(ColumnText(st, 11));
    r.interrupted = !r.end_ns && file != nullptr && *file &&
                    store::RunWriter(file, r.id) == store::Writer::kGone;
    runs.push_back(std::move(r));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return runs;
}

namespace {

// "1-3, 5, 9": the ids there are, consecutive ones as a range.
std::string IdRanges(const std::vector<RunSummary>& runs) {
  std::string out;
  for (size_t i = 0; i < runs.size();) {
    size_t j = i;
    while (j + 1 < runs.size() && runs[j + 1].id == runs[j].id + 1) ++j;
    if (!out.empty()) out += ", ";
    out += j == i ? fmt::format("{}", runs[i].id) : fmt::format("{}-{}", runs[i].id, runs[j].id);
    i = j + 1;
  }
  return out;
}

}  // namespace

absl::Status UnknownRun(const std::string& path, int64_t run, const std::vector<RunSummary>& runs) {
  if (runs.empty())
    return absl::NotFoundError(fmt::format(
        "no run {} in {}: it has no runs yet; record one with `warden run --db {} -- CMD`", run,
        path, path));
  return absl::NotFoundError(fmt::format("no run {} in {}; available runs: {} (see `warden runs --db {}`)",
                                         run, path, IdRanges(runs), path));
}

absl::StatusOr<RunSummary> ResolveRun(sqlite3* db, int version, const std::string& path,
                                      std::optional<int64_t> run) {
  auto runs = ReadRuns(db, version);
  if (!runs.ok()) return runs.status();
  if (!run) {
    if (runs->empty())
      return absl::NotFoundError(fmt::format(
          "{} has no runs yet; record one with `warden run --db {} -- CMD`", path, path));
    return runs->back();
  }
  for (const auto& r : *runs)
    if (r.id == *run) return r;
  return UnknownRun(path, *run, *runs);
}

absl::StatusOr<RunSummary> ResolveRun(const ReadDb& db, std::optional<int64_t> run) {
  return ResolveRun(db.db.get(), db.version, db.path, run);
}

std::string RunRows(int version, std::string_view table, std::string_view param) {
  if ((version >= 4 && (table == "file_events" || table == "syscall_events" || table == "calls" ||
                        table == "strings")) ||
      (version >= 5 && (table == "net_events" || table == "nets")))
    return fmt::format("id BETWEEN ({0} << {1}) AND ({0} << {1}) + {2}", param, store::kRunShift,
                       (int64_t{1} << store::kRunShift) - 1);
  return fmt::format("run_id = {}", param);
}

absl::StatusOr<bool> HasTable(sqlite3* db, std::string_view name) {
  auto stmt = Prepare(db, "SELECT 1 FROM sqlite_master WHERE name=?1 AND type IN ('table','view')");
  if (!stmt.ok()) return stmt.status();
  sqlite3_bind_text(stmt->get(), 1, name.data(), static_cast<int>(name.size()), SQLITE_STATIC);
  int rc = sqlite3_step(stmt->get());
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return DbError(db, "", rc);
  return rc == SQLITE_ROW;
}

absl::Status OutputError() { return absl::AbortedError("writing the output failed"); }

absl::StatusOr<StmtPtr> Prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr) != SQLITE_OK)
    return DbError(db, "");
  return StmtPtr(raw);
}

}  // namespace warden::forensics
