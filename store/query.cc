#include "store/query.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>
#include <unordered_map>

#include "absl/container/flat_hash_map.h"
#include "fmt/format.h"
#include "store/calls.h"
#include "store/export.h"
#include "store/json.h"
#include "store/read_db.h"
#include "store/schema.h"
#include "store/sqlite_util.h"
#include "store/timeparse.h"

namespace warden::store {

const char* const kWrittenOps[] = {"write", "create", "truncate", "unlink", "rmdir", "mkdir", "rename",
                                   "link",  "symlink", "chmod", "chown", "utime", "mknod", nullptr};

namespace {

constexpr int kBusyTimeoutMs = 10000;
// Rows the `who` plan probes count at most (see UsePathIndex).
constexpr int kWhoProbeLimit = 50000;

// The tables and views every query reads (warden-db(5)); version 2 added
// policy_events and policy_changes.
constexpr const char* kRequired[] = {"runs",       "processes",      "file_events", "exec_events",
                                     "net_events", "syscall_events"};

// A successful call: no errno, and a result that is not negative or was not
// recorded (NULL: --no-results, or the process died inside the call).
constexpr std::string_view kOk = "errno = 0 AND (result IS NULL OR result >= 0)";

std::string NetOk() {
  // A non-blocking connect returns EINPROGRESS and still reaches the peer.
  return fmt::format("(({}) OR (op = 'connect' AND errno = {}))", kOk, EINPROGRESS);
}

std::string WrittenOpsSql() {
  std::string out;
  for (const char* const* op = kWrittenOps; *op; ++op) out += fmt::format("{}'{}'", out.empty() ? "" : ",", *op);
  return out;
}

absl::Status SqlError(sqlite3* db, std::string_view what) {
  // Corruption may only show on the page a query reaches: say so, with the
  // file, like Open does.
  const int code = sqlite3_errcode(db) & 0xff;
  const char* file = sqlite3_db_filename(db, "main");
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
    return absl::FailedPreconditionError(fmt::format(
        "'{}' is a corrupt database ({}); it was left as it is. Restore it from a copy, or try "
        "`sqlite3 {} .recover`",
        file ? file : "?", sqlite3_errmsg(db), file ? file : "FILE"));
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
    return absl::UnavailableError(fmt::format("'{}' is locked by another program ({}); try again when it is done",
                                              file ? file : "?", sqlite3_errmsg(db)));
  return absl::InternalError(fmt::format("{}: {}", what, sqlite3_errmsg(db)));
}

// sqlite3_prepare_v2 (not PERSISTENT like PrepareSql): these statements run
// once, and a bound GLOB pattern must be able to re-plan the statement.
absl::StatusOr<StmtPtr> Prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr) != SQLITE_OK)
    return SqlError(db, "preparing a query");
  return StmtPtr(raw);
}

// Steps `s` and calls fn(s) for each row.
template <typename Fn>
absl::Status ForEachRow(sqlite3* db, sqlite3_stmt* s, Fn&& fn) {
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW)
    if (absl::Status st = fn(s); !st.ok()) return st;
  if (rc != SQLITE_DONE) return SqlError(db, "reading the database");
  return absl::OkStatus();
}

absl::StatusOr<int64_t> QueryInt(sqlite3* db, std::string_view sql, std::optional<int64_t> p1 = {},
                                 std::optional<std::string_view> p2 = {}) {
  auto stmt = Prepare(db, sql);
  if (!stmt.ok()) return stmt.status();
  if (p1) sqlite3_bind_int64(stmt->get(), 1, *p1);
  if (p2) sqlite3_bind_text(stmt->get(), 2, p2->data(), static_cast<int>(p2->size()), SQLITE_TRANSIENT);
  int rc = sqlite3_step(stmt->get());
  if (rc == SQLITE_ROW) return sqlite3_column_int64(stmt->get(), 0);
  if (rc == SQLITE_DONE) return 0;
  return SqlError(db, "reading the database");
}

// A read transaction: every statement inside sees one snapshot, also while
// a run is being recorded into the file.
class ReadTxn {
 public:
  explicit ReadTxn(sqlite3* db) : db_(db) { ok_ = ExecSql(db, "BEGIN").ok(); }
  ~ReadTxn() {
    if (ok_) ExecSql(db_, "COMMIT").IgnoreError();
  }

 private:
  sqlite3* db_;
  bool ok_;
};

std::string Str(sqlite3_stmt* s, int i) { return std::string(ColumnText(s, i)); }

Cell TimeCell(std::optional<int64_t> ns) { return ns ? Cell::Text(FormatRfc3339Ms(*ns)) : Cell::Null(); }

Cell ErrnoCell(int err) { return err ? Cell::Text(ErrnoText(err)) : Cell::Null(); }

// "3", "-1 ENOENT", "?" (not recorded).
std::string ResultText(sqlite3_stmt* s, int result_col, int errno_col) {
  int err = sqlite3_column_int(s, errno_col);
  if (err) return fmt::format("-1 {}", ErrnoText(err));
  if (ColumnIsNull(s, result_col)) return "?";
  return std::to_string(sqlite3_column_int64(s, result_col));
}

// "1-3, 7, 9-12": run ids for messages.
std::string IdRanges(const std::vector<int64_t>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size();) {
    size_t j = i;
    while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1) ++j;
    if (!out.empty()) out += ", ";
    out += j == i ? std::to_string(ids[i]) : fmt::format("{}-{}", ids[i], ids[j]);
    i = j + 1;
  }
  return out;
}

