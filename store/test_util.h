// Helpers for the store tests only: a temporary directory, a direct SQLite
// query, and a small strict JSON parser to check what the export writes.
#ifndef WARDEN_STORE_TEST_UTIL_H_
#define WARDEN_STORE_TEST_UTIL_H_

#include <sqlite3.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "store/calls.h"
#include "store/events.h"

namespace warden::store::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents.
class TempDir {
 public:
  TempDir() {
    const char* base = getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/warden_store_test.XXXXXX";
    if (mkdtemp(tmpl.data())) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

using Row = std::vector<std::optional<std::string>>;

// Runs `sql` on the file (its own connection) and returns every column as
// text, nullopt for NULL. An error comes back as a single row "ERROR: ...".
inline std::vector<Row> Query(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::vector<Row> rows;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    rows.push_back({std::string("ERROR: ") + sqlite3_errmsg(db)});
    sqlite3_close(db);
    return rows;
  }
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
    rows.push_back({std::string("ERROR: ") + sqlite3_errmsg(db)});
    sqlite3_close(db);
    return rows;
  }
  while (sqlite3_step(s) == SQLITE_ROW) {
    Row row;
    for (int i = 0; i < sqlite3_column_count(s); ++i) {
      if (sqlite3_column_type(s, i) == SQLITE_NULL) {
        row.push_back(std::nullopt);
      } else {
        auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
        row.push_back(std::string(p, sqlite3_column_bytes(s, i)));
      }
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return rows;
}

inline std::string QueryOne(const std::string& db_path, const std::string& sql) {
  auto rows = Query(db_path, sql);
  if (rows.size() != 1 || rows[0].size() != 1 || !rows[0][0]) return "<no single value>";
  return *rows[0][0];
}

// Runs `sql` (several statements allowed) on the file, read-write; returns
// "" or SQLite's error message.
inline std::string Exec(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string error;
  if (sqlite3_open(db_path.c_str(), &db) != SQLITE_OK) {
    error = sqlite3_errmsg(db);
  } else {
    sqlite3_busy_timeout(db, 10000);
    char* msg = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK)
      error = msg ? msg : "sqlite3_exec failed";
    sqlite3_free(msg);
  }
  sqlite3_close(db);
  return error;
}

// The schema of version 1 (the first release), verbatim, to test that newer
// wardens read and upgrade files it wrote. Never edit: it is history.
// Appends file and syscall events to run `run` of the file through a
// CallWriter on its own connection, as a concurrent writer would (they are
// views since version 4: not insertable). "" or the error.
inline std::string AppendEvents(const std::string& db_path, int64_t run,
                                const std::vector<Event>& events) {
  sqlite3* db = nullptr;
  std::string err;
  if (sqlite3_open(db_path.c_str(), &db) != SQLITE_OK) err = sqlite3_errmsg(db);
  if (err.empty()) {
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    {  // statements finalized before COMMIT
      auto writer = CallWriter::Prepare(db);
      absl::Status s = writer.ok() ? (*writer)->ContinueRun(run) : writer.status();
      int lost = 0;
      if (s.ok()) {
        for (const Event& e : events) {
          if (auto* f = std::get_if<FileEvent>(&e)) lost += (*writer)->Add(*f);
          if (auto* c = std::get_if<SyscallEvent>(&e)) lost += (*writer)->Add(*c);
        }
        lost += (*writer)->Flush();
      }
      if (!s.ok()) err = std::string(s.message());
      else if (lost) err = std::to_string(lost) + " lost: " + sqlite3_errmsg(db);
    }
    sqlite3_exec(db, err.empty() ? "COMMIT" : "ROLLBACK", nullptr, nullptr, nullptr);
  }
  sqlite3_close(db);
  return err;
}

inline std::string AppendFileEvents(const std::string& db_path, int64_t run,
                                    const std::vector<FileEvent>& events) {
  return AppendEvents(db_path, run, std::vector<Event>(events.begin(), events.end()));
}

inline constexpr std::string_view kSchemaV1Sql = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused
  argv           TEXT NOT NULL,     -- JSON array
  cwd            TEXT NOT NULL,
  host           TEXT NOT NULL,
  warden_version TEXT NOT NULL,
  start_ns       INTEGER NOT NULL,
  end_ns         INTEGER,           -- NULL while running or if warden died
  exit_code      INTEGER,
  exit_signal    INTEGER,
  lost_events    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS processes (
  id          INTEGER PRIMARY KEY,
  run_id      INTEGER NOT NULL REFERENCES runs(id),
  pid         INTEGER NOT NULL,
  ppid        INTEGER,
  tgid        INTEGER,
  is_thread   INTEGER NOT NULL DEFAULT 0,
  exe         TEXT,
  argv        TEXT,                 -- JSON array
  cwd         TEXT,
  start_ns    INTEGER,              -- NULL: exit seen without a start
  end_ns      INTEGER,
  exit_code   INTEGER,
  term_signal INTEGER
);
CREATE INDEX IF NOT EXISTS processes_run_pid ON processes(run_id, pid);

CREATE TABLE IF NOT EXISTS file_events (
  id      INTEGER PRIMARY KEY,
  run_id  INTEGER NOT NULL REFERENCES runs(id),
  ts_ns   INTEGER NOT NULL,
  pid     INTEGER NOT NULL,
  exe     TEXT,                     -- the program the process was running
  syscall TEXT NOT NULL,
  path    TEXT NOT NULL,
  op      TEXT NOT NULL,
  flags   TEXT,                     -- NULL when none
  result  INTEGER,                  -- NULL when unknown
  errno   INTEGER NOT NULL DEFAULT 0,
  path2   TEXT                      -- NULL when the call has one path
);
CREATE INDEX IF NOT EXISTS file_events_run_ts ON file_events(run_id, ts_ns);
CREATE INDEX IF NOT EXISTS file_events_path ON file_events(path);

CREATE TABLE IF NOT EXISTS exec_events (
  id             INTEGER PRIMARY KEY,
  run_id         INTEGER NOT NULL REFERENCES runs(id),
  ts_ns          INTEGER NOT NULL,
  pid            INTEGER NOT NULL,
  exe     TEXT,                     -- the program the process was running
  path           TEXT NOT NULL,
  argv           TEXT NOT NULL,     -- JSON array
  envp           TEXT,              -- JSON array; NULL unless --record-env
  argv_truncated INTEGER NOT NULL DEFAULT 0,
  result         INTEGER,
  errno          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS exec_events_run_ts ON exec_events(run_id, ts_ns);

CREATE TABLE IF NOT EXISTS net_events (
  id        INTEGER PRIMARY KEY,
  run_id    INTEGER NOT NULL REFERENCES runs(id),
  ts_ns     INTEGER NOT NULL,
  pid       INTEGER NOT NULL,
  exe     TEXT,                     -- the program the process was running
  syscall   TEXT NOT NULL,
  op        TEXT NOT NULL,
  family    TEXT,
  sock_type TEXT,
  direction TEXT,
  address   TEXT,
  port      INTEGER,                -- NULL when not applicable
  fd        INTEGER,                -- NULL when not applicable
  result    INTEGER,
  errno     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS net_events_run_ts ON net_events(run_id, ts_ns);

CREATE TABLE IF NOT EXISTS syscall_events (
  id      INTEGER PRIMARY KEY,
  run_id  INTEGER NOT NULL REFERENCES runs(id),
  ts_ns   INTEGER NOT NULL,
  pid     INTEGER NOT NULL,
  exe     TEXT,
  abi     TEXT NOT NULL,
  nr      INTEGER NOT NULL,
  name    TEXT NOT NULL,
  args    TEXT NOT NULL,
  result  INTEGER,
  errno   INTEGER NOT NULL DEFAULT 0,
  action  TEXT NOT NULL,
  rule    TEXT                      -- NULL for the default action
);
CREATE INDEX IF NOT EXISTS syscall_events_run_ts ON syscall_events(run_id, ts_ns);
)sql";

// A database as warden version 1 left it: run 1 with one process and one
// file event, user_version 1. Returns "" or the error.
inline std::string CreateV1Database(const std::string& db_path) {
  return Exec(db_path,
              std::string(kSchemaV1Sql) +
                  "PRAGMA user_version = 1;"
                  "INSERT INTO runs(argv, cwd, host, warden_version, start_ns, end_ns, exit_code, "
                  "exit_signal, lost_events) VALUES('[\"make\"]', '/src', 'old-box', '0.0.9', 100, "
                  "900, 0, NULL, 3);"
                  "INSERT INTO processes(run_id, pid, ppid, tgid, is_thread, exe, argv, cwd, "
                  "start_ns, end_ns, exit_code) VALUES(1, 50, 1, 50, 0, '/usr/bin/make', "
                  "'[\"make\"]', '/src', 110, 800, 0);"
                  "INSERT INTO file_events(run_id, ts_ns, pid, exe, syscall, path, op, flags, "
                  "result, errno, path2) VALUES(1, 200, 50, '/usr/bin/make', 'openat', "
                  "'/src/Makefile', 'read', 'O_RDONLY', 3, 0, NULL);");
}

// A parsed JSON value. Objects keep their member order so tests can check it.
struct Json {
  enum Type { kNull, kBool, kNumber, kString, kArray, kObject } type = kNull;
  bool boolean = false;
  std::string text;  // string contents (UTF-8), or the number as written
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> members;

  const Json* Get(std::string_view key) const {
    for (const auto& [k, v] : members)
      if (k == key) return &v;
    return nullptr;
  }
  bool Has(std::string_view key) const { return Get(key) != nullptr; }
  int64_t Int(std::string_view key) const {
    const Json* v = Get(key);
    return v && v->type == kNumber ? std::stoll(v->text) : INT64_MIN;
  }
  std::string Str(std::string_view key) const {
    const Json* v = Get(key);
    return v && v->type == kString ? v->text : "<missing>";
  }
};

// Strict RFC 8259 parser: rejects raw control characters, bad escapes,
// invalid UTF-8 (including overlongs and surrogates) and trailing text.
class JsonParser {
 public:
  static std::optional<Json> Parse(std::string_view text, std::string* error = nullptr) {
    JsonParser p(text);
    Json v;
    bool ok = p.Value(v, 0);
    p.Ws();
    if (ok && p.i_ != text.size()) ok = p.Fail("trailing characters");
    if (!ok) {
      if (error) *error = p.error_;
      return std::nullopt;
    }
    return v;
  }

 private:
  explicit JsonParser(std::string_view s) : s_(s) {}

  bool Fail(const std::string& why) {
    if (error_.empty()) error_ = why + " at offset " + std::to_string(i_);
    return false;
  }
  void Ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool Eat(char c) {
    Ws();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool Literal(std::string_view lit) {
    if (s_.substr(i_, lit.size()) != lit) return Fail("bad literal");
    i_ += lit.size();
    return true;
  }

  bool Value(Json& v, int depth) {
    if (depth > 64) return Fail("too deep");
    Ws();
    if (i_ >= s_.size()) return Fail("unexpected end");
    char c = s_[i_];
    if (c == '{') return Object(v, depth);
    if (c == '[') return Array(v, depth);
    if (c == '"') {
      v.type = Json::kString;
      return String(v.text);
    }
    if (c == 't') { v.type = Json::kBool; v.boolean = true; return Literal("true"); }
    if (c == 'f') { v.type = Json::kBool; return Literal("false"); }
    if (c == 'n') { v.type = Json::kNull; return Literal("null"); }
    v.type = Json::kNumber;
    return Number(v.text);
  }

  bool Object(Json& v, int depth) {
    v.type = Json::kObject;
    ++i_;
    if (Eat('}')) return true;
    do {
      Ws();
      std::string key;
      if (i_ >= s_.size() || s_[i_] != '"' || !String(key)) return Fail("expected key");
      if (!Eat(':')) return Fail("expected ':'");
      Json member;
      if (!Value(member, depth + 1)) return false;
      v.members.emplace_back(std::move(key), std::move(member));
    } while (Eat(','));
    return Eat('}') || Fail("expected '}'");
  }

  bool Array(Json& v, int depth) {
    v.type = Json::kArray;
    ++i_;
    if (Eat(']')) return true;
    do {
      Json item;
      if (!Value(item, depth + 1)) return false;
      v.items.push_back(std::move(item));
    } while (Eat(','));
    return Eat(']') || Fail("expected ']'");
  }

  bool Number(std::string& out) {
    size_t start = i_;
    auto digits = [&] {
      size_t d = i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      return i_ > d;
    };
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    if (i_ < s_.size() && s_[i_] == '0') {
      ++i_;
    } else if (!digits()) {
      return Fail("bad number");
    }
    if (i_ < s_.size() && s_[i_] == '.') {
      ++i_;
      if (!digits()) return Fail("bad fraction");
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (!digits()) return Fail("bad exponent");
    }
    out = std::string(s_.substr(start, i_ - start));
    return true;
  }

  static void AppendUtf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool Hex4(uint32_t& cp) {
    if (i_ + 4 > s_.size()) return Fail("short \\u escape");
    cp = 0;
    for (int k = 0; k < 4; ++k) {
      char h = s_[i_++];
      cp <<= 4;
      if (h >= '0' && h <= '9') cp |= h - '0';
      else if (h >= 'a' && h <= 'f') cp |= h - 'a' + 10;
      else if (h >= 'A' && h <= 'F') cp |= h - 'A' + 10;
      else return Fail("bad hex digit");
    }
    return true;
  }

  // Strict UTF-8: the same rules a strict reader (Python, jq) applies.
  bool Utf8(std::string& out) {
    auto b = [&](size_t k) { return static_cast<unsigned char>(s_[i_ + k]); };
    unsigned char c = b(0);
    size_t n = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3
             : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
    if (n == 0 || i_ + n > s_.size()) return Fail("invalid UTF-8");
    for (size_t k = 1; k < n; ++k)
      if ((b(k) & 0xC0) != 0x80) return Fail("invalid UTF-8");
    if ((c == 0xE0 && b(1) < 0xA0) || (c == 0xED && b(1) >= 0xA0) || (c == 0xF0 && b(1) < 0x90) ||
        (c == 0xF4 && b(1) >= 0x90))
      return Fail("invalid UTF-8");
    out.append(s_.substr(i_, n));
    i_ += n;
    return true;
  }

  bool String(std::string& out) {
    ++i_;  // opening quote
    while (i_ < s_.size()) {
      unsigned char c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') {
        ++i_;
        return true;
      }
      if (c < 0x20) return Fail("raw control character in string");
      if (c != '\\') {
        if (!Utf8(out)) return false;
        continue;
      }
      if (++i_ >= s_.size()) return Fail("unterminated escape");
      char e = s_[i_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t cp = 0;
          if (!Hex4(cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo = 0;
            if (s_.substr(i_, 2) != "\\u") return Fail("lone high surrogate");
            i_ += 2;
            if (!Hex4(lo) || lo < 0xDC00 || lo > 0xDFFF) return Fail("bad low surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC80 && cp <= 0xDCFF) {
            // warden's encoding of a byte that is not UTF-8 (store/json.h):
            // the byte, as Python's surrogateescape decodes it.
            out += static_cast<char>(cp - 0xDC00);
            break;
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return Fail("lone low surrogate");
          }
          AppendUtf8(out, cp);
          break;
        }
        default: return Fail("bad escape");
      }
    }
    return Fail("unterminated string");
  }

  std::string_view s_;
  size_t i_ = 0;
  std::string error_;
};

}  // namespace warden::store::testing

#endif  // WARDEN_STORE_TEST_UTIL_H_
