#include "forensics/export.h"

#include <signal.h>
#include <string.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <tuple>
#include <unordered_map>

#include "fmt/format.h"
#include "syscalls/decode.h"
#include "forensics/event_reader.h"
#include "forensics/output.h"
#include "store/json.h"
#include "forensics/read_db.h"
#include "forensics/timeparse.h"
#include "store/schema.h"
#include "store/sqlite_util.h"

namespace warden::forensics {
namespace {

constexpr size_t kFlushBytes = 1 << 16;

// What each pid was running at a given time. The processes table has the exe
// at fork/start; a successful exec replaces it for the events after it (the
// exec event itself still shows the image that called execve).
class ExeIndex {
 public:
  // Adds the rows not seen by an earlier call (all of them the first time).
  absl::Status Update(sqlite3* db, int64_t run) {
    // {run} is "run_id" the first time (through the run's index), then
    // "+run_id" (the new rows are a range of the rowid: not the whole run).
    constexpr std::string_view kStarts =
        "SELECT pid, start_ns, exe, id FROM processes WHERE {run}=?1 AND id > ?2 "
        "AND start_ns IS NOT NULL AND exe IS NOT NULL AND exe <> ''";
    constexpr std::string_view kExecs =
        "SELECT pid, ts_ns, path, id FROM exec_events WHERE {run}=?1 AND id > ?2 AND errno=0 "
        "AND (result IS NULL OR result=0)";
    std::vector<int> touched;
    for (auto [sql, after, last] : {std::tuple{kStarts, false, &last_process_},
                                    std::tuple{kExecs, true, &last_exec_}}) {
      auto stmt = PrepareSql(db, fmt::format(fmt::runtime(sql),
                                             fmt::arg("run", *last == 0 ? "run_id" : "+run_id")));
      if (!stmt.ok()) return stmt.status();
      sqlite3_stmt* s = stmt->get();
      sqlite3_bind_int64(s, 1, run);
      sqlite3_bind_int64(s, 2, *last);
      int rc;
      while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int pid = sqlite3_column_int(s, 0);
        by_pid_[pid].push_back({sqlite3_column_int64(s, 1), after, std::string(ColumnText(s, 2))});
        touched.push_back(pid);
        *last = std::max<int64_t>(*last, sqlite3_column_int64(s, 3));
      }
      if (rc != SQLITE_DONE) return absl::InternalError(sqlite3_errmsg(db));
    }
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    for (int pid : touched) {
      auto& changes = by_pid_[pid];
      std::stable_sort(changes.begin(), changes.end(),
                       [](const Change& a, const Change& b) { return a.Key() < b.Key(); });
    }
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
  int64_t last_process_ = 0, last_exec_ = 0;
};

// Every field any kind has, in CSV column order (the NDJSON key order of the
// common fields first).
constexpr std::string_view kColumns[] = {
    "run",    "ts",        "time",      "pid",      "exe",      "kind",     "op",         "syscall",
    "abi",    "nr",        "args",      "path",     "path2",    "flags",      "ppid",
    "tgid",   "is_thread", "argv",      "envp",     "argv_truncated",         "cwd",
    "family", "sock_type", "direction", "addr",     "port",     "fd",         "result",
    "errno",  "errno_name", "exit_code", "signal",  "signal_nr", "action",    "rule",
    "mode",   "enforced",  "category",  "target",   "source",   "name",       "accepted",
    "message", "named"};
constexpr size_t kNumColumns = std::size(kColumns);

int ColumnIndex(std::string_view key) {
  for (size_t i = 0; i < kNumColumns; ++i)
    if (kColumns[i] == key) return static_cast<int>(i);
  return -1;
}


// The fields of one event by column (CSV, text), reused from row to row.
using Fields = std::array<std::optional<std::string>, kNumColumns>;

// One event under construction, appended to a shared buffer: as a JSON
// object, or (CSV, text) as cells by column that End() writes out.
class Line {
 public:
  // `cells`: required unless the style is JSON.
  Line(std::string& buf, EventStyle style, Fields* cells) : b_(buf), style_(style), cells_(cells) {
    if (Json()) {
      b_ += '{';
    } else {
      for (auto& c : *cells_) c.reset();
    }
  }
  void End();

