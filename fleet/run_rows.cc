#include "fleet/run_rows.h"

#include <array>

#include "fleet/pg.h"
#include "fmt/format.h"
#include "forensics/read_db.h"
#include "store/calls.h"

namespace warden::fleet {
namespace {

using forensics::ColumnIsNull;
using forensics::ColumnText;

// One COPY line, a field at a time.
class Line {
 public:
  explicit Line(std::string& out) : out_(out) {}
  ~Line() { out_ += '\n'; }
  Line& Text(std::string_view v) {
    Sep();
    AppendCopyText(out_, v);
    return *this;
  }
  Line& Null() {
    Sep();
    out_ += kCopyNull;
    return *this;
  }
  Line& Int(int64_t v) {
    Sep();
    fmt::format_to(std::back_inserter(out_), "{}", v);
    return *this;
  }
  // An SQLite column as it is: NULL, integer or text.
  Line& Col(sqlite3_stmt* s, int i) {
    switch (sqlite3_column_type(s, i)) {
      case SQLITE_NULL: return Null();
      case SQLITE_INTEGER: return Int(sqlite3_column_int64(s, i));
      default: return Text(ColumnText(s, i));
    }
  }
  Line& Bool(sqlite3_stmt* s, int i) {
    if (ColumnIsNull(s, i)) return Null();
    Sep();
    out_ += sqlite3_column_int64(s, i) ? 't' : 'f';
    return *this;
  }
  Line& Nulls(int n) {
    for (int k = 0; k < n; ++k) Null();
    return *this;
  }

 private:
  void Sep() {
    if (!first_) out_ += '\t';
    first_ = false;
  }
  std::string& out_;
  bool first_ = true;
};

// The SELECT of each simple stream: id first, then its columns, for run
// ?1 after id ?2, at most ?3 rows.
struct SimpleStream {
  Stream stream;
  const char* table;
  const char* columns;
};
constexpr SimpleStream kSimple[] = {
    {Stream::kProcesses, "processes",
     "id, pid, ppid, tgid, is_thread, exe, argv, cwd, start_ns, end_ns, exit_code, term_signal"},
    {Stream::kExec, "exec_events",
     "id, ts_ns, pid, exe, path, argv, envp, result, errno, action, rule"},
    {Stream::kPolicy, "policy_events",
     "id, ts_ns, pid, exe, abi, nr, syscall, args, action, rule, mode, enforced, category, target, "
     "result, errno"},
    {Stream::kPolicyChanges, "policy_changes", "id, ts_ns, source, name, accepted, message"},
};

const SimpleStream* FindSimple(Stream s) {
  for (const auto& e : kSimple)
    if (e.stream == s) return &e;
  return nullptr;
}

void Widen(Batch& b, int64_t ts) {
  b.min_ts = std::min(b.min_ts, ts);
  b.max_ts = std::max(b.max_ts, ts);
}

// One row of a simple stream as its COPY line (columns: kEventColumns,
// kProcessColumns).
void SimpleLine(Stream stream, sqlite3_stmt* s, int64_t key, Batch& b) {
  Line l(b.copy);
  l.Int(key).Int(sqlite3_column_int64(s, 0));
  switch (stream) {
    case Stream::kProcesses:
      l.Col(s, 1).Col(s, 2).Col(s, 3).Bool(s, 4);
      for (int i = 5; i <= 11; ++i) l.Col(s, i);
      if (ColumnIsNull(s, 9) && b.first_open_seq < 0) b.first_open_seq = sqlite3_column_int64(s, 0);
      return;
    case Stream::kExec:
      Widen(b, sqlite3_column_int64(s, 1));
      // kind ts pid exe syscall abi nr args envp path op net_op flags path2 named
      l.Int(kKindExec).Col(s, 1).Col(s, 2).Col(s, 3).Text("execve").Nulls(2).Col(s, 5).Col(s, 6)
          .Col(s, 4).Nulls(5)
          // family sock_type direction address port fd
          .Nulls(6).Col(s, 7).Col(s, 8).Col(s, 9).Col(s, 10).Nulls(2);
      return;
    case Stream::kPolicy:
      Widen(b, sqlite3_column_int64(s, 1));
      l.Int(kKindPolicy).Col(s, 1).Col(s, 2).Col(s, 3).Col(s, 6).Col(s, 4).Col(s, 5).Col(s, 7)
          .Null().Col(s, 13).Col(s, 12).Nulls(4)
          .Nulls(6).Col(s, 14).Col(s, 15).Col(s, 8).Col(s, 9).Col(s, 10).Bool(s, 11);
      return;
    case Stream::kPolicyChanges:
      Widen(b, sqlite3_column_int64(s, 1));
      // path: the policy file; rule: its name; args: why it was refused.
      l.Int(kKindPolicyChange).Col(s, 1).Nulls(5).Col(s, 5).Null().Col(s, 2).Nulls(5)
          .Nulls(6).Nulls(2).Null().Col(s, 3).Null().Bool(s, 4);
      return;
    case Stream::kCalls:
      return;
  }
}

}  // namespace

absl::Status RunRows::ReadSimple(Stream stream, int64_t after_seq, int limit, Batch& b) {
  const SimpleStream* t = FindSimple(stream);
  auto stmt = forensics::PrepareSql(
      db_, fmt::format("SELECT {} FROM {} WHERE run_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
                       t->columns, t->table));
  if (!stmt.ok()) return stmt.status();
  sqlite3_stmt* s = stmt->get();
  forensics::Binder(s).Int(run_).Int(after_seq).Int(limit);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    SimpleLine(stream, s, key_, b);
    b.last_seq = sqlite3_column_int64(s, 0);
    ++b.rows;
  }
  if (rc != SQLITE_DONE) return forensics::DbError(db_, "", rc);
  return absl::OkStatus();
}