// ---------------------------------------------------------------------------
// JSON arrays of strings (argv) back to words.

bool ParseJsonStrings(std::string_view t, std::vector<std::string>* out) {
  size_t i = 0;
  auto ws = [&] {
    while (i < t.size() && (t[i] == ' ' || t[i] == '\n' || t[i] == '\t' || t[i] == '\r')) ++i;
  };
  auto hex4 = [&](uint32_t* v) {
    if (i + 4 > t.size()) return false;
    *v = 0;
    for (int k = 0; k < 4; ++k) {
      char h = t[i++];
      *v <<= 4;
      if (h >= '0' && h <= '9') *v |= h - '0';
      else if (h >= 'a' && h <= 'f') *v |= h - 'a' + 10;
      else if (h >= 'A' && h <= 'F') *v |= h - 'A' + 10;
      else return false;
    }
    return true;
  };
  auto utf8 = [](std::string& s, uint32_t cp) {
    if (cp < 0x80) {
      s += static_cast<char>(cp);
    } else if (cp < 0x800) {
      s += static_cast<char>(0xC0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      s += static_cast<char>(0xE0 | (cp >> 12));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      s += static_cast<char>(0xF0 | (cp >> 18));
      s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    }
  };
  ws();
  if (i >= t.size() || t[i++] != '[') return false;
  ws();
  if (i < t.size() && t[i] == ']') {
    ++i;
    ws();
    return i == t.size();
  }
  for (;;) {
    ws();
    if (i >= t.size() || t[i++] != '"') return false;
    std::string s;
    for (;;) {
      if (i >= t.size()) return false;
      char c = t[i++];
      if (c == '"') break;
      if (c != '\\') {
        s += c;
        continue;
      }
      if (i >= t.size()) return false;
      char e = t[i++];
      switch (e) {
        case '"': s += '"'; break;
        case '\\': s += '\\'; break;
        case '/': s += '/'; break;
        case 'b': s += '\b'; break;
        case 'f': s += '\f'; break;
        case 'n': s += '\n'; break;
        case 'r': s += '\r'; break;
        case 't': s += '\t'; break;
        case 'u': {
          uint32_t cp = 0;
          if (!hex4(&cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < t.size() && t[i] == '\\' && t[i + 1] == 'u') {
            i += 2;
            uint32_t lo = 0;
            if (!hex4(&lo) || lo < 0xDC00 || lo > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          // \u0080-\u00ff: how JsonQuote keeps a byte that was not UTF-8
          // (valid text is written as it is): the byte itself.
          if (cp >= 0x80 && cp <= 0xFF) s += static_cast<char>(cp);
          else utf8(s, cp);
          break;
        }
        default: return false;
      }
    }
    out->push_back(std::move(s));
    ws();
    if (i < t.size() && t[i] == ',') {
      ++i;
      continue;
    }
    if (i < t.size() && t[i] == ']') {
      ++i;
      ws();
      return i == t.size();
    }
    return false;
  }
}

std::string ShellWord(std::string_view w) {
  bool plain = !w.empty();
  for (char c : w)
    if (!(isalnum(static_cast<unsigned char>(c)) || strchr("_@%+=:,./-", c))) plain = false;
  if (plain) return std::string(w);
  std::string out = "'";
  for (char c : w) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

// Control characters would break a text line: shown escaped.
std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\r') out += "\\r";
    else if (u < 0x20 || u == 0x7f) out += fmt::format("\\x{:02x}", u);
    else out += c;
  }
  return out;
}

// Display width of UTF-8 text: code points (good enough for paths and
// commands; wide characters are rare there).
size_t Width(std::string_view s) {
  size_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

// ---------------------------------------------------------------------------
// Writers.

class TextWriter : public RowSink {
 public:
  TextWriter(std::ostream& out, TextOptions options) : out_(out), options_(std::move(options)) {}

  absl::Status Begin(const std::vector<std::string>& columns) override {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (std::find(options_.hide.begin(), options_.hide.end(), columns[i]) != options_.hide.end())
        continue;
      visible_.push_back(i);
      std::string h;
      for (char c : columns[i]) h += static_cast<char>(toupper(static_cast<unsigned char>(c)));
      header_.push_back(std::move(h));
    }
    numeric_.assign(visible_.size(), false);
    typed_.assign(visible_.size(), false);
    return absl::OkStatus();
  }

  absl::Status Row(const Cells& row) override {
    std::vector<std::string> texts;
    for (size_t k = 0; k < visible_.size(); ++k) {
      const Cell& c = row[visible_[k]];
      if (!typed_[k] && !c.is_null()) {
        typed_[k] = true;
        numeric_[k] = c.type == Cell::kInt || c.type == Cell::kReal;
      }
      texts.push_back(Display(c));
    }
    ++rows_;
    if (!flushed_) {
      buffer_.push_back(std::move(texts));
      if (buffer_.size() >= options_.buffer_rows) Flush();
    } else {
      Line(texts);
    }
    return Check();
  }

  absl::Status End() override {
    if (rows_ == 0) {
      out_ << "(no rows)\n";
    } else if (!flushed_) {
      Flush();
    }
    out_.flush();
    return Check();
  }

 private:
  static std::string Display(const Cell& c) {
    switch (c.type) {
      case Cell::kNull: return "-";
      case Cell::kJson: return Printable(ArgvWords(c.s));
      default: return Printable(c.ToText());
    }
  }

  void Flush() {
    widths_.assign(visible_.size(), 0);
    for (size_t k = 0; k < visible_.size(); ++k) widths_[k] = Width(header_[k]);
    for (const auto& r : buffer_)
      for (size_t k = 0; k < r.size(); ++k) widths_[k] = std::max(widths_[k], Width(r[k]));
    // A header over a right-aligned number column is right-aligned too.
    Line(header_);
    for (const auto& r : buffer_) Line(r);
    buffer_.clear();
    flushed_ = true;
  }

  void Line(const std::vector<std::string>& texts) {
    std::string line;
    for (size_t k = 0; k < texts.size(); ++k) {
      const bool last = k + 1 == texts.size();
      size_t pad = widths_[k] > Width(texts[k]) ? widths_[k] - Width(texts[k]) : 0;
      if (k) line += "  ";
      if (numeric_[k]) {
        line.append(pad, ' ');
        line += texts[k];
      } else {
        line += texts[k];
        if (!last) line.append(pad, ' ');
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out_ << line << '\n';
  }

  absl::Status Check() {
    if (!out_) return absl::UnavailableError("writing the output failed");
    return absl::OkStatus();
  }

  std::ostream& out_;
  TextOptions options_;
  std::vector<size_t> visible_;
  std::vector<std::string> header_;
  std::vector<bool> numeric_, typed_;
  std::vector<size_t> widths_;
  std::vector<std::vector<std::string>> buffer_;
  bool flushed_ = false;
  size_t rows_ = 0;
};

class JsonWriter : public RowSink {
 public:
  explicit JsonWriter(std::ostream& out) : out_(out) {}

  absl::Status Begin(const std::vector<std::string>& columns) override {
    // Keys must be unique in an object: a repeated column name gets _2, _3.
    std::map<std::string, int> seen;
    for (const auto& c : columns) {
      int n = ++seen[c];
      keys_.push_back(JsonQuote(n == 1 ? c : fmt::format("{}_{}", c, n)));
    }
    out_ << "[";
    return Check();
  }

  absl::Status Row(const Cells& row) override {
    std::string line = first_ ? "\n{" : ",\n{";
    first_ = false;
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) line += ',';
      line += keys_[i];
      line += ':';
      line += Value(row[i]);
    }
    line += '}';
    out_ << line;
    return Check();
  }

  absl::Status End() override {
    out_ << (first_ ? "]\n" : "\n]\n");
    out_.flush();
    return Check();
  }

 private:
  static std::string Value(const Cell& c) {
    switch (c.type) {
      case Cell::kNull: return "null";
      case Cell::kInt: return std::to_string(c.i);
      case Cell::kReal: return std::isfinite(c.d) ? fmt::format("{}", c.d) : "null";
      case Cell::kText: return JsonQuote(c.s);
      case Cell::kJson: return c.s.empty() ? "null" : c.s;
    }
    return "null";
  }
  absl::Status Check() {
    if (!out_) return absl::UnavailableError("writing the output failed");
    return absl::OkStatus();
  }

  std::ostream& out_;
  std::vector<std::string> keys_;
  bool first_ = true;
};

class CsvWriter : public RowSink {
 public:
  explicit CsvWriter(std::ostream& out) : out_(out) {}

  absl::Status Begin(const std::vector<std::string>& columns) override {
    std::string line;
    for (size_t i = 0; i < columns.size(); ++i) line += (i ? "," : "") + CsvField(columns[i]);
    out_ << line << "\r\n";
    return Check();
  }
  absl::Status Row(const Cells& row) override {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) line += (i ? "," : "") + CsvField(row[i].ToText());
    out_ << line << "\r\n";
    return Check();
  }
  absl::Status End() override {
    out_.flush();
    return Check();
  }

 private:
  absl::Status Check() {
    if (!out_) return absl::UnavailableError("writing the output failed");
    return absl::OkStatus();
  }
  std::ostream& out_;
};

// ---------------------------------------------------------------------------
// Opening.

absl::Status OpenError(const std::string& path, sqlite3* db, int rc) {
  int code = rc & 0xff;
  std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (code == SQLITE_NOTADB)
    return absl::FailedPreconditionError(fmt::format(
        "'{}' is not a warden database (not an SQLite file: {}); give --db the file that "
        "`warden run --db FILE` recorded into",
        path, detail));
  if (code == SQLITE_CORRUPT)
    return absl::FailedPreconditionError(fmt::format(
        "'{}' is a corrupt database ({}); it was left as it is. Restore it from a copy, or "
        "try `sqlite3 {} .recover`",
        path, detail, path));
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
    return absl::UnavailableError(fmt::format(
        "'{}' is locked by another program ({}); try again when it is done", path, detail));
  if (code == SQLITE_CANTOPEN || code == SQLITE_PERM || code == SQLITE_AUTH)
    return absl::UnavailableError(fmt::format("cannot open '{}': {}", path, detail));
  return absl::FailedPreconditionError(
      fmt::format("cannot read '{}' as a warden database: {}", path, detail));
}

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

// ---------------------------------------------------------------------------
// The timeline: one sorted statement per kind, merged.

enum : int { kTs = 0, kId = 1, kPid = 2, kExe = 3, kAction = 4, kFirst = 5 };

using Describe = std::string (*)(sqlite3_stmt*);

std::string DescribeStart(sqlite3_stmt* s) {
  std::string d = "start";
  if (!ColumnIsNull(s, kFirst)) d += fmt::format(", parent {}", sqlite3_column_int64(s, kFirst));
  if (sqlite3_column_int(s, kFirst + 2))
    d += fmt::format(", thread of {}", sqlite3_column_int64(s, kFirst + 1));
  if (auto argv = ColumnText(s, kFirst + 3); !argv.empty()) d += ": " + ArgvWords(argv);
  return d;
}

std::string DescribeEnd(sqlite3_stmt* s) {
  if (!ColumnIsNull(s, kFirst + 1))
    return fmt::format("killed by {}", SignalName(sqlite3_column_int(s, kFirst + 1)));
  if (!ColumnIsNull(s, kFirst)) return fmt::format("exit {}", sqlite3_column_int64(s, kFirst));
  return "end";
}

std::string Verdict(sqlite3_stmt* s, int rule_col) {
  std::string_view action = ColumnText(s, kAction);
  if (action.empty() || action == "allow") return "";
  std::string_view rule = ColumnText(s, rule_col);
  return rule.empty() ? fmt::format(" [{}]", action) : fmt::format(" [{} by {}]", action, rule);
}

// syscall: name(args) = result
std::string DescribeSyscall(sqlite3_stmt* s) {
  return fmt::format("{}({}) = {}{}", ColumnText(s, kFirst), ColumnText(s, kFirst + 1),
                     ResultText(s, kFirst + 2, kFirst + 3), Verdict(s, kFirst + 4));
}

// policy: action syscall target (rule, category) = result
std::string DescribePolicy(sqlite3_stmt* s) {
  std::string_view target = ColumnText(s, kFirst + 1);
  std::string d = fmt::format("{} {} {}", ColumnText(s, kAction), ColumnText(s, kFirst),
                              target.empty() ? fmt::format("({})", ColumnText(s, kFirst + 2))
                                             : std::string(target));
  d += fmt::format(" (rule {}, {}", ColumnText(s, kFirst + 3), ColumnText(s, kFirst + 4));
  if (!sqlite3_column_int(s, kFirst + 5)) d += ", not enforced";
  d += fmt::format(") = {}", ResultText(s, kFirst + 6, kFirst + 7));
  return d;
}

// exec: path argv = result
std::string DescribeExec(sqlite3_stmt* s) {
  return fmt::format("exec {} [{}] = {}{}", ColumnText(s, kFirst), ArgvWords(ColumnText(s, kFirst + 1)),
                     ResultText(s, kFirst + 2, kFirst + 3), Verdict(s, kFirst + 4));
}

// file: syscall path [-> path2] (op, flags) = result
std::string DescribeFile(sqlite3_stmt* s) {
  std::string d = fmt::format("{} {}", ColumnText(s, kFirst), ColumnText(s, kFirst + 1));
  if (auto p2 = ColumnText(s, kFirst + 4); !p2.empty()) d += fmt::format(" -> {}", p2);
  d += fmt::format(" ({}", ColumnText(s, kFirst + 2));
  if (auto flags = ColumnText(s, kFirst + 3); !flags.empty()) d += fmt::format(", {}", flags);
  d += fmt::format(") = {}{}", ResultText(s, kFirst + 5, kFirst + 6), Verdict(s, kFirst + 7));
  return d;
}

// net: syscall family type address:port direction = result
std::string DescribeNet(sqlite3_stmt* s) {
  std::string d(ColumnText(s, kFirst));
  for (int i : {kFirst + 1, kFirst + 2})
    if (auto v = ColumnText(s, i); !v.empty()) d += fmt::format(" {}", v);
  if (auto addr = ColumnText(s, kFirst + 4); !addr.empty()) {
    d += ColumnIsNull(s, kFirst + 5) ? fmt::format(" {}", addr)
                                     : fmt::format(" {}:{}", addr, sqlite3_column_int64(s, kFirst + 5));
  }
  if (auto dir = ColumnText(s, kFirst + 3); !dir.empty()) d += fmt::format(" ({})", dir);
  d += fmt::format(" = {}{}", ResultText(s, kFirst + 6, kFirst + 7), Verdict(s, kFirst + 8));
  return d;
}

struct TimelineSource {
  const char* kind;    // as the timeline prints it
  const char* filter;  // --kind name
  const char* select;  // columns; then FROM and the time column below
  const char* from;
  const char* ts;      // the time column
  Describe describe;
};

// In the export's tie-break order: a process starts before it does
// anything; a raw syscall before the policy hit and the file/exec/net event
// decoded from it; a process ends last.
constexpr TimelineSource kTimeline[] = {
    {"process_start", "process", "start_ns, id, pid, exe, NULL, ppid, tgid, is_thread, argv",
     "processes", "start_ns", DescribeStart},
    {"syscall", "syscall", "ts_ns, id, pid, exe, action, name, args, result, errno, rule",
     "syscall_events", "ts_ns", DescribeSyscall},
    {"policy", "policy",
     "ts_ns, id, pid, exe, action, syscall, target, args, rule, category, enforced, result, errno",
     "policy_events", "ts_ns", DescribePolicy},
    {"exec", "exec", "ts_ns, id, pid, exe, action, path, argv, result, errno, rule", "exec_events",
     "ts_ns", DescribeExec},
    {"file", "file",
     "ts_ns, id, pid, exe, action, syscall, path, op, flags, path2, result, errno, rule",
     "file_events", "ts_ns", DescribeFile},
    {"net", "net",
     "ts_ns, id, pid, exe, action, syscall, family, sock_type, direction, address, port, result, "
     "errno, rule",
     "net_events", "ts_ns", DescribeNet},
    {"process_end", "process", "end_ns, id, pid, exe, NULL, exit_code, term_signal", "processes",
     "end_ns", DescribeEnd},
};

struct TimelineCursor {
  const TimelineSource* source;
  int rank;
  StmtPtr stmt;
  bool has_row = false;

  absl::Status Advance(sqlite3* db) {
    int rc = sqlite3_step(stmt.get());
    has_row = rc == SQLITE_ROW;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
      return SqlError(db, fmt::format("reading {} events", source->kind));
    return absl::OkStatus();
  }
  std::tuple<int64_t, int, int64_t> Key() const {
    return {sqlite3_column_int64(stmt.get(), kTs), rank, sqlite3_column_int64(stmt.get(), kId)};
  }
};

}  // namespace

// ---------------------------------------------------------------------------

std::string Cell::ToText() const {
  switch (type) {
    case kNull: return "";
    case kInt: return std::to_string(i);
    case kReal: return fmt::format("{}", d);
    case kText:
    case kJson: return s;
  }
  return "";
}

std::optional<OutputFormat> ParseOutputFormat(std::string_view name) {
  if (name == "text") return OutputFormat::kText;
  if (name == "json") return OutputFormat::kJson;
  if (name == "csv") return OutputFormat::kCsv;
  return std::nullopt;
}

std::unique_ptr<RowSink> MakeRowWriter(OutputFormat format, std::ostream& out, TextOptions text) {
  switch (format) {
    case OutputFormat::kText: return std::make_unique<TextWriter>(out, std::move(text));
    case OutputFormat::kJson: return std::make_unique<JsonWriter>(out);
    case OutputFormat::kCsv: return std::make_unique<CsvWriter>(out);
  }
  return nullptr;
}

std::string CsvField(std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += "\"\"";
    else out += c;
  }
  return out + "\"";
}