  void Int(std::string_view key, int64_t v) {
    if (!Json()) return Cell(key, fmt::format("{}", v));
    Key(key);
    fmt::format_to(std::back_inserter(b_), "{}", v);
  }
  void Str(std::string_view key, std::string_view v) {
    if (!Json()) return Cell(key, std::string(v));
    Key(key);
    b_ += JsonQuote(v);
  }
  void Bool(std::string_view key, bool v) {
    if (!Json()) return Cell(key, v ? "true" : "false");
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
      if (!Json()) return Cell(key, std::string(v));
      Key(key);
      b_ += v;
    }
  }
  void ColErrno(sqlite3_stmt* s, int i) {
    int err = sqlite3_column_int(s, i);
    Int("errno", err);
    if (err == 0) return;
    // Names come from the one errno table (syscalls/); an unknown number has none.
    if (std::string name = syscalls::ErrnoName(err); name[0] == 'E') Str("errno_name", name);
  }

 private:
  bool Json() const { return style_ == EventStyle::kNdjson || style_ == EventStyle::kJsonArray; }
  void Key(std::string_view key) {
    if (!first_) b_ += ',';
    first_ = false;
    b_ += '"';
    b_ += key;  // keys are our own identifiers: no escaping needed
    b_ += "\":";
  }
  void Cell(std::string_view key, std::string v) {
    int i = ColumnIndex(key);
    if (i >= 0) (*cells_)[static_cast<size_t>(i)] = std::move(v);
  }
  const std::string* Get(std::string_view key) const {
    int i = ColumnIndex(key);
    if (i < 0 || !(*cells_)[static_cast<size_t>(i)]) return nullptr;
    return &*(*cells_)[static_cast<size_t>(i)];
  }
  void EndText();

 public:
  std::string Details() const;
  std::string_view Val(std::string_view key) const {
    const std::string* v = Get(key);
    return v ? std::string_view(*v) : std::string_view();
  }

 private:

