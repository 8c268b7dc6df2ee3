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
  EXPECT_THAT(names, ::testing::IsSupersetOf({"runs", "processes", "file_events", "exec_events",
                                              "net_events", "syscall_events"}));
  EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM sqlite_master WHERE type='index' AND name IN "
                          "('file_events_run_ts','file_events_path','exec_events_run_ts',"
                          "'net_events_run_ts','syscall_events_run_ts')"),
            "5");
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
  // Make net inserts fail from another connection; the others must go on.
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    ASSERT_EQ(sqlite3_exec(db,
                           "CREATE TRIGGER no_net BEFORE INSERT ON net_events "
                           "BEGIN SELECT RAISE(ABORT, 'nope'); END",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  store->Submit(MakeFile(1, 1, "/a"));
  store->Submit(NetEvent{.ts_ns = 2, .pid = 1, .syscall = "connect", .op = "connect"});
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

TEST_F(StoreTest, EmptyPathIsRejected) {
  EXPECT_EQ(Store::Open("").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace warden::store
