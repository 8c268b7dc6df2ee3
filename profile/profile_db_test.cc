// The profile of runs read from SQLite files (learn/event_source.h,
// OpenDatabases) through ProfileBuilder: the classes, what counts, the
// statuses, and the union of several files and runs.
#include <memory>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "learn/event_source.h"
#include "profile/profile_builder.h"
#include "store/run_lock.h"
#include "store/store.h"
#include "store/test_util.h"

namespace warden::profile {
using namespace warden::store;  // the writer, to make databases to read

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using store::testing::CreateV1Database;
using store::testing::Exec;
using store::testing::TempDir;

constexpr int64_t kSec = 1000000000;
constexpr int64_t kT0 = 1795428000LL * kSec;  // 2026-11-23T10:00:00Z

RunInfo MakeRun(std::vector<std::string> argv, int64_t start_ns) {
  return RunInfo{.argv = std::move(argv), .cwd = "/w", .host = "h", .warden_version = "0.1.0",
                 .start_ns = start_ns};
}

FileEvent File(int64_t ts, int pid, std::string exe, std::string path, std::string op,
               std::optional<int64_t> result = 3, int err = 0) {
  return FileEvent{.ts_ns = ts, .pid = pid, .exe = std::move(exe), .syscall = "openat",
                   .path = std::move(path), .op = std::move(op), .flags = "O_RDONLY",
                   .result = result, .err = err};
}

NetEvent Net(int64_t ts, int pid, std::string op, std::string dir, std::string addr, int port,
             std::optional<int64_t> result = 0, int err = 0) {
  return NetEvent{.ts_ns = ts, .pid = pid, .exe = "/usr/bin/curl", .syscall = op, .op = op,
                  .family = addr.find(':') != std::string::npos ? "AF_INET6" : "AF_INET",
                  .sock_type = "SOCK_STREAM", .direction = std::move(dir), .address = std::move(addr),
                  .port = port, .fd = 3, .result = result, .err = err};
}

absl::StatusOr<Profile> Load(learn::Selection selection) {
  auto source = learn::OpenDatabases(selection);
  if (!source.ok()) return source.status();
  return ReadProfile(**source, selection);
}

absl::StatusOr<Profile> Load(const std::string& db, int64_t run) {
  return Load(learn::Selection{.dbs = {db}, .runs = {run}});
}

class ProfileDbTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(dir_.path().empty()) << "mkdtemp failed"; }

  // Run 1: sh (pid 10) runs `cat /etc/hosts` (pid 11, exec) and a child
  // that execs curl (pid 12, with thread 13 that forks pid 14); policy
  // hits; net traffic. Run 2: one process, still running (no FinishRun).
  void Record() { Record(db_); }
  void Record(const std::string& path) {
    auto store = Store::Open(path);
    ASSERT_TRUE(store.ok()) << store.status();
    Store& s = **store;
    ASSERT_TRUE(s.BeginRun(MakeRun({"sh", "-c", "cat /etc/hosts; curl x"}, kT0)).ok());
    s.Submit(ProcessStart{.ts_ns = kT0 + 1 * kSec, .pid = 10, .ppid = 1, .tgid = 10,
                          .exe = "/bin/sh", .argv = {"sh", "-c", "cat /etc/hosts; curl x"}, .cwd = "/w"});
    s.Submit(ProcessStart{.ts_ns = kT0 + 2 * kSec, .pid = 11, .ppid = 10, .tgid = 11,
                          .exe = "/bin/sh", .argv = {"sh"}, .cwd = "/w"});
    s.Submit(ExecEvent{.ts_ns = kT0 + 2 * kSec + 10, .pid = 11, .exe = "/bin/sh", .path = "/usr/local/bin/cat",
                       .argv = {"cat", "/etc/hosts"}, .result = -1, .err = 2});
    s.Submit(ExecEvent{.ts_ns = kT0 + 2 * kSec + 20, .pid = 11, .exe = "/bin/sh", .path = "/bin/cat",
                       .argv = {"cat", "/etc/hosts"}, .result = 0});
    s.Submit(File(kT0 + 2 * kSec + 20, 11, "/bin/sh", "/bin/cat", "exec", 0));
    s.Submit(ProcessExec{.ts_ns = kT0 + 2 * kSec + 30, .pid = 11, .exe = "/bin/cat",
                         .argv = {"cat", "/etc/hosts"}});
    s.Submit(File(kT0 + 2 * kSec + 40, 11, "/bin/cat", "/etc/ld.so.cache", "read"));
    s.Submit(File(kT0 + 2 * kSec + 50, 11, "/bin/cat", "/etc/hosts", "read"));
    s.Submit(File(kT0 + 2 * kSec + 60, 11, "/bin/cat", "/etc/hosts", "read", std::nullopt));  // --no-results
    s.Submit(File(kT0 + 2 * kSec + 70, 11, "/bin/cat", "/etc/missing", "read", -1, 2));     // failed
    s.Submit(File(kT0 + 2 * kSec + 80, 11, "/bin/cat", "/etc/hosts", "stat", 0));           // not profiled
    s.Submit(SyscallEvent{.ts_ns = kT0 + 2 * kSec + 50, .pid = 11, .exe = "/bin/cat", .abi = "x86_64",
                          .nr = 257, .name = "openat", .args = "AT_FDCWD, \"/etc/hosts\", O_RDONLY",
                          .result = 3, .action = "allow"});
    s.Submit(SyscallEvent{.ts_ns = kT0 + 2 * kSec + 90, .pid = 11, .exe = "/bin/cat", .abi = "x86_64",
                          .nr = 257, .name = "openat", .args = "AT_FDCWD, \"/etc/shadow\", O_RDONLY",
                          .result = -1, .err = 13, .action = "deny", .rule = "no-shadow"});
    s.Submit(PolicyEvent{.ts_ns = kT0 + 2 * kSec + 90, .pid = 11, .exe = "/bin/cat", .abi = "x86_64",
                         .nr = 257, .syscall = "openat", .args = "AT_FDCWD, \"/etc/shadow\", O_RDONLY",
                         .action = "deny", .rule = "no-shadow", .mode = "active", .category = "file-read",
                         .target = "/etc/shadow", .result = -1, .err = 13});
    s.Submit(File(kT0 + 2 * kSec + 90, 11, "/bin/cat", "/etc/shadow", "read", -1, 13));
    s.Submit(ProcessEnd{.ts_ns = kT0 + 3 * kSec, .pid = 11, .exit_code = 1});

    s.Submit(ProcessStart{.ts_ns = kT0 + 4 * kSec, .pid = 12, .ppid = 10, .tgid = 12,
                          .exe = "/bin/sh", .argv = {"sh"}, .cwd = "/w"});
    s.Submit(ExecEvent{.ts_ns = kT0 + 4 * kSec + 10, .pid = 12, .exe = "/bin/sh", .path = "/usr/bin/curl",
                       .argv = {"curl", "it's here"}, .result = 0});
    s.Submit(ProcessExec{.ts_ns = kT0 + 4 * kSec + 20, .pid = 12, .exe = "/usr/bin/curl",
                         .argv = {"curl", "it's here"}});
    s.Submit(File(kT0 + 4 * kSec + 30, 12, "/usr/bin/curl", "/tmp/out", "create"));
    s.Submit(File(kT0 + 4 * kSec + 40, 12, "/usr/bin/curl", "/etc/hosts", "read"));
    s.Submit(ProcessStart{.ts_ns = kT0 + 5 * kSec, .pid = 13, .ppid = 10, .is_thread = true, .tgid = 12,
                          .exe = "/usr/bin/curl", .argv = {"curl", "it's here"}, .cwd = "/w"});
    s.Submit(ProcessStart{.ts_ns = kT0 + 6 * kSec, .pid = 14, .ppid = 13, .tgid = 14,
                          .exe = "/usr/bin/curl", .argv = {"curl", "it's here"}, .cwd = "/w"});
    s.Submit(ProcessEnd{.ts_ns = kT0 + 6 * kSec + 500000, .pid = 14, .term_signal = 9});
    s.Submit(Net(kT0 + 7 * kSec, 12, "bind", "local", "0.0.0.0", 0));        // ephemeral: not a listen port
    s.Submit(Net(kT0 + 7 * kSec + 1, 12, "bind", "local", "0.0.0.0", 8080));
    s.Submit(Net(kT0 + 7 * kSec + 2, 12, "listen", "local", "0.0.0.0", 8080));
    s.Submit(Net(kT0 + 7 * kSec + 3, 12, "connect", "outbound", "10.1.2.3", 443, -1, 115));  // EINPROGRESS
    s.Submit(Net(kT0 + 7 * kSec + 4, 12, "connect", "outbound", "10.1.2.3", 443));
    s.Submit(Net(kT0 + 7 * kSec + 5, 12, "connect", "outbound", "10.9.9.9", 80, -1, 111));  // refused
    s.Submit(Net(kT0 + 7 * kSec + 6, 12, "connect", "outbound", "::1", 53));
    s.Submit(Net(kT0 + 7 * kSec + 7, 12, "accept", "inbound", "192.168.0.5", 40000, 5));
    s.Submit(PolicyEvent{.ts_ns = kT0 + 7 * kSec + 8, .pid = 12, .exe = "/usr/bin/curl", .abi = "x86_64",
                         .nr = 42, .syscall = "connect", .args = "3, {10.1.2.3:443}, 16",
                         .action = "monitor", .rule = "watch-net", .mode = "active",
                         .category = "network-outbound", .target = "10.1.2.3:443", .result = 0});
    s.Submit(ProcessEnd{.ts_ns = kT0 + 8 * kSec, .pid = 12, .exit_code = 0});
    s.Submit(ProcessEnd{.ts_ns = kT0 + 9 * kSec, .pid = 10, .exit_code = 0});
    ASSERT_TRUE(s.FinishRun(RunEnd{.end_ns = kT0 + 10 * kSec, .exit_code = 0}).ok());

    ASSERT_TRUE(s.BeginRun(MakeRun({"sleep", "100"}, kT0 + 20 * kSec)).ok());
    s.Submit(ProcessStart{.ts_ns = kT0 + 21 * kSec, .pid = 30, .ppid = 1, .tgid = 30,
                          .exe = "/bin/sleep", .argv = {"sleep", "100"}, .cwd = "/w"});
    // No FinishRun: the store writes what was queued; the run stays open.
  }

  TempDir dir_;
  std::string db_ = dir_.File("warden.db");
};

