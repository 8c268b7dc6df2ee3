#include "store/store.h"

#include <sqlite3.h>

#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/schema.h"
#include "store/test_util.h"

namespace warden::store {
namespace {

using ::testing::HasSubstr;
using testing::CreateV1Database;
using testing::Exec;
using testing::Query;
using testing::QueryOne;
using testing::Row;
using testing::TempDir;

using Opt = std::optional<std::string>;

RunInfo MakeRun(std::vector<std::string> argv, int64_t start_ns) {
  RunInfo info;
  info.argv = std::move(argv);
  info.cwd = "/home/me";
  info.host = "box";
  info.warden_version = "0.1.0";
  info.start_ns = start_ns;
  return info;
}

FileEvent MakeFile(int pid, int64_t ts, std::string path) {
  FileEvent e;
  e.ts_ns = ts;
  e.pid = pid;
  e.syscall = "openat";
  e.path = std::move(path);
  e.op = "read";
  e.flags = "O_RDONLY|O_CLOEXEC";
  e.result = 3;
  return e;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(dir_.path().empty()) << "mkdtemp failed"; }

  std::unique_ptr<Store> OpenStore(size_t capacity = 65536) {
    auto store = Store::Open(db_, capacity);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }

  TempDir dir_;
  std::string db_ = dir_.File("warden.db");
};

TEST_F(StoreTest, OpenCreatesSchemaInWalMode) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  EXPECT_EQ(QueryOne(db_, "PRAGMA user_version"), std::to_string(kSchemaVersion));
  EXPECT_EQ(QueryOne(db_, "PRAGMA journal_mode"), "wal");
  auto tables = Query(db_, "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name");
  std::vector<std::string> names;
  for (const Row& r : tables) names.push_back(r[0].value_or(""));
  EXPECT_THAT(names, ::testing::IsSupersetOf({"runs", "processes", "calls", "strings", "nets",
                                              "exec_events", "policy_events", "policy_changes"}));
  // File, network and syscall events are views over calls, nets and
  // strings (versions 4 and 5).
  EXPECT_EQ(QueryOne(db_, "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master "
                          "WHERE type='view' ORDER BY name)"),
            "events,file_events,net_events,syscall_events");
  EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM sqlite_master WHERE type='index' AND name IN "
                          "('exec_events_run_ts','policy_events_run_ts',"
                          "'policy_events_run_action')"),
            "3");
}

// A CallRecord (what the supervisor hands over: one per call, arguments as
// data) becomes one calls row: its syscall, file and network parts, with
// the argument and flag text made by the writer; and its policy hit.
TEST_F(StoreTest, CallRecordIsOneRowWithTextMadeByTheWriter) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->BeginRun(MakeRun({"cat"}, 100)).ok());
  const syscalls::SyscallDef* openat = syscalls::ByName(syscalls::Abi::kX86_64, "openat");
  ASSERT_NE(openat, nullptr);
  CallRecord c;
  c.ts_ns = 110;
  c.pid = 42;
  c.exe = "/usr/bin/cat";
  c.nr = openat->nr;
  c.def = openat;
  c.args.values = {static_cast<uint64_t>(-100), 0x1000, 02000000, 0, 0, 0};  // AT_FDCWD, O_CLOEXEC
  c.args.data.emplace_back(1, syscalls::StringValue{"/etc/hosts"});
  c.result = 3;
  c.action = "monitor";
  c.rule = "watch-etc";
  c.file = CallRecord::File{"openat", "/etc/hosts", "", "", "read", syscalls::DecodeOpenFlags, 02000000};
  c.hit = std::make_shared<const CallRecord::Hit>(
      CallRecord::Hit{"active", true, "file-read", "/etc/hosts"});
  store->Submit(c);
  ASSERT_TRUE(store->FinishRun({.end_ns = 200, .exit_code = 0}).ok());
  EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM calls"), "1");
  EXPECT_THAT(Query(db_, "SELECT name, args, result, action, rule FROM syscall_events"),
              ::testing::ElementsAre(::testing::ElementsAre(
                  "openat", "AT_FDCWD, \"/etc/hosts\", O_RDONLY|O_CLOEXEC", "3", "monitor",
                  "watch-etc")));
  EXPECT_THAT(Query(db_, "SELECT path, op, flags, result FROM file_events"),
              ::testing::ElementsAre(
                  ::testing::ElementsAre("/etc/hosts", "read", "O_RDONLY|O_CLOEXEC", "3")));
  EXPECT_THAT(Query(db_, "SELECT syscall, args, category, target FROM policy_events"),
              ::testing::ElementsAre(::testing::ElementsAre(
                  "openat", "AT_FDCWD, \"/etc/hosts\", O_RDONLY|O_CLOEXEC", "file-read",
                  "/etc/hosts")));
}