std::string ArgvWords(std::string_view json_array) {
  std::vector<std::string> words;
  if (!ParseJsonStrings(json_array, &words)) return std::string(json_array);
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ' ';
    out += ShellWord(w);
  }
  return out;
}

std::string PrintableText(std::string_view s) { return Printable(s); }

std::string ErrnoText(int err) {
  std::string name = ErrnoName(err);
  return name.empty() ? fmt::format("E{}", err) : name;
}

std::string GlobLiteralPrefix(std::string_view glob) {
  size_t n = glob.find_first_of("*?[");
  return std::string(glob.substr(0, n));
}

// ---------------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<QueryDb>> QueryDb::Open(const std::string& path) {
  // Read-only (nothing here can change the file, whatever the SQL), with
  // the checks every reader makes (read_db.h); then the tables queries need.
  auto opened = OpenReadOnly(path);
  if (!opened.ok()) return opened.status();
  DbPtr db = std::move(opened->db);
  const int version = opened->version;
  sqlite3_extended_result_codes(db.get(), 1);
  int rc = SQLITE_OK;
  std::vector<std::string> have;
  {
    sqlite3_stmt* s = nullptr;
    rc = sqlite3_prepare_v2(db.get(),
                            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')", -1,
                            &s, nullptr);
    if (rc == SQLITE_OK) {
      while ((rc = sqlite3_step(s)) == SQLITE_ROW) have.push_back(Str(s, 0));
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) return OpenError(path, db.get(), rc);
  }
  auto has = [&](std::string_view t) { return std::find(have.begin(), have.end(), t) != have.end(); };
  if (version == 0 || !has("runs"))
    return absl::FailedPreconditionError(fmt::format(
        "'{}' is not a warden database ({}); give --db the file that `warden run --db FILE` "
        "recorded into",
        path, have.empty() ? "an SQLite file with no tables" : "an SQLite file without warden's tables"));
  if (version > kSchemaVersion)
    return absl::FailedPreconditionError(fmt::format(
        "'{}' has schema version {}, newer than this warden understands ({}); use a newer warden",
        path, version, kSchemaVersion));
  std::vector<const char*> required(std::begin(kRequired), std::end(kRequired));
  if (version >= 2) required.insert(required.end(), {"policy_events", "policy_changes"});
  for (const char* t : required)
    if (!has(t))
      return absl::FailedPreconditionError(fmt::format(
          "'{}' is not a whole warden database: it has no {} table; give --db the file that "
          "`warden run --db FILE` recorded into",
          path, t));
  if (version < 2) {
    if (auto s = ExecSql(db.get(), kV1Views); !s.ok())
      return absl::InternalError(fmt::format("reading the version {} database '{}': {}", version, path,
                                             std::string(s.message())));
  }
  return std::unique_ptr<QueryDb>(new QueryDb(path, db.release(), version));
}

