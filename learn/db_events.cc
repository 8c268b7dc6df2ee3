#include "learn/db_events.h"

#include <limits>
#include <tuple>

#include "fmt/format.h"
#include "store/read_db.h"
#include "store/sqlite_util.h"

namespace warden::learn {
namespace {

using store::ColumnIsNull;
using store::ColumnText;
using store::StmtPtr;

// Every query starts with ts, id; the rest is the kind's.
enum : int { kTs = 0, kId = 1, kFirst = 2 };

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

// One query per kind, in the export's tie-break order for equal times
// (store/export.cc kSources: a process starts before it does anything;
// exec, file, net). {action}: the verdict column ('allow' before version 2).
struct Source {
  EventKind kind;
  const char* table;
  const char* ts;
  const char* columns;
  const char* where;
  bool windowed;  // rows outside the window are not needed
  void (*fill)(sqlite3_stmt*, RecordedEvent&);
};
constexpr Source kSources[] = {
    {EventKind::kProcess, "processes", "start_ns", "start_ns, id, pid, ppid, tgid, is_thread",
     " AND start_ns IS NOT NULL", false, FillProcess},
    {EventKind::kExec, "exec_events", "ts_ns", "ts_ns, id, pid, exe, path, errno, {action}", "",
     true, FillExec},
    {EventKind::kFile, "file_events", "ts_ns",
     "ts_ns, id, pid, exe, path, errno, {action}, syscall, op, flags, path2", "", true, FillFile},
    // Binds and listens before the window name the ports of accepts in it.
    {EventKind::kNet, "net_events", "ts_ns",
     "ts_ns, id, pid, exe, errno, {action}, op, family, sock_type, address, port, fd", "", false,
     FillNet},
};

constexpr int64_t kMinTs = std::numeric_limits<int64_t>::min();
constexpr int64_t kMaxTs = std::numeric_limits<int64_t>::max();

struct Cursor {
  const Source* source;
  StmtPtr stmt;
  bool has_row = false;
  std::tuple<int64_t, int, int64_t> Key(int rank) const {
    return {sqlite3_column_int64(stmt.get(), kTs), rank, sqlite3_column_int64(stmt.get(), kId)};
  }
};

}  // namespace

struct DbEvents::Impl {
  std::string path;
  store::ReadDb db;
  std::vector<Cursor> cursors;  // in kSources order
  std::vector<StmtPtr> probes;  // HasEventsIn: one per windowed kind

  sqlite3* conn() const { return db.db.get(); }
  absl::Status Error(std::string_view what) const {
    return absl::InternalError(
        fmt::format("reading {} in {}: {}", what, path, sqlite3_errmsg(conn())));
  }
  absl::Status Prepare();
  absl::Status Step(Cursor& c) {
    int rc = sqlite3_step(c.stmt.get());
    c.has_row = rc == SQLITE_ROW;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return Error(c.source->table);
    return absl::OkStatus();
  }
};

absl::Status DbEvents::Impl::Prepare() {
  const char* action = db.version >= 2 ? "action" : "'allow'";
  for (const Source& src : kSources) {
    const std::string run_rows = store::RunRows(db.version, src.table, "?1");
    std::string sql = fmt::format(
        "SELECT {} FROM {} WHERE {}{}{} ORDER BY {}, id",
        fmt::format(fmt::runtime(src.columns), fmt::arg("action", action)), src.table, run_rows,
        src.where, src.windowed ? fmt::format(" AND {} BETWEEN ?2 AND ?3", src.ts) : "", src.ts);
    auto stmt = store::PrepareSql(conn(), sql);
    if (!stmt.ok()) return Error(src.table);
    cursors.push_back(Cursor{&src, std::move(*stmt)});
    if (src.kind == EventKind::kProcess) continue;
    auto probe = store::PrepareSql(
        conn(), fmt::format("SELECT 1 FROM {} WHERE {} AND ts_ns BETWEEN ?2 AND ?3 LIMIT 1",
                            src.table, run_rows));
    if (!probe.ok()) return Error(src.table);
    probes.push_back(std::move(*probe));
  }
  return absl::OkStatus();
}

DbEvents::DbEvents(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

DbEvents::~DbEvents() {
  impl_->cursors.clear();
  impl_->probes.clear();
  store::ExecSql(impl_->conn(), "COMMIT").IgnoreError();
}

absl::StatusOr<std::unique_ptr<DbEvents>> DbEvents::Open(const std::string& path) {
  auto db = store::OpenReadOnly(path);
  if (!db.ok()) return db.status();
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->db = std::move(*db);
  // One snapshot for every query of this file.
  if (auto s = store::ExecSql(impl->conn(), "BEGIN"); !s.ok()) return s;
  std::unique_ptr<DbEvents> events(new DbEvents(std::move(impl)));
  if (auto s = events->impl_->Prepare(); !s.ok()) return s;
  return events;
}

absl::StatusOr<bool> DbEvents::HasEventsIn(int64_t run, const Selection& selection) {
  for (StmtPtr& probe : impl_->probes) {
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
  std::vector<store::RunSummary> picked;
  if (!selection.runs.empty() || !(selection.from_ns || selection.to_ns)) {
    std::vector<std::optional<int64_t>> ids(selection.runs.begin(), selection.runs.end());
    if (ids.empty()) ids.push_back(std::nullopt);  // the last run
    for (auto id : ids) {
      auto r = store::ResolveRun(db, version, impl_->path, id);
      if (!r.ok()) return r.status();
      picked.push_back(std::move(*r));
    }
  } else {
    auto all = store::ReadRuns(db, version);
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

absl::Status DbEvents::ReadRun(int64_t run, const Selection& selection, EventObserver& observer) {
  auto& cursors = impl_->cursors;
  for (Cursor& c : cursors) {
    sqlite3_stmt* s = c.stmt.get();
    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, run);
    if (c.source->windowed) {
      sqlite3_bind_int64(s, 2, selection.from_ns.value_or(kMinTs));
      sqlite3_bind_int64(s, 3, selection.to_ns.value_or(kMaxTs));
    }
    if (auto st = impl_->Step(c); !st.ok()) return st;
  }
  RecordedEvent e;
  for (;;) {
    Cursor* next = nullptr;
    int next_rank = 0;
    for (size_t rank = 0; rank < cursors.size(); ++rank) {
      Cursor& c = cursors[rank];
      if (c.has_row && (!next || c.Key(static_cast<int>(rank)) < next->Key(next_rank))) {
        next = &c;
        next_rank = static_cast<int>(rank);
      }
    }
    if (!next) return absl::OkStatus();
    e = RecordedEvent{};
    e.kind = next->source->kind;
    e.ts_ns = sqlite3_column_int64(next->stmt.get(), kTs);
    next->source->fill(next->stmt.get(), e);
    if (auto st = observer.Add(e); !st.ok()) return st;
    if (auto st = impl_->Step(*next); !st.ok()) return st;
  }
}

}  // namespace warden::learn