absl::Status RunRows::ReadCalls(int64_t after_seq, int limit, Batch& b) {
  const std::string named = version_ >= 6 ? "c.named" : "NULL";
  auto stmt = forensics::PrepareSql(
      db_, fmt::format("SELECT c.id, c.ts, c.pid, c.exe, c.name, c.abi, c.nr, c.args, c.arg, "
                       "c.result, c.errno, c.action, c.rule, c.path, c.op, c.flags, c.path2, {}, "
                       "n.id, n.op, n.family, n.sock_type, n.direction, n.address, n.port, n.fd "
                       "FROM calls c LEFT JOIN nets n ON n.id = c.id "
                       "WHERE c.id > ?1 AND c.id < ?2 ORDER BY c.id LIMIT ?3",
                       named));
  if (!stmt.ok()) return stmt.status();
  sqlite3_stmt* s = stmt->get();
  const int64_t base = store::RunBase(run_);
  forensics::Binder(s).Int(base + after_seq).Int(store::RunBase(run_ + 1)).Int(limit);
  std::string path_buf, path2_buf, named_buf, args_buf;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    // A live run may have added strings since they were loaded.
    int64_t highest = 0;
    for (int i : {3, 4, 5, 7, 8, 11, 12, 13, 14, 15, 16, 17, 19, 20, 21, 22, 23})
      if (!ColumnIsNull(s, i)) highest = std::max<int64_t>(highest, sqlite3_column_int64(s, i));
    if (!strings_loaded_ || static_cast<size_t>(highest) >= strings_.count()) {
      if (auto st = strings_.Load(db_, run_); !st.ok()) return st;
      strings_loaded_ = true;
    }
    auto text = [&](int i) { return strings_.Text(sqlite3_column_int64(s, i)); };
    auto path = [&](int i, std::string& buf) { return strings_.Path(sqlite3_column_int64(s, i), buf); };
    const bool file = !ColumnIsNull(s, 13), net = !ColumnIsNull(s, 18), sys = !ColumnIsNull(s, 6);
    const int64_t ts = start_ns_ + sqlite3_column_int64(s, 1);
    Widen(b, ts);
    Line l(b.copy);
    l.Int(key_).Int(sqlite3_column_int64(s, 0) - base)
        .Int((file ? kKindFile : 0) | (net ? kKindNet : 0) | (sys ? kKindSyscall : 0))
        .Int(ts).Col(s, 2);
    auto opt_text = [&](int i) -> Line& { return ColumnIsNull(s, i) ? l.Null() : l.Text(text(i)); };
    auto opt_path = [&](int i, std::string& buf) -> Line& {
      return ColumnIsNull(s, i) ? l.Null() : l.Text(path(i, buf));
    };
    opt_text(3);  // exe
    l.Text(text(4));  // syscall
    opt_text(5);
    l.Col(s, 6);
    if (ColumnIsNull(s, 7)) {
      l.Null();
    } else if (ColumnIsNull(s, 8)) {
      l.Text(text(7));
    } else {
      // The template's \x01 is the argument (store/calls.h).
      const int64_t arg = sqlite3_column_int64(s, 8);
      std::string_view value = arg == 0 ? text(13) : arg == 1 ? path(13, path_buf) : text(8);
      args_buf.clear();
      for (char c : text(7)) {
        if (c == '\x01') args_buf += value;
        else args_buf += c;
      }
      l.Text(args_buf);
    }
    l.Null();  // envp
    opt_path(13, path_buf);
    opt_text(14);
    if (net) opt_text(19); else l.Null();
    opt_text(15);
    opt_path(16, path2_buf);
    opt_path(17, named_buf);
    if (net) {
      opt_text(20);
      opt_text(21);
      opt_text(22);
      opt_text(23);
      l.Col(s, 24).Col(s, 25);
    } else {
      l.Nulls(6);
    }
    l.Col(s, 9).Col(s, 10);
    opt_text(11);
    opt_text(12);
    l.Nulls(2);
    b.last_seq = sqlite3_column_int64(s, 0) - base;
    ++b.rows;
  }
  if (rc != SQLITE_DONE) return forensics::DbError(db_, "", rc);
  return absl::OkStatus();
}

absl::StatusOr<Batch> RunRows::Read(Stream stream, int64_t after_seq, int limit) {
  Batch b;
  b.last_seq = after_seq;
  absl::Status s = stream == Stream::kCalls ? ReadCalls(after_seq, limit, b)
                                            : ReadSimple(stream, after_seq, limit, b);
  if (!s.ok()) return s;
  return b;
}

absl::StatusOr<int64_t> RunRows::CountAfter(Stream stream, int64_t after_seq) {
  std::string sql;
  if (stream == Stream::kCalls)
    sql = fmt::format("SELECT count(*) FROM calls WHERE id > {} AND id < {}",
                      store::RunBase(run_) + after_seq, store::RunBase(run_ + 1));
  else
    sql = fmt::format("SELECT count(*) FROM {} WHERE run_id = {} AND id > {}",
                      FindSimple(stream)->table, run_, after_seq);
  auto stmt = forensics::PrepareSql(db_, sql);
  if (!stmt.ok()) return stmt.status();
  if (sqlite3_step(stmt->get()) != SQLITE_ROW) return forensics::DbError(db_, "");
  return sqlite3_column_int64(stmt->get(), 0);
}

}  // namespace warden::fleet