QueryDb::~QueryDb() { sqlite3_close_v2(db_); }

absl::StatusOr<int64_t> QueryDb::ResolveRun(std::optional<int64_t> run) {
  ReadTxn txn(db_);
  auto stmt = Prepare(db_, "SELECT id FROM runs ORDER BY id");
  if (!stmt.ok()) return stmt.status();
  std::vector<int64_t> ids;
  if (auto s = ForEachRow(db_, stmt->get(), [&](sqlite3_stmt* st) {
        ids.push_back(sqlite3_column_int64(st, 0));
        return absl::OkStatus();
      });
      !s.ok())
    return s;
  if (ids.empty())
    return absl::NotFoundError(fmt::format(
        "'{}' has no runs yet; record one with `warden run --db {} -- CMD`", path_, path_));
  if (!run) return ids.back();
  if (std::binary_search(ids.begin(), ids.end(), *run)) return *run;
  return absl::NotFoundError(fmt::format("no run {} in '{}'; the runs there are: {} (see `warden runs --db {}`)",
                                         *run, path_, IdRanges(ids), path_));
}

// ---------------------------------------------------------------------------
// Profile.

namespace {

// One call, or many with the same key, in a run's profile of files.
struct FileUseAdder {
  std::map<std::string, FileUse, std::less<>> classes[3];  // read, written, executed

