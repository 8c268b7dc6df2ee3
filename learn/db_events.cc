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

void FillExec(sqlite3_stmt* s, RecordedEvent& e) {
  e.pid = sqlite3_column_int(s, kFirst);
  e.exe = ColumnText(s, kFirst + 1);
  e.path = ColumnText(s, kFirst + 2);
  e.err = sqlite3_column_int(s, kFirst + 3);
  e.action = ColumnText(s, kFirst + 4);
}

void FillFile(sqlite3_stmt* s, RecordedEvent& e) {
  FillExec(s, e);  // pid, exe, path, errno, action
  e.syscall = ColumnText(s, kFirst + 5);
  e.op = ColumnText(s, kFirst + 6);
  e.flags = ColumnText(s, kFirst + 7);
  e.path2 = ColumnText(s, kFirst + 8);
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
}

// calls rows (schema 4+): id, ts, pid, exe, name, path, op, flags, path2,
// errno, action.
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
}

// nets rows with their calls row (schema 5+): id, ts, pid, exe, op, family,
// sock_type, address, port, fd, errno, action. CROSS JOIN: SQLite reads the
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
  const char* calls_sql;  // {run}: the run's rows
  CallsCursor::FillFn calls_fill;
};
constexpr Source kSources[] = {
    {EventKind::kProcess, "processes", "start_ns", "start_ns, id, pid, ppid, tgid, is_thread",
     " AND start_ns IS NOT NULL", false, FillProcess, 0, nullptr, nullptr},
    {EventKind::kExec, "exec_events", "ts_ns", "ts_ns, id, pid, exe, path, errno, {action}", "",
     true, FillExec, 0, nullptr, nullptr},
    {EventKind::kFile, "file_events", "ts_ns",
     "ts_ns, id, pid, exe, path, errno, {action}, syscall, op, flags, path2", "", true, FillFile,
     4,
     "SELECT id, ts, pid, exe, name, path, op, flags, path2, errno, action FROM calls "
     "WHERE {run} AND path IS NOT NULL AND ts BETWEEN ?2 AND ?3",
     FillFileCall},
    // Binds and listens before the window name the ports of accepts in it.
    {EventKind::kNet, "net_events", "ts_ns",
     "ts_ns, id, pid, exe, errno, {action}, op, family, sock_type, address, port, fd", "", false,
     FillNet, 5,
     "SELECT n.id, c.ts, c.pid, c.exe, n.op, n.family, n.sock_type, n.address, "
     "coalesce(n.port, -1), coalesce(n.fd, -1), "
     "c.errno, c.action FROM nets n CROSS JOIN calls c ON c.id = n.id WHERE n.{run}",
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
};

absl::Status DbEvents::Impl::AddCursor(const Source& src) {
  const int version = db.version;
  if (src.calls_sql && version >= src.calls_from) {
    std::string run_rows = forensics::RunRows(version, "calls", "?1");
    auto stmt = Prepare(src.table, fmt::format(fmt::runtime(src.calls_sql), fmt::arg("run", run_rows)));
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
  return absl::OkStatus();
}

DbEvents::DbEvents(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

DbEvents::~DbEvents() {
  impl_->cursors.clear();
  impl_->probes.clear();
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
  std::vector<RunRef> refs;
  for (const auto& r : picked)
    refs.push_back(RunRef{impl_->path, r.id, r.start_ns, r.end_ns, r.lost_events, r.policy_mode});
  return refs;
}

absl::Status DbEvents::ReadRun(const RunRef& run, const Selection& selection,
                               EventObserver& observer) {
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
    if (auto s = observer.Add(e); !s.ok()) return s;
    if (auto s = next->Next(); !s.ok()) return s;
  }
}

}  // namespace warden::learn
