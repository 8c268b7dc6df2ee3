#include "forensics/query.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>
#include <unordered_map>

#include "fmt/format.h"
#include "syscalls/decode.h"
#include "policy/glob.h"
#include "store/calls.h"
#include "forensics/event_reader.h"
#include "forensics/export.h"
#include "store/json.h"
#include "forensics/read_db.h"
#include "store/schema.h"
#include "store/sqlite_util.h"
#include "forensics/timeparse.h"

namespace warden::forensics {

using store::kRunShift;
using store::kSchemaVersion;
using store::PathSql;
using store::StringSql;

namespace {

// Rows the `who` plan probes count at most (see UsePathIndex).
constexpr int kWhoProbeLimit = 50000;


absl::StatusOr<int64_t> QueryInt(sqlite3* db, std::string_view sql, std::optional<int64_t> p1 = {},
                                 std::optional<std::string_view> p2 = {}) {
  auto stmt = Prepare(db, sql);
  if (!stmt.ok()) return stmt.status();
  if (p1) sqlite3_bind_int64(stmt->get(), 1, *p1);
  if (p2) sqlite3_bind_text(stmt->get(), 2, p2->data(), static_cast<int>(p2->size()), SQLITE_TRANSIENT);
  int rc = sqlite3_step(stmt->get());
  if (rc == SQLITE_ROW) return sqlite3_column_int64(stmt->get(), 0);
  if (rc == SQLITE_DONE) return 0;
  return DbError(db, "", rc);
}

std::string Str(sqlite3_stmt* s, int i) { return std::string(ColumnText(s, i)); }

Cell TimeCell(std::optional<int64_t> ns) { return ns ? Cell::Text(FormatRfc3339Ms(*ns)) : Cell::Null(); }

Cell ErrnoCell(int err) { return err ? Cell::Text(syscalls::ErrnoName(err)) : Cell::Null(); }


// ---------------------------------------------------------------------------
// The process tree.

struct Proc {
  int64_t id = 0;
  int pid = 0;
  std::optional<int64_t> ppid, tgid;
  bool thread = false;
  std::string exe, argv;
  std::optional<int64_t> start, end, code, sig;
  std::vector<size_t> children;
  bool has_parent = false;
};

}  // namespace

// ---------------------------------------------------------------------------

std::string GlobLiteralPrefix(std::string_view glob) {
  size_t n = glob.find_first_of("*?[");
  return std::string(glob.substr(0, n));
}

// ---------------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<QueryDb>> QueryDb::Open(const std::string& path) {
  auto opened = OpenReadOnly(path);
  if (!opened.ok()) return opened.status();
  return std::unique_ptr<QueryDb>(new QueryDb(std::move(*opened)));
}

QueryDb::~QueryDb() = default;

absl::StatusOr<int64_t> QueryDb::ResolveRun(std::optional<int64_t> run) {
  ReadTxn txn(db_);
  auto r = forensics::ResolveRun(read_, run);
  if (!r.ok()) return r.status();
  return r->id;
}

// ---------------------------------------------------------------------------
// Tree.