TEST_F(StoreTest, RunsAppendAndNeverOverwrite) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store);
    auto id = store->BeginRun(MakeRun({"make", "-j2"}, 1000));
    ASSERT_TRUE(id.ok()) << id.status();
    EXPECT_EQ(*id, 1);
    EXPECT_EQ(store->run_id(), 1);
    store->Submit(MakeFile(10, 1100, "/etc/passwd"));
    ASSERT_TRUE(store->FinishRun({.end_ns = 2000, .exit_code = 0}).ok());
  }
  auto first = Query(db_, "SELECT * FROM runs WHERE id=1");
  {
    auto store = OpenStore();
    ASSERT_TRUE(store);
    auto id = store->BeginRun(MakeRun({"true"}, 3000));
    ASSERT_TRUE(id.ok()) << id.status();
    EXPECT_EQ(*id, 2);
    store->Submit(MakeFile(20, 3100, "/etc/hosts"));
    ASSERT_TRUE(store->FinishRun({.end_ns = 4000, .exit_code = 137, .exit_signal = 9}).ok());
  }
  EXPECT_EQ(Query(db_, "SELECT * FROM runs WHERE id=1"), first);
  EXPECT_EQ(Query(db_, "SELECT id, argv, cwd, host, warden_version, start_ns, end_ns, exit_code, "
                       "exit_signal, lost_events FROM runs ORDER BY id"),
            (std::vector<Row>{
                {"1", R"(["make","-j2"])", "/home/me", "box", "0.1.0", "1000", "2000", "0",
                 std::nullopt, "0"},
                {"2", R"(["true"])", "/home/me", "box", "0.1.0", "3000", "4000", "137", "9", "0"}}));
  EXPECT_EQ(Query(db_, "SELECT run_id, path FROM file_events ORDER BY id"),
            (std::vector<Row>{{"1", "/etc/passwd"}, {"2", "/etc/hosts"}}));
}

TEST_F(StoreTest, SequentialRunsOnOneStore) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_EQ(*store->BeginRun(MakeRun({"a"}, 1)), 1);
  EXPECT_EQ(store->BeginRun(MakeRun({"b"}, 2)).status().code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store->FinishRun({.end_ns = 5}).ok());
  EXPECT_EQ(store->FinishRun({.end_ns = 6}).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_EQ(*store->BeginRun(MakeRun({"c"}, 7)), 2);
  ASSERT_TRUE(store->FinishRun({.end_ns = 8}).ok());
}

TEST_F(StoreTest, EveryEventKindRoundTrips) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->BeginRun(MakeRun({"sh", "-c", "x"}, 100)).ok());

  store->Submit(ProcessStart{.ts_ns = 110, .pid = 42, .ppid = 41, .is_thread = false, .tgid = 42,
                             .exe = "/bin/sh", .argv = {"sh", "-c", "x"}, .cwd = "/tmp"});
  store->Submit(ProcessStart{.ts_ns = 111, .pid = 43, .ppid = 42, .is_thread = true, .tgid = 42,
                             .exe = "/bin/sh", .argv = {}, .cwd = "/tmp"});
  store->Submit(SyscallEvent{.ts_ns = 120, .pid = 42, .exe = "/bin/sh", .abi = "x86_64", .nr = 257,
                             .name = "openat", .args = "AT_FDCWD, \"/nope\", O_RDONLY",
                             .result = std::nullopt, .err = 2, .action = "deny", .rule = "no-nope"});
  store->Submit(SyscallEvent{.ts_ns = 121, .pid = 42, .exe = "/bin/sh", .abi = "i386", .nr = 5,
                             .name = "open", .args = "\"/x\", O_RDONLY", .result = 3, .err = 0,
                             .action = "allow", .rule = ""});
  store->Submit(FileEvent{.ts_ns = 130, .pid = 42, .syscall = "renameat2", .path = "/tmp/a",
                          .op = "rename", .flags = "", .result = 0, .err = 0, .path2 = "/tmp/b"});
  store->Submit(FileEvent{.ts_ns = 131, .pid = 42, .syscall = "openat", .path = "/nope",
                          .op = "read", .flags = "O_RDONLY", .result = std::nullopt, .err = 2});
  store->Submit(ExecEvent{.ts_ns = 140, .pid = 42, .path = "/usr/bin/env",
                          .argv = {"env", "A=\"1\""}, .envp = {"PATH=/bin", "HOME=/root"},
                          .argv_truncated = true, .result = 0, .err = 0});
  store->Submit(ExecEvent{.ts_ns = 141, .pid = 42, .path = "/missing", .argv = {"missing"},
                          .envp = {}, .argv_truncated = false, .result = std::nullopt, .err = 2});
  store->Submit(NetEvent{.ts_ns = 150, .pid = 42, .syscall = "connect", .op = "connect",
                         .family = "AF_INET", .sock_type = "SOCK_STREAM", .direction = "outbound",
                         .address = "127.0.0.1", .port = 8080, .fd = 3, .result = std::nullopt,
                         .err = 111});
  store->Submit(NetEvent{.ts_ns = 151, .pid = 42, .syscall = "socket", .op = "socket",
                         .family = "AF_UNIX", .sock_type = "SOCK_DGRAM", .result = 4});
  store->Submit(ProcessEnd{.ts_ns = 160, .pid = 43, .exit_code = 0});
  store->Submit(ProcessEnd{.ts_ns = 170, .pid = 42, .term_signal = 9});
  ASSERT_TRUE(store->FinishRun({.end_ns = 200, .exit_code = 137, .exit_signal = 9}).ok());
  EXPECT_EQ(store->lost_events(), 0u);

  EXPECT_EQ(Query(db_, "SELECT run_id, pid, ppid, tgid, is_thread, exe, argv, cwd, start_ns, "
                       "end_ns, exit_code, term_signal FROM processes ORDER BY id"),
            (std::vector<Row>{
                {"1", "42", "41", "42", "0", "/bin/sh", R"(["sh","-c","x"])", "/tmp", "110", "170",
                 std::nullopt, "9"},
                {"1", "43", "42", "42", "1", "/bin/sh", "[]", "/tmp", "111", "160", "0",
                 std::nullopt}}));
  EXPECT_EQ(Query(db_, "SELECT run_id, ts_ns, pid, exe, abi, nr, name, args, result, errno, "
                       "action, rule FROM syscall_events ORDER BY id"),
            (std::vector<Row>{
                {"1", "120", "42", "/bin/sh", "x86_64", "257", "openat",
                 "AT_FDCWD, \"/nope\", O_RDONLY", std::nullopt, "2", "deny", "no-nope"},
                {"1", "121", "42", "/bin/sh", "i386", "5", "open", "\"/x\", O_RDONLY", "3", "0",
                 "allow", std::nullopt}}));
  EXPECT_EQ(Query(db_, "SELECT run_id, ts_ns, pid, syscall, path, op, flags, result, errno, path2 "
                       "FROM file_events ORDER BY id"),
            (std::vector<Row>{
                {"1", "130", "42", "renameat2", "/tmp/a", "rename", std::nullopt, "0", "0",
                 "/tmp/b"},
                {"1", "131", "42", "openat", "/nope", "read", "O_RDONLY", std::nullopt, "2",
                 std::nullopt}}));
  EXPECT_EQ(Query(db_, "SELECT run_id, ts_ns, pid, path, argv, envp, argv_truncated, result, errno "
                       "FROM exec_events ORDER BY id"),
            (std::vector<Row>{
                {"1", "140", "42", "/usr/bin/env", R"(["env","A=\"1\""])",
                 R"(["PATH=/bin","HOME=/root"])", "1", "0", "0"},
                {"1", "141", "42", "/missing", R"(["missing"])", std::nullopt, "0", std::nullopt,
                 "2"}}));
  EXPECT_EQ(Query(db_, "SELECT run_id, ts_ns, pid, syscall, op, family, sock_type, direction, "
                       "address, port, fd, result, errno FROM net_events ORDER BY id"),
            (std::vector<Row>{
                {"1", "150", "42", "connect", "connect", "AF_INET", "SOCK_STREAM", "outbound",
                 "127.0.0.1", "8080", "3", std::nullopt, "111"},
                {"1", "151", "42", "socket", "socket", "AF_UNIX", "SOCK_DGRAM", std::nullopt,
                 std::nullopt, std::nullopt, std::nullopt, "4", "0"}}));
}

