#include "forensics/query.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/run_lock.h"
#include "store/schema.h"
#include "store/store.h"
#include "store/test_util.h"
#include "forensics/timeparse.h"

namespace warden::forensics {
using namespace warden::store;  // the writer, to make databases to read

namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;
using store::testing::CreateV1Database;
using store::testing::Exec;
using store::testing::Json;
using store::testing::JsonParser;
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

// Collects a result as text cells ("NULL" for NULL).
class Capture : public RowSink {
 public:
  absl::Status Begin(const std::vector<std::string>& columns) override {
    columns_ = columns;
    return absl::OkStatus();
  }
  absl::Status Row(const Cells& row) override {
    std::vector<std::string> r;
    for (const Cell& c : row) r.push_back(c.is_null() ? "NULL" : c.ToText());
    rows_.push_back(std::move(r));
    return absl::OkStatus();
  }
  absl::Status End() override {
    ended_ = true;
    return absl::OkStatus();
  }
  // The value of `column` in each row.
  std::vector<std::string> Column(std::string_view column) const {
    std::vector<std::string> out;
    auto it = std::find(columns_.begin(), columns_.end(), column);
    EXPECT_NE(it, columns_.end()) << column;
    if (it == columns_.end()) return out;
    size_t i = static_cast<size_t>(it - columns_.begin());
    for (const auto& r : rows_) out.push_back(r[i]);
    return out;
  }
  std::string Get(size_t row, std::string_view column) const {
    auto col = Column(column);
    return row < col.size() ? col[row] : "<no row>";
  }
  const std::vector<std::string>& columns() const { return columns_; }
  const std::vector<std::vector<std::string>>& rows() const { return rows_; }
  bool ended() const { return ended_; }

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<std::string>> rows_;
  bool ended_ = false;
};

class QueryTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(dir_.path().empty()) << "mkdtemp failed"; }

  // Run 1: sh (pid 10) runs `cat /etc/hosts` (pid 11, exec) and a child
  // that execs curl (pid 12, with thread 13 that forks pid 14); policy
  // hits; net traffic. Run 2: one process, still running (no FinishRun).
  void Record() {
    auto store = Store::Open(db_);
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

  std::unique_ptr<QueryDb> OpenDb() {
    auto db = QueryDb::Open(db_);
    EXPECT_TRUE(db.ok()) << db.status();
    return db.ok() ? std::move(*db) : nullptr;
  }

  TempDir dir_;
  std::string db_ = dir_.File("warden.db");
};

// ---------------------------------------------------------------------------
// Opening and runs.

TEST_F(QueryTest, ResolvesTheLatestOrTheGivenRun) {
  Record();
  auto db = OpenDb();
  ASSERT_TRUE(db);
  EXPECT_EQ(*db->ResolveRun(std::nullopt), 2);
  EXPECT_EQ(*db->ResolveRun(1), 1);
  auto missing = db->ResolveRun(7);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()),
              AllOf(HasSubstr("no run 7"), HasSubstr(db_), HasSubstr("available runs: 1-2")));
}

TEST_F(QueryTest, EmptyDatabaseHasNoRunsToQuery) {
  { ASSERT_TRUE(Store::Open(db_).ok()); }
  auto db = OpenDb();
  ASSERT_TRUE(db);
  auto run = db->ResolveRun(std::nullopt);
  ASSERT_FALSE(run.ok());
  EXPECT_THAT(std::string(run.status().message()), AllOf(HasSubstr("has no runs yet"), HasSubstr("warden run")));
}

struct FileState {
  std::string content;
  struct timespec mtime;
};
FileState StateOf(const std::string& path) {
  struct stat st {};
  stat(path.c_str(), &st);
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return {ss.str(), st.st_mtim};
}