absl::Status QueryDb::Tree(int64_t run, const TreeOptions& options, RowSink& sink) {
  ReadTxn txn(db_);
  auto run_end = QueryInt(db_, "SELECT count(*) FROM runs WHERE id = ?1 AND end_ns IS NOT NULL", run);
  if (!run_end.ok()) return run_end.status();
  const bool run_finished = *run_end > 0;

  auto stmt = Prepare(db_,
                      "SELECT id, pid, ppid, tgid, is_thread, exe, argv, start_ns, end_ns, exit_code, "
                      "term_signal FROM processes WHERE run_id = ?1 ORDER BY start_ns, id");
  if (!stmt.ok()) return stmt.status();
  sqlite3_bind_int64(stmt->get(), 1, run);
  std::vector<Proc> procs;
  if (auto s = ForEachRow(db_, stmt->get(), [&](sqlite3_stmt* st) {
        Proc p;
        p.id = sqlite3_column_int64(st, 0);
        p.pid = sqlite3_column_int(st, 1);
        p.ppid = ColumnOptInt(st, 2);
        p.tgid = ColumnOptInt(st, 3);
        p.thread = sqlite3_column_int(st, 4) != 0;
        p.exe = Str(st, 5);
        p.argv = Str(st, 6);
        p.start = ColumnOptInt(st, 7);
        p.end = ColumnOptInt(st, 8);
        p.code = ColumnOptInt(st, 9);
        p.sig = ColumnOptInt(st, 10);
        procs.push_back(std::move(p));
        return absl::OkStatus();
      });
      !s.ok())
    return s;

  // In start order, the latest process with a pid is the one a new child's
  // ppid names (pids can be reused within a run).
  std::unordered_map<int64_t, size_t> latest;
  std::vector<size_t> roots;
  for (size_t i = 0; i < procs.size(); ++i) {
    Proc& p = procs[i];
    std::optional<size_t> parent;
    if (p.ppid) {
      if (auto it = latest.find(*p.ppid); it != latest.end()) parent = it->second;
    }
    // Without threads, a thread's children hang under its process.
    while (parent && !options.threads && procs[*parent].thread) {
      const Proc& t = procs[*parent];
      auto it = t.tgid && *t.tgid != t.pid ? latest.find(*t.tgid) : latest.end();
      parent = it != latest.end() && it->second != *parent ? std::optional<size_t>(it->second) : std::nullopt;
    }
    if (parent && *parent != i) {
      procs[*parent].children.push_back(i);
      p.has_parent = true;
    }
    latest[p.pid] = i;
  }
  for (size_t i = 0; i < procs.size(); ++i)
    if (!procs[i].has_parent) roots.push_back(i);

  if (auto s = sink.Begin({"depth", "pid", "ppid", "tgid", "is_thread", "exe", "argv", "start", "end",
                           "duration_ms", "exit_code", "signal", "status"});
      !s.ok())
    return s;
  // Depth-first with an explicit stack: a long chain of shells must not
  // overflow ours.
  std::vector<std::pair<size_t, int>> stack;
  for (auto it = roots.rbegin(); it != roots.rend(); ++it) stack.emplace_back(*it, 0);
  while (!stack.empty()) {
    auto [i, depth] = stack.back();
    stack.pop_back();
    const Proc& p = procs[i];
    if (options.threads || !p.thread) {
      Cell duration = Cell::Null();
      if (p.start && p.end) duration = Cell::Real(std::round((*p.end - *p.start) / 1000.0) / 1000.0);
      std::string status;
      if (p.sig) status = fmt::format("killed by {}", syscalls::SignalName(static_cast<int>(*p.sig)));
      else if (p.code) status = fmt::format("exit {}", *p.code);
      else if (p.end) status = "ended";
      else status = run_finished ? "unknown" : "running";
      Cells row{Cell::Int(depth),
                Cell::Int(p.pid),
                Cell::OptInt(p.ppid),
                Cell::OptInt(p.tgid),
                Cell::Int(p.thread ? 1 : 0),
                Cell::TextOrNull(p.exe),
                p.argv.empty() ? Cell::Null() : Cell::Json(p.argv),
                TimeCell(p.start),
                TimeCell(p.end),
                duration,
                Cell::OptInt(p.code),
                p.sig ? Cell::Text(syscalls::SignalName(static_cast<int>(*p.sig))) : Cell::Null(),
                Cell::Text(status)};
      if (auto s = sink.Row(row); !s.ok()) return s;
    }
    for (auto it = p.children.rbegin(); it != p.children.rend(); ++it) stack.emplace_back(*it, depth + 1);
  }
  return sink.End();
}

// ---------------------------------------------------------------------------
// Timeline.

absl::Status QueryDb::Timeline(int64_t run, const TimelineOptions& options, RowSink& sink) {
  // The export's reader merges the kinds: one timeline for every reader.
  EventSelection selection{options.from_ns, options.to_ns, options.kinds.empty() ? ~0u : 0u,
                           options.pid};
  for (const auto& k : options.kinds) {
    if (!KindBit(k))
      return absl::InvalidArgumentError(fmt::format("unknown event kind '{}'; kinds: {}", k,
                                                    fmt::join(kEventKinds, ", ")));
    selection.kinds |= KindBit(k);
  }
  ReadTxn txn(db_);
  auto reader = EventReader::Create(db_, version_, run, selection, EventStyle::kRows, false);
  if (!reader.ok()) return reader.status();
  if (auto s = sink.Begin({"time", "ts_ns", "kind", "pid", "exe", "action", "event"}); !s.ok()) return s;
  if (auto s = (*reader)->ReadRows(sink); !s.ok()) return s;
  return sink.End();
}

