#include "store/export.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <iterator>
#include <tuple>
#include <unordered_map>

#include "absl/strings/str_join.h"
#include "fmt/format.h"
#include "store/json.h"
#include "store/schema.h"
#include "store/sqlite_util.h"

namespace warden::store {
namespace {

constexpr int kBusyTimeoutMs = 10000;
constexpr size_t kFlushBytes = 1 << 16;

absl::Status CheckVersion(sqlite3* db, const std::string& path, int* version) {
  if (auto s = ReadSchemaVersion(db, version); !s.ok())
    return absl::UnavailableError(fmt::format("cannot read database '{}': {}", path, std::string(s.message())));
  if (*version == 0)
    return absl::FailedPreconditionError(fmt::format("'{}' is not a warden database", path));
  if (*version > kSchemaVersion)
    return absl::FailedPreconditionError(fmt::format(
        "'{}' has schema version {}, newer than this warden understands ({}); use a newer warden",
        path, *version, kSchemaVersion));
  return absl::OkStatus();
}

// A read-only connection and the file's schema version: the reader cannot
// upgrade an older file, so it reads each version's own shape.
struct ReadDb {
  DbPtr db;
  int version = 0;
};

absl::StatusOr<ReadDb> OpenReadOnly(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT)
      return absl::NotFoundError(
          fmt::format("no database at {}; run `warden run --db {} -- CMD` first", path, path));
    return absl::UnavailableError(fmt::format("cannot open database '{}': {}", path, strerror(errno)));
  }
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK)
    return absl::UnavailableError(fmt::format("cannot open database '{}': {}", path,
                                              raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  int version = 0;
  if (auto s = CheckVersion(db.get(), path, &version); !s.ok()) return s;
  return ReadDb{std::move(db), version};
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

// What each pid was running at a given time. The processes table has the exe
// at fork/start; a successful exec replaces it for the events after it (the
// exec event itself still shows the image that called execve).
class ExeIndex {
 public:
  absl::Status Load(sqlite3* db, int64_t run) {
    constexpr std::string_view kStarts =
        "SELECT pid, start_ns, exe, 0 FROM processes "
        "WHERE run_id=?1 AND start_ns IS NOT NULL AND exe IS NOT NULL AND exe <> '' "
        "UNION ALL "
        "SELECT pid, ts_ns, path, 1 FROM exec_events WHERE run_id=?1 AND errno=0 "
        "AND (result IS NULL OR result=0)";
    auto stmt = PrepareSql(db, kStarts);
    if (!stmt.ok()) return stmt.status();
    sqlite3_stmt* s = stmt->get();
    sqlite3_bind_int64(s, 1, run);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
      by_pid_[sqlite3_column_int(s, 0)].push_back(
          {sqlite3_column_int64(s, 1), sqlite3_column_int(s, 3) != 0, std::string(ColumnText(s, 2))});
    if (rc != SQLITE_DONE) return absl::InternalError(sqlite3_errmsg(db));
    for (auto& [pid, changes] : by_pid_)
      std::stable_sort(changes.begin(), changes.end(),
                       [](const Change& a, const Change& b) { return a.Key() < b.Key(); });
    return absl::OkStatus();
  }

  // "" when the pid's exe is unknown at `ts`.
  std::string_view At(int pid, int64_t ts) const {
    auto it = by_pid_.find(pid);
    if (it == by_pid_.end()) return {};
    const auto& changes = it->second;
    // A start applies from its own ts, an exec only after it: (ts, after)
    // sorts so that both are "key <= (ts, false)".
    auto pos = std::upper_bound(changes.begin(), changes.end(), std::make_pair(ts, false),
                                [](const auto& key, const Change& c) { return key < c.Key(); });
    if (pos == changes.begin()) return {};
    return std::prev(pos)->exe;
  }

 private:
  struct Change {
    int64_t ts;
    bool after;  // an exec: applies strictly after ts
    std::string exe;
    std::pair<int64_t, bool> Key() const { return {ts, after}; }
  };
  std::unordered_map<int, std::vector<Change>> by_pid_;
};

// One NDJSON object under construction, appended to a shared buffer.
class Line {
 public:
  explicit Line(std::string& buf) : b_(buf) { b_ += '{'; }
  void End() { b_ += "}\n"; }

  void Int(std::string_view key, int64_t v) {
    Key(key);
    fmt::format_to(std::back_inserter(b_), "{}", v);
  }
  void Str(std::string_view key, std::string_view v) {
    Key(key);
    b_ += JsonQuote(v);
  }
  void Bool(std::string_view key, bool v) {
    Key(key);
    b_ += v ? "true" : "false";
  }
  // Column helpers: a NULL (or empty text) column leaves the field out.
  void ColInt(std::string_view key, sqlite3_stmt* s, int i) {
    if (!ColumnIsNull(s, i)) Int(key, sqlite3_column_int64(s, i));
  }
  void ColStr(std::string_view key, sqlite3_stmt* s, int i) {
    if (auto v = ColumnText(s, i); !v.empty()) Str(key, v);
  }
  // A column that already holds JSON written by the store (argv, envp).
  void ColJson(std::string_view key, sqlite3_stmt* s, int i) {
    if (auto v = ColumnText(s, i); !v.empty()) {
      Key(key);
      b_ += v;
    }
  }
  void ColErrno(sqlite3_stmt* s, int i) {
    int err = sqlite3_column_int(s, i);
    Int("errno", err);
    if (std::string name = err ? ErrnoName(err) : ""; !name.empty()) Str("errno_name", name);
  }

 private:
  void Key(std::string_view key) {
    if (!first_) b_ += ',';
    first_ = false;
    b_ += '"';
    b_ += key;  // keys are our own identifiers: no escaping needed
    b_ += "\":";
  }
  std::string& b_;
  bool first_ = true;
};

// Every source query starts with the same four columns, so the merge and the
// common fields are shared; kind-specific columns start at kFirst.
enum : int { kTs = 0, kId = 1, kPid = 2, kOwnExe = 3, kFirst = 4 };

void FormatProcessStart(sqlite3_stmt* s, Line& l) {
  l.Str("op", "start");
  l.ColInt("ppid", s, kFirst);
  l.ColInt("tgid", s, kFirst + 1);
  l.Bool("is_thread", sqlite3_column_int(s, kFirst + 2) != 0);
  l.ColJson("argv", s, kFirst + 3);
  l.ColStr("cwd", s, kFirst + 4);
}

void FormatProcessExit(sqlite3_stmt* s, Line& l) {
  l.Str("op", "exit");
  l.ColInt("exit_code", s, kFirst);
  if (auto sig = ColumnOptInt(s, kFirst + 1)) {
    l.Str("signal", SignalName(static_cast<int>(*sig)));
    l.Int("signal_nr", *sig);
  }
}

void FormatSyscall(sqlite3_stmt* s, Line& l) {
  l.ColStr("abi", s, kFirst);
  l.ColInt("nr", s, kFirst + 1);
  l.ColStr("syscall", s, kFirst + 2);
  l.ColStr("args", s, kFirst + 3);
  l.ColInt("result", s, kFirst + 4);
  l.ColErrno(s, kFirst + 5);
  l.ColStr("action", s, kFirst + 6);
  l.ColStr("rule", s, kFirst + 7);
}

void FormatExec(sqlite3_stmt* s, Line& l) {
  l.ColStr("path", s, kFirst);
  l.ColJson("argv", s, kFirst + 1);
  l.ColJson("envp", s, kFirst + 2);
  l.Bool("argv_truncated", sqlite3_column_int(s, kFirst + 3) != 0);
  l.ColInt("result", s, kFirst + 4);
  l.ColErrno(s, kFirst + 5);
  l.ColStr("action", s, kFirst + 6);
  l.ColStr("rule", s, kFirst + 7);
}

void FormatFile(sqlite3_stmt* s, Line& l) {
  l.ColStr("syscall", s, kFirst);
  l.ColStr("path", s, kFirst + 1);
  l.ColStr("op", s, kFirst + 2);
  l.ColStr("flags", s, kFirst + 3);
  l.ColStr("path2", s, kFirst + 4);
  l.ColInt("result", s, kFirst + 5);
  l.ColErrno(s, kFirst + 6);
  l.ColStr("action", s, kFirst + 7);
  l.ColStr("rule", s, kFirst + 8);
}

void FormatNet(sqlite3_stmt* s, Line& l) {
  l.ColStr("syscall", s, kFirst);
  l.ColStr("op", s, kFirst + 1);
  l.ColStr("family", s, kFirst + 2);
  l.ColStr("sock_type", s, kFirst + 3);
  l.ColStr("direction", s, kFirst + 4);
  l.ColStr("addr", s, kFirst + 5);
  l.ColInt("port", s, kFirst + 6);
  l.ColInt("fd", s, kFirst + 7);
  l.ColInt("result", s, kFirst + 8);
  l.ColErrno(s, kFirst + 9);
  l.ColStr("action", s, kFirst + 10);
  l.ColStr("rule", s, kFirst + 11);
}

void FormatPolicy(sqlite3_stmt* s, Line& l) {
  l.ColStr("abi", s, kFirst);
  l.ColInt("nr", s, kFirst + 1);
  l.ColStr("syscall", s, kFirst + 2);
  l.ColStr("args", s, kFirst + 3);
  l.ColStr("action", s, kFirst + 4);
  l.ColStr("rule", s, kFirst + 5);
  l.ColStr("mode", s, kFirst + 6);
  l.Bool("enforced", sqlite3_column_int(s, kFirst + 7) != 0);
  l.ColStr("category", s, kFirst + 8);
  l.ColStr("target", s, kFirst + 9);
  l.ColInt("result", s, kFirst + 10);
  l.ColErrno(s, kFirst + 11);
}

void FormatPolicyChange(sqlite3_stmt* s, Line& l) {
  l.ColStr("source", s, kFirst);
  l.ColStr("name", s, kFirst + 1);
  l.Bool("accepted", sqlite3_column_int(s, kFirst + 2) != 0);
  l.ColStr("message", s, kFirst + 3);
}

struct Source {
  const char* kind;
  std::string_view sql;  // ?1 is the run id; rows come in (ts, id) order
  // The same for a version-1 file, which has no verdict columns (every call
  // was allowed); nullptr when the table did not exist yet.
  const char* v1_sql;
  void (*format)(sqlite3_stmt*, Line&);
};

// Listed in tie-break order for events with the same ts: a policy applies
// before the calls it decides; a process starts before it does anything and
// exits after; a raw syscall comes before the policy hit and the
// file/exec/net event decoded from it.
constexpr Source kSources[] = {
    {"policy_change",
     "SELECT ts_ns, id, NULL, NULL, source, name, accepted, message "
     "FROM policy_changes WHERE run_id=?1 ORDER BY ts_ns, id",
     nullptr, FormatPolicyChange},
    {"process",
     "SELECT start_ns, id, pid, exe, ppid, tgid, is_thread, argv, cwd FROM processes "
     "WHERE run_id=?1 AND start_ns IS NOT NULL ORDER BY start_ns, id",
     "SELECT start_ns, id, pid, exe, ppid, tgid, is_thread, argv, cwd FROM processes "
     "WHERE run_id=?1 AND start_ns IS NOT NULL ORDER BY start_ns, id",
     FormatProcessStart},
    {"syscall",
     "SELECT ts_ns, id, pid, exe, abi, nr, name, args, result, errno, action, rule "
     "FROM syscall_events WHERE run_id=?1 ORDER BY ts_ns, id",
     "SELECT ts_ns, id, pid, exe, abi, nr, name, args, result, errno, action, rule "
     "FROM syscall_events WHERE run_id=?1 ORDER BY ts_ns, id",
     FormatSyscall},
    {"policy",
     "SELECT ts_ns, id, pid, exe, abi, nr, syscall, args, action, rule, mode, enforced, "
     "category, target, result, errno FROM policy_events WHERE run_id=?1 ORDER BY ts_ns, id",
     nullptr, FormatPolicy},
    {"exec",
     "SELECT ts_ns, id, pid, exe, path, argv, envp, argv_truncated, result, errno, action, rule "
     "FROM exec_events WHERE run_id=?1 ORDER BY ts_ns, id",
     "SELECT ts_ns, id, pid, exe, path, argv, envp, argv_truncated, result, errno, 'allow', NULL "
     "FROM exec_events WHERE run_id=?1 ORDER BY ts_ns, id",
     FormatExec},
    {"file",
     "SELECT ts_ns, id, pid, exe, syscall, path, op, flags, path2, result, errno, action, rule "
     "FROM file_events WHERE run_id=?1 ORDER BY ts_ns, id",
     "SELECT ts_ns, id, pid, exe, syscall, path, op, flags, path2, result, errno, 'allow', NULL "
     "FROM file_events WHERE run_id=?1 ORDER BY ts_ns, id",
     FormatFile},
    {"net",
     "SELECT ts_ns, id, pid, exe, syscall, op, family, sock_type, direction, address, port, fd, "
     "result, errno, action, rule FROM net_events WHERE run_id=?1 ORDER BY ts_ns, id",
     "SELECT ts_ns, id, pid, exe, syscall, op, family, sock_type, direction, address, port, fd, "
     "result, errno, 'allow', NULL FROM net_events WHERE run_id=?1 ORDER BY ts_ns, id",
     FormatNet},
    {"process",
     "SELECT end_ns, id, pid, NULL, exit_code, term_signal FROM processes "
     "WHERE run_id=?1 AND end_ns IS NOT NULL ORDER BY end_ns, id",
     "SELECT end_ns, id, pid, NULL, exit_code, term_signal FROM processes "
     "WHERE run_id=?1 AND end_ns IS NOT NULL ORDER BY end_ns, id",
     FormatProcessExit},
};

// One sorted query per source; the export merges their heads.
struct Cursor {
  const Source* source;
  int rank;
  StmtPtr stmt;
  bool has_row = false;

  absl::Status Advance(sqlite3* db) {
    int rc = sqlite3_step(stmt.get());
    has_row = rc == SQLITE_ROW;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
      return absl::InternalError(fmt::format("reading {} events: {}", source->kind, sqlite3_errmsg(db)));
    return absl::OkStatus();
  }
  std::tuple<int64_t, int, int64_t> Key() const {
    return {sqlite3_column_int64(stmt.get(), kTs), rank, sqlite3_column_int64(stmt.get(), kId)};
  }
};

void FormatEvent(const Cursor& c, int64_t run, const ExeIndex& exes, std::string& buf) {
  sqlite3_stmt* s = c.stmt.get();
  int64_t ts = sqlite3_column_int64(s, kTs);
  Line l(buf);
  l.Int("run", run);
  l.Int("ts", ts);
  // A policy change is the run's, not a process's: no pid, no exe.
  if (!ColumnIsNull(s, kPid)) {
    int pid = sqlite3_column_int(s, kPid);
    l.Int("pid", pid);
    std::string_view exe = ColumnText(s, kOwnExe);
    if (exe.empty()) exe = exes.At(pid, ts);
    if (!exe.empty()) l.Str("exe", exe);
  }
  l.Str("kind", c.source->kind);
  c.source->format(s, l);
  l.End();
}

absl::Status Flush(std::string& buf, std::ostream& out) {
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  buf.clear();
  if (!out) return absl::UnavailableError("writing the export failed");
  return absl::OkStatus();
}

absl::Status ExportRun(sqlite3* db, int version, int64_t run, std::ostream& out) {
  ExeIndex exes;
  if (auto s = exes.Load(db, run); !s.ok()) return s;
  std::vector<Cursor> cursors;
  for (const Source& src : kSources) {
    std::string_view sql = src.sql;
    if (version < 2) {
      if (!src.v1_sql) continue;
      sql = src.v1_sql;
    }
    auto stmt = PrepareSql(db, sql);
    if (!stmt.ok()) return stmt.status();
    sqlite3_bind_int64(stmt->get(), 1, run);
    Cursor c{&src, static_cast<int>(cursors.size()), std::move(*stmt)};
    if (auto s = c.Advance(db); !s.ok()) return s;
    cursors.push_back(std::move(c));
  }
  std::string buf;
  for (;;) {
    Cursor* next = nullptr;
    for (Cursor& c : cursors)
      if (c.has_row && (!next || c.Key() < next->Key())) next = &c;
    if (!next) break;
    FormatEvent(*next, run, exes, buf);
    if (auto s = next->Advance(db); !s.ok()) return s;
    if (buf.size() >= kFlushBytes)
      if (auto s = Flush(buf, out); !s.ok()) return s;
  }
  return Flush(buf, out);
}

absl::Status UnknownRun(const std::string& path, int64_t run, const std::vector<RunSummary>& runs) {
  if (runs.empty()) return absl::NotFoundError(fmt::format("no run {} in {}: it has no runs", run, path));
  std::vector<int64_t> ids;
  for (const auto& r : runs) ids.push_back(r.id);
  return absl::NotFoundError(
      fmt::format("no run {} in {}; available runs: {}", run, path, absl::StrJoin(ids, ", ")));
}

absl::Status ExportRuns(sqlite3* db, int version, const std::string& path,
                        std::optional<int64_t> run_id, std::ostream& out) {
  auto runs = ReadRuns(db, version);
  if (!runs.ok()) return runs.status();
  std::vector<int64_t> ids;
  for (const auto& r : *runs)
    if (!run_id || r.id == *run_id) ids.push_back(r.id);
  if (run_id && ids.empty()) return UnknownRun(path, *run_id, *runs);
  for (int64_t id : ids)
    if (auto s = ExportRun(db, version, id, out); !s.ok()) return s;
  out.flush();
  if (!out) return absl::UnavailableError("writing the export failed");
  return absl::OkStatus();
}

}  // namespace

std::string ErrnoName(int err) {
  const char* name = err ? strerrorname_np(err) : nullptr;
  return name ? name : "";
}

std::string SignalName(int sig) {
  if (const char* abbrev = sigabbrev_np(sig)) return fmt::format("SIG{}", abbrev);
  if (sig == SIGRTMIN) return "SIGRTMIN";
  if (sig > SIGRTMIN && sig <= SIGRTMAX) return fmt::format("SIGRTMIN+{}", sig - SIGRTMIN);
  return fmt::format("SIG{}", sig);
}

absl::StatusOr<std::vector<RunSummary>> ListRuns(const std::string& db_path) {
  auto db = OpenReadOnly(db_path);
  if (!db.ok()) return db.status();
  return ReadRuns(db->db.get(), db->version);
}

absl::Status ExportNdjson(const std::string& db_path, std::optional<int64_t> run_id,
                          std::ostream& out) {
  auto db = OpenReadOnly(db_path);
  if (!db.ok()) return db.status();
  // One read transaction: every cursor sees the same snapshot even while a
  // run is still being recorded into the file.
  sqlite3* conn = db->db.get();
  if (auto s = ExecSql(conn, "BEGIN"); !s.ok()) return s;
  // Read again inside the snapshot: a warden may have upgraded the file since.
  int version = 0;
  absl::Status s = CheckVersion(conn, db_path, &version);
  if (s.ok()) s = ExportRuns(conn, version, db_path, run_id, out);
  ExecSql(conn, "COMMIT").IgnoreError();
  return s;
}

}  // namespace warden::store