TEST_F(StoreTest, EventsViewHasEveryKindInOneShape) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->BeginRun(MakeRun({"sh"}, 100)).ok());
  store->Submit(ProcessStart{.ts_ns = 101, .pid = 7, .ppid = 1, .tgid = 7, .exe = "/bin/sh",
                             .argv = {"sh"}, .cwd = "/tmp"});
  store->Submit(ExecEvent{.ts_ns = 102, .pid = 7, .exe = "/bin/sh", .path = "/bin/cat",
                          .argv = {"cat"}, .result = 0});
  store->Submit(MakeFile(7, 103, "/etc/hosts"));
  store->Submit(NetEvent{.ts_ns = 104, .pid = 7, .syscall = "connect", .op = "connect",
                         .family = "AF_INET", .address = "10.0.0.5", .port = 80, .result = 0});
  store->Submit(SyscallEvent{.ts_ns = 105, .pid = 7, .abi = "x86_64", .nr = 2, .name = "open",
                             .args = "\"/etc/hosts\", O_RDONLY", .result = 3});
  store->Submit(PolicyEvent{.ts_ns = 106, .pid = 7, .abi = "x86_64", .nr = 2, .syscall = "open",
                            .args = "", .action = "deny", .rule = "r", .mode = "active",
                            .category = "file-read", .target = "/etc/hosts", .err = 13});
  store->Submit(ProcessEnd{.ts_ns = 107, .pid = 7, .exit_code = 3});
  ASSERT_TRUE(store->FinishRun(RunEnd{.end_ns = 200, .exit_code = 0}).ok());
  EXPECT_EQ(Query(db_, "SELECT kind, target, what FROM events ORDER BY ts_ns"),
            (std::vector<Row>{{"process_start", "/tmp", "[\"sh\"]"},
                              {"exec", "/bin/cat", "[\"cat\"]"},
                              {"file", "/etc/hosts", "read"},
                              {"net", "10.0.0.5:80", std::nullopt},
                              {"syscall", std::nullopt, "\"/etc/hosts\", O_RDONLY"},
                              {"policy", "/etc/hosts", "file-read"},
                              {"process_end", std::nullopt, "exit 3"}}));
}