TEST_F(ProfileDbTest, ProfileClassifiesSuccessfulFileCalls) {
  Record();
  auto p = Load(db_, 1);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->status, "finished");
  EXPECT_EQ(p->processes, 5);
  EXPECT_EQ(p->argv_json, R"(["sh","-c","cat /etc/hosts; curl x"])");

  std::vector<std::string> read;
  for (const auto& f : p->read) read.push_back(f.path);
  // Not /etc/missing (ENOENT), not /etc/shadow (denied), not the stat.
  EXPECT_THAT(read, ElementsAre("/etc/hosts", "/etc/ld.so.cache"));
  const FileUse& hosts = p->read[0];
  EXPECT_EQ(hosts.count, 3);  // two by cat (one without a result), one by curl
  EXPECT_EQ(hosts.first_ns, kT0 + 2 * kSec + 50);
  EXPECT_EQ(hosts.last_ns, kT0 + 4 * kSec + 40);
  EXPECT_THAT(hosts.programs, ElementsAre("/bin/cat", "/usr/bin/curl"));

  ASSERT_EQ(p->written.size(), 1u);
  EXPECT_EQ(p->written[0].path, "/tmp/out");
  ASSERT_EQ(p->executed.size(), 1u);
  EXPECT_EQ(p->executed[0].path, "/bin/cat");
  EXPECT_THAT(p->executed[0].programs, ElementsAre("/bin/sh"));

  std::vector<std::string> programs;
  for (const auto& r : p->programs) programs.push_back(r.path);
  EXPECT_THAT(programs, ElementsAre("/bin/cat", "/usr/bin/curl"));  // not the failed /usr/local/bin/cat
}