  std::string& b_;
  const EventStyle style_;
  bool first_ = true;
  Fields* cells_;
};

void Line::End() {
  switch (style_) {
    case EventStyle::kNdjson:
      b_ += "}\n";
      return;
    case EventStyle::kJsonArray:
      b_ += '}';
      return;
    case EventStyle::kCsv:
      for (size_t i = 0; i < kNumColumns; ++i) {
        if (i) b_ += ',';
        if ((*cells_)[i]) b_ += CsvField(*(*cells_)[i]);  // the one CSV writer (output.h)
      }
      b_ += "\r\n";
      return;
    case EventStyle::kText:
      return EndText();
    case EventStyle::kRows:
      return;  // the reader turns the fields into a row
  }
}

// TIME [pid P] KIND details, e.g.
//   2026-11-23T17:33:42.123456Z [pid 12] file read /etc/hosts (openat O_RDONLY) = 3
void Line::EndText() {
  int64_t ts = 0;
  if (const std::string* t = Get("ts")) ts = std::stoll(*t);
  b_ += FormatRfc3339Us(ts);
  if (const std::string* pid = Get("pid")) fmt::format_to(std::back_inserter(b_), " [pid {}]", *pid);
  fmt::format_to(std::back_inserter(b_), " {}", Val("kind"));
  if (std::string d = Details(); !d.empty()) b_ += ' ' + d;
  b_ += '\n';
}

// What happened, for people: the one description of an event, shared by
// the text export (`events --format text`) and `query timeline`. The
// traced program chose the paths and messages: control characters (a
// terminal's escape sequences, line breaks) are shown as \xNN, never
// written raw.
std::string Line::Details() const {
  const std::string_view kind = Val("kind");
  std::string b;
  auto add = [&](std::string_view text) {
    if (text.empty()) return;
    if (!b.empty()) b += ' ';
    b += PrintableText(text);  // the one escaper of text for people (output.h)
  };
  // "= 3", "= -1 ENOENT", "= ?".
  auto result = [&] {
    std::string_view err = Val("errno"), name = Val("errno_name"), res = Val("result");
    if (!err.empty() && err != "0") add(fmt::format("= -1 {}", name.empty() ? err : name));
    else if (!res.empty()) add(fmt::format("= {}", res));
    else add("= ?");
  };
  auto in_parens = [&](std::initializer_list<std::string_view> parts) {
    std::string inner;
    for (std::string_view p : parts)
      if (!p.empty()) inner += inner.empty() ? std::string(p) : " " + std::string(p);
    if (!inner.empty()) add("(" + inner + ")");
  };
  if (kind == "process") {
    if (Val("op") == "exit") {
      if (const std::string* sig = Get("signal")) add("killed by " + *sig);
      else add(fmt::format("exit {}", Val("exit_code").empty() ? "?" : Val("exit_code")));
    } else {
      add(Val("is_thread") == "true" ? "thread start" : "start");
      add(Val("exe"));
      if (!Val("argv").empty() && Val("argv") != "[]") add(fmt::format("[{}]", ArgvWords(Val("argv"))));
      if (!Val("ppid").empty()) add(fmt::format("(ppid {})", Val("ppid")));
    }
  } else if (kind == "exec") {
    add(Val("path"));
    add(fmt::format("[{}]", ArgvWords(Val("argv"))));
    result();
  } else if (kind == "file") {
    add(Val("op"));
    add(Val("path"));
    if (!Val("path2").empty()) add(fmt::format("-> {}", Val("path2")));
    in_parens({Val("syscall"), Val("flags") == "0" ? std::string_view() : Val("flags")});
    result();
  } else if (kind == "net") {
    add(Val("op"));
    add(Val("direction"));
    if (!Val("addr").empty())
      add(Val("port").empty() ? std::string(Val("addr"))
                              : fmt::format("{}:{}", Val("addr"), Val("port")));
    in_parens({Val("family"), Val("sock_type")});
    result();
  } else if (kind == "syscall") {
    add(fmt::format("{}({})", Val("syscall"), Val("args")));
    result();
  } else if (kind == "policy") {
    add(Val("action"));
    add(Val("category"));
    add(Val("target"));
    add(fmt::format("{}({})", Val("syscall"), Val("args")));
    add(fmt::format("[{}{}{}]", Val("rule").empty() ? "default" : Val("rule"),
                    Val("mode").empty() ? "" : ", ", Val("mode")));
    if (Val("enforced") == "false") add("(not enforced)");
  } else if (kind == "policy_change") {
    if (Val("accepted") == "true") {
      add(fmt::format("loaded '{}' from {}", Val("name"), Val("source")));
    } else {
      add(fmt::format("refused {}: {}", Val("source"), Val("message")));
    }
  }
  // The verdict when the policy did something about the call.
  std::string_view action = Val("action");
  if (kind != "policy" && !action.empty() && action != "allow")
    add(fmt::format("[{} by {}]", action, Val("rule").empty() ? "default" : Val("rule")));
  return b;
}


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
    l.Str("signal", syscalls::SignalName(static_cast<int>(*sig)));
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
  l.ColStr("named", s, kFirst + 9);
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

// One query per kind of row: SELECT `columns` FROM `table` WHERE run_id = the
// run `where`, in (`ts`, id) order.
struct Source {
  const char* kind;
  const char* table;
  const char* ts;       // the column that is the event's time
  const char* columns;  // starts with ts, id, pid, exe
  // The same for a version-1 file, which has no verdict columns (every call
  // was allowed); nullptr when the table did not exist yet.
  const char* v1_columns;
  const char* where;  // "" or " AND ..."
  // Process exits are written into the row of the process's start: new
  // once, not by id (for incremental reading).
  bool updated_in_place;
  void (*format)(sqlite3_stmt*, Line&);
};

// Listed in tie-break order for events with the same ts: a policy applies
// before the calls it decides; a process starts before it does anything and
// exits after; a raw syscall comes before the policy hit and the
// file/exec/net event decoded from it.
constexpr Source kSources[] = {
    {"policy_change", "policy_changes", "ts_ns",
     "ts_ns, id, NULL, NULL, source, name, accepted, message", nullptr, "", false,
     FormatPolicyChange},
    {"process", "processes", "start_ns",
     "start_ns, id, pid, exe, ppid, tgid, is_thread, argv, cwd",
     "start_ns, id, pid, exe, ppid, tgid, is_thread, argv, cwd", " AND start_ns IS NOT NULL",
     false, FormatProcessStart},
    {"syscall", "syscall_events", "ts_ns",
     "ts_ns, id, pid, exe, abi, nr, name, args, result, errno, action, rule",
     "ts_ns, id, pid, exe, abi, nr, name, args, result, errno, action, rule", "", false,
     FormatSyscall},
    {"policy", "policy_events", "ts_ns",
     "ts_ns, id, pid, exe, abi, nr, syscall, args, action, rule, mode, enforced, category, "
     "target, result, errno",
     nullptr, "", false, FormatPolicy},
    {"exec", "exec_events", "ts_ns",
     "ts_ns, id, pid, exe, path, argv, envp, argv_truncated, result, errno, action, rule",
     "ts_ns, id, pid, exe, path, argv, envp, argv_truncated, result, errno, 'allow', NULL", "",
     false, FormatExec},
    {"file", "file_events", "ts_ns",
     "ts_ns, id, pid, exe, syscall, path, op, flags, path2, result, errno, action, rule, named",
     "ts_ns, id, pid, exe, syscall, path, op, flags, path2, result, errno, 'allow', NULL, NULL",
     "", false, FormatFile},
    {"net", "net_events", "ts_ns",
     "ts_ns, id, pid, exe, syscall, op, family, sock_type, direction, address, port, fd, "
     "result, errno, action, rule",
     "ts_ns, id, pid, exe, syscall, op, family, sock_type, direction, address, port, fd, "
     "result, errno, 'allow', NULL",
     "", false, FormatNet},
    {"process", "processes", "end_ns", "end_ns, id, pid, NULL, exit_code, term_signal",
     "end_ns, id, pid, NULL, exit_code, term_signal", " AND end_ns IS NOT NULL", true,
     FormatProcessExit},
};

void BindInt(sqlite3_stmt* s, const char* name, int64_t v) {
  if (int i = sqlite3_bind_parameter_index(s, name); i > 0) sqlite3_bind_int64(s, i, v);
}

// One sorted query per source; the export merges their heads.
struct Cursor {
  const Source* source;
  int rank;
  StmtPtr all;    // every row, in (ts, id) order
  StmtPtr fresh;  // incremental: the rows after :after, by id
  sqlite3_stmt* cur = nullptr;  // the one being read
  bool has_row = false;
  int64_t after = 0;  // incremental: the highest id returned so far