TEST_F(StoreTest, VerdictsAndPolicyRoundTrip) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  RunInfo info = MakeRun({"make"}, 100);
  info.policy = "ci-build";
  info.policy_mode = "permissive";
  ASSERT_TRUE(store->BeginRun(info).ok());
  // Mid-run: no stop count yet.
  EXPECT_EQ(Query(db_, "SELECT policy, policy_mode, stops FROM runs"),
            (std::vector<Row>{{"ci-build", "permissive", std::nullopt}}));

  store->Submit(PolicyChange{.ts_ns = 101, .source = "/etc/warden/ci.yaml", .name = "ci-build",
                             .accepted = true, .message = ""});
  store->Submit(PolicyChange{.ts_ns = 102, .source = "/etc/warden/bad.yaml", .name = "",
                             .accepted = false, .message = "line 3: unknown action 'maybe'"});
  store->Submit(FileEvent{.ts_ns = 110, .pid = 7, .exe = "/bin/cat", .syscall = "openat",
                          .path = "/etc/shadow", .op = "read", .result = std::nullopt, .err = 13,
                          .action = "deny", .rule = "no-secrets"});
  store->Submit(MakeFile(7, 111, "/etc/hosts"));  // defaults: allow, no rule
  store->Submit(ExecEvent{.ts_ns = 120, .pid = 7, .exe = "/bin/sh", .path = "/usr/bin/curl",
                          .argv = {"curl"}, .result = std::nullopt, .err = 1, .action = "kill",
                          .rule = "no-curl"});
  store->Submit(ExecEvent{.ts_ns = 121, .pid = 7, .path = "/bin/ls", .argv = {"ls"}, .result = 0});
  store->Submit(NetEvent{.ts_ns = 130, .pid = 7, .syscall = "connect", .op = "connect",
                         .family = "AF_INET", .address = "10.0.0.5", .port = 80, .fd = 3,
                         .result = 0, .action = "monitor", .rule = "watch-lan"});
  store->Submit(NetEvent{.ts_ns = 131, .pid = 7, .syscall = "socket", .op = "socket", .result = 4});
  // An empty action is still a verdict column: allow.
  store->Submit(NetEvent{.ts_ns = 132, .pid = 7, .syscall = "socket", .op = "socket", .result = 5,
                         .action = ""});
  store->Submit(PolicyEvent{.ts_ns = 110, .pid = 7, .exe = "/bin/cat", .abi = "x86_64", .nr = 257,
                            .syscall = "openat", .args = "AT_FDCWD, \"/etc/shadow\", O_RDONLY",
                            .action = "deny", .rule = "no-secrets", .mode = "permissive",
                            .enforced = false, .category = "file-read", .target = "/etc/shadow",
                            .result = 3, .err = 0});
  store->Submit(PolicyEvent{.ts_ns = 140, .pid = 8, .exe = "", .abi = "i386", .nr = 26,
                            .syscall = "ptrace", .args = "PTRACE_ATTACH, 1", .action = "kill",
                            .rule = "warden:no-ptrace", .mode = "active", .enforced = true,
                            .category = "syscall", .target = "", .result = std::nullopt,
                            .err = 0});
  store->Submit(PolicyEvent{.ts_ns = 150, .pid = 9, .abi = "x86_64", .nr = 42,
                            .syscall = "connect", .args = "3, {AF_INET, 1.2.3.4:443}, 16",
                            .action = "deny", .rule = "", .mode = "active",
                            .category = "network-outbound", .target = "1.2.3.4:443",
                            .result = -1, .err = 1});
  store->Submit(SyscallEvent{.ts_ns = 160, .pid = 7, .abi = "x86_64", .nr = 101, .name = "ptrace",
                             .args = "", .result = std::nullopt, .err = 1, .action = "deny",
                             .rule = ""});
  ASSERT_TRUE(store->FinishRun({.end_ns = 200, .exit_code = 0, .stops = 12345678901}).ok());
  EXPECT_EQ(store->lost_events(), 0u);

  EXPECT_EQ(Query(db_, "SELECT policy, policy_mode, stops, lost_events FROM runs"),
            (std::vector<Row>{{"ci-build", "permissive", "12345678901", "0"}}));
  EXPECT_EQ(Query(db_, "SELECT run_id, ts_ns, source, name, accepted, message FROM policy_changes "
                       "ORDER BY id"),
            (std::vector<Row>{
                {"1", "101", "/etc/warden/ci.yaml", "ci-build", "1", std::nullopt},
                {"1", "102", "/etc/warden/bad.yaml", std::nullopt, "0",
                 "line 3: unknown action 'maybe'"}}));
  EXPECT_EQ(Query(db_, "SELECT ts_ns, path, errno, action, rule FROM file_events ORDER BY id"),
            (std::vector<Row>{{"110", "/etc/shadow", "13", "deny", "no-secrets"},
                              {"111", "/etc/hosts", "0", "allow", std::nullopt}}));
  EXPECT_EQ(Query(db_, "SELECT ts_ns, path, action, rule FROM exec_events ORDER BY id"),
            (std::vector<Row>{{"120", "/usr/bin/curl", "kill", "no-curl"},
                              {"121", "/bin/ls", "allow", std::nullopt}}));
  EXPECT_EQ(Query(db_, "SELECT ts_ns, op, action, rule FROM net_events ORDER BY id"),
            (std::vector<Row>{{"130", "connect", "monitor", "watch-lan"},
                              {"131", "socket", "allow", std::nullopt},
                              {"132", "socket", "allow", std::nullopt}}));
  EXPECT_EQ(Query(db_, "SELECT action, rule FROM syscall_events"),
            (std::vector<Row>{{"deny", std::nullopt}}));
  EXPECT_EQ(Query(db_, "SELECT run_id, ts_ns, pid, exe, abi, nr, syscall, args, action, rule, mode, "
                       "enforced, category, target, result, errno FROM policy_events ORDER BY id"),
            (std::vector<Row>{
                {"1", "110", "7", "/bin/cat", "x86_64", "257", "openat",
                 "AT_FDCWD, \"/etc/shadow\", O_RDONLY", "deny", "no-secrets", "permissive", "0",
                 "file-read", "/etc/shadow", "3", "0"},
                {"1", "140", "8", "", "i386", "26", "ptrace", "PTRACE_ATTACH, 1", "kill",
                 "warden:no-ptrace", "active", "1", "syscall", std::nullopt, std::nullopt, "0"},
                {"1", "150", "9", "", "x86_64", "42", "connect", "3, {AF_INET, 1.2.3.4:443}, 16",
                 "deny", std::nullopt, "active", "1", "network-outbound", "1.2.3.4:443", "-1",
                 "1"}}));
  // The (run_id, action) index is what "every deny of run N" uses.
  auto plan = Query(db_, "EXPLAIN QUERY PLAN SELECT * FROM policy_events WHERE run_id=1 AND "
                         "action='deny'");
  ASSERT_FALSE(plan.empty());
  EXPECT_THAT(plan[0].back().value_or(""), HasSubstr("policy_events_run_action"));
}