// ---------------------------------------------------------------------------
// Who.

namespace {

// Which index answers `who`: the path index when the pattern has a literal
// prefix that selects fewer rows (over all runs) than the run has file
// events; else the run's rows through (run_id, ts_ns). SQLite has no
// statistics here (ANALYZE writes, and the file is read-only), so without
// this it would always take run_id = ? and scan a big run for a rare path.
// Both probes stop at kWhoProbeLimit rows of an index, so choosing costs
// a few milliseconds at most.
absl::StatusOr<bool> UsePathIndex(sqlite3* db, int64_t run, std::string_view glob) {
  std::string prefix = GlobLiteralPrefix(glob);
  if (prefix.size() < 2) return false;  // "", "/": every path
  auto by_path = QueryInt(db,
                          fmt::format("SELECT count(*) FROM (SELECT 1 FROM file_events "
                                      "WHERE path GLOB ?2 LIMIT {})",
                                      kWhoProbeLimit),
                          std::nullopt, glob);
  if (!by_path.ok()) return by_path.status();
  if (*by_path >= kWhoProbeLimit) return false;
  auto by_run = QueryInt(db,
                         fmt::format("SELECT count(*) FROM (SELECT 1 FROM file_events "
                                     "WHERE run_id = ?1 LIMIT {})",
                                     kWhoProbeLimit),
                         run);
  if (!by_run.ok()) return by_run.status();
  return *by_path < *by_run;
}

// The unary + keeps SQLite off the index of the other term.
std::string WhoSql(bool by_path) {
  return fmt::format(
      "SELECT pid, exe, op, path, count(*), min(ts_ns), max(ts_ns), errno, action "
      "FROM file_events WHERE {} "
      "GROUP BY pid, exe, path, op, errno, action ORDER BY min(ts_ns), pid, path, op",
      by_path ? "path GLOB ?2 AND +run_id = ?1" : "run_id = ?1 AND +path GLOB ?2");
}

}  // namespace

// Version 4: the run's strings are matched against the glob first (each
// distinct path once), then the run's calls rows are read by id range and
// kept when their path is one of those. Text is looked up per group only.
std::string WhoV4Sql() {
  return fmt::format(
      "WITH paths(n) AS MATERIALIZED (SELECT p.id & {mask} FROM strings p WHERE {strings} "
      "AND CASE WHEN p.dir IS NULL THEN p.text ELSE {dir} || '/' || p.text END GLOB ?2) "
      "SELECT c.pid, {exe}, {op}, {path}, count(*), min(c.ts) + {start}, max(c.ts) + {start}, "
      "c.errno, {action} FROM calls c WHERE {calls} AND c.path IN (SELECT n FROM paths) "
      "GROUP BY c.pid, c.exe, c.path, c.op, c.errno, c.action "
      "ORDER BY min(c.ts), c.pid, 4, 3",
      fmt::arg("mask", (int64_t{1} << kRunShift) - 1),
      fmt::arg("strings", RunRows(4, "strings", "?1")),
      fmt::arg("dir", StringSql("?1", "p.dir")),
      fmt::arg("exe", StringSql("?1", "c.exe")), fmt::arg("op", StringSql("?1", "c.op")),
      fmt::arg("path", PathSql("?1", "c.path")),
      fmt::arg("start", "(SELECT start_ns FROM runs WHERE id = ?1)"),
      fmt::arg("action", StringSql("?1", "c.action")),
      fmt::arg("calls", RunRows(4, "calls", "?1")));
}

// The policy glob dialect (policy/glob.h, one for every path filter) as an
// SQLite GLOB that matches at least as much: "*" and "**" both become "*"
// (SQLite's crosses '/'), "[!" becomes "[^", "\x" becomes "[x]". The rows
// it selects are then matched exactly.
std::string CoarseSqlGlob(std::string_view glob) {
  std::string out;
  for (size_t i = 0; i < glob.size(); ++i) {
    const char c = glob[i];
    if (c == '*') {
      while (i + 1 < glob.size() && glob[i + 1] == '*') ++i;
      out += '*';
    } else if (c == '[' && i + 1 < glob.size() && glob[i + 1] == '!') {
      out += "[^";
      ++i;
    } else if (c == '\\' && i + 1 < glob.size()) {
      out += fmt::format("[{}]", glob[++i]);
    } else {
      out += c;
    }
  }
  return out;
}

