// Shared fixture for the integration tests: a temporary directory, running
// the real `warden` binary (and the helper programs in tests/helpers/) with a
// deadline, polling instead of sleeping, and reading the recorded rows back
// with the sqlite3 C API.
//
// WARDEN_BIN names the warden binary, WARDEN_TEST_HELPERS the directory of
// the helper executables; tests/CMakeLists.txt sets both for ctest.
#ifndef WARDEN_TESTS_TEST_SUPPORT_H_
#define WARDEN_TESTS_TEST_SUPPORT_H_

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"

namespace warden::itest {

// How a process ended, as a shell reports it.
struct ExitInfo {
  bool timed_out = false;  // killed by the fixture after the deadline
  int exit_code = -1;      // WEXITSTATUS, or -1 when signalled
  int signal = 0;          // WTERMSIG when signalled
  std::string out, err;    // captured stdout / stderr
};

// A process started without waiting: stdout/stderr go to files that the test
// can poll while it runs.
struct Spawned {
  pid_t pid = -1;
  std::string out_path, err_path;
};

using Row = std::vector<std::string>;  // SQL NULL comes back as "NULL"
using Rows = std::vector<Row>;

// Top-level fields of one JSON object; strings unescaped, other values as
// their JSON text ("12", "true", "[\"a\"]"). nullopt when `line` is not one
// valid JSON object.
std::optional<std::map<std::string, std::string>> ParseJsonObject(std::string_view line);
// The elements of a JSON array of strings, nullopt when it is not one.
std::optional<std::vector<std::string>> ParseJsonStringArray(std::string_view text);

// Polls `cond` every few ms until it holds or `timeout` passes.
bool WaitUntil(const std::function<bool()>& cond,
               std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));

// True while `pid` exists and is not a zombie (a zombie has stopped running
// for good; its parent may simply not have reaped it yet).
bool ProcessAlive(pid_t pid);
// True when no process `pid` exists at all, not even as a zombie.
bool ProcessGone(pid_t pid);
// Field 3 of /proc/PID/stat ('R', 'S', 'T', 't', 'Z', ...); 0 when gone.
char ProcessState(pid_t pid);

std::string ReadFile(const std::string& path);
// The file `path` names, every symlink followed (realpath(3)): what warden
// records for a call that follows them (/usr/bin/dash for /bin/sh).
std::string Real(const std::string& path);
void WriteFile(const std::string& path, std::string_view text, int mode = 0644);
// Splits on '\n', dropping a final empty piece.
std::vector<std::string> Lines(std::string_view text);
// The whitespace-separated words of `text`.
std::vector<std::string> Words(std::string_view text);
// "key value" pairs from helper output: the first line whose first word is
// `key`, its second word. "" when missing.
std::string Field(std::string_view output, std::string_view key, int word = 1);

class IntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // The temporary directory (real path, no symlinks), and the database in it.
  const std::string& dir() const { return dir_; }
  const std::string& db() const { return db_; }
  std::string Path(std::string_view name) const { return dir_ + "/" + std::string(name); }

  static std::string WardenBin();
  static std::string Helper(std::string_view name);

  // `warden run --db db() OPTS -- CMD...`, started in dir() with its own
  // process group; waits at most `timeout`.
  ExitInfo RunWarden(const std::vector<std::string>& cmd,
                     const std::vector<std::string>& opts = {},
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));
  Spawned StartWarden(const std::vector<std::string>& cmd,
                      const std::vector<std::string>& opts = {});
  // Any program (argv[0] is a path), in dir().
  Spawned Start(const std::vector<std::string>& argv);
  ExitInfo Wait(Spawned& p, std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));
  ExitInfo Run(const std::vector<std::string>& argv,
               std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));
  // Polls the process's stdout until it holds `text`.
  bool WaitForOutput(const Spawned& p, std::string_view text,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));

  // Rows of `sql` on db(); a failing statement fails the test.
  Rows Query(const std::string& sql);
  // The first column of the first row; "" when there is no row.
  std::string QueryOne(const std::string& sql);
  int64_t QueryInt(const std::string& sql);

  // Everything recorded for the latest run, for failure messages.
  std::string Dump();

 private:
  std::string dir_, db_;
  std::vector<pid_t> started_;  // process groups to kill if a test bails out
  int seq_ = 0;
};

// SQL string literal.
std::string Sql(std::string_view text);

}  // namespace warden::itest

#endif  // WARDEN_TESTS_TEST_SUPPORT_H_