TEST_F(StoreTest, RunWithoutPolicyHasNullPolicyColumns) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->BeginRun(MakeRun({"x"}, 1)).ok());
    ASSERT_TRUE(store->FinishRun({.end_ns = 2}).ok());
    ASSERT_TRUE(store->BeginRun(MakeRun({"y"}, 3)).ok());
  }  // no FinishRun: stops stays NULL like end_ns
  EXPECT_EQ(Query(db_, "SELECT policy, policy_mode, stops, end_ns FROM runs ORDER BY id"),
            (std::vector<Row>{{std::nullopt, std::nullopt, "0", "2"},
                              {std::nullopt, std::nullopt, std::nullopt, std::nullopt}}));
}

TEST_F(StoreTest, BinaryPathsAreStoredByteForByte) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->BeginRun(MakeRun({"x"}, 1)).ok());
  std::string odd = "/tmp/\xff\xfe name\n'; DROP TABLE runs;--";
  store->Submit(MakeFile(1, 2, odd));
  ASSERT_TRUE(store->FinishRun({.end_ns = 3}).ok());
  EXPECT_EQ(QueryOne(db_, "SELECT path FROM file_events"), odd);
}

TEST_F(StoreTest, ProcessEndUpdatesTheLatestRowForThePid) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->BeginRun(MakeRun({"x"}, 1)).ok());
  store->Submit(ProcessStart{.ts_ns = 10, .pid = 7, .exe = "/bin/a"});
  store->Submit(ProcessEnd{.ts_ns = 20, .pid = 7, .exit_code = 1});
  store->Submit(ProcessStart{.ts_ns = 30, .pid = 7, .exe = "/bin/b"});  // pid reused
  store->Submit(ProcessEnd{.ts_ns = 40, .pid = 7, .exit_code = 2});
  store->Submit(ProcessEnd{.ts_ns = 50, .pid = 99, .term_signal = 15});  // start never seen
  ASSERT_TRUE(store->FinishRun({.end_ns = 60}).ok());
  EXPECT_EQ(Query(db_, "SELECT pid, exe, start_ns, end_ns, exit_code, term_signal FROM processes "
                       "ORDER BY id"),
            (std::vector<Row>{{"7", "/bin/a", "10", "20", "1", std::nullopt},
                              {"7", "/bin/b", "30", "40", "2", std::nullopt},
                              {"99", std::nullopt, std::nullopt, "50", std::nullopt, "15"}}));
}

TEST_F(StoreTest, EventsKeepTheProgramThatMadeThem) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->BeginRun(MakeRun({"x"}, 1)).ok());
  store->Submit(FileEvent{.ts_ns = 1, .pid = 7, .exe = "/bin/cat", .syscall = "openat",
                          .path = "/etc/shadow", .op = "read"});
  store->Submit(ExecEvent{.ts_ns = 2, .pid = 7, .exe = "/bin/sh", .path = "/bin/ls"});
  store->Submit(NetEvent{.ts_ns = 3, .pid = 7, .exe = "/usr/bin/curl", .syscall = "connect",
                         .op = "connect"});
  ASSERT_TRUE(store->FinishRun({.end_ns = 4}).ok());
  EXPECT_EQ(QueryOne(db_, "SELECT exe FROM file_events WHERE path='/etc/shadow'"), "/bin/cat");
  EXPECT_EQ(QueryOne(db_, "SELECT exe FROM exec_events"), "/bin/sh");
  EXPECT_EQ(QueryOne(db_, "SELECT exe FROM net_events"), "/usr/bin/curl");
}

