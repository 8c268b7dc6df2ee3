#include "learn/db_events.h"

#include <limits>
#include <tuple>

#include "fmt/format.h"
#include "learn/db_cursors.h"
#include "forensics/run_strings.h"
#include "store/calls.h"  // kRunShift: the storage layout (warden-db(5), STORAGE)
#include "forensics/read_db.h"
#include "store/sqlite_util.h"

namespace warden::learn {
namespace {

using store::ColumnIsNull;
using store::ColumnText;
using Row = CallsCursor::Row;

// Columns of the SQL-sorted queries: ts, id, then the kind's.
enum : int { kFirst = 2 };

void FillProcess(sqlite3_stmt* s, RecordedEvent& e) {
  e.pid = sqlite3_column_int(s, kFirst);
  e.ppid = sqlite3_column_int(s, kFirst + 1);
  e.tgid = ColumnIsNull(s, kFirst + 2) ? e.pid : sqlite3_column_int(s, kFirst + 2);
  e.is_thread = sqlite3_column_int(s, kFirst + 3) != 0;
}

std::optional<int64_t> OptResult(sqlite3_stmt* s, int col) {
  if (ColumnIsNull(s, col)) return std::nullopt;
  return sqlite3_column_int64(s, col);
}

// exec_events and file_events: pid, exe, path, errno, action.
void FillCall(sqlite3_stmt* s, RecordedEvent& e) {
  e.pid = sqlite3_column_int(s, kFirst);
  e.exe = ColumnText(s, kFirst + 1);
  e.path = ColumnText(s, kFirst + 2);
  e.err = sqlite3_column_int(s, kFirst + 3);
  e.action = ColumnText(s, kFirst + 4);
}

void FillExec(sqlite3_stmt* s, RecordedEvent& e) {
  FillCall(s, e);
  e.result = OptResult(s, kFirst + 5);
}

void FillFile(sqlite3_stmt* s, RecordedEvent& e) {
  FillCall(s, e);
  e.syscall = ColumnText(s, kFirst + 5);
  e.op = ColumnText(s, kFirst + 6);
  e.flags = ColumnText(s, kFirst + 7);
  e.path2 = ColumnText(s, kFirst + 8);
  e.result = OptResult(s, kFirst + 9);
}

void FillNet(sqlite3_stmt* s, RecordedEvent& e) {
  e.pid = sqlite3_column_int(s, kFirst);
  e.exe = ColumnText(s, kFirst + 1);
  e.err = sqlite3_column_int(s, kFirst + 2);
  e.action = ColumnText(s, kFirst + 3);
  e.op = ColumnText(s, kFirst + 4);
  e.family = ColumnText(s, kFirst + 5);
  e.sock_type = ColumnText(s, kFirst + 6);
  e.address = ColumnText(s, kFirst + 7);
  e.port = ColumnIsNull(s, kFirst + 8) ? -1 : sqlite3_column_int(s, kFirst + 8);
  e.fd = ColumnIsNull(s, kFirst + 9) ? -1 : sqlite3_column_int(s, kFirst + 9);
  e.direction = ColumnText(s, kFirst + 10);
  e.result = OptResult(s, kFirst + 11);
}

// A NULL result in the integer-only rows of CallsCursor ({no_result} in
// their SQL): no call returns it.
constexpr int64_t kNoResult = std::numeric_limits<int64_t>::min();

std::optional<int64_t> CallResult(int64_t v) {
  if (v == kNoResult) return std::nullopt;
  return v;
}

// calls rows (schema 4+): id, ts, pid, exe, name, path, op, flags, path2,
// errno, action, result.
void FillFileCall(const Row& r, const forensics::RunStrings& s, std::string (&bufs)[2], RecordedEvent& e) {
  e.pid = static_cast<int>(r[2]);
  e.exe = s.Text(r[3]);
  e.syscall = s.Text(r[4]);
  e.path = s.Path(r[5], bufs[0]);
  e.op = s.Text(r[6]);
  e.flags = s.Text(r[7]);
  e.path2 = s.Path(r[8], bufs[1]);
  e.err = static_cast<int>(r[9]);
  e.action = s.Text(r[10]);
  e.result = CallResult(r[11]);
}

// nets rows with their calls row (schema 5+): id, ts, pid, exe, op, family,
// sock_type, address, port, fd, errno, action, direction, result. CROSS JOIN: SQLite reads the
// run's few nets rows and finds their calls rows, not the other way round.
void FillNetCall(const Row& r, const forensics::RunStrings& s, std::string (&)[2], RecordedEvent& e) {
  e.pid = static_cast<int>(r[2]);
  e.exe = s.Text(r[3]);
  e.op = s.Text(r[4]);
  e.family = s.Text(r[5]);
  e.sock_type = s.Text(r[6]);
  e.address = s.Text(r[7]);
  e.port = static_cast<int>(r[8]);
  e.fd = static_cast<int>(r[9]);
  e.err = static_cast<int>(r[10]);
  e.action = s.Text(r[11]);
  e.direction = s.Text(r[12]);
  e.result = CallResult(r[13]);
}

// One query per kind, in the export's tie-break order for equal times
// (store/export.cc kSources: a process starts before it does anything;
// exec, file, net). Views and tables for every schema version ({action}:
// 'allow' before version 2); `calls_sql` reads schema `calls_from` and
// later without the views.
struct Source {
  EventKind kind;
  const char* table;
  const char* ts;
  const char* columns;
  const char* where;
  bool windowed;  // rows outside the window are not needed
  SqlCursor::FillFn fill;
  int calls_from;
  const char* calls_sql;  // {run}: the run's rows; {no_result}: kNoResult
  CallsCursor::FillFn calls_fill;
};
constexpr Source kSources[] = {
    {EventKind::kProcess, "processes", "start_ns", "start_ns, id, pid, ppid, tgid, is_thread",
     " AND start_ns IS NOT NULL", false, FillProcess, 0, nullptr, nullptr},
    {EventKind::kExec, "exec_events", "ts_ns", "ts_ns, id, pid, exe, path, errno, {action}, result", "",
     true, FillExec, 0, nullptr, nullptr},
    {EventKind::kFile, "file_events", "ts_ns",
     "ts_ns, id, pid, exe, path, errno, {action}, syscall, op, flags, path2, result", "", true,
     FillFile, 4,
     "SELECT id, ts, pid, exe, name, path, op, flags, path2, errno, action, "
     "coalesce(result, {no_result}) FROM calls "
     "WHERE {run} AND path IS NOT NULL AND ts BETWEEN ?2 AND ?3",
     FillFileCall},
    // Binds and listens before the window name the ports of accepts in it.
    {EventKind::kNet, "net_events", "ts_ns",
     "ts_ns, id, pid, exe, errno, {action}, op, family, sock_type, address, port, fd, direction, "
     "result",
     "", false, FillNet, 5,
     "SELECT n.id, c.ts, c.pid, c.exe, n.op, n.family, n.sock_type, n.address, "
     "coalesce(n.port, -1), coalesce(n.fd, -1), c.errno, c.action, n.direction, "
     "coalesce(c.result, {no_result}) FROM nets n CROSS JOIN calls c ON c.id = n.id "
     "WHERE n.{run}",
     FillNetCall},
};

constexpr int64_t kMinTs = std::numeric_limits<int64_t>::min();
constexpr int64_t kMaxTs = std::numeric_limits<int64_t>::max();

}  // namespace

struct DbEvents::Impl {
  std::string path;
  forensics::ReadDb db;
  forensics::RunStrings strings;
  store::StmtPtr strings_stmt;                 // schema 4+
  std::vector<std::unique_ptr<EventCursor>>  cursors;  // in kSources order
  std::vector<store::StmtPtr> probes;          // HasEventsIn: one per windowed kind
  store::StmtPtr processes;                    // RunRef.processes of run ?1
  store::StmtPtr ring_names, rings;            // RunRef.io_uring_rings (CountRings)