  void Use(sqlite3_stmt* s) {
    cur = s;
    sqlite3_reset(cur);
  }
  bool IsProcesses() const { return std::string_view(source->table) == "processes"; }
  absl::Status Advance(sqlite3* db) {
    int rc = sqlite3_step(cur);
    has_row = rc == SQLITE_ROW;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
      return absl::InternalError(fmt::format("reading {} events: {}", source->kind, sqlite3_errmsg(db)));
    return absl::OkStatus();
  }
  std::tuple<int64_t, int, int64_t> Key() const {
    return {sqlite3_column_int64(cur, kTs), rank, sqlite3_column_int64(cur, kId)};
  }
};

// The event as a timeline row (EventStyle::kRows): time, ts_ns, kind (a
// process's start and end apart), pid, exe, action, event.
Cells TimelineRow(const Line& l, int64_t ts) {
  std::string kind(l.Val("kind"));
  if (kind == "process") kind = l.Val("op") == "exit" ? "process_end" : "process_start";
  auto text = [](std::string_view v) { return v.empty() ? Cell::Null() : Cell::Text(std::string(v)); };
  Cell pid = l.Val("pid").empty() ? Cell::Null() : Cell::Int(std::stoll(std::string(l.Val("pid"))));
  return {Cell::Text(FormatRfc3339Ms(ts)), Cell::Int(ts), Cell::Text(kind), pid,
          text(l.Val("exe")), text(l.Val("action")), Cell::Text(l.Details())};
}

void FormatEvent(const Cursor& c, int64_t run, const ExeIndex& exes, EventStyle style,
                 Fields* cells, std::string& buf, Cells* row = nullptr) {
  sqlite3_stmt* s = c.cur;
  int64_t ts = sqlite3_column_int64(s, kTs);
  Line l(buf, style, cells);
  l.Int("run", run);
  l.Int("ts", ts);
  // ts is exact but too big for a double (jq rounds it); time is the same
  // instant as RFC 3339 text with every digit.
  l.Str("time", FormatRfc3339(ts, 9));
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
  if (row) *row = TimelineRow(l, ts);
}

absl::Status Flush(std::string& buf, std::ostream& out) {
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  buf.clear();
  if (!out) return OutputError();
  return absl::OkStatus();
}

}  // namespace

