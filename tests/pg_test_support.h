// A private PostgreSQL server for the fleet tests (packaging/pg-test-server.sh:
// initdb and pg_ctl into a directory of the build's, loopback only, as the
// user nobody when run as root), started by the first test that needs it
// and stopped by ctest's pg_server_stop (the fixture's cleanup). Each test
// gets a database of its own, so tests may run in parallel.
#ifndef WARDEN_TESTS_PG_TEST_SUPPORT_H_
#define WARDEN_TESTS_PG_TEST_SUPPORT_H_

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <string>

#include "fleet/pg.h"
#include "fmt/format.h"
#include "gtest/gtest.h"

namespace warden::itest {

// The script's output: a URL, "SKIP: why", or "" when it failed (why on stderr).
inline std::string PgServerCommand(const std::string& command, const std::string& dir) {
  std::string out;
  const std::string cmd = fmt::format("'{}' {} '{}'", WARDEN_PG_SERVER_SCRIPT, command, dir);
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[512];
    while (fgets(buf, sizeof buf, p)) out += buf;
    if (pclose(p) != 0) return "";
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// The shared server's directory: WARDEN_TEST_PG_DIR, else the build
// tree's (tests/CMakeLists.txt).
inline std::string PgServerDir() {
  if (const char* d = getenv("WARDEN_TEST_PG_DIR"); d && *d) return d;
  return WARDEN_PG_SERVER_DIR;
}

// Replaces the database name at the end of `url`.
inline std::string WithDatabase(const std::string& url, const std::string& name) {
  return url.substr(0, url.rfind('/') + 1) + name;
}

// A fresh database on the server in `dir`: its URL in *url, and "" -- or
// "SKIP: why" when the server binaries are missing, "FAIL: why" when the
// server does not start.
inline std::string PgDatabase(const std::string& dir, std::string* url) {
  const std::string admin = PgServerCommand("start", dir);
  if (admin.rfind("SKIP:", 0) == 0) return admin;
  if (admin.empty()) return "FAIL: the PostgreSQL test server did not start in " + dir;
  static std::atomic<int> n{0};
  const std::string name = fmt::format("t{}_{}_{}", getpid(), n++, time(nullptr) % 100000);
  auto conn = fleet::PgConn::Connect(admin);
  if (!conn.ok()) return "FAIL: " + std::string(conn.status().message());
  if (auto s = (*conn)->Exec("CREATE DATABASE " + name); !s.ok()) return "FAIL: " + std::string(s.message());
  *url = WithDatabase(admin, name);
  return "";
}

// Declares `url_var`, a fresh database on the shared server (or the one in
// the directory given), skipping or failing the test as PgDatabase says.
#define WARDEN_PG_DATABASE_IN(url_var, dir)                         \
  std::string url_var;                                              \
  do {                                                              \
    const std::string why_ = PgDatabase(dir, &url_var);             \
    if (why_.rfind("SKIP:", 0) == 0) GTEST_SKIP() << why_;          \
    ASSERT_TRUE(why_.empty()) << why_;                              \
  } while (0)
#define WARDEN_PG_DATABASE(url_var) WARDEN_PG_DATABASE_IN(url_var, PgServerDir())

}  // namespace warden::itest

#endif  // WARDEN_TESTS_PG_TEST_SUPPORT_H_