  sqlite3* conn() const { return db.db.get(); }
  absl::Status Error(std::string_view what) const {
    return absl::InternalError(
        fmt::format("reading {} in {}: {}", what, path, sqlite3_errmsg(conn())));
  }
  absl::StatusOr<store::StmtPtr> Prepare(std::string_view what, const std::string& sql) {
    auto stmt = store::PrepareSql(conn(), sql);
    if (!stmt.ok()) return Error(what);
    return stmt;
  }
  absl::Status AddCursor(const Source& src);
  absl::Status PrepareAll();
  absl::Status PrepareCounts();
  absl::StatusOr<int64_t> Count(sqlite3_stmt* s, int64_t run, std::optional<int64_t> p2 = {});
  absl::StatusOr<int64_t> CountRings(int64_t run);
  absl::Status FillRun(const forensics::RunSummary& r, RunRef& ref);
};

absl::Status DbEvents::Impl::AddCursor(const Source& src) {
  const int version = db.version;
  if (src.calls_sql && version >= src.calls_from) {
    std::string run_rows = forensics::RunRows(version, "calls", "?1");
    auto stmt = Prepare(src.table, fmt::format(fmt::runtime(src.calls_sql), fmt::arg("run", run_rows),
                                                fmt::arg("no_result", fmt::format("({} - 1)", kNoResult + 1))));
    if (!stmt.ok()) return stmt.status();
    cursors.push_back(std::make_unique<CallsCursor>(conn(), std::move(*stmt), src.windowed,
                                                    strings, src.calls_fill));
    return absl::OkStatus();
  }
  const char* action = version >= 2 ? "action" : "'allow'";
  std::string sql = fmt::format(
      "SELECT {} FROM {} WHERE {}{}{} ORDER BY {}, id",
      fmt::format(fmt::runtime(src.columns), fmt::arg("action", action)), src.table,
      forensics::RunRows(version, src.table, "?1"), src.where,
      src.windowed ? fmt::format(" AND {} BETWEEN ?2 AND ?3", src.ts) : "", src.ts);
  auto stmt = Prepare(src.table, sql);
  if (!stmt.ok()) return stmt.status();
  cursors.push_back(
      std::make_unique<SqlCursor>(conn(), std::move(*stmt), src.windowed, src.fill));
  return absl::OkStatus();
}

absl::Status DbEvents::Impl::PrepareAll() {
  if (db.version >= 4) {
    auto stmt = Prepare("strings", fmt::format("SELECT id & {}, text, dir FROM strings WHERE {}",
                                               (int64_t{1} << store::kRunShift) - 1,
                                               forensics::RunRows(db.version, "strings", "?1")));
    if (!stmt.ok()) return stmt.status();
    strings_stmt = std::move(*stmt);
  }
  for (const Source& src : kSources) {
    if (auto s = AddCursor(src); !s.ok()) return s;
    if (src.kind == EventKind::kProcess) continue;
    auto probe = Prepare(src.table, fmt::format("SELECT 1 FROM {} WHERE {} AND ts_ns BETWEEN ?2 "
                                                "AND ?3 LIMIT 1",
                                                src.table, forensics::RunRows(db.version, src.table)));
    if (!probe.ok()) return probe.status();
    probes.push_back(std::move(*probe));
  }
  return PrepareCounts();
}

// The run's processes rows, and its successful io_uring_setup syscall
// events: from schema 4, the string number of the name first (most runs
// have none: no rows read), then the run's calls rows with it.
absl::Status DbEvents::Impl::PrepareCounts() {
  auto procs = Prepare("processes", "SELECT count(*) FROM processes WHERE run_id = ?1");
  if (!procs.ok()) return procs.status();
  processes = std::move(*procs);
  if (db.version < 4) {
    auto r = Prepare("syscall_events",
                     "SELECT count(*) FROM syscall_events WHERE run_id = ?1 AND "
                     "name = 'io_uring_setup' AND result >= 0");
    if (!r.ok()) return r.status();
    rings = std::move(*r);
    return absl::OkStatus();
  }
  auto names = Prepare("strings", fmt::format("SELECT id & {} FROM strings WHERE {} AND "
                                              "text = 'io_uring_setup' AND dir IS NULL LIMIT 1",
                                              (int64_t{1} << store::kRunShift) - 1,
                                              forensics::RunRows(db.version, "strings", "?1")));
  if (!names.ok()) return names.status();
  ring_names = std::move(*names);
  auto r = Prepare("calls", fmt::format("SELECT count(*) FROM calls WHERE {} AND name = ?2 AND "
                                        "nr IS NOT NULL AND result >= 0",
                                        forensics::RunRows(db.version, "calls", "?1")));
  if (!r.ok()) return r.status();
  rings = std::move(*r);
  return absl::OkStatus();
}

// The first column of the first row of `s` with run ?1 (and ?2); -1 when
// there is no row.
absl::StatusOr<int64_t> DbEvents::Impl::Count(sqlite3_stmt* s, int64_t run,
                                              std::optional<int64_t> p2) {
  sqlite3_reset(s);
  sqlite3_bind_int64(s, 1, run);
  if (p2) sqlite3_bind_int64(s, 2, *p2);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) return sqlite3_column_int64(s, 0);
  if (rc == SQLITE_DONE) return -1;
  return Error("counts");
}