  void Add(std::string_view op, std::string_view path, std::string_view exe, int64_t count,
           int64_t first, int64_t last) {
    int c = op == "read" ? 0 : op == "exec" ? 2 : -1;
    if (c < 0) {
      for (const char* const* w = kWrittenOps; *w && c < 0; ++w)
        if (op == *w) c = 1;
      if (c < 0) return;  // stat, access, ...: not a use the profile lists
    }
    auto& by_path = classes[c];
    auto it = by_path.find(path);
    if (it == by_path.end())
      it = by_path.emplace(std::string(path), FileUse{std::string(path), 0, first, 0, {}}).first;
    FileUse& f = it->second;
    f.count += count;
    f.first_ns = std::min(f.first_ns, first);
    f.last_ns = std::max(f.last_ns, last);
    if (!exe.empty()) f.programs.emplace_back(exe);
  }
};

// A run's strings (schema 4 and later), read once: cheaper than looking
// each one up again for every group of calls.
class RunStrings {
 public:
  absl::Status Load(sqlite3* db, int64_t run) {
    auto stmt = Prepare(db, fmt::format("SELECT id & {}, text, dir FROM strings WHERE {}",
                                        (int64_t{1} << kRunShift) - 1, RunRows(4, "strings")));
    if (!stmt.ok()) return stmt.status();
    sqlite3_bind_int64(stmt->get(), 1, run);
    return ForEachRow(db, stmt->get(), [&](sqlite3_stmt* st) {
      const size_t n = static_cast<size_t>(sqlite3_column_int64(st, 0));
      if (n >= rows_.size()) rows_.resize(n + 1);
      rows_[n] = {Str(st, 1), ColumnOptInt(st, 2)};
      return absl::OkStatus();
    });
  }
  std::string_view Text(int64_t n) const {
    return n >= 0 && static_cast<size_t>(n) < rows_.size() ? rows_[n].text : std::string_view();
  }
  std::string Path(int64_t n) const {
    if (n < 0 || static_cast<size_t>(n) >= rows_.size()) return "";
    const Row& r = rows_[n];
    return r.dir ? fmt::format("{}/{}", Text(*r.dir), r.text) : r.text;
  }