TEST_F(QueryTest, BadFilesAreRefusedWithAMessageAndLeftAlone) {
  // Missing.
  auto missing = QueryDb::Open(dir_.File("nope.db"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()),
              AllOf(HasSubstr(dir_.File("nope.db")), HasSubstr("does not exist"), HasSubstr("warden run")));
  EXPECT_FALSE(std::ifstream(dir_.File("nope.db")).good()) << "opening must not create the file";

  // A text file.
  std::string text = dir_.File("notes.txt");
  std::ofstream(text) << "these are not the tables you are looking for\n";
  // An SQLite file of another program, and an empty one.
  std::string other = dir_.File("other.db");
  ASSERT_EQ(Exec(other, "CREATE TABLE t(x); INSERT INTO t VALUES(1);"), "");
  std::string empty = dir_.File("empty.db");
  std::ofstream(empty).close();
  // A newer warden's file.
  std::string newer = dir_.File("newer.db");
  { ASSERT_TRUE(Store::Open(newer).ok()); }
  ASSERT_EQ(Exec(newer, fmt::format("PRAGMA user_version = {}", kSchemaVersion + 1)), "");
  // user_version set but a table missing.
  std::string partial = dir_.File("partial.db");
  ASSERT_EQ(Exec(partial, "CREATE TABLE runs(id INTEGER PRIMARY KEY); PRAGMA user_version = 2;"), "");

  struct Case {
    std::string path;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{{text, "is not a warden database"},
                                         {other, "is not a warden database"},
                                         {empty, "is not a warden database"},
                                         {newer, "newer than this warden"},
                                         {partial, "has no processes table"},
                                         {dir_.path(), "is a directory"}}) {
    FileState before = StateOf(c.path);
    auto db = QueryDb::Open(c.path);
    ASSERT_FALSE(db.ok()) << c.path;
    EXPECT_THAT(std::string(db.status().message()), AllOf(HasSubstr(c.path), HasSubstr(c.says)));
    FileState after = StateOf(c.path);
    EXPECT_EQ(after.content, before.content) << c.path;
    EXPECT_EQ(after.mtime.tv_sec, before.mtime.tv_sec) << c.path;
    EXPECT_EQ(after.mtime.tv_nsec, before.mtime.tv_nsec) << c.path;
  }
}

TEST_F(QueryTest, ACorruptFileSaysSoWhereverTheDamageIs) {
  Record();
  ASSERT_EQ(Exec(db_, "PRAGMA wal_checkpoint(TRUNCATE)"), "");
  std::string bytes = StateOf(db_).content;
  ASSERT_GT(bytes.size(), 4u * 4096);
  // Keep the header page, garble every page after the second.
  for (size_t i = 2 * 4096; i < bytes.size(); ++i) bytes[i] = static_cast<char>(0xA5 ^ (i * 31));
  std::ofstream(db_, std::ios::binary | std::ios::trunc) << bytes;
  FileState before = StateOf(db_);
  auto db = QueryDb::Open(db_);
  absl::Status s;
  if (!db.ok()) {
    s = db.status();
  } else {
    Capture c;
    s = (*db)->Timeline(1, {}, c);
    if (s.ok()) s = (*db)->Stats(1, c);
  }
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_THAT(std::string(s.message()), AllOf(HasSubstr(db_), HasSubstr("corrupt")));
  EXPECT_EQ(StateOf(db_).content, before.content);
}

TEST_F(QueryTest, ReadsAVersion1DatabaseWithoutChangingIt) {
  ASSERT_EQ(CreateV1Database(db_), "");
  FileState before = StateOf(db_);
  {
    auto db = OpenDb();
    ASSERT_TRUE(db);
    EXPECT_EQ(db->schema_version(), 1);
    Capture denied, who, timeline, stats;
    EXPECT_TRUE(db->Denied(1, true, denied).ok());
    EXPECT_THAT(denied.rows(), IsEmpty());
    EXPECT_TRUE(db->Who(1, "/src/*", who).ok());
    EXPECT_THAT(who.Column("action"), ElementsAre("allow"));
    EXPECT_TRUE(db->Timeline(1, {}, timeline).ok());
    EXPECT_THAT(timeline.Column("kind"), ElementsAre("process_start", "file", "process_end"));
    EXPECT_TRUE(db->Stats(1, stats).ok());
  }
  FileState after = StateOf(db_);
  EXPECT_EQ(after.content, before.content);
  EXPECT_EQ(after.mtime.tv_nsec, before.mtime.tv_nsec);
  EXPECT_EQ(store::testing::QueryOne(db_, "PRAGMA user_version"), "1");
}

// ---------------------------------------------------------------------------
// Tree.