absl::StatusOr<int64_t> DbEvents::Impl::CountRings(int64_t run) {
  if (!ring_names) return Count(rings.get(), run);
  auto name = Count(ring_names.get(), run);
  if (!name.ok() || *name < 0) return name.ok() ? 0 : name;
  return Count(rings.get(), run, *name);
}

absl::Status DbEvents::Impl::FillRun(const forensics::RunSummary& r, RunRef& ref) {
  ref = RunRef{.db = path, .run = r.id, .start_ns = r.start_ns, .end_ns = r.end_ns,
               .lost_events = r.lost_events, .policy_mode = r.policy_mode,
               .argv_json = r.argv_json, .interrupted = r.interrupted};
  if (r.exit_code) ref.exit_code = *r.exit_code;
  if (r.exit_signal) ref.exit_signal = *r.exit_signal;
  auto procs = Count(processes.get(), r.id);
  if (!procs.ok()) return procs.status();
  auto rings_n = CountRings(r.id);
  if (!rings_n.ok()) return rings_n.status();
  ref.processes = *procs;
  ref.io_uring_rings = *rings_n;
  return absl::OkStatus();
}

DbEvents::DbEvents(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

DbEvents::~DbEvents() {
  impl_->cursors.clear();
  impl_->probes.clear();
  impl_->processes.reset();
  impl_->ring_names.reset();
  impl_->rings.reset();
  impl_->strings_stmt.reset();
  store::ExecSql(impl_->conn(), "COMMIT").IgnoreError();
}

absl::StatusOr<std::unique_ptr<DbEvents>> DbEvents::Open(const std::string& path) {
  auto db = forensics::OpenReadOnly(path);
  if (!db.ok()) return db.status();
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->db = std::move(*db);
  // One snapshot for every query of this file.
  if (auto s = store::ExecSql(impl->conn(), "BEGIN"); !s.ok()) return s;
  std::unique_ptr<DbEvents> events(new DbEvents(std::move(impl)));
  if (auto s = events->impl_->PrepareAll(); !s.ok()) return s;
  return events;
}

absl::StatusOr<bool> DbEvents::HasEventsIn(int64_t run, const Selection& selection) {
  for (store::StmtPtr& probe : impl_->probes) {
    sqlite3_stmt* s = probe.get();
    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, run);
    sqlite3_bind_int64(s, 2, selection.from_ns.value_or(kMinTs));
    sqlite3_bind_int64(s, 3, selection.to_ns.value_or(kMaxTs));
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) return impl_->Error("events");
  }
  return false;
}

