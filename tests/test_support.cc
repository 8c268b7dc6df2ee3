#include "tests/test_support.h"

#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace warden::itest {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

std::string Env(const char* name) {
  const char* v = getenv(name);
  return v ? v : "";
}

// A minimal strict JSON reader: enough to check that export lines are valid
// JSON objects and to pick their top-level fields.
class JsonReader {
 public:
  explicit JsonReader(std::string_view s) : s_(s) {}

  bool Object(std::map<std::string, std::string>* out) {
    Ws();
    if (!Eat('{')) return false;
    Ws();
    if (Eat('}')) return End();
    for (;;) {
      Ws();
      std::string key;
      if (!String(&key)) return false;
      Ws();
      if (!Eat(':')) return false;
      Ws();
      size_t start = i_;
      std::string value;
      if (Peek() == '"') {
        if (!String(&value)) return false;
      } else {
        if (!Value()) return false;
        value = std::string(s_.substr(start, i_ - start));
      }
      if (out->contains(key)) return false;  // duplicate keys are not valid for us
      (*out)[key] = value;
      Ws();
      if (Eat(',')) continue;
      if (Eat('}')) return End();
      return false;
    }
  }

  bool StringArray(std::vector<std::string>* out) {
    Ws();
    if (!Eat('[')) return false;
    Ws();
    if (Eat(']')) return End();
    for (;;) {
      Ws();
      std::string v;
      if (!String(&v)) return false;
      out->push_back(std::move(v));
      Ws();
      if (Eat(',')) continue;
      if (Eat(']')) return End();
      return false;
    }
  }

 private:
  char Peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  bool Eat(char c) {
    if (Peek() != c) return false;
    ++i_;
    return true;
  }
  void Ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r' || s_[i_] == '\n')) ++i_;
  }
  bool End() {
    Ws();
    return i_ == s_.size() || depth_ > 0;
  }
  bool String(std::string* out) {
    if (!Eat('"')) return false;
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (i_ >= s_.size()) return false;
      char e = s_[i_++];
      switch (e) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          if (i_ + 4 > s_.size()) return false;
          unsigned v = 0;
          for (int k = 0; k < 4; ++k) {
            char h = s_[i_++];
            v <<= 4;
            if (h >= '0' && h <= '9') v |= h - '0';
            else if (h >= 'a' && h <= 'f') v |= h - 'a' + 10;
            else if (h >= 'A' && h <= 'F') v |= h - 'A' + 10;
            else return false;
          }
          // Good enough for the tests: BMP code points as UTF-8.
          if (v < 0x80) {
            out->push_back(static_cast<char>(v));
          } else if (v < 0x800) {
            out->push_back(static_cast<char>(0xc0 | (v >> 6)));
            out->push_back(static_cast<char>(0x80 | (v & 0x3f)));
          } else {
            out->push_back(static_cast<char>(0xe0 | (v >> 12)));
            out->push_back(static_cast<char>(0x80 | ((v >> 6) & 0x3f)));
            out->push_back(static_cast<char>(0x80 | (v & 0x3f)));
          }
          break;
        }
        default: return false;
      }
    }
    return false;
  }
  bool Number() {
    size_t start = i_;
    Eat('-');
    if (!isdigit(static_cast<unsigned char>(Peek()))) return false;
    if (Peek() == '0') ++i_;
    else while (isdigit(static_cast<unsigned char>(Peek()))) ++i_;
    if (Eat('.')) {
      if (!isdigit(static_cast<unsigned char>(Peek()))) return false;
      while (isdigit(static_cast<unsigned char>(Peek()))) ++i_;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      ++i_;
      if (Peek() == '+' || Peek() == '-') ++i_;
      if (!isdigit(static_cast<unsigned char>(Peek()))) return false;
      while (isdigit(static_cast<unsigned char>(Peek()))) ++i_;
    }
    return i_ > start;
  }
  bool Literal(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }
  bool Value() {
    char c = Peek();
    if (c == '"') {
      std::string ignored;
      return String(&ignored);
    }
    if (c == '{' || c == '[') {
      ++depth_;
      bool ok = c == '{' ? NestedObject() : NestedArray();
      --depth_;
      return ok;
    }
    if (c == 't') return Literal("true");
    if (c == 'f') return Literal("false");
    if (c == 'n') return Literal("null");
    return Number();
  }
  bool NestedObject() {
    Eat('{');
    Ws();
    if (Eat('}')) return true;
    for (;;) {
      Ws();
      std::string key;
      if (!String(&key)) return false;
      Ws();
      if (!Eat(':')) return false;
      Ws();
      if (!Value()) return false;
      Ws();
      if (Eat(',')) continue;
      return Eat('}');
    }
  }
  bool NestedArray() {
    Eat('[');
    Ws();
    if (Eat(']')) return true;
    for (;;) {
      Ws();
      if (!Value()) return false;
      Ws();
      if (Eat(',')) continue;
      return Eat(']');
    }
  }

  std::string_view s_;
  size_t i_ = 0;
  int depth_ = 0;
};

}  // namespace