TEST_F(ProfileDbTest, ProfileNetwork) {
  Record();
  auto p = Load(db_, 1);
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->listening.size(), 1u);  // bind + listen on 8080; the bind to port 0 is left out
  EXPECT_EQ(p->listening[0].address, "0.0.0.0");
  EXPECT_EQ(p->listening[0].port, 8080);
  EXPECT_EQ(p->listening[0].count, 2);
  EXPECT_THAT(p->listening[0].programs, ElementsAre("/usr/bin/curl"));

  std::vector<std::string> accessed;
  for (const auto& u : p->accessed) accessed.push_back(fmt::format("{} {}:{} x{}", u.family, u.address, *u.port, u.count));
  // EINPROGRESS counts; ECONNREFUSED does not.
  EXPECT_THAT(accessed, ElementsAre("AF_INET6 ::1:53 x1", "AF_INET 10.1.2.3:443 x2"));

  std::vector<std::string> hosts;
  for (const auto& h : p->hosts) hosts.push_back(fmt::format("{} out {} in {}", h.address, h.outbound, h.inbound));
  EXPECT_THAT(hosts, ElementsAre("10.1.2.3 out 2 in 0", "192.168.0.5 out 0 in 1", "::1 out 1 in 0"));
}

// A run with no end: in progress while a warden holds its lock (here, the
// test takes it as warden would), interrupted once nobody does (the store
// of run 2 was closed without FinishRun); not started without processes.
TEST_F(ProfileDbTest, ProfileStatusOfRunsWithoutAnEnd) {
  Record();
  auto status = [&](int64_t run) {
    auto p = Load(db_, run);
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? p->status : "";
  };
  EXPECT_EQ(status(2), "interrupted (warden died)");
  {
    auto lock = store::RunLock::Take(db_, 2);
    ASSERT_TRUE(lock.ok()) << lock.status();
    EXPECT_EQ(status(2), "in progress");
  }
  EXPECT_EQ(status(2), "interrupted (warden died)");
  EXPECT_EQ(status(1), "finished");
  ASSERT_EQ(Exec(db_, "INSERT INTO runs(argv, cwd, host, warden_version, start_ns) "
                      "VALUES('[\"true\"]', '/', 'h', 'v', 5)"),
            "");
  auto lock = store::RunLock::Take(db_, 3);
  ASSERT_TRUE(lock.ok()) << lock.status();
  EXPECT_EQ(status(3), "not started");
}


