#include "dryrun/run_reader.h"

#include <limits>
#include <string>
#include <utility>

#include "fmt/format.h"
#include "forensics/read_db.h"
#include "store/sqlite_util.h"

namespace warden::dryrun {
namespace {

using store::ColumnOptInt;
using store::ColumnText;

constexpr int64_t kEnd = std::numeric_limits<int64_t>::max();

// One ordered query: its current row's (ts_ns, pid) key, kEnd when done.
class Cursor {
 public:
  absl::Status Open(sqlite3* db, const std::string& sql, int64_t run) {
    db_ = db;
    auto stmt = store::PrepareSql(db, sql);
    if (!stmt.ok()) return stmt.status();
    stmt_ = std::move(*stmt);
    sqlite3_bind_int64(stmt_.get(), 1, run);
    return Next();
  }
  absl::Status Next() {
    int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) {
      ts_ = sqlite3_column_int64(stmt_.get(), 0);
      pid_ = sqlite3_column_int(stmt_.get(), 1);
      return absl::OkStatus();
    }
    ts_ = kEnd;
    if (rc == SQLITE_DONE) return absl::OkStatus();
    return absl::InternalError(fmt::format("reading the run: {}", sqlite3_errmsg(db_)));
  }
  bool At(int64_t ts, int pid) const { return ts_ == ts && pid_ == pid; }
  bool Before(const Cursor& o) const {
    return ts_ < o.ts_ || (ts_ == o.ts_ && ts_ != kEnd && pid_ < o.pid_);
  }
  bool done() const { return ts_ == kEnd; }
  int64_t ts() const { return ts_; }
  int pid() const { return pid_; }
  sqlite3_stmt* row() const { return stmt_.get(); }

 private:
  sqlite3* db_ = nullptr;
  store::StmtPtr stmt_;
  int64_t ts_ = kEnd;
  int pid_ = 0;
};

std::string Text(sqlite3_stmt* s, int i) { return std::string(ColumnText(s, i)); }

std::string CallSql(int version, std::string_view view, std::string_view columns) {
  // Version 1 had no verdict columns.
  return fmt::format("SELECT ts_ns, pid, exe, {}, {} FROM {} WHERE {} ORDER BY ts_ns, pid, id",
                     version >= 2 ? "rule" : "NULL", columns, view,
                     forensics::RunRows(version, view, "?1"));
}

SysPart ReadSys(sqlite3_stmt* s) {
  return SysPart{Text(s, 4), sqlite3_column_int(s, 5), Text(s, 6), Text(s, 7), ColumnOptInt(s, 8),
                 sqlite3_column_int(s, 9)};
}

FilePart ReadFile(sqlite3_stmt* s) {
  return FilePart{Text(s, 4), Text(s, 5),         Text(s, 6), Text(s, 7),
                  Text(s, 8), ColumnOptInt(s, 9), Text(s, 10)};
}

NetPart ReadNet(sqlite3_stmt* s) {
  return NetPart{Text(s, 4),
                 Text(s, 5),
                 Text(s, 6),
                 Text(s, 7),
                 store::ColumnIsNull(s, 8) ? -1 : sqlite3_column_int(s, 8),
                 store::ColumnIsNull(s, 9) ? -1 : sqlite3_column_int(s, 9),
                 ColumnOptInt(s, 10)};
}

// The common columns of whichever part comes first; a recorded verdict of
// any part.
void TakeCommon(sqlite3_stmt* s, RecordedCall& c) {
  if (c.exe.empty()) c.exe = Text(s, 2);
  if (c.rule.empty()) c.rule = Text(s, 3);
}

class Merger {
 public:
  absl::Status Open(sqlite3* db, int version, int64_t run) {
    std::string procs =
        "SELECT start_ns, pid, ppid, tgid FROM processes WHERE run_id=?1 "
        "AND start_ns IS NOT NULL ORDER BY start_ns, id";
    for (auto [cursor, sql] :
         {std::pair{&procs_, procs},
          {&sys_, CallSql(version, "syscall_events", "abi, nr, name, args, result, errno")},
          {&file_, CallSql(version, "file_events",
                           version >= 6 ? "syscall, path, op, flags, path2, result, named"
                                        : "syscall, path, op, flags, path2, result, NULL")},
          {&net_, CallSql(version, "net_events",
                          "syscall, family, sock_type, address, port, fd, result")}})
      if (auto s = cursor->Open(db, sql, run); !s.ok()) return s;
    return absl::OkStatus();
  }

  absl::Status Run(RunVisitor& v) {
    while (true) {
      const Cursor* first = &sys_;
      for (const Cursor* c : {&file_, &net_})
        if (c->Before(*first)) first = c;
      if (!procs_.done() && (first->done() || procs_.ts() <= first->ts())) {
        sqlite3_stmt* s = procs_.row();
        v.OnProcess(ProcessRow{procs_.ts(), procs_.pid(), sqlite3_column_int(s, 2),
                               sqlite3_column_int(s, 3)});
        if (auto st = procs_.Next(); !st.ok()) return st;
        continue;
      }
      if (first->done()) return absl::OkStatus();
      auto call = Take(first->ts(), first->pid());
      if (!call.ok()) return call.status();
      v.OnCall(*call);
    }
  }

 private:
  // The parts of the call at (ts, pid), one row of each stream at most.
  absl::StatusOr<RecordedCall> Take(int64_t ts, int pid) {
    RecordedCall c;
    c.ts_ns = ts;
    c.pid = pid;
    if (sys_.At(ts, pid)) {
      TakeCommon(sys_.row(), c);
      c.sys = ReadSys(sys_.row());
      if (auto s = sys_.Next(); !s.ok()) return s;
    }
    if (file_.At(ts, pid)) {
      TakeCommon(file_.row(), c);
      c.file = ReadFile(file_.row());
      if (auto s = file_.Next(); !s.ok()) return s;
    }
    if (net_.At(ts, pid)) {
      TakeCommon(net_.row(), c);
      c.net = ReadNet(net_.row());
      if (auto s = net_.Next(); !s.ok()) return s;
    }
    return c;
  }

  Cursor procs_, sys_, file_, net_;
};

}  // namespace

absl::Status ReadRun(sqlite3* db, int version, int64_t run, RunVisitor& visitor) {
  Merger m;
  if (auto s = m.Open(db, version, run); !s.ok()) return s;
  return m.Run(visitor);
}

}  // namespace warden::dryrun