std::optional<std::map<std::string, std::string>> ParseJsonObject(std::string_view line) {
  std::map<std::string, std::string> out;
  JsonReader r(line);
  if (!r.Object(&out)) return std::nullopt;
  return out;
}

std::optional<std::vector<std::string>> ParseJsonStringArray(std::string_view text) {
  std::vector<std::string> out;
  JsonReader r(text);
  if (!r.StringArray(&out)) return std::nullopt;
  return out;
}

bool WaitUntil(const std::function<bool()>& cond, milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    if (cond()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(2));
  }
}

char ProcessState(pid_t pid) {
  std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  // "pid (comm) S ...": comm may hold spaces and parentheses; the state
  // follows the last ')'.
  size_t close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return 0;
  return stat[close + 2];
}

bool ProcessAlive(pid_t pid) {
  char s = ProcessState(pid);
  return s != 0 && s != 'Z' && s != 'X';
}

bool ProcessGone(pid_t pid) { return kill(pid, 0) != 0 && errno == ESRCH; }

std::string Real(const std::string& path) {
  char buf[PATH_MAX];
  return realpath(path.c_str(), buf) ? std::string(buf) : path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, std::string_view text, int mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  ASSERT_GE(fd, 0) << path << ": " << strerror(errno);
  ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  fchmod(fd, mode);
  close(fd);
}

std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find('\n', i);
    if (j == std::string_view::npos) j = text.size();
    out.emplace_back(text.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

std::string Field(std::string_view output, std::string_view key, int word) {
  for (const auto& line : Lines(output)) {
    auto w = Words(line);
    if (!w.empty() && w[0] == key && static_cast<int>(w.size()) > word) return w[word];
  }
  return "";
}

std::string Sql(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += "''";
    else out.push_back(c);
  }
  out += "'";
  return out;
}

void IntegrationTest::SetUp() {
  ASSERT_FALSE(WardenBin().empty()) << "WARDEN_BIN is not set (run through ctest)";
  ASSERT_FALSE(Env("WARDEN_TEST_HELPERS").empty()) << "WARDEN_TEST_HELPERS is not set";
  std::string base = Env("TMPDIR");
  if (base.empty()) base = "/tmp";
  std::string tmpl = base + "/warden_itest.XXXXXX";
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr) << strerror(errno);
  char real[PATH_MAX];
  ASSERT_NE(realpath(tmpl.c_str(), real), nullptr);
  dir_ = real;
  db_ = dir_ + "/w.db";
}

void IntegrationTest::TearDown() {
  for (pid_t pid : started_) {
    // A test that bailed out early may leave its process running.
    if (kill(pid, 0) == 0) {
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
    }
    waitpid(pid, nullptr, 0);
  }
  started_.clear();
  if (!dir_.empty() && !HasFailure()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  } else if (!dir_.empty()) {
    fprintf(stderr, "kept %s for inspection\n", dir_.c_str());
  }
}

std::string IntegrationTest::WardenBin() { return Env("WARDEN_BIN"); }

std::string IntegrationTest::Helper(std::string_view name) {
  return Env("WARDEN_TEST_HELPERS") + "/" + std::string(name);
}