uint32_t KindBit(std::string_view kind) {
  for (size_t i = 0; i < std::size(kEventKinds); ++i)
    if (kEventKinds[i] == kind) return 1u << i;
  return 0;
}

std::string CsvHeader() {
  std::string out;
  for (size_t i = 0; i < kNumColumns; ++i) {
    if (i) out += ',';
    out += kColumns[i];
  }
  out += "\r\n";
  return out;
}

struct EventReader::Impl {
  sqlite3* db;
  int64_t run;
  EventStyle style;
  bool incremental;
  ExeIndex exes;
  Fields cells;
  std::vector<Cursor> cursors;
  bool read_once = false;
  // Incremental: process rows seen whose exit is not yet printed, and the
  // highest process row id seen.
  std::vector<int64_t> pending;  // sorted
  int64_t max_process_id = 0;
  RowSink* rows = nullptr;  // kRows: where the rows go
  Cells row;

  absl::Status ReadAll(std::string& buf, const std::function<absl::Status(std::string&)>& flush,
                       uint64_t* written);
  absl::Status ReadNew(std::string& buf, uint64_t* written);
  // Incremental: notes the row `c` is on as printed.
  void Track(Cursor& c, std::vector<int64_t>& started, std::vector<int64_t>& ended) {
    const int64_t id = sqlite3_column_int64(c.cur, kId);
    if (c.source->updated_in_place) {
      ended.push_back(id);
    } else {
      c.after = std::max<int64_t>(c.after, id);
      if (c.IsProcesses()) started.push_back(id);
    }
    if (c.IsProcesses()) max_process_id = std::max<int64_t>(max_process_id, id);
  }
  // Process rows printed without their exit wait for it; those with it are done.
  void Settle(const std::vector<int64_t>& started, std::vector<int64_t>& ended) {
    std::sort(ended.begin(), ended.end());
    for (int64_t id : started)
      if (!std::binary_search(ended.begin(), ended.end(), id)) pending.push_back(id);
    std::sort(pending.begin(), pending.end());
    std::erase_if(pending,
                  [&](int64_t id) { return std::binary_search(ended.begin(), ended.end(), id); });
  }
  void Separate(std::string& buf, uint64_t* written) {
    if (style == EventStyle::kJsonArray && *written > 0) buf += ",\n";
    ++*written;
  }
};

EventReader::EventReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EventReader::~EventReader() = default;

absl::StatusOr<std::unique_ptr<EventReader>> EventReader::Create(sqlite3* db, int version,
                                                                 int64_t run,
                                                                 const EventSelection& selection,
                                                                 EventStyle style,
                                                                 bool incremental) {
  auto impl = std::make_unique<Impl>();
  impl->db = db;
  impl->run = run;
  impl->style = style;
  impl->incremental = incremental;
  for (const Source& src : kSources) {
    if (!(selection.kinds & KindBit(src.kind))) continue;
    // A policy change is the run's, not a thread's: none when one pid is asked for.
    if (selection.pid && std::string_view(src.table) == "policy_changes") continue;
    std::string columns = src.columns;
    if (version < 2) {
      if (!src.v1_columns) continue;
      columns = src.v1_columns;
    } else if (version < 6 && columns.ends_with(", named")) {
      columns.replace(columns.size() - 5, 5, "NULL");  // before version 6: no named column
    }
    const std::string run_rows = RunRows(version, src.table, ":run");
    std::string sql =
        fmt::format("SELECT {} FROM {} WHERE {}{}", columns, src.table, run_rows, src.where);
    if (selection.from_ns) sql += fmt::format(" AND {} >= :from", src.ts);
    if (selection.to_ns) sql += fmt::format(" AND {} <= :to", src.ts);
    if (selection.pid) sql += " AND pid = :pid";
    sql += fmt::format(" ORDER BY {}, id", src.ts);
    auto all = PrepareSql(db, sql);
    if (!all.ok()) return all.status();
    BindInt(all->get(), ":run", run);
    if (selection.from_ns) BindInt(all->get(), ":from", *selection.from_ns);
    if (selection.to_ns) BindInt(all->get(), ":to", *selection.to_ns);
    if (selection.pid) BindInt(all->get(), ":pid", *selection.pid);
    Cursor c{&src, static_cast<int>(impl->cursors.size()), std::move(*all)};
    if (incremental) {
      // By id: the new rows are a range of the rowid, whatever the run's
      // size ("+run_id": not through the run's index, which would visit
      // every row of the run at every read). Sorted by time in memory.
      // From version 4 file and syscall events are a range of ids already.
      const std::string run_filter = run_rows.starts_with("id ") ? run_rows : "+run_id=:run";
      auto fresh = PrepareSql(
          db, fmt::format("SELECT {} FROM {} WHERE id {} :after AND {}{} ORDER BY id", columns,
                          src.table, src.updated_in_place ? ">=" : ">", run_filter, src.where));
      if (!fresh.ok()) return fresh.status();
      BindInt(fresh->get(), ":run", run);
      c.fresh = std::move(*fresh);
    }
    impl->cursors.push_back(std::move(c));
  }
  return std::unique_ptr<EventReader>(new EventReader(std::move(impl)));
}