absl::StatusOr<std::vector<RunRef>> DbEvents::SelectRuns(const Selection& selection) {
  sqlite3* db = impl_->conn();
  const int version = impl_->db.version;
  std::vector<forensics::RunSummary> picked;
  if (!selection.runs.empty() || !(selection.from_ns || selection.to_ns)) {
    std::vector<std::optional<int64_t>> ids(selection.runs.begin(), selection.runs.end());
    if (ids.empty()) ids.push_back(std::nullopt);  // the last run
    for (auto id : ids) {
      auto r = forensics::ResolveRun(db, version, impl_->path, id);
      if (!r.ok()) return r.status();
      picked.push_back(std::move(*r));
    }
  } else {
    auto all = forensics::ReadRuns(db, version);
    if (!all.ok()) return all.status();
    for (auto& r : *all) {
      auto has = HasEventsIn(r.id, selection);
      if (!has.ok()) return has.status();
      if (*has) picked.push_back(std::move(r));
    }
  }
  std::vector<RunRef> refs(picked.size());
  for (size_t i = 0; i < picked.size(); ++i)
    if (auto s = impl_->FillRun(picked[i], refs[i]); !s.ok()) return s;
  return refs;
}

absl::Status DbEvents::ReadRun(const RunRef& run, const Selection& selection,
                               RecordedEventSink& sink) {
  if (impl_->strings_stmt)
    if (auto s = impl_->strings.Load(impl_->conn(), impl_->strings_stmt.get(), run.run); !s.ok())
      return s;
  const RunWindow w{run.run, run.start_ns, selection.from_ns.value_or(kMinTs),
                    selection.to_ns.value_or(kMaxTs)};
  auto& cursors = impl_->cursors;
  for (auto& c : cursors)
    if (auto s = c->Start(w); !s.ok()) return s;
  RecordedEvent e;
  for (;;) {
    // The earliest row by (time, kind, id): the export's order.
    EventCursor* next = nullptr;
    std::tuple<int64_t, size_t, int64_t> best;
    for (size_t rank = 0; rank < cursors.size(); ++rank) {
      EventCursor* c = cursors[rank].get();
      if (!c->has_row()) continue;
      auto key = std::make_tuple(c->ts(), rank, c->id());
      if (!next || key < best) {
        next = c;
        best = key;
      }
    }
    if (!next) return absl::OkStatus();
    e = RecordedEvent{};
    e.kind = kSources[std::get<1>(best)].kind;
    e.ts_ns = next->ts();
    next->Fill(e);
    if (auto s = sink.Add(e); !s.ok()) return s;
    if (auto s = next->Next(); !s.ok()) return s;
  }
}

}  // namespace warden::learn