absl::StatusOr<std::string> QueryDb::ExplainWho(int64_t run, std::string_view pattern) {
  const std::string glob = CoarseSqlGlob(pattern);
  ReadTxn txn(db_);
  absl::StatusOr<bool> by_path = false;
  if (version_ < 4) by_path = UsePathIndex(db_, run, glob);
  if (!by_path.ok()) return by_path.status();
  auto stmt = Prepare(db_, "EXPLAIN QUERY PLAN " + (version_ >= 4 ? WhoV4Sql() : WhoSql(*by_path)));
  if (!stmt.ok()) return stmt.status();
  sqlite3_bind_int64(stmt->get(), 1, run);
  sqlite3_bind_text(stmt->get(), 2, glob.data(), static_cast<int>(glob.size()), SQLITE_TRANSIENT);
  std::string out = version_ >= 4 ? "strings:" : *by_path ? "path:" : "run:";
  if (auto s = ForEachRow(db_, stmt->get(), [&](sqlite3_stmt* st) {
        out += fmt::format(" {};", ColumnText(st, 3));
        return absl::OkStatus();
      });
      !s.ok())
    return s;
  return out;
}

absl::Status QueryDb::Who(int64_t run, std::string_view glob, RowSink& sink) {
  ReadTxn txn(db_);
  const policy::Glob exact{std::string(glob)};
  const std::string coarse = CoarseSqlGlob(glob);
  absl::StatusOr<bool> by_path = false;
  if (version_ < 4) by_path = UsePathIndex(db_, run, coarse);
  if (!by_path.ok()) return by_path.status();
  auto stmt = Prepare(db_, version_ >= 4 ? WhoV4Sql() : WhoSql(*by_path));
  if (!stmt.ok()) return stmt.status();
  sqlite3_bind_int64(stmt->get(), 1, run);
  sqlite3_bind_text(stmt->get(), 2, coarse.data(), static_cast<int>(coarse.size()), SQLITE_TRANSIENT);
  if (auto s = sink.Begin({"pid", "exe", "op", "path", "count", "first_seen", "last_seen", "result", "action"});
      !s.ok())
    return s;
  if (auto s = ForEachRow(db_, stmt->get(), [&](sqlite3_stmt* st) {
        if (!exact.Match(ColumnText(st, 3))) return absl::OkStatus();
        int err = sqlite3_column_int(st, 7);
        return sink.Row({Cell::Int(sqlite3_column_int64(st, 0)), Cell::TextOrNull(Str(st, 1)),
                         Cell::Text(Str(st, 2)), Cell::Text(Str(st, 3)),
                         Cell::Int(sqlite3_column_int64(st, 4)),
                         Cell::Text(FormatRfc3339Ms(sqlite3_column_int64(st, 5))),
                         Cell::Text(FormatRfc3339Ms(sqlite3_column_int64(st, 6))),
                         Cell::Text(err ? syscalls::ErrnoName(err) : "ok"), Cell::TextOrNull(Str(st, 8))});
      });
      !s.ok())
    return s;
  return sink.End();
}

// ---------------------------------------------------------------------------
// Net, denied, stats.

absl::Status QueryDb::Net(int64_t run, const NetOptions& options, RowSink& sink) {
  ReadTxn txn(db_);
  auto stmt = Prepare(db_, fmt::format(
                      "SELECT ts_ns, pid, exe, syscall, direction, family, sock_type, address, port, fd, "
                      "result, errno, action FROM net_events "
                      "WHERE {} AND (?2 IS NULL OR port = ?2) ORDER BY ts_ns, id",
                      RunRows(version_, "net_events")));
  if (!stmt.ok()) return stmt.status();
  sqlite3_bind_int64(stmt->get(), 1, run);
  if (options.port) sqlite3_bind_int64(stmt->get(), 2, *options.port);
  if (auto s = sink.Begin({"time", "ts_ns", "pid", "exe", "syscall", "direction", "family", "sock_type",
                           "address", "port", "fd", "result", "errno", "action"});
      !s.ok())
    return s;
  if (auto s = ForEachRow(db_, stmt->get(), [&](sqlite3_stmt* st) {
        int64_t ts = sqlite3_column_int64(st, 0);
        return sink.Row({Cell::Text(FormatRfc3339Ms(ts)), Cell::Int(ts),
                         Cell::Int(sqlite3_column_int64(st, 1)), Cell::TextOrNull(Str(st, 2)),
                         Cell::Text(Str(st, 3)), Cell::TextOrNull(Str(st, 4)),
                         Cell::TextOrNull(Str(st, 5)), Cell::TextOrNull(Str(st, 6)),
                         Cell::TextOrNull(Str(st, 7)), Cell::OptInt(ColumnOptInt(st, 8)),
                         Cell::OptInt(ColumnOptInt(st, 9)), Cell::OptInt(ColumnOptInt(st, 10)),
                         ErrnoCell(sqlite3_column_int(st, 11)), Cell::TextOrNull(Str(st, 12))});
      });
      !s.ok())
    return s;
  return sink.End();
}