absl::Status EventReader::Read(std::string& buf,
                               const std::function<absl::Status(std::string&)>& flush,
                               uint64_t* written) {
  if (auto s = impl_->exes.Update(impl_->db, impl_->run); !s.ok()) return s;
  // The first read streams (a long run need not fit in memory); the next
  // ones read what is new.
  if (!impl_->read_once) {
    impl_->read_once = true;
    return impl_->ReadAll(buf, flush, written);
  }
  return impl_->ReadNew(buf, written);
}

absl::Status EventReader::ReadRows(RowSink& sink) {
  if (impl_->style != EventStyle::kRows || impl_->incremental || impl_->read_once)
    return absl::InternalError("ReadRows needs a new, non-incremental reader of style kRows");
  if (auto s = impl_->exes.Update(impl_->db, impl_->run); !s.ok()) return s;
  impl_->read_once = true;
  impl_->rows = &sink;
  std::string unused;
  uint64_t written = 0;
  auto s = impl_->ReadAll(unused, [](std::string&) { return absl::OkStatus(); }, &written);
  impl_->rows = nullptr;
  return s;
}

absl::Status EventReader::Impl::ReadAll(std::string& buf,
                                        const std::function<absl::Status(std::string&)>& flush,
                                        uint64_t* written) {
  for (Cursor& c : cursors) {
    c.Use(c.all.get());
    if (auto s = c.Advance(db); !s.ok()) return s;
  }
  std::vector<int64_t> started, ended;
  for (;;) {
    Cursor* next = nullptr;
    for (Cursor& c : cursors)
      if (c.has_row && (!next || c.Key() < next->Key())) next = &c;
    if (!next) break;
    if (rows != nullptr) {
      FormatEvent(*next, run, exes, style, &cells, buf, &row);
      if (auto s = rows->Row(row); !s.ok()) return s;
    } else {
      Separate(buf, written);
      FormatEvent(*next, run, exes, style, &cells, buf);
    }
    if (incremental) Track(*next, started, ended);
    if (auto s = next->Advance(db); !s.ok()) return s;
    if (buf.size() >= kFlushBytes)
      if (auto s = flush(buf); !s.ok()) return s;
  }
  if (incremental) Settle(started, ended);
  return absl::OkStatus();
}

absl::Status EventReader::Impl::ReadNew(std::string& buf, uint64_t* written) {
  struct Row {
    std::tuple<int64_t, int, int64_t> key;
    std::string text;
  };
  std::vector<Row> rows;
  // Process exits: rows not seen before this read, and those whose exit is
  // pending (the state before this read: the starts read now are new too).
  const int64_t seen_before = max_process_id;
  const int64_t exit_after =
      pending.empty() ? seen_before + 1 : std::min(pending.front(), seen_before + 1);
  std::vector<int64_t> started, ended;  // process rows whose start / exit is printed now
  for (Cursor& c : cursors) {
    c.Use(c.fresh.get());
    BindInt(c.cur, ":after", c.source->updated_in_place ? exit_after : c.after);
    for (;;) {
      if (auto st = c.Advance(db); !st.ok()) return st;
      if (!c.has_row) break;
      const int64_t id = sqlite3_column_int64(c.cur, kId);
      // An exit is new for a row not seen before, or one whose exit is pending.
      if (c.source->updated_in_place && id <= seen_before &&
          !std::binary_search(pending.begin(), pending.end(), id))
        continue;
      Track(c, started, ended);
      Row r{c.Key(), {}};
      FormatEvent(c, run, exes, style, &cells, r.text);
      rows.push_back(std::move(r));
    }
  }
  Settle(started, ended);
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.key < b.key; });
  for (Row& r : rows) {
    Separate(buf, written);
    buf += r.text;
  }
  return absl::OkStatus();
}