TEST_F(QueryTest, TreeNestsChildrenUnderParentsWithoutThreads) {
  Record();
  auto db = OpenDb();
  ASSERT_TRUE(db);
  Capture t;
  ASSERT_TRUE(db->Tree(1, {}, t).ok());
  EXPECT_THAT(t.Column("pid"), ElementsAre("10", "11", "12", "14"));
  EXPECT_THAT(t.Column("depth"), ElementsAre("0", "1", "1", "2"));  // 14: forked by thread 13 of 12
  EXPECT_THAT(t.Column("status"), ElementsAre("exit 0", "exit 1", "exit 0", "killed by SIGKILL"));
  EXPECT_THAT(t.Column("argv"), ElementsAre(R"(["sh","-c","cat /etc/hosts; curl x"])",
                                            R"(["cat","/etc/hosts"])", R"(["curl","it's here"])",
                                            R"(["curl","it's here"])"));
  EXPECT_THAT(t.Column("exe"), ElementsAre("/bin/sh", "/bin/cat", "/usr/bin/curl", "/usr/bin/curl"));
  EXPECT_THAT(t.Column("duration_ms"), ElementsAre("8000", "1000", "4000", "0.5"));
  EXPECT_THAT(t.Column("signal"), ElementsAre("NULL", "NULL", "NULL", "SIGKILL"));
  EXPECT_EQ(t.Get(0, "start"), "2026-11-23T10:00:01.000Z");

  Capture with_threads;
  ASSERT_TRUE(db->Tree(1, {.threads = true}, with_threads).ok());
  EXPECT_THAT(with_threads.Column("pid"), ElementsAre("10", "11", "12", "13", "14"));
  EXPECT_THAT(with_threads.Column("depth"), ElementsAre("0", "1", "1", "1", "2"));
}

TEST_F(QueryTest, TreeOfARunningRunAndReusedPids) {
  Record();
  auto db = OpenDb();
  ASSERT_TRUE(db);
  Capture t;
  ASSERT_TRUE(db->Tree(2, {}, t).ok());
  EXPECT_THAT(t.Column("status"), ElementsAre("running"));
  EXPECT_THAT(t.Column("duration_ms"), ElementsAre("NULL"));

  // Pid 40 is reused: each child hangs under the process that had the pid
  // when it started.
  auto store = Store::Open(db_);
  ASSERT_TRUE(store.ok());
  Store& s = **store;
  ASSERT_TRUE(s.BeginRun(MakeRun({"x"}, 1)).ok());
  s.Submit(ProcessStart{.ts_ns = 10, .pid = 40, .ppid = 1, .tgid = 40, .exe = "/a"});
  s.Submit(ProcessStart{.ts_ns = 20, .pid = 41, .ppid = 40, .tgid = 41, .exe = "/b"});
  s.Submit(ProcessEnd{.ts_ns = 30, .pid = 40, .exit_code = 0});
  s.Submit(ProcessStart{.ts_ns = 40, .pid = 40, .ppid = 41, .tgid = 40, .exe = "/c"});
  s.Submit(ProcessStart{.ts_ns = 50, .pid = 42, .ppid = 40, .tgid = 42, .exe = "/d"});
  ASSERT_TRUE(s.FinishRun(RunEnd{.end_ns = 100, .exit_code = 0}).ok());
  auto db2 = OpenDb();
  Capture r;
  ASSERT_TRUE(db2->Tree(3, {}, r).ok());
  EXPECT_THAT(r.Column("exe"), ElementsAre("/a", "/b", "/c", "/d"));
  EXPECT_THAT(r.Column("depth"), ElementsAre("0", "1", "2", "3"));
  EXPECT_THAT(r.Column("status"), ElementsAre("exit 0", "unknown", "unknown", "unknown"));
}

// ---------------------------------------------------------------------------
// Timeline.

TEST_F(QueryTest, TimelineMergesEveryKindInTimeOrder) {
  Record();
  auto db = OpenDb();
  ASSERT_TRUE(db);
  Capture t;
  ASSERT_TRUE(db->Timeline(1, {}, t).ok());
  auto ts = t.Column("ts_ns");
  ASSERT_FALSE(ts.empty());
  for (size_t i = 1; i < ts.size(); ++i) EXPECT_LE(std::stoll(ts[i - 1]), std::stoll(ts[i])) << i;
  EXPECT_EQ(t.Get(0, "kind"), "process_start");
  EXPECT_EQ(t.Get(0, "event"), "start /bin/sh [sh -c 'cat /etc/hosts; curl x'] (ppid 1)");
  EXPECT_EQ(t.rows().back()[2], "process_end");

  // Ties: the syscall comes before the policy hit and the file event.
  std::vector<std::string> at_deny;
  for (const auto& r : t.rows())
    if (r[1] == std::to_string(kT0 + 2 * kSec + 90)) at_deny.push_back(r[2] + ": " + r[6]);
  EXPECT_THAT(at_deny,
              ElementsAre("syscall: openat(AT_FDCWD, \"/etc/shadow\", O_RDONLY) = -1 EACCES [deny by no-shadow]",
                          "policy: deny file-read /etc/shadow openat(AT_FDCWD, \"/etc/shadow\", O_RDONLY) [no-shadow, active]",
                          "file: read /etc/shadow (openat O_RDONLY) = -1 EACCES"));
}

TEST_F(QueryTest, TimelineFilters) {
  Record();
  auto db = OpenDb();
  ASSERT_TRUE(db);
  Capture by_pid;
  ASSERT_TRUE(db->Timeline(1, {.pid = 14}, by_pid).ok());
  EXPECT_THAT(by_pid.Column("event"), ElementsAre("start /usr/bin/curl [curl 'it'\\''s here'] (ppid 13)", "killed by SIGKILL"));

  Capture window;
  ASSERT_TRUE(db->Timeline(1, {.from_ns = kT0 + 7 * kSec + 3, .to_ns = kT0 + 7 * kSec + 5}, window).ok());
  EXPECT_THAT(window.Column("event"),
              ElementsAre("connect outbound 10.1.2.3:443 (AF_INET SOCK_STREAM) = -1 EINPROGRESS",
                          "connect outbound 10.1.2.3:443 (AF_INET SOCK_STREAM) = 0",
                          "connect outbound 10.9.9.9:80 (AF_INET SOCK_STREAM) = -1 ECONNREFUSED"));

  Capture execs;
  ASSERT_TRUE(db->Timeline(1, {.kinds = {"exec"}}, execs).ok());
  EXPECT_THAT(execs.Column("event"),
              ElementsAre("/usr/local/bin/cat [cat /etc/hosts] = -1 ENOENT",
                          "/bin/cat [cat /etc/hosts] = 0",
                          "/usr/bin/curl [curl 'it'\\''s here'] = 0"));
  Capture bad;
  auto s = db->Timeline(1, {.kinds = {"files"}}, bad);
  EXPECT_THAT(std::string(s.message()), HasSubstr("unknown event kind 'files'"));
}

// ---------------------------------------------------------------------------
// Who.

TEST_F(QueryTest, WhoGroupsByProcessAndOperation) {
  Record();
  auto db = OpenDb();
  ASSERT_TRUE(db);
  Capture w;
  ASSERT_TRUE(db->Who(1, "/etc/hosts", w).ok());
  EXPECT_THAT(w.columns(), ElementsAre("pid", "exe", "op", "path", "count", "first_seen", "last_seen",
                                       "result", "action"));
  ASSERT_EQ(w.rows().size(), 3u);
  EXPECT_THAT(w.rows()[0], ElementsAre("11", "/bin/cat", "read", "/etc/hosts", "2",
                                       "2026-11-23T10:00:02.000Z", "2026-11-23T10:00:02.000Z", "ok",
                                       "allow"));
  EXPECT_THAT(w.rows()[1], ElementsAre("11", "/bin/cat", "stat", "/etc/hosts", "1", ::testing::_, ::testing::_,
                                       "ok", "allow"));
  EXPECT_THAT(w.rows()[2][1], "/usr/bin/curl");

  Capture glob;
  ASSERT_TRUE(db->Who(1, "/etc/[ms]*", glob).ok());
  EXPECT_THAT(glob.Column("path"), ElementsAre("/etc/missing", "/etc/shadow"));
  EXPECT_THAT(glob.Column("result"), ElementsAre("ENOENT", "EACCES"));
  // The policy glob dialect, as replay --path and policies: case-sensitive,
  // * stays within a name, ** crosses '/'.
  Capture upper, deep, shallow;
  ASSERT_TRUE(db->Who(1, "/ETC/*", upper).ok());
  EXPECT_THAT(upper.rows(), IsEmpty());
  ASSERT_TRUE(db->Who(1, "**hosts", deep).ok());
  EXPECT_EQ(deep.rows().size(), 3u);
  ASSERT_TRUE(db->Who(1, "*hosts", shallow).ok());
  EXPECT_THAT(shallow.rows(), IsEmpty());
  Capture escaped;
  ASSERT_TRUE(db->Who(1, "/etc/host\\s", escaped).ok());
  EXPECT_EQ(escaped.rows().size(), 3u);
  // Only the run asked for.
  Capture other_run;
  ASSERT_TRUE(db->Who(2, "/etc/*", other_run).ok());
  EXPECT_THAT(other_run.rows(), IsEmpty());
}

TEST_F(QueryTest, WhoReadsOnlyTheRunsRows) {
  {
    auto store = Store::Open(db_);
    ASSERT_TRUE(store.ok());
    Store& s = **store;
    ASSERT_TRUE(s.BeginRun(MakeRun({"find"}, 1)).ok());
    for (int i = 0; i < 300; ++i) s.Submit(File(10 + i, 5, "/usr/bin/find", fmt::format("/usr/lib/f{}", i), "stat", 0));
    s.Submit(File(1000, 5, "/usr/bin/find", "/etc/passwd", "read"));
    ASSERT_TRUE(s.FinishRun(RunEnd{.end_ns = 2000, .exit_code = 0}).ok());
    // A small run after it.
    ASSERT_TRUE(s.BeginRun(MakeRun({"ls"}, 3000)).ok());
    s.Submit(File(3010, 6, "/bin/ls", "/usr/lib/f1", "stat", 0));
    s.Submit(File(3020, 6, "/bin/ls", "/etc/passwd", "read"));
    ASSERT_TRUE(s.FinishRun(RunEnd{.end_ns = 4000, .exit_code = 0}).ok());
  }
  auto db = OpenDb();
  ASSERT_TRUE(db);
  // Schema 4: the run's strings, then the run's calls, each a range of
  // ids; never a scan of every run's rows, whatever the glob.
  for (const char* g : {"/etc/*", "/usr/*", "/*", "*passwd"}) {
    auto plan = db->ExplainWho(1, g);
    ASSERT_TRUE(plan.ok()) << plan.status();
    EXPECT_THAT(*plan, StartsWith("strings:")) << g;
    EXPECT_THAT(*plan, HasSubstr("SEARCH p USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)")) << *plan;
    EXPECT_THAT(*plan, HasSubstr("SEARCH c USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)")) << *plan;
    EXPECT_THAT(*plan, Not(HasSubstr("SCAN c"))) << *plan;
  }
  // The plan does not change the answer.
  for (const char* g : {"/etc/*", "/usr/**", "**passwd"}) {
    Capture w1, w2;
    ASSERT_TRUE(db->Who(1, g, w1).ok());
    EXPECT_EQ(w1.rows().size(), std::string_view(g) == "/usr/**" ? 300u : 1u) << g;
    ASSERT_TRUE(db->Who(2, g, w2).ok());
    EXPECT_EQ(w2.rows().size(), 1u) << g;
    EXPECT_THAT(w2.Column("exe"), ElementsAre("/bin/ls")) << g;
  }
  EXPECT_EQ(GlobLiteralPrefix("/etc/pa?swd"), "/etc/pa");
  EXPECT_EQ(GlobLiteralPrefix("/etc/[ps]*"), "/etc/");
  EXPECT_EQ(GlobLiteralPrefix("*x"), "");
}

// ---------------------------------------------------------------------------
// Net, denied, stats.

TEST_F(QueryTest, NetListsEventsAndFiltersByPort) {
  Record();
  auto db = OpenDb();
  ASSERT_TRUE(db);
  Capture all, https;
  ASSERT_TRUE(db->Net(1, {}, all).ok());
  EXPECT_EQ(all.rows().size(), 8u);
  ASSERT_TRUE(db->Net(1, {.port = 443}, https).ok());
  EXPECT_THAT(https.Column("address"), ElementsAre("10.1.2.3", "10.1.2.3"));
  EXPECT_THAT(https.Column("errno"), ElementsAre("EINPROGRESS", "NULL"));
  EXPECT_THAT(https.Column("direction"), ElementsAre("outbound", "outbound"));
}

TEST_F(QueryTest, DeniedShowsDenyAndKillUnlessAll) {
  Record();
  auto db = OpenDb();
  ASSERT_TRUE(db);
  Capture denied, all;
  ASSERT_TRUE(db->Denied(1, false, denied).ok());
  ASSERT_EQ(denied.rows().size(), 1u);
  EXPECT_EQ(denied.Get(0, "action"), "deny");
  EXPECT_EQ(denied.Get(0, "rule"), "no-shadow");
  EXPECT_EQ(denied.Get(0, "target"), "/etc/shadow");
  EXPECT_EQ(denied.Get(0, "errno"), "EACCES");
  EXPECT_EQ(denied.Get(0, "exe"), "/bin/cat");
  ASSERT_TRUE(db->Denied(1, true, all).ok());
  EXPECT_THAT(all.Column("action"), ElementsAre("deny", "monitor"));
}

TEST_F(QueryTest, StatsCountByKindActionAndSyscall) {
  Record();
  auto db = OpenDb();
  ASSERT_TRUE(db);
  Capture st;
  ASSERT_TRUE(db->Stats(1, st).ok());
  std::vector<std::string> lines;
  for (const auto& r : st.rows()) lines.push_back(r[0] + " " + r[1] + " " + r[2]);
  EXPECT_THAT(lines, ElementsAre("kind process 5", "kind exec 3", "kind file 9", "kind net 8",
                                 "kind syscall 2", "kind policy 2", "kind policy_change 0",
                                 "action allow 1", "action deny 1", "policy deny 1", "policy monitor 1",
                                 "syscall openat 2"));
}

// ---------------------------------------------------------------------------
// SQL.

TEST_F(QueryTest, SqlAnswersASelect) {
  Record();
  auto db = OpenDb();
  ASSERT_TRUE(db);
  Capture c;
  ASSERT_TRUE(db->Sql("  -- which runs\n SELECT id, argv, 1.5 AS x, NULL AS n FROM runs ORDER BY id;  ", c).ok());
  EXPECT_THAT(c.columns(), ElementsAre("id", "argv", "x", "n"));
  ASSERT_EQ(c.rows().size(), 2u);
  EXPECT_THAT(c.rows()[1], ElementsAre("2", R"(["sleep","100"])", "1.5", "NULL"));
  Capture with;
  ASSERT_TRUE(db->Sql("WITH r AS (SELECT max(id) AS id FROM runs) SELECT id FROM r", with).ok());
  EXPECT_THAT(with.rows(), ElementsAre(ElementsAre("2")));
}

TEST_F(QueryTest, SqlRefusesAnythingButOneReadOnlySelect) {
  Record();
  FileState before = StateOf(db_);
  for (const char* sql : {"DELETE FROM runs", "delete from runs where id = 1", "UPDATE runs SET cwd = 'x'",
                          "DROP TABLE runs", "INSERT INTO runs(argv) VALUES('x')", "PRAGMA user_version = 9",
                          "ATTACH 'x.db' AS x", "VACUUM", "BEGIN", "",
                          "SELECT 1; DELETE FROM runs",
                          "WITH r AS (SELECT 1) DELETE FROM runs",
                          "SELECT * FROM no_such_table", "CREATE TEMP TABLE t(x)"}) {
    auto db = OpenDb();
    ASSERT_TRUE(db);
    Capture c;
    absl::Status s = db->Sql(sql, c);
    EXPECT_FALSE(s.ok()) << sql;
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << sql << ": " << s;
    EXPECT_THAT(c.rows(), IsEmpty()) << sql;
  }
  FileState after = StateOf(db_);
  EXPECT_EQ(after.content, before.content);
  EXPECT_EQ(after.mtime.tv_nsec, before.mtime.tv_nsec);
  EXPECT_EQ(store::testing::QueryOne(db_, "SELECT count(*) FROM runs"), "2");
}

// ---------------------------------------------------------------------------
// Writers.

std::string Write(OutputFormat f, const std::vector<std::string>& cols, const std::vector<Cells>& rows,
                  TextOptions text = {}) {
  std::ostringstream out;
  auto w = MakeRowWriter(f, out, std::move(text));
  EXPECT_TRUE(w->Begin(cols).ok());
  for (const auto& r : rows) EXPECT_TRUE(w->Row(r).ok());
  EXPECT_TRUE(w->End().ok());
  return out.str();
}

TEST(WriterTest, CsvQuotesPerRfc4180) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(Write(OutputFormat::kCsv, {"id", "path,x"},
                  {{Cell::Int(1), Cell::Text("/a,b")}, {Cell::Null(), Cell::Json(R"(["a","b c"])")}}),
            "id,\"path,x\"\r\n1,\"/a,b\"\r\n,\"[\"\"a\"\",\"\"b c\"\"]\"\r\n");
  EXPECT_EQ(Write(OutputFormat::kCsv, {"a"}, {}), "a\r\n");
}

TEST(WriterTest, JsonIsAnArrayOfObjects) {
  std::string out = Write(OutputFormat::kJson, {"n", "s", "argv", "x", "n"},
                          {{Cell::Int(-3), Cell::Text("q\"\n\x01"), Cell::Json(R"(["a"])"), Cell::Real(0.25),
                            Cell::Null()},
                           {Cell::Int(4), Cell::Null(), Cell::Null(), Cell::Real(1e300 * 1e300), Cell::Int(1)}});
  std::string error;
  auto v = JsonParser::Parse(out, &error);
  ASSERT_TRUE(v) << error << "\n" << out;
  ASSERT_EQ(v->type, Json::kArray);
  ASSERT_EQ(v->items.size(), 2u);
  const Json& first = v->items[0];
  EXPECT_EQ(first.Int("n"), -3);
  EXPECT_EQ(first.Str("s"), "q\"\n\x01");
  ASSERT_TRUE(first.Get("argv"));
  EXPECT_EQ(first.Get("argv")->type, Json::kArray);
  EXPECT_EQ(first.Get("x")->text, "0.25");
  EXPECT_EQ(first.Get("n_2")->type, Json::kNull);  // repeated column names stay distinct keys
  EXPECT_EQ(v->items[1].Get("x")->type, Json::kNull);  // inf is not JSON
  EXPECT_EQ(Write(OutputFormat::kJson, {"a"}, {}), "[]\n");
}

TEST(WriterTest, TextAlignsColumns) {
  std::string out = Write(OutputFormat::kText, {"pid", "exe", "argv", "hidden"},
                          {{Cell::Int(7), Cell::Text("/bin/sh"), Cell::Json(R"(["sh","-c","a b"])"), Cell::Int(1)},
                           {Cell::Int(12345), Cell::Null(), Cell::Json(R"(["x\ny"])"), Cell::Int(2)}},
                          {.hide = {"hidden"}});
  EXPECT_EQ(out,
            "  PID  EXE      ARGV\n"
            "    7  /bin/sh  sh -c 'a b'\n"
            "12345  -        'x\\ny'\n");
  EXPECT_EQ(Write(OutputFormat::kText, {"a"}, {}), "(no rows)\n");
  // Past the buffered rows, lines keep the widths found so far.
  std::string streamed = Write(OutputFormat::kText, {"a", "b"},
                               {{Cell::Text("x"), Cell::Text("1")}, {Cell::Text("longer"), Cell::Text("2")}},
                               {.buffer_rows = 1});
  EXPECT_EQ(streamed, "A  B\nx  1\nlonger  2\n");
}

TEST(WriterTest, ArgvWordsQuoteForTheShell) {
  EXPECT_EQ(ArgvWords(R"(["ls","-l","/tmp"])"), "ls -l /tmp");
  EXPECT_EQ(ArgvWords(R"(["sh","-c","cat f; ls"])"), "sh -c 'cat f; ls'");
  EXPECT_EQ(ArgvWords(R"(["echo","it's",""])"), "echo 'it'\\''s' ''");
  EXPECT_EQ(ArgvWords(R"(["\u00e9t\u00e9"])"), "'\xe9t\xe9'");  // bytes the store escaped
  EXPECT_EQ(ArgvWords(R"(["caf\u00c3\u00a9"])"), "'caf\xc3\xa9'");
  EXPECT_EQ(ArgvWords(R"(["caf\udce9"])"), "'caf\xe9'");  // the encoding of today's store
  EXPECT_EQ(ArgvWords("not json"), "not json");
  EXPECT_EQ(ArgvWords("[]"), "");
}

TEST(WriterTest, FormatsByName) {
  EXPECT_EQ(ParseOutputFormat("text"), OutputFormat::kText);
  EXPECT_EQ(ParseOutputFormat("json"), OutputFormat::kJson);
  EXPECT_EQ(ParseOutputFormat("csv"), OutputFormat::kCsv);
  EXPECT_FALSE(ParseOutputFormat("xml"));
  
  EXPECT_EQ(PrintableText("a\nb\t\x1b[31m\x7f"), "a\\nb\\t\\x1b[31m\\x7f");
  EXPECT_EQ(PrintableText("caf\xe9 caf\xc3\xa9"), "caf\\xe9 caf\xc3\xa9");  // a byte, a real é
}

// ---------------------------------------------------------------------------
// Benchmark (not a test): WARDEN_QUERY_BENCH_DB=FILE times who, tree and
// profile on FILE's latest run; with WARDEN_QUERY_BENCH_EVENTS=N and no
// FILE yet, first generates one run of about N events (half syscall
// events, the rest file events over ~N/50 paths, plus processes, execs and
// network events).

void Generate(const std::string& path, int64_t events) {
  auto store = Store::Open(path);
  ASSERT_TRUE(store.ok()) << store.status();
  Store& s = **store;
  ASSERT_TRUE(s.BeginRun(MakeRun({"bench"}, kT0)).ok());
  const int64_t paths = std::max<int64_t>(events / 50, 10);
  const int procs = static_cast<int>(std::max<int64_t>(events / 2000, 2));
  int64_t ts = kT0;
  for (int p = 0; p < procs; ++p)
    s.Submit(ProcessStart{.ts_ns = ts++, .pid = 1000 + p, .ppid = p == 0 ? 1 : 1000 + p / 4,
                          .tgid = 1000 + p, .exe = "/usr/bin/find", .argv = {"find", "/usr"}});
  for (int64_t i = 0; i < events / 2; ++i) {
    int pid = 1000 + static_cast<int>(i % procs);
    std::string p = fmt::format("/usr/{}/dir{}/file{}.h", i % 3 == 0 ? "include" : "lib", (i * 7919) % paths / 100,
                                (i * 7919) % paths);
    // As the recorder does: a call's file event, then its syscall event.
    s.Submit(FileEvent{.ts_ns = ts, .pid = pid, .exe = "/usr/bin/find", .syscall = "newfstatat", .path = p,
                       .op = i % 5 == 0 ? "read" : "stat", .result = 0});
    s.Submit(SyscallEvent{.ts_ns = ts++, .pid = pid, .exe = "/usr/bin/find", .abi = "x86_64", .nr = 262,
                          .name = "newfstatat", .args = "AT_FDCWD, \"" + p + "\"", .result = 0, .action = "allow"});
    if (i % 10000 == 0) s.Submit(Net(ts++, pid, "connect", "outbound", "10.0.0.1", 443));
  }
  s.Submit(File(ts++, 1000, "/usr/bin/cat", "/etc/passwd", "read"));
  for (int p = 0; p < procs; ++p) s.Submit(ProcessEnd{.ts_ns = ts++, .pid = 1000 + p, .exit_code = 0});
  ASSERT_TRUE(s.FinishRun(RunEnd{.end_ns = ts, .exit_code = 0}).ok());
}

TEST(QueryBench, WhoTree) {
  const char* path = getenv("WARDEN_QUERY_BENCH_DB");
  if (!path || !*path) GTEST_SKIP() << "set WARDEN_QUERY_BENCH_DB to run";
  if (access(path, F_OK) != 0) {
    const char* n = getenv("WARDEN_QUERY_BENCH_EVENTS");
    Generate(path, n ? std::atoll(n) : 10000000);
  }
  auto db = QueryDb::Open(path);
  ASSERT_TRUE(db.ok()) << db.status();
  auto run = (*db)->ResolveRun(std::nullopt);
  ASSERT_TRUE(run.ok());
  auto time = [](const char* what, auto&& fn) {
    auto t0 = std::chrono::steady_clock::now();
    fn();
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    fmt::print("{}: {:.1f} ms\n", what, ms);
  };
  for (const char* glob : {"/etc/passwd", "/usr/include/dir1/*", "/usr/include/linux/*", "*passwd"}) {
    fmt::print("who {} plan {}\n", glob, *(*db)->ExplainWho(*run, glob));
    time(fmt::format("who {}", glob).c_str(), [&] {
      Capture c;
      ASSERT_TRUE((*db)->Who(*run, glob, c).ok());
    });
  }
  time("tree", [&] {
    Capture c;
    ASSERT_TRUE((*db)->Tree(*run, {}, c).ok());
  });
}

}  // namespace
}  // namespace warden::forensics