absl::Status QueryDb::Denied(int64_t run, bool all, RowSink& sink) {
  ReadTxn txn(db_);
  auto stmt = Prepare(db_, fmt::format("SELECT ts_ns, pid, exe, action, enforced, mode, rule, category, "
                                       "syscall, target, args, result, errno FROM policy_events "
                                       "WHERE run_id = ?1{} ORDER BY ts_ns, id",
                                       all ? "" : " AND action IN ('deny', 'kill')"));
  if (!stmt.ok()) return stmt.status();
  sqlite3_bind_int64(stmt->get(), 1, run);
  if (auto s = sink.Begin({"time", "ts_ns", "pid", "exe", "action", "enforced", "mode", "rule", "category",
                           "syscall", "target", "args", "result", "errno"});
      !s.ok())
    return s;
  if (auto s = ForEachRow(db_, stmt->get(), [&](sqlite3_stmt* st) {
        int64_t ts = sqlite3_column_int64(st, 0);
        return sink.Row({Cell::Text(FormatRfc3339Ms(ts)), Cell::Int(ts),
                         Cell::Int(sqlite3_column_int64(st, 1)), Cell::TextOrNull(Str(st, 2)),
                         Cell::Text(Str(st, 3)), Cell::Int(sqlite3_column_int64(st, 4)),
                         Cell::TextOrNull(Str(st, 5)), Cell::TextOrNull(Str(st, 6)),
                         Cell::TextOrNull(Str(st, 7)), Cell::TextOrNull(Str(st, 8)),
                         Cell::TextOrNull(Str(st, 9)), Cell::TextOrNull(Str(st, 10)),
                         Cell::OptInt(ColumnOptInt(st, 11)), ErrnoCell(sqlite3_column_int(st, 12))});
      });
      !s.ok())
    return s;
  return sink.End();
}

absl::Status QueryDb::Stats(int64_t run, RowSink& sink) {
  ReadTxn txn(db_);
  if (auto s = sink.Begin({"group", "name", "count"}); !s.ok()) return s;
  // Rows per kind: count(*) over the (run_id, ...) index ranges.
  constexpr std::pair<const char*, const char*> kKinds[] = {
      {"process", "processes"},  {"exec", "exec_events"},       {"file", "file_events"},
      {"net", "net_events"},     {"syscall", "syscall_events"}, {"policy", "policy_events"},
      {"policy_change", "policy_changes"}};
  for (const auto& [kind, table] : kKinds) {
    auto n = QueryInt(db_, fmt::format("SELECT count(*) FROM {} WHERE {}", table,
                                       RunRows(version_, table)), run);
    if (!n.ok()) return n.status();
    if (auto s = sink.Row({Cell::Text("kind"), Cell::Text(kind), Cell::Int(*n)}); !s.ok()) return s;
  }
  const std::string syscalls = RunRows(version_, "syscall_events");
  const std::pair<const char*, std::string> kGroups[] = {
      {"action", fmt::format("SELECT action, count(*) FROM syscall_events WHERE {} "
                             "GROUP BY action ORDER BY 2 DESC, 1", syscalls)},
      {"policy", "SELECT action, count(*) FROM policy_events WHERE run_id = ?1 "
                 "GROUP BY action ORDER BY 2 DESC, 1"},
      {"syscall", fmt::format("SELECT name, count(*) FROM syscall_events WHERE {} "
                              "GROUP BY name ORDER BY 2 DESC, 1", syscalls)}};
  for (const auto& [group, sql] : kGroups) {
    auto stmt = Prepare(db_, sql);
    if (!stmt.ok()) return stmt.status();
    sqlite3_bind_int64(stmt->get(), 1, run);
    if (auto s = ForEachRow(db_, stmt->get(), [&](sqlite3_stmt* st) {
          return sink.Row({Cell::Text(group), Cell::Text(Str(st, 0)), Cell::Int(sqlite3_column_int64(st, 1))});
        });
        !s.ok())
      return s;
  }
  return sink.End();
}

