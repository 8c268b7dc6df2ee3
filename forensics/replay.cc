#include "forensics/replay.h"

#include <algorithm>
#include <set>
#include <utility>

#include "fmt/format.h"
#include "forensics/read_db.h"
#include "store/sqlite_util.h"
#include "syscalls/decode.h"

namespace warden::forensics {
namespace {

constexpr size_t kFlushBytes = 1 << 16;

// strace shows the results of these as addresses.
bool AddressResult(std::string_view name) {
  return name == "mmap" || name == "mmap2" || name == "mremap" || name == "brk" ||
         name == "shmat";
}

// "= 3", "= -1 ENOENT (No such file or directory)", "= ?".
std::string Result(const ReplayCall& c) {
  if (c.err != 0) {
    std::string text = fmt::format("{} ({})", syscalls::ErrnoName(c.err),
                                   syscalls::ErrnoDescription(c.err));
    // ERESTARTSYS and kin never reach the program: the kernel runs the call
    // again after the signal (strace: "= ? ERESTARTSYS (...)").
    if (c.err >= 512 && c.err <= 516) return "= ? " + text;
    return "= -1 " + text;
  }
  if (!c.result) return "= ?";
  if (AddressResult(c.name) && *c.result > 0xffff) return fmt::format("= {:#x}", *c.result);
  return fmt::format("= {}", *c.result);
}

// " <denied by RULE>", " <would deny: RULE>", ...; "" for an allowed call.
std::string Verdict(const ReplayCall& c, bool permissive_run) {
  if (c.action.empty() || c.action == "allow") return "";
  const std::string rule = c.rule.empty() ? "default" : c.rule;
  if (c.action == "monitor") return fmt::format(" <monitored by {}>", rule);
  // Unrecorded enforcement: a permissive run enforces only warden's own
  // protections.
  bool enforced = c.enforced.value_or(!permissive_run || rule.starts_with("warden:"));
  if (!enforced) return fmt::format(" <would {}: {}>", c.action, rule);
  if (c.action == "deny") return fmt::format(" <denied by {}>", rule);
  if (c.action == "kill") return fmt::format(" <killed by {}>", rule);
  return fmt::format(" <{} by {}>", c.action, rule);
}

// The calls: syscall events, and policy hits recorded without one (a log
// mode that records hits only), in (ts, src, id) order: at one instant a
// call's syscall row (src 0) comes before its policy row (src 1), which
// ReplayRun then drops -- a join per hit would read the run once per hit.
std::string CallsSql(const ReplayOptions& o, int version, bool has_policy) {
  std::string filters;
  if (o.pid) filters += " AND pid=:pid";
  if (o.from_ns) filters += " AND ts_ns >= :from";
  if (o.to_ns) filters += " AND ts_ns <= :to";
  std::string sql = fmt::format(
      "SELECT ts_ns, pid, name, args, result, errno, action, rule, {}, NULL AS target, "
      "0 AS src, id FROM syscall_events s WHERE {}{}{}",
      has_policy ? "CASE WHEN action <> 'allow' THEN (SELECT p.enforced FROM policy_events p "
                   "WHERE p.run_id=:run AND p.ts_ns=s.ts_ns AND p.pid=s.pid "
                   "AND p.syscall=s.name LIMIT 1) END"
                 : "NULL",
      RunRows(version, "syscall_events", ":run"), filters,
      o.syscall.empty() ? "" : " AND name=:name");
  if (has_policy)
    sql += fmt::format(
        " UNION ALL SELECT ts_ns, pid, syscall, args, result, errno, action, rule, enforced, "
        "target, 1, id FROM policy_events p WHERE run_id=:run{}{}",
        filters, o.syscall.empty() ? "" : " AND syscall=:name");
  return sql + " ORDER BY 1, 11, 12";
}

// Whether a row is a policy hit whose call was already printed: the calls
// of one instant, by pid.
class SeenCalls {
 public:
  bool Duplicate(int64_t ts, int pid, bool policy_row) {
    if (ts != ts_) {
      ts_ = ts;
      pids_.clear();
    }
    if (!policy_row) {
      pids_.push_back(pid);
      return false;
    }
    return std::find(pids_.begin(), pids_.end(), pid) != pids_.end();
  }