TEST_F(ProfileDbTest, ReadsAVersion1Database) {
  ASSERT_EQ(CreateV1Database(db_), "");
  auto p = Load(db_, 1);
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->read.size(), 1u);
  EXPECT_EQ(p->read[0].path, "/src/Makefile");
}

// Two files, the same recording in each, and run 2 of the first: counts
// add up, first and last seen span the files, statuses are counted.
TEST_F(ProfileDbTest, SeveralRunsAreTheirUnion) {
  Record();
  const std::string copy = dir_.File("copy.db");
  Record(copy);
  auto one = Load(db_, 1);
  ASSERT_TRUE(one.ok()) << one.status();
  auto both = Load({.dbs = {db_, copy}, .runs = {1}});
  ASSERT_TRUE(both.ok()) << both.status();
  ASSERT_EQ(both->runs.size(), 2u);
  EXPECT_EQ(both->runs[1].db, copy);
  EXPECT_EQ(both->run, 0);
  EXPECT_EQ(both->status, "finished");
  EXPECT_EQ(both->processes, 2 * one->processes);
  ASSERT_EQ(both->read.size(), one->read.size());
  for (size_t i = 0; i < one->read.size(); ++i) {
    EXPECT_EQ(both->read[i].path, one->read[i].path);
    EXPECT_EQ(both->read[i].count, 2 * one->read[i].count);
    EXPECT_EQ(both->read[i].programs, one->read[i].programs);
  }
  ASSERT_EQ(both->hosts.size(), one->hosts.size());
  EXPECT_EQ(both->hosts[0].outbound, 2 * one->hosts[0].outbound);

  auto mixed = Load({.dbs = {db_, copy}, .runs = {1, 2}});
  ASSERT_TRUE(mixed.ok()) << mixed.status();
  EXPECT_EQ(mixed->runs.size(), 4u);
  EXPECT_EQ(mixed->status, "2 finished, 2 interrupted (warden died)");
  EXPECT_FALSE(mixed->end_ns);  // two have not ended
  EXPECT_EQ(mixed->start_ns, kT0);
}

// The window keeps the events inside it; no run with events in it is an
// error that says what to do.
TEST_F(ProfileDbTest, WindowKeepsTheEventsInsideIt) {
  Record();
  auto p = Load({.dbs = {db_}, .runs = {1}, .from_ns = kT0 + 4 * kSec, .to_ns = kT0 + 7 * kSec + 3});
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->read.size(), 1u);
  EXPECT_EQ(p->read[0].path, "/etc/hosts");
  EXPECT_EQ(p->read[0].count, 1);  // curl's; cat's were before
  ASSERT_EQ(p->accessed.size(), 1u);
  EXPECT_EQ(p->accessed[0].count, 1);  // the EINPROGRESS connect at +7s+3 only
  auto none = Load({.dbs = {db_}, .from_ns = kT0 + 100 * kSec});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(none.status().message()), HasSubstr("--from/--to"));
}

}  // namespace
}  // namespace warden::profile