Spawned IntegrationTest::Start(const std::vector<std::string>& argv) {
  Spawned p;
  int n = ++seq_;
  p.out_path = dir_ + "/stdout." + std::to_string(n);
  p.err_path = dir_ + "/stderr." + std::to_string(n);
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    if (chdir(dir_.c_str()) != 0) _exit(120);
    // O_CLOEXEC: only the dup2'ed copies (0, 1, 2) reach the program, so
    // descriptor numbers in it are what they would be from a shell.
    int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int out = open(p.out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int err = open(p.err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (in < 0 || out < 0 || err < 0) _exit(121);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    // Nothing else of the test process (or of ctest, which hands its
    // children a descriptor of its own) reaches the program.
    syscall(SYS_close_range, 3, ~0u, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig = 1; sig < NSIG; ++sig) signal(sig, SIG_DFL);
    execv(cargv[0], cargv.data());
    _exit(122);
  }
  if (pid > 0) {
    setpgid(pid, pid);  // also from here: no race with a kill(-pid) below
    started_.push_back(pid);
  }
  p.pid = pid;
  return p;
}

ExitInfo IntegrationTest::Wait(Spawned& p, milliseconds timeout) {
  ExitInfo r;
  int status = 0;
  bool done = WaitUntil(
      [&] {
        pid_t w = waitpid(p.pid, &status, WNOHANG);
        return w == p.pid;
      },
      timeout);
  if (!done) {
    r.timed_out = true;
    kill(-p.pid, SIGKILL);
    kill(p.pid, SIGKILL);
    waitpid(p.pid, &status, 0);
  }
  std::erase(started_, p.pid);
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  r.out = ReadFile(p.out_path);
  r.err = ReadFile(p.err_path);
  return r;
}

ExitInfo IntegrationTest::Run(const std::vector<std::string>& argv, milliseconds timeout) {
  Spawned p = Start(argv);
  return Wait(p, timeout);
}

Spawned IntegrationTest::StartWarden(const std::vector<std::string>& cmd,
                                     const std::vector<std::string>& opts) {
  std::vector<std::string> argv = {WardenBin(), "run", "--db", db_};
  argv.insert(argv.end(), opts.begin(), opts.end());
  argv.push_back("--");
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  return Start(argv);
}

ExitInfo IntegrationTest::RunWarden(const std::vector<std::string>& cmd,
                                    const std::vector<std::string>& opts, milliseconds timeout) {
  Spawned p = StartWarden(cmd, opts);
  ExitInfo r = Wait(p, timeout);
  EXPECT_FALSE(r.timed_out) << "warden did not finish in time; stderr:\n" << r.err;
  return r;
}

bool IntegrationTest::WaitForOutput(const Spawned& p, std::string_view text, milliseconds timeout) {
  return WaitUntil([&] { return ReadFile(p.out_path).find(text) != std::string::npos; }, timeout);
}

Rows IntegrationTest::Query(const std::string& sql) {
  Rows rows;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "open " << db_ << ": " << sqlite3_errmsg(db);
    sqlite3_close(db);
    return rows;
  }
  sqlite3_busy_timeout(db, 2000);
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "SQL error: " << sqlite3_errmsg(db) << "\n  in: " << sql;
    sqlite3_close(db);
    return rows;
  }
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    Row row;
    for (int i = 0; i < sqlite3_column_count(s); ++i) {
      const unsigned char* t = sqlite3_column_text(s, i);
      row.push_back(sqlite3_column_type(s, i) == SQLITE_NULL
                        ? "NULL"
                        : std::string(reinterpret_cast<const char*>(t),
                                      static_cast<size_t>(sqlite3_column_bytes(s, i))));
    }
    rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) ADD_FAILURE() << "SQL step: " << sqlite3_errmsg(db) << "\n  in: " << sql;
  sqlite3_finalize(s);
  sqlite3_close(db);
  return rows;
}

std::string IntegrationTest::QueryOne(const std::string& sql) {
  Rows rows = Query(sql);
  if (rows.empty() || rows[0].empty()) return "";
  return rows[0][0];
}

int64_t IntegrationTest::QueryInt(const std::string& sql) {
  std::string v = QueryOne(sql);
  return v.empty() || v == "NULL" ? -1 : std::stoll(v);
}

std::string IntegrationTest::Dump() {
  std::string out;
  auto table = [&](const std::string& title, const std::string& sql) {
    out += "-- " + title + "\n";
    for (const auto& row : Query(sql)) {
      for (size_t i = 0; i < row.size(); ++i) out += (i ? " | " : "") + row[i];
      out += "\n";
    }
  };
  const std::string run = "(SELECT max(id) FROM runs)";
  table("runs", "SELECT id, exit_code, exit_signal, lost_events, argv FROM runs");
  table("processes", "SELECT pid, ppid, tgid, is_thread, exe, argv, exit_code, term_signal "
                     "FROM processes WHERE run_id=" + run + " ORDER BY id");
  table("exec_events", "SELECT pid, path, argv, argv_truncated, result, errno FROM exec_events "
                       "WHERE run_id=" + run + " ORDER BY id");
  table("file_events", "SELECT pid, syscall, path, op, result, errno, path2 FROM file_events "
                       "WHERE run_id=" + run + " AND path NOT LIKE '/usr/lib/%' AND path NOT LIKE "
                       "'/lib/%' AND path NOT LIKE '/etc/ld.so%' ORDER BY id");
  table("net_events", "SELECT pid, syscall, family, direction, address, port, result, errno "
                      "FROM net_events WHERE run_id=" + run + " ORDER BY id");
  return out;
}

}  // namespace warden::itest