namespace {

absl::Status ExportRuns(sqlite3* db, int version, const std::string& path,
                        const ExportOptions& options, std::ostream& out) {
  auto runs = ReadRuns(db, version);
  if (!runs.ok()) return runs.status();
  std::vector<int64_t> ids;
  for (const auto& r : *runs)
    if (!options.run_id || r.id == *options.run_id) ids.push_back(r.id);
  if (options.run_id && ids.empty()) return UnknownRun(path, *options.run_id, *runs);
  EventSelection selection{options.from_ns, options.to_ns, 0};
  if (options.kinds.empty()) selection.kinds = ~0u;
  for (const auto& k : options.kinds) selection.kinds |= KindBit(k);
  EventStyle style = EventStyle::kNdjson;
  std::string buf;
  if (options.format == ExportFormat::kJson) {
    style = EventStyle::kJsonArray;
    buf = "[\n";
  } else if (options.format == ExportFormat::kCsv) {
    style = EventStyle::kCsv;
    buf = CsvHeader();
  }
  auto flush = [&out](std::string& b) { return Flush(b, out); };
  uint64_t written = 0;
  for (int64_t id : ids) {
    auto reader = EventReader::Create(db, version, id, selection, style, /*incremental=*/false);
    if (!reader.ok()) return reader.status();
    if (auto s = (*reader)->Read(buf, flush, &written); !s.ok()) return s;
  }
  if (options.format == ExportFormat::kJson) buf += written ? "\n]\n" : "]\n";
  if (auto s = Flush(buf, out); !s.ok()) return s;
  out.flush();
  if (!out) return OutputError();
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ParseKinds(std::string_view list) {
  std::vector<std::string> kinds;
  size_t i = 0;
  for (;;) {
    size_t j = list.find(',', i);
    std::string_view k = list.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i);
    if (!KindBit(k))
      return absl::InvalidArgumentError(
          fmt::format("unknown kind '{}'; kinds: {}", k, fmt::join(kEventKinds, ", ")));
    kinds.emplace_back(k);
    if (j == std::string_view::npos) break;
    i = j + 1;
  }
  return kinds;
}

std::vector<std::string> CsvColumns() { return {std::begin(kColumns), std::end(kColumns)}; }

absl::StatusOr<std::vector<RunSummary>> ListRuns(const std::string& db_path) {
  auto db = OpenReadOnly(db_path);
  if (!db.ok()) return db.status();
  return ReadRuns(db->db.get(), db->version);
}

absl::Status Export(const std::string& db_path, const ExportOptions& options, std::ostream& out) {
  for (const auto& k : options.kinds)
    if (!KindBit(k)) return absl::InvalidArgumentError(fmt::format("unknown kind '{}'", k));
  auto db = OpenReadOnly(db_path);
  if (!db.ok()) return db.status();
  // One read transaction: every cursor sees the same snapshot even while a
  // run is still being recorded into the file.
  sqlite3* conn = db->db.get();
  if (auto s = ExecSql(conn, "BEGIN"); !s.ok()) return s;
  // Read again inside the snapshot: a warden may have upgraded the file since.
  int version = 0;
  absl::Status s = CheckVersion(conn, db_path, &version);
  if (s.ok()) s = ExportRuns(conn, version, db_path, options, out);
  ExecSql(conn, "COMMIT").IgnoreError();
  return s;
}

absl::Status ExportNdjson(const std::string& db_path, std::optional<int64_t> run_id,
                          std::ostream& out) {
  return Export(db_path, ExportOptions{.run_id = run_id}, out);
}

}  // namespace warden::forensics