 private:
  int64_t ts_ = -1;
  std::vector<int> pids_;
};

void Bind(sqlite3_stmt* s, const char* name, int64_t v) {
  if (int i = sqlite3_bind_parameter_index(s, name); i > 0) sqlite3_bind_int64(s, i, v);
}

// (pid, ts) of the calls whose file event names a matching path.
absl::StatusOr<std::set<std::pair<int, int64_t>>> MatchingCalls(sqlite3* db, int version,
                                                                int64_t run,
                                                                const ReplayOptions& o) {
  std::string sql = "SELECT pid, ts_ns, path, path2 FROM file_events WHERE " +
                    RunRows(version, "file_events", ":run");
  if (o.pid) sql += " AND pid=:pid";
  if (o.from_ns) sql += " AND ts_ns >= :from";
  if (o.to_ns) sql += " AND ts_ns <= :to";
  auto stmt = PrepareSql(db, sql);
  if (!stmt.ok()) return stmt.status();
  sqlite3_stmt* s = stmt->get();
  Bind(s, ":run", run);
  if (o.pid) Bind(s, ":pid", *o.pid);
  if (o.from_ns) Bind(s, ":from", *o.from_ns);
  if (o.to_ns) Bind(s, ":to", *o.to_ns);
  std::set<std::pair<int, int64_t>> keys;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    if (o.path_match(ColumnText(s, 2)) ||
        (!ColumnIsNull(s, 3) && o.path_match(ColumnText(s, 3))))
      keys.emplace(sqlite3_column_int(s, 0), sqlite3_column_int64(s, 1));
  }
  if (rc != SQLITE_DONE) return absl::InternalError(sqlite3_errmsg(db));
  return keys;
}

absl::Status ReplayRun(sqlite3* db, int version, const RunSummary& run, const ReplayOptions& o,
                       std::ostream& out) {
  auto has_policy = HasTable(db, "policy_events");
  if (!has_policy.ok()) return has_policy.status();
  std::set<std::pair<int, int64_t>> keys;
  if (o.path_match) {
    auto k = MatchingCalls(db, version, run.id, o);
    if (!k.ok()) return k.status();
    keys = std::move(*k);
  }
  auto stmt = PrepareSql(db, CallsSql(o, version, *has_policy));
  if (!stmt.ok()) return stmt.status();
  sqlite3_stmt* s = stmt->get();
  Bind(s, ":run", run.id);
  if (o.pid) Bind(s, ":pid", *o.pid);
  if (o.from_ns) Bind(s, ":from", *o.from_ns);
  if (o.to_ns) Bind(s, ":to", *o.to_ns);
  if (!o.syscall.empty())
    sqlite3_bind_text(s, sqlite3_bind_parameter_index(s, ":name"), o.syscall.data(),
                      static_cast<int>(o.syscall.size()), SQLITE_STATIC);
  const bool permissive = run.policy_mode == "permissive";
  std::string buf;
  SeenCalls seen;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    ReplayCall c;
    c.ts_ns = sqlite3_column_int64(s, 0);
    c.pid = sqlite3_column_int(s, 1);
    const bool policy_only = sqlite3_column_int(s, 10) == 1;
    if (seen.Duplicate(c.ts_ns, c.pid, policy_only)) continue;
    if (o.path_match) {
      bool match = keys.contains({c.pid, c.ts_ns}) ||
                   (policy_only && !ColumnIsNull(s, 9) && o.path_match(ColumnText(s, 9)));
      if (!match) continue;
    }
    c.name = std::string(ColumnText(s, 2));
    c.args = std::string(ColumnText(s, 3));
    c.result = ColumnOptInt(s, 4);
    c.err = sqlite3_column_int(s, 5);
    c.action = std::string(ColumnText(s, 6));
    c.rule = std::string(ColumnText(s, 7));
    if (auto e = ColumnOptInt(s, 8)) c.enforced = *e != 0;
    buf += RenderCall(c, o.time, permissive);
    if (buf.size() >= kFlushBytes) {
      out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      buf.clear();
      if (!out) return OutputError();
    }
  }
  if (rc != SQLITE_DONE)
    return absl::InternalError(fmt::format("reading syscall events: {}", sqlite3_errmsg(db)));
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  out.flush();
  if (!out) return OutputError();
  return absl::OkStatus();
}

}  // namespace

std::string RenderCall(const ReplayCall& c, bool time, bool permissive_run) {
  std::string line;
  if (time) line = FormatRfc3339Us(c.ts_ns) + " ";
  line += fmt::format("[pid {}] {}({}) {}{}\n", c.pid, c.name, c.args, Result(c),
                      Verdict(c, permissive_run));
  return line;
}

absl::Status Replay(const std::string& db_path, const ReplayOptions& options, std::ostream& out) {
  auto opened = OpenReadOnly(db_path);
  if (!opened.ok()) return opened.status();
  sqlite3* db = opened->db.get();
  // One snapshot, even while the run is still being recorded.
  if (auto s = ExecSql(db, "BEGIN"); !s.ok()) return s;
  auto run = ResolveRun(db, opened->version, db_path, options.run_id);
  absl::Status s = run.ok() ? ReplayRun(db, opened->version, *run, options, out) : run.status();
  ExecSql(db, "COMMIT").IgnoreError();
  return s;
}

}  // namespace warden::forensics