 private:
  struct Row {
    std::string text;
    std::optional<int64_t> dir;
  };
  std::vector<Row> rows_;  // by n
};

// Version 4 and later: the run's successful file calls, aggregated here by
// their string numbers (no sort of the run's rows, no lookup per row).
absl::Status AddFileUsesV4(sqlite3* db, int64_t run, int64_t start_ns, FileUseAdder& out) {
  RunStrings strings;
  if (auto s = strings.Load(db, run); !s.ok()) return s;
  auto stmt = Prepare(db, fmt::format(
      "SELECT op, path, exe, ts FROM calls WHERE {} AND path IS NOT NULL AND errno = 0 "
      "AND (result IS NULL OR result >= 0)",
      RunRows(4, "calls")));
  if (!stmt.ok()) return stmt.status();
  sqlite3_bind_int64(stmt->get(), 1, run);
  struct Use {
    int64_t count = 0, first = 0, last = 0;
  };
  absl::flat_hash_map<std::tuple<int64_t, int64_t, int64_t>, Use> uses;
  if (auto s = ForEachRow(db, stmt->get(), [&](sqlite3_stmt* st) {
        const int64_t ts = sqlite3_column_int64(st, 3);
        Use& u = uses[{sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                       sqlite3_column_int64(st, 2)}];
        u.first = u.count == 0 ? ts : std::min(u.first, ts);
        u.last = u.count == 0 ? ts : std::max(u.last, ts);
        ++u.count;
        return absl::OkStatus();
      });
      !s.ok())
    return s;
  for (const auto& [key, u] : uses) {
    const auto& [op, path, exe] = key;
    out.Add(strings.Text(op), strings.Path(path), strings.Text(exe), u.count, start_ns + u.first,
            start_ns + u.last);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Profile> QueryDb::LoadProfile(int64_t run) {
  ReadTxn txn(db_);
  Profile p;
  p.run = run;
  {
    auto stmt = Prepare(db_, "SELECT argv, start_ns, end_ns, exit_code, exit_signal FROM runs WHERE id = ?1");
    if (!stmt.ok()) return stmt.status();
    sqlite3_bind_int64(stmt->get(), 1, run);
    bool found = false;
    if (auto s = ForEachRow(db_, stmt->get(), [&](sqlite3_stmt* st) {
          found = true;
          p.argv_json = Str(st, 0);
          p.start_ns = sqlite3_column_int64(st, 1);
          p.end_ns = ColumnOptInt(st, 2);
          p.exit_code = ColumnOptInt(st, 3);
          p.exit_signal = ColumnOptInt(st, 4);
          return absl::OkStatus();
        });
        !s.ok())
      return s;
    if (!found) return absl::NotFoundError(fmt::format("no run {} in '{}'", run, path_));
  }
  auto procs = QueryInt(db_, "SELECT count(*) FROM processes WHERE run_id = ?1", run);
  if (!procs.ok()) return procs.status();
  p.processes = *procs;
  p.status = p.processes == 0 ? "not started" : !p.end_ns ? "in progress" : "finished";

  // Files: per (op, path, exe), merged per class and path.
  {
    FileUseAdder files;
    if (version_ >= 4) {
      if (auto s = AddFileUsesV4(db_, run, p.start_ns, files); !s.ok()) return s;
    } else {
      auto stmt = Prepare(db_, fmt::format(
          "SELECT op, path, exe, count(*), min(ts_ns), max(ts_ns) FROM file_events "
          "WHERE run_id = ?1 AND op IN ('read', 'exec', {}) AND {} GROUP BY op, path, exe",
          WrittenOpsSql(), kOk));
      if (!stmt.ok()) return stmt.status();
      sqlite3_bind_int64(stmt->get(), 1, run);
      if (auto s = ForEachRow(db_, stmt->get(), [&](sqlite3_stmt* st) {
            files.Add(ColumnText(st, 0), ColumnText(st, 1), ColumnText(st, 2),
                      sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4),
                      sqlite3_column_int64(st, 5));
            return absl::OkStatus();
          });
          !s.ok())
        return s;
    }
    std::vector<FileUse>* lists[] = {&p.read, &p.written, &p.executed};
    for (int c = 0; c < 3; ++c)
      for (auto& [path, use] : files.classes[c]) lists[c]->push_back(std::move(use));
  }
  // Programs run: successful execs.
  {
    auto stmt = Prepare(db_, fmt::format("SELECT path, count(*), min(ts_ns), max(ts_ns) FROM exec_events "
                                         "WHERE run_id = ?1 AND {} GROUP BY path ORDER BY path",
                                         kOk));
    if (!stmt.ok()) return stmt.status();
    sqlite3_bind_int64(stmt->get(), 1, run);
    if (auto s = ForEachRow(db_, stmt->get(), [&](sqlite3_stmt* st) {
          p.programs.push_back(ProgramRun{Str(st, 0), sqlite3_column_int64(st, 1),
                                          sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3)});
          return absl::OkStatus();
        });
        !s.ok())
      return s;
  }
  // Ports listened on and peers accessed: one row per (socket key, exe).
  auto net_uses = [&](std::string_view where, std::vector<NetUse>* out) -> absl::Status {
    std::string sql = fmt::format(
        "SELECT family, sock_type, address, port, exe, count(*), min(ts_ns), max(ts_ns) "
        "FROM net_events WHERE {} AND address IS NOT NULL AND address <> '' AND {} AND {} "
        "GROUP BY family, sock_type, address, port, exe "
        "ORDER BY port, address, family, sock_type, exe",
        RunRows(version_, "net_events"), where, NetOk());
    auto stmt = Prepare(db_, sql);
    if (!stmt.ok()) return stmt.status();
    sqlite3_bind_int64(stmt->get(), 1, run);
    return ForEachRow(db_, stmt->get(), [&](sqlite3_stmt* st) {
      NetUse key{Str(st, 0), Str(st, 1), Str(st, 2), ColumnOptInt(st, 3), 0, sqlite3_column_int64(st, 6),
                 0, {}};
      if (out->empty() || std::tie(out->back().family, out->back().sock_type, out->back().address,
                                   out->back().port) !=
                              std::tie(key.family, key.sock_type, key.address, key.port))
        out->push_back(std::move(key));
      NetUse& u = out->back();
      u.count += sqlite3_column_int64(st, 5);
      u.first_ns = std::min<int64_t>(u.first_ns, sqlite3_column_int64(st, 6));
      u.last_ns = std::max<int64_t>(u.last_ns, sqlite3_column_int64(st, 7));
      if (auto exe = ColumnText(st, 4); !exe.empty()) u.programs.emplace_back(exe);
      return absl::OkStatus();
    });
  };
  if (auto s = net_uses("(op = 'listen' OR (op = 'bind' AND (port IS NULL OR port <> 0)))", &p.listening);
      !s.ok())
    return s;
  if (auto s = net_uses("direction = 'outbound'", &p.accessed); !s.ok()) return s;
  // Hosts: IP peers either way.
  {
    std::string sql = fmt::format(
        "SELECT address, direction, exe, count(*), min(ts_ns), max(ts_ns) FROM net_events "
        "WHERE {} AND family IN ('AF_INET', 'AF_INET6') "
        "AND direction IN ('outbound', 'inbound') AND address IS NOT NULL AND address <> '' AND {} "
        "GROUP BY address, direction, exe ORDER BY address, direction, exe",
        RunRows(version_, "net_events"), NetOk());
    auto stmt = Prepare(db_, sql);
    if (!stmt.ok()) return stmt.status();
    sqlite3_bind_int64(stmt->get(), 1, run);
    if (auto s = ForEachRow(db_, stmt->get(), [&](sqlite3_stmt* st) {
          std::string_view addr = ColumnText(st, 0);
          if (p.hosts.empty() || p.hosts.back().address != addr)
            p.hosts.push_back(HostUse{std::string(addr), 0, 0, sqlite3_column_int64(st, 4), 0, {}});
          HostUse& h = p.hosts.back();
          int64_t n = sqlite3_column_int64(st, 3);
          (ColumnText(st, 1) == "outbound" ? h.outbound : h.inbound) += n;
          h.first_ns = std::min<int64_t>(h.first_ns, sqlite3_column_int64(st, 4));
          h.last_ns = std::max<int64_t>(h.last_ns, sqlite3_column_int64(st, 5));
          if (auto exe = ColumnText(st, 2); !exe.empty()) h.programs.emplace_back(exe);
          return absl::OkStatus();
        });
        !s.ok())
      return s;
  }
  auto tidy = [](std::vector<std::string>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  };
  for (auto* list : {&p.read, &p.written, &p.executed})
    for (auto& f : *list) tidy(f.programs);
  for (auto* list : {&p.listening, &p.accessed})
    for (auto& u : *list) tidy(u.programs);
  for (auto& h : p.hosts) tidy(h.programs);
  return p;
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
      if (p.sig) status = fmt::format("killed by {}", SignalName(static_cast<int>(*p.sig)));
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
                p.sig ? Cell::Text(SignalName(static_cast<int>(*p.sig))) : Cell::Null(),
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
  ReadTxn txn(db_);
  for (const auto& k : options.kinds) {
    bool known = false;
    for (const auto& src : kTimeline) known = known || k == src.filter;
    if (!known)
      return absl::InvalidArgumentError(
          fmt::format("unknown event kind '{}'; kinds: process, exec, file, net, syscall, policy", k));
  }
  std::vector<TimelineCursor> cursors;
  for (const TimelineSource& src : kTimeline) {
    if (!options.kinds.empty() &&
        std::find(options.kinds.begin(), options.kinds.end(), src.filter) == options.kinds.end())
      continue;
    // run_id = ? AND ts BETWEEN ? AND ?: the (run_id, ts_ns) index range, in
    // (ts, id) order without a sort.
    std::string sql = fmt::format(
        "SELECT {} FROM {} WHERE {} AND {} >= ?2 AND {} <= ?3 AND (?4 IS NULL OR pid = ?4) "
        "ORDER BY {}, id",
        src.select, src.from, RunRows(version_, src.from), src.ts, src.ts, src.ts);
    auto stmt = Prepare(db_, sql);
    if (!stmt.ok()) return stmt.status();
    sqlite3_stmt* s = stmt->get();
    sqlite3_bind_int64(s, 1, run);
    sqlite3_bind_int64(s, 2, options.from_ns.value_or(std::numeric_limits<int64_t>::min()));
    sqlite3_bind_int64(s, 3, options.to_ns.value_or(std::numeric_limits<int64_t>::max()));
    if (options.pid) sqlite3_bind_int64(s, 4, *options.pid);
    TimelineCursor c{&src, static_cast<int>(cursors.size()), std::move(*stmt)};
    if (auto st = c.Advance(db_); !st.ok()) return st;
    cursors.push_back(std::move(c));
  }
  if (auto s = sink.Begin({"time", "ts_ns", "kind", "pid", "exe", "action", "event"}); !s.ok()) return s;
  for (;;) {
    TimelineCursor* next = nullptr;
    for (TimelineCursor& c : cursors)
      if (c.has_row && (!next || c.Key() < next->Key())) next = &c;
    if (!next) break;
    sqlite3_stmt* s = next->stmt.get();
    int64_t ts = sqlite3_column_int64(s, kTs);
    Cells row{Cell::Text(FormatRfc3339Ms(ts)),
              Cell::Int(ts),
              Cell::Text(next->source->kind),
              Cell::Int(sqlite3_column_int64(s, kPid)),
              Cell::TextOrNull(Str(s, kExe)),
              Cell::TextOrNull(Str(s, kAction)),
              Cell::Text(next->source->describe(s))};
    if (auto st = sink.Row(row); !st.ok()) return st;
    if (auto st = next->Advance(db_); !st.ok()) return st;
  }
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

absl::StatusOr<std::string> QueryDb::ExplainWho(int64_t run, std::string_view glob) {
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
  absl::StatusOr<bool> by_path = false;
  if (version_ < 4) by_path = UsePathIndex(db_, run, glob);
  if (!by_path.ok()) return by_path.status();
  auto stmt = Prepare(db_, version_ >= 4 ? WhoV4Sql() : WhoSql(*by_path));
  if (!stmt.ok()) return stmt.status();
  sqlite3_bind_int64(stmt->get(), 1, run);
  sqlite3_bind_text(stmt->get(), 2, glob.data(), static_cast<int>(glob.size()), SQLITE_TRANSIENT);
  if (auto s = sink.Begin({"pid", "exe", "op", "path", "count", "first_seen", "last_seen", "result", "action"});
      !s.ok())
    return s;
  if (auto s = ForEachRow(db_, stmt->get(), [&](sqlite3_stmt* st) {
        int err = sqlite3_column_int(st, 7);
        return sink.Row({Cell::Int(sqlite3_column_int64(st, 0)), Cell::TextOrNull(Str(st, 1)),
                         Cell::Text(Str(st, 2)), Cell::Text(Str(st, 3)),
                         Cell::Int(sqlite3_column_int64(st, 4)),
                         Cell::Text(FormatRfc3339Ms(sqlite3_column_int64(st, 5))),
                         Cell::Text(FormatRfc3339Ms(sqlite3_column_int64(st, 6))),
                         Cell::Text(err ? ErrnoText(err) : "ok"), Cell::TextOrNull(Str(st, 8))});
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

}  // namespace warden::store