TEST_F(StoreTest, ProcessExecRenamesTheProcessRow) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->BeginRun(MakeRun({"x"}, 1)).ok());
  store->Submit(ProcessStart{.ts_ns = 10, .pid = 7, .ppid = 6, .exe = "/bin/sh", .argv = {"sh"}});
  store->Submit(ProcessExec{.ts_ns = 20, .pid = 7, .exe = "/bin/ls", .argv = {"ls", "-l"}});
  store->Submit(ProcessExec{.ts_ns = 25, .pid = 8, .exe = "/bin/id", .argv = {"id"}});  // no start
  store->Submit(ProcessEnd{.ts_ns = 30, .pid = 7, .exit_code = 0});
  ASSERT_TRUE(store->FinishRun({.end_ns = 40}).ok());
  EXPECT_EQ(Query(db_, "SELECT pid, ppid, exe, argv, start_ns, end_ns FROM processes ORDER BY id"),
            (std::vector<Row>{{"7", "6", "/bin/ls", R"(["ls","-l"])", "10", "30"},
                              {"8", "0", "/bin/id", R"(["id"])", "25", std::nullopt}}));
}

TEST_F(StoreTest, ProcessEndDoesNotTouchAnotherRun) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->BeginRun(MakeRun({"x"}, 1)).ok());
    store->Submit(ProcessStart{.ts_ns = 10, .pid = 7, .exe = "/bin/a"});
    ASSERT_TRUE(store->FinishRun({.end_ns = 60}).ok());
  }
  auto store = OpenStore();
  ASSERT_TRUE(store->BeginRun(MakeRun({"y"}, 100)).ok());
  store->Submit(ProcessStart{.ts_ns = 110, .pid = 7, .exe = "/bin/b"});
  store->Submit(ProcessEnd{.ts_ns = 120, .pid = 7, .exit_code = 0});
  ASSERT_TRUE(store->FinishRun({.end_ns = 130}).ok());
  EXPECT_EQ(Query(db_, "SELECT run_id, end_ns FROM processes ORDER BY id"),
            (std::vector<Row>{{"1", std::nullopt}, {"2", "120"}}));
}

// The queue is tiny, so both producers spend most of their time blocked in
// Submit: every event must still arrive, in each producer's order.
TEST_F(StoreTest, TinyQueueBlocksButNeverLoses) {
  auto store = OpenStore(/*capacity=*/4);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->BeginRun(MakeRun({"x"}, 1)).ok());
  constexpr int kPerProducer = 50000;
  auto produce = [&](int pid) {
    for (int i = 0; i < kPerProducer; ++i) store->Submit(MakeFile(pid, i, "/f"));
  };
  std::thread a(produce, 1), b(produce, 2);
  a.join();
  b.join();
  ASSERT_TRUE(store->FinishRun({.end_ns = 2}).ok());
  EXPECT_EQ(store->lost_events(), 0u);
  EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM file_events"), "100000");
  EXPECT_EQ(QueryOne(db_, "SELECT lost_events FROM runs"), "0");
  // Per producer, insertion order (id) follows submission order (ts).
  int64_t next[3] = {0, 0, 0};
  for (const Row& r : Query(db_, "SELECT pid, ts_ns FROM file_events ORDER BY id")) {
    int pid = std::stoi(*r[0]);
    ASSERT_EQ(std::stoll(*r[1]), next[pid]++) << "pid " << pid;
  }
}

TEST_F(StoreTest, DestructorWithoutFinishRunDrains) {
  {
    auto store = OpenStore(/*capacity=*/16);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->BeginRun(MakeRun({"x"}, 1)).ok());
    for (int i = 0; i < 20000; ++i) store->Submit(MakeFile(1, i, "/f"));
  }  // no FinishRun
  EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM file_events"), "20000");
  // The run stays open-ended: no end time was ever given.
  EXPECT_EQ(Query(db_, "SELECT end_ns, lost_events FROM runs"),
            (std::vector<Row>{{std::nullopt, "0"}}));
}

TEST_F(StoreTest, DestructorWithoutBeginRunIsFine) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  store->Submit(MakeFile(1, 1, "/f"));  // no run: counted, not stored
  EXPECT_EQ(store->lost_events(), 1u);
}

TEST_F(StoreTest, FinishRunAddsCallerLosses) {
  auto store = OpenStore();
  ASSERT_TRUE(store->BeginRun(MakeRun({"x"}, 1)).ok());
  ASSERT_TRUE(store->FinishRun({.end_ns = 2, .lost_events = 5}).ok());
  EXPECT_EQ(QueryOne(db_, "SELECT lost_events FROM runs"), "5");
}