// ---------------------------------------------------------------------------
// Ad-hoc SQL.

namespace {

// Skips whitespace, -- comments and /* */ comments.
std::string_view SkipSpace(std::string_view s) {
  for (;;) {
    size_t i = 0;
    while (i < s.size() && isspace(static_cast<unsigned char>(s[i]))) ++i;
    s.remove_prefix(i);
    if (s.starts_with("--")) {
      size_t nl = s.find('\n');
      s.remove_prefix(nl == std::string_view::npos ? s.size() : nl + 1);
    } else if (s.starts_with("/*")) {
      size_t end = s.find("*/", 2);
      s.remove_prefix(end == std::string_view::npos ? s.size() : end + 2);
    } else {
      return s;
    }
  }
}

std::string FirstWord(std::string_view s) {
  s = SkipSpace(s);
  std::string w;
  for (char c : s) {
    if (!isalpha(static_cast<unsigned char>(c))) break;
    w += static_cast<char>(toupper(static_cast<unsigned char>(c)));
  }
  return w;
}

}  // namespace

absl::Status QueryDb::Sql(std::string_view sql, RowSink& sink) {
  // The connection is read-only already; query_only refuses writes to the
  // TEMP database as well.
  if (auto s = ExecSql(db_, "PRAGMA query_only = 1"); !s.ok()) return s;
  const std::string word = FirstWord(sql);
  if (word != "SELECT" && word != "WITH")
    return absl::InvalidArgumentError(fmt::format(
        "only a SELECT (or WITH ... SELECT) statement can be run, not {}; the database is read-only",
        word.empty() ? "an empty statement" : word));
  ReadTxn txn(db_);
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, &tail) != SQLITE_OK)
    return absl::InvalidArgumentError(fmt::format("SQL error: {}", sqlite3_errmsg(db_)));
  StmtPtr stmt(raw);
  if (!stmt) return absl::InvalidArgumentError("no SQL statement given");
  std::string_view rest = SkipSpace(sql.substr(static_cast<size_t>(tail - sql.data())));
  while (!rest.empty() && rest.front() == ';') rest = SkipSpace(rest.substr(1));
  if (!rest.empty())
    return absl::InvalidArgumentError("give one SQL statement only (found more after the first ';')");
  if (!sqlite3_stmt_readonly(stmt.get()))
    return absl::InvalidArgumentError("only read-only statements can be run; the database is never changed");
  const int n = sqlite3_column_count(stmt.get());
  std::vector<std::string> columns;
  for (int i = 0; i < n; ++i) {
    const char* name = sqlite3_column_name(stmt.get(), i);
    columns.emplace_back(name ? name : "");
  }
  if (auto s = sink.Begin(columns); !s.ok()) return s;
  int rc;
  Cells row(static_cast<size_t>(n));
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    for (int i = 0; i < n; ++i) {
      sqlite3_stmt* s = stmt.get();
      switch (sqlite3_column_type(s, i)) {
        case SQLITE_NULL: row[i] = Cell::Null(); break;
        case SQLITE_INTEGER: row[i] = Cell::Int(sqlite3_column_int64(s, i)); break;
        case SQLITE_FLOAT: row[i] = Cell::Real(sqlite3_column_double(s, i)); break;
        case SQLITE_BLOB: {
          // Blobs as hex: text formats cannot carry raw bytes.
          auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(s, i));
          std::string hex = "x'";
          for (int k = 0; k < sqlite3_column_bytes(s, i); ++k) hex += fmt::format("{:02x}", p[k]);
          row[i] = Cell::Text(hex + "'");
          break;
        }
        default: row[i] = Cell::Text(Str(s, i)); break;
      }
    }
    if (auto s = sink.Row(row); !s.ok()) return s;
  }
  if (rc != SQLITE_DONE) return absl::InvalidArgumentError(fmt::format("SQL error: {}", sqlite3_errmsg(db_)));
  return sink.End();
}

}  // namespace warden::forensics