TEST_F(StoreTest, FailedInsertsAreCountedAndTheWriterGoesOn) {
  auto store = OpenStore();
  ASSERT_TRUE(store->BeginRun(MakeRun({"x"}, 1)).ok());
  // Make exec inserts fail from another connection; the others must go on.
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    ASSERT_EQ(sqlite3_exec(db,
                           "CREATE TRIGGER no_exec BEFORE INSERT ON exec_events "
                           "BEGIN SELECT RAISE(ABORT, 'nope'); END",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  store->Submit(MakeFile(1, 1, "/a"));
  store->Submit(ExecEvent{.ts_ns = 2, .pid = 1, .path = "/bin/true", .argv = {"true"}});
  store->Submit(MakeFile(1, 3, "/b"));
  ASSERT_TRUE(store->FinishRun({.end_ns = 4}).ok());
  EXPECT_EQ(store->lost_events(), 1u);
  EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM file_events"), "2");
  EXPECT_EQ(QueryOne(db_, "SELECT lost_events FROM runs"), "1");
}

TEST_F(StoreTest, TwoStoresOnOneFileBothRecord) {
  auto a = OpenStore(8);
  auto b = OpenStore(8);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->BeginRun(MakeRun({"a"}, 1)).ok());
  ASSERT_TRUE(b->BeginRun(MakeRun({"b"}, 1)).ok());
  std::thread ta([&] { for (int i = 0; i < 5000; ++i) a->Submit(MakeFile(1, i, "/a")); });
  std::thread tb([&] { for (int i = 0; i < 5000; ++i) b->Submit(MakeFile(2, i, "/b")); });
  ta.join();
  tb.join();
  ASSERT_TRUE(a->FinishRun({.end_ns = 9}).ok());
  ASSERT_TRUE(b->FinishRun({.end_ns = 9}).ok());
  EXPECT_EQ(a->lost_events() + b->lost_events(), 0u);
  EXPECT_EQ(Query(db_, "SELECT run_id, count(*) FROM file_events GROUP BY run_id ORDER BY run_id"),
            (std::vector<Row>{{"1", "5000"}, {"2", "5000"}}));
}

TEST_F(StoreTest, OpenInMissingDirectoryNamesThePath) {
  std::string path = dir_.File("no/such/dir/warden.db");
  auto store = Store::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(std::string(store.status().message()), HasSubstr(path));
  EXPECT_THAT(std::string(store.status().message()), HasSubstr("writable"));
}

TEST_F(StoreTest, OpenUnderARegularFileNamesThePath) {
  std::string file = dir_.File("plain");
  std::ofstream(file) << "not a directory";
  std::string path = file + "/warden.db";
  auto store = Store::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(std::string(store.status().message()), HasSubstr(path));
}

TEST_F(StoreTest, OpenOnANonDatabaseFileFails) {
  std::ofstream(db_) << std::string(4096, 'x');
  auto store = Store::Open(db_);
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(std::string(store.status().message()), HasSubstr(db_));
}

TEST_F(StoreTest, OpenRefusesANewerSchema) {
  { ASSERT_TRUE(OpenStore()); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto store = Store::Open(db_);
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(std::string(store.status().message()), HasSubstr("schema version 99"));
}

TEST_F(StoreTest, OpenRefusesTheNextSchemaVersion) {
  ASSERT_EQ(Exec(db_, "PRAGMA user_version = " + std::to_string(kSchemaVersion + 1)), "");
  auto store = Store::Open(db_);
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(std::string(store.status().message()),
              HasSubstr("schema version " + std::to_string(kSchemaVersion + 1) + " is newer"));
  EXPECT_THAT(std::string(store.status().message()), HasSubstr(db_));
  // Refused means untouched: no table was created.
  EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM sqlite_master"), "0");
}

// A file written by warden 0.1 (schema 1) is upgraded in place on open: old
// rows stay, new columns take their defaults, new runs record everything.
TEST_F(StoreTest, UpgradesAVersion1Database) {
  ASSERT_EQ(CreateV1Database(db_), "");
  ASSERT_EQ(QueryOne(db_, "PRAGMA user_version"), "1");
  auto old_runs = Query(db_, "SELECT id, argv, cwd, host, warden_version, start_ns, end_ns, "
                             "exit_code, exit_signal, lost_events FROM runs");
  auto old_files = Query(db_, "SELECT run_id, ts_ns, pid, exe, syscall, path, op, flags, "
                              "result, errno, path2 FROM file_events");
  auto old_procs = Query(db_, "SELECT * FROM processes");
  ASSERT_EQ(old_runs.size(), 1u);
  ASSERT_EQ(old_files.size(), 1u);

  {
    auto store = OpenStore();
    ASSERT_TRUE(store);
    EXPECT_EQ(QueryOne(db_, "PRAGMA user_version"), std::to_string(kSchemaVersion));
    RunInfo info = MakeRun({"make", "check"}, 1000);
    info.policy = "strict";
    info.policy_mode = "active";
    auto id = store->BeginRun(info);
    ASSERT_TRUE(id.ok()) << id.status();
    EXPECT_EQ(*id, 2);  // AUTOINCREMENT carries on after the old run
    store->Submit(PolicyChange{.ts_ns = 1001, .source = "/p.yaml", .name = "strict"});
    store->Submit(FileEvent{.ts_ns = 1100, .pid = 60, .syscall = "openat", .path = "/etc/shadow",
                            .op = "read", .err = 1, .action = "deny", .rule = "no-shadow"});
    store->Submit(ExecEvent{.ts_ns = 1200, .pid = 60, .path = "/bin/true", .argv = {"true"},
                            .result = 0});
    store->Submit(NetEvent{.ts_ns = 1300, .pid = 60, .syscall = "connect", .op = "connect",
                           .err = 1, .action = "deny", .rule = "offline"});
    store->Submit(PolicyEvent{.ts_ns = 1100, .pid = 60, .abi = "x86_64", .nr = 257,
                              .syscall = "openat", .args = "", .action = "deny",
                              .rule = "no-shadow", .mode = "active", .category = "file-read",
                              .target = "/etc/shadow", .err = 1});
    ASSERT_TRUE(store->FinishRun({.end_ns = 2000, .exit_code = 1, .stops = 42}).ok());
    EXPECT_EQ(store->lost_events(), 0u);
  }

  EXPECT_EQ(QueryOne(db_, "PRAGMA user_version"), std::to_string(kSchemaVersion));
  // Old rows intact, column for column.
  EXPECT_EQ(Query(db_, "SELECT id, argv, cwd, host, warden_version, start_ns, end_ns, exit_code, "
                       "exit_signal, lost_events FROM runs WHERE id=1"),
            old_runs);
  // (Ids are renumbered: from version 4 they are run_id << 40 | n.)
  EXPECT_EQ(Query(db_, "SELECT run_id, ts_ns, pid, exe, syscall, path, op, flags, result, "
                       "errno, path2 FROM file_events WHERE run_id=1"),
            old_files);
  EXPECT_EQ(Query(db_, "SELECT * FROM processes"), old_procs);
  // New columns of old rows: their defaults.
  EXPECT_EQ(Query(db_, "SELECT policy, policy_mode, stops FROM runs WHERE id=1"),
            (std::vector<Row>{{std::nullopt, std::nullopt, std::nullopt}}));
  EXPECT_EQ(Query(db_, "SELECT action, rule FROM file_events WHERE run_id=1"),
            (std::vector<Row>{{"allow", std::nullopt}}));
  // The new run, in full.
  EXPECT_EQ(Query(db_, "SELECT argv, policy, policy_mode, stops, exit_code FROM runs WHERE id=2"),
            (std::vector<Row>{{R"(["make","check"])", "strict", "active", "42", "1"}}));
  EXPECT_EQ(Query(db_, "SELECT path, action, rule FROM file_events WHERE run_id=2"),
            (std::vector<Row>{{"/etc/shadow", "deny", "no-shadow"}}));
  EXPECT_EQ(Query(db_, "SELECT path, action, rule FROM exec_events WHERE run_id=2"),
            (std::vector<Row>{{"/bin/true", "allow", std::nullopt}}));
  EXPECT_EQ(Query(db_, "SELECT op, action, rule FROM net_events WHERE run_id=2"),
            (std::vector<Row>{{"connect", "deny", "offline"}}));
  EXPECT_EQ(Query(db_, "SELECT run_id, rule, target FROM policy_events"),
            (std::vector<Row>{{"2", "no-shadow", "/etc/shadow"}}));
  EXPECT_EQ(Query(db_, "SELECT run_id, source, name, accepted FROM policy_changes"),
            (std::vector<Row>{{"2", "/p.yaml", "strict", "1"}}));

  // Opening again changes nothing (the upgrade runs once).
  auto before = Query(db_, "SELECT sql FROM sqlite_master ORDER BY name");
  { ASSERT_TRUE(OpenStore()); }
  EXPECT_EQ(Query(db_, "SELECT sql FROM sqlite_master ORDER BY name"), before);
}

// An upgraded file has exactly the shape of a new one: same columns, in the
// same order, with the same types, constraints and defaults; same indexes.
TEST_F(StoreTest, UpgradedSchemaMatchesAFreshOne) {
  std::string fresh = dir_.File("fresh.db");
  { ASSERT_TRUE(Store::Open(fresh).ok()); }
  ASSERT_EQ(CreateV1Database(db_), "");
  { ASSERT_TRUE(OpenStore()); }
  auto tables = Query(fresh, "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE "
                             "'sqlite_%' ORDER BY name");
  ASSERT_GE(tables.size(), 8u);
  EXPECT_EQ(Query(db_, "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE "
                       "'sqlite_%' ORDER BY name"),
            tables);
  for (const Row& t : tables) {
    std::string info = "SELECT cid, name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('" +
                       *t[0] + "')";
    EXPECT_EQ(Query(db_, info), Query(fresh, info)) << *t[0];
  }
  const std::string indexes =
      "SELECT name, tbl_name FROM sqlite_master WHERE type='index' ORDER BY name";
  EXPECT_EQ(Query(db_, indexes), Query(fresh, indexes));
}

// The upgrade is all or nothing: if one step fails, the file stays version 1
// with every old row and no half-added column.
TEST_F(StoreTest, FailedUpgradeLeavesTheVersion1FileAsItWas) {
  ASSERT_EQ(CreateV1Database(db_), "");
  // An index that occupies a new table's name makes CREATE TABLE fail after
  // the ALTERs have run.
  ASSERT_EQ(Exec(db_, "CREATE INDEX policy_changes ON runs(host)"), "");
  auto schema = Query(db_, "SELECT sql FROM sqlite_master ORDER BY name");
  auto store = Store::Open(db_);
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(std::string(store.status().message()), HasSubstr(db_));
  EXPECT_EQ(QueryOne(db_, "PRAGMA user_version"), "1");
  EXPECT_EQ(Query(db_, "SELECT sql FROM sqlite_master ORDER BY name"), schema);
  EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM file_events"), "1");
}

TEST_F(StoreTest, EmptyPathIsRejected) {
  EXPECT_EQ(Store::Open("").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace warden::store
