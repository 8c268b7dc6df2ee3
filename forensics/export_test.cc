#include "fmt/format.h"
#include "forensics/export.h"
#include "store/schema.h"

#include <sqlite3.h>

#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/store.h"
#include "store/test_util.h"

namespace warden::forensics {
using namespace warden::store;  // the writer, to make databases to read

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using store::testing::CreateV1Database;
using store::testing::Json;
using store::testing::JsonParser;
using store::testing::TempDir;

RunInfo MakeRun(std::vector<std::string> argv, int64_t start_ns) {
  return RunInfo{.argv = std::move(argv), .cwd = "/w", .host = "h", .warden_version = "0.1.0",
                 .start_ns = start_ns};
}

// Parses NDJSON, failing the test on any line that is not a JSON object.
std::vector<Json> ParseLines(const std::string& text) {
  std::vector<Json> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::string error;
    auto v = JsonParser::Parse(line, &error);
    EXPECT_TRUE(v) << error << " in: " << line;
    if (!v) continue;
    EXPECT_EQ(v->type, Json::kObject) << line;
    out.push_back(std::move(*v));
  }
  EXPECT_TRUE(text.empty() || text.back() == '\n');
  return out;
}

std::vector<std::string> Keys(const Json& obj) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : obj.members) keys.push_back(k);
  return keys;
}

class ExportTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(dir_.path().empty()) << "mkdtemp failed"; }

  // Run 1: a shell forks a child that execs ls; events are submitted out of
  // timestamp order on purpose. Run 2: one event with a non-UTF-8 path.
  void RecordTwoRuns() {
    {
      auto store = Store::Open(db_);
      ASSERT_TRUE(store.ok()) << store.status();
      Store& s = **store;
      ASSERT_TRUE(s.BeginRun(MakeRun({"sh", "-c", "ls /nope"}, 90)).ok());
      s.Submit(ProcessStart{.ts_ns = 100, .pid = 10, .ppid = 1, .tgid = 10, .exe = "/bin/sh",
                            .argv = {"sh", "-c", "ls /nope"}, .cwd = "/w"});
      s.Submit(SyscallEvent{.ts_ns = 100, .pid = 10, .exe = "/bin/sh", .abi = "x86_64", .nr = 57,
                            .name = "fork", .args = "", .result = 11, .action = "monitor"});
      s.Submit(ProcessStart{.ts_ns = 200, .pid = 11, .ppid = 10, .tgid = 11, .exe = "/bin/sh",
                            .argv = {"sh", "-c", "ls /nope"}, .cwd = "/w"});
      s.Submit(ExecEvent{.ts_ns = 300, .pid = 11, .path = "/bin/ls", .argv = {"ls", "/nope"},
                         .result = 0});
      s.Submit(FileEvent{.ts_ns = 300, .pid = 11, .syscall = "execve", .path = "/bin/ls",
                         .op = "exec", .result = 0});
      s.Submit(FileEvent{.ts_ns = 400, .pid = 11, .syscall = "newfstatat", .path = "/nope",
                         .op = "stat", .err = 2});
      s.Submit(NetEvent{.ts_ns = 350, .pid = 10, .syscall = "connect", .op = "connect",
                        .family = "AF_INET6", .sock_type = "SOCK_STREAM", .direction = "outbound",
                        .address = "::1", .port = 443, .fd = 3, .result = 0});
      s.Submit(ProcessEnd{.ts_ns = 500, .pid = 11, .exit_code = 2});
      s.Submit(FileEvent{.ts_ns = 600, .pid = 10, .syscall = "write", .path = "/dev/tty",
                         .op = "write", .result = 5});
      s.Submit(ProcessEnd{.ts_ns = 600, .pid = 10, .term_signal = 9});
      ASSERT_TRUE(s.FinishRun({.end_ns = 700, .exit_code = 137, .exit_signal = 9}).ok());
    }
    auto store = Store::Open(db_);
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->BeginRun(MakeRun({"cat"}, 1000)).ok());
    (*store)->Submit(FileEvent{.ts_ns = 1050, .pid = 5, .syscall = "openat",
                               .path = "/tmp/\xff\x01", .op = "read", .flags = "O_RDONLY",
                               .result = 3});
    ASSERT_TRUE((*store)->FinishRun({.end_ns = 1100, .exit_code = 0}).ok());
  }

  // One run under a policy: a load, a refused reload, verdicts on every
  // kind, policy hits -- submitted out of timestamp order on purpose.
  void RecordPolicyRun() {
    auto store = Store::Open(db_);
    ASSERT_TRUE(store.ok()) << store.status();
    Store& s = **store;
    RunInfo info = MakeRun({"./build.sh"}, 10);
    info.policy = "ci";
    info.policy_mode = "permissive";
    ASSERT_TRUE(s.BeginRun(info).ok());
    s.Submit(ProcessStart{.ts_ns = 20, .pid = 30, .ppid = 1, .tgid = 30, .exe = "/bin/sh"});
    s.Submit(PolicyChange{.ts_ns = 20, .source = "/w/ci.yaml", .name = "ci"});
    s.Submit(SyscallEvent{.ts_ns = 40, .pid = 30, .exe = "/bin/sh", .abi = "x86_64", .nr = 42,
                          .name = "connect", .args = "3, {AF_INET, 10.1.1.1:22}, 16", .result = 0,
                          .action = "deny", .rule = "no-ssh"});
    s.Submit(NetEvent{.ts_ns = 40, .pid = 30, .syscall = "connect", .op = "connect",
                      .family = "AF_INET", .sock_type = "SOCK_STREAM", .direction = "outbound",
                      .address = "10.1.1.1", .port = 22, .fd = 3, .result = 0, .action = "deny",
                      .rule = "no-ssh"});
    s.Submit(PolicyEvent{.ts_ns = 40, .pid = 30, .exe = "/bin/sh", .abi = "x86_64", .nr = 42,
                         .syscall = "connect", .args = "3, {AF_INET, 10.1.1.1:22}, 16",
                         .action = "deny", .rule = "no-ssh", .mode = "permissive",
                         .enforced = false, .category = "network-outbound",
                         .target = "10.1.1.1:22", .result = 0});
    s.Submit(PolicyChange{.ts_ns = 35, .source = "/w/ci.yaml", .accepted = false,
                          .message = "line 2: unknown category 'files'"});
    s.Submit(FileEvent{.ts_ns = 50, .pid = 30, .syscall = "openat", .path = "/etc/shadow",
                       .op = "read", .err = 13, .action = "deny", .rule = "default:file"});
    s.Submit(PolicyEvent{.ts_ns = 50, .pid = 30, .abi = "x86_64", .nr = 257, .syscall = "openat",
                         .args = "AT_FDCWD, \"/etc/shadow\", O_RDONLY", .action = "deny",
                         .rule = "default:file", .mode = "active", .enforced = true,
                         .category = "file-read", .target = "/etc/shadow", .err = 13});
    s.Submit(ExecEvent{.ts_ns = 60, .pid = 30, .path = "/usr/bin/gcc", .argv = {"gcc"},
                       .result = 0, .action = "monitor", .rule = "compilers"});
    s.Submit(PolicyEvent{.ts_ns = 70, .pid = 30, .abi = "x86_64", .nr = 101, .syscall = "ptrace",
                         .args = "PTRACE_TRACEME", .action = "kill", .rule = "warden:no-ptrace",
                         .mode = "active", .category = "syscall"});
    s.Submit(ProcessEnd{.ts_ns = 70, .pid = 30, .term_signal = 9});
    ASSERT_TRUE(s.FinishRun({.end_ns = 80, .exit_code = 137, .exit_signal = 9, .stops = 17}).ok());
  }

  std::string Export(std::optional<int64_t> run) {
    std::ostringstream out;
    absl::Status s = ExportNdjson(db_, run, out);
    EXPECT_TRUE(s.ok()) << s;
    return out.str();
  }

  TempDir dir_;
  std::string db_ = dir_.File("w.db");
};

TEST_F(ExportTest, OrdersByTimestampAcrossKinds) {
  RecordTwoRuns();
  auto lines = ParseLines(Export(1));
  std::vector<std::string> seq;
  for (const Json& l : lines)
    seq.push_back(std::to_string(l.Int("ts")) + " " + l.Str("kind") + " " + std::to_string(l.Int("pid")) +
                  (l.Has("op") ? " " + l.Str("op") : ""));
  EXPECT_THAT(seq, ElementsAre("100 process 10 start", "100 syscall 10", "200 process 11 start",
                               "300 exec 11", "300 file 11 exec", "350 net 10 connect",
                               "400 file 11 stat", "500 process 11 exit", "600 file 10 write",
                               "600 process 10 exit"));
}

TEST_F(ExportTest, EveryLineHasTheCommonFieldsFirst) {
  RecordTwoRuns();
  for (const Json& l : ParseLines(Export(std::nullopt))) {
    auto keys = Keys(l);
    ASSERT_GE(keys.size(), 5u);
    // ts: integer nanoseconds, exact; time: the same instant as RFC 3339.
    EXPECT_THAT(std::vector<std::string>(keys.begin(), keys.begin() + 4),
                ElementsAre("run", "ts", "time", "pid"));
    EXPECT_TRUE(l.Has("kind"));
  }
}

TEST_F(ExportTest, FieldsPerKind) {
  RecordTwoRuns();
  std::string text = Export(1);
  // Exact text for one line, to pin the format down.
  EXPECT_THAT(text, HasSubstr(R"({"run":1,"ts":400,"time":"1970-01-01T00:00:00.000000400Z","pid":11,"exe":"/bin/ls","kind":"file",)"
                              R"("syscall":"newfstatat","path":"/nope","op":"stat","errno":2,)"
                              R"("errno_name":"ENOENT","action":"allow"})"
                              "\n"));
  auto lines = ParseLines(text);
  ASSERT_EQ(lines.size(), 10u);

  const Json& start = lines[0];
  EXPECT_EQ(start.Str("exe"), "/bin/sh");
  EXPECT_EQ(start.Int("ppid"), 1);
  EXPECT_EQ(start.Str("cwd"), "/w");
  ASSERT_TRUE(start.Has("argv"));
  EXPECT_EQ(start.Get("argv")->items.size(), 3u);
  EXPECT_EQ(start.Get("is_thread")->boolean, false);

  const Json& sys = lines[1];
  EXPECT_EQ(sys.Str("syscall"), "fork");
  EXPECT_EQ(sys.Int("nr"), 57);
  EXPECT_EQ(sys.Str("abi"), "x86_64");
  EXPECT_EQ(sys.Int("result"), 11);
  EXPECT_EQ(sys.Int("errno"), 0);
  EXPECT_FALSE(sys.Has("errno_name"));
  EXPECT_EQ(sys.Str("action"), "monitor");
  EXPECT_FALSE(sys.Has("rule"));

  const Json& exec = lines[3];
  EXPECT_EQ(exec.Str("exe"), "/bin/sh");  // the image that called execve
  EXPECT_EQ(exec.Str("path"), "/bin/ls");
  ASSERT_TRUE(exec.Has("argv"));
  EXPECT_EQ(exec.Get("argv")->items[1].text, "/nope");
  EXPECT_FALSE(exec.Has("envp"));  // not recorded
  EXPECT_EQ(exec.Get("argv_truncated")->boolean, false);
  EXPECT_EQ(exec.Str("action"), "allow");
  EXPECT_FALSE(exec.Has("rule"));  // like every empty text field: left out

  const Json& net = lines[5];
  EXPECT_EQ(net.Str("exe"), "/bin/sh");
  EXPECT_EQ(net.Str("family"), "AF_INET6");
  EXPECT_EQ(net.Str("sock_type"), "SOCK_STREAM");
  EXPECT_EQ(net.Str("direction"), "outbound");
  EXPECT_EQ(net.Str("addr"), "::1");
  EXPECT_EQ(net.Int("port"), 443);
  EXPECT_EQ(net.Int("fd"), 3);
  EXPECT_EQ(net.Str("action"), "allow");
  EXPECT_FALSE(net.Has("rule"));

  const Json& child_exit = lines[7];
  EXPECT_EQ(child_exit.Str("exe"), "/bin/ls");  // after the exec
  EXPECT_EQ(child_exit.Int("exit_code"), 2);
  EXPECT_FALSE(child_exit.Has("signal"));

  const Json& shell_exit = lines[9];
  EXPECT_EQ(shell_exit.Str("signal"), "SIGKILL");
  EXPECT_EQ(shell_exit.Int("signal_nr"), 9);
  EXPECT_FALSE(shell_exit.Has("exit_code"));
}

TEST_F(ExportTest, PolicyRecordsInTimeOrder) {
  RecordPolicyRun();
  auto lines = ParseLines(Export(1));
  std::vector<std::string> seq;
  for (const Json& l : lines)
    seq.push_back(std::to_string(l.Int("ts")) + " " + l.Str("kind") +
                  (l.Has("action") ? " " + l.Str("action") : ""));
  // Same-ts ties: policy change, process start, syscall, policy hit, then
  // the decoded event; process exit last.
  EXPECT_THAT(seq, ElementsAre("20 policy_change", "20 process", "35 policy_change",
                               "40 syscall deny", "40 policy deny", "40 net deny",
                               "50 policy deny", "50 file deny", "60 exec monitor",
                               "70 policy kill", "70 process"));
  int64_t last = 0;
  for (const Json& l : lines) {
    EXPECT_GE(l.Int("ts"), last);
    last = l.Int("ts");
    auto keys = Keys(l);
    ASSERT_GE(keys.size(), 3u);
    EXPECT_EQ(keys[0], "run");
    EXPECT_EQ(keys[1], "ts");
    // Every kind names its pid, except the run-wide policy change.
    EXPECT_EQ(l.Has("pid"), l.Str("kind") != "policy_change");
  }
}

TEST_F(ExportTest, PolicyFieldsPerKind) {
  RecordPolicyRun();
  std::string text = Export(1);
  // Exact text for the hit and the refused change, to pin the format down.
  EXPECT_THAT(text, HasSubstr(R"({"run":1,"ts":50,"time":"1970-01-01T00:00:00.000000050Z","pid":30,"exe":"/bin/sh","kind":"policy",)"
                              R"("abi":"x86_64","nr":257,"syscall":"openat",)"
                              R"("args":"AT_FDCWD, \"/etc/shadow\", O_RDONLY","action":"deny",)"
                              R"("rule":"default:file","mode":"active","enforced":true,)"
                              R"("category":"file-read","target":"/etc/shadow","errno":13,)"
                              R"("errno_name":"EACCES"})"
                              "\n"));
  EXPECT_THAT(text, HasSubstr(R"({"run":1,"ts":35,"time":"1970-01-01T00:00:00.000000035Z","kind":"policy_change","source":"/w/ci.yaml",)"
                              R"("accepted":false,"message":"line 2: unknown category 'files'"})"
                              "\n"));
  auto lines = ParseLines(text);
  ASSERT_EQ(lines.size(), 11u);

  const Json& loaded = lines[0];
  EXPECT_EQ(loaded.Str("kind"), "policy_change");
  EXPECT_EQ(loaded.Str("source"), "/w/ci.yaml");
  EXPECT_EQ(loaded.Str("name"), "ci");
  EXPECT_EQ(loaded.Get("accepted")->boolean, true);
  EXPECT_FALSE(loaded.Has("message"));
  EXPECT_FALSE(loaded.Has("exe"));

  const Json& sys = lines[3];
  EXPECT_EQ(sys.Str("action"), "deny");
  EXPECT_EQ(sys.Str("rule"), "no-ssh");

  const Json& hit = lines[4];
  EXPECT_EQ(hit.Str("kind"), "policy");
  EXPECT_EQ(hit.Int("pid"), 30);
  EXPECT_EQ(hit.Str("exe"), "/bin/sh");
  EXPECT_EQ(hit.Str("abi"), "x86_64");
  EXPECT_EQ(hit.Int("nr"), 42);
  EXPECT_EQ(hit.Str("syscall"), "connect");
  EXPECT_EQ(hit.Str("args"), "3, {AF_INET, 10.1.1.1:22}, 16");
  EXPECT_EQ(hit.Str("action"), "deny");
  EXPECT_EQ(hit.Str("rule"), "no-ssh");
  EXPECT_EQ(hit.Str("mode"), "permissive");
  EXPECT_EQ(hit.Get("enforced")->boolean, false);
  EXPECT_EQ(hit.Str("category"), "network-outbound");
  EXPECT_EQ(hit.Str("target"), "10.1.1.1:22");
  EXPECT_EQ(hit.Int("result"), 0);
  EXPECT_EQ(hit.Int("errno"), 0);
  EXPECT_FALSE(hit.Has("errno_name"));

  const Json& net = lines[5];
  EXPECT_EQ(net.Str("kind"), "net");
  EXPECT_EQ(net.Str("action"), "deny");
  EXPECT_EQ(net.Str("rule"), "no-ssh");

  const Json& file = lines[7];
  EXPECT_EQ(file.Str("kind"), "file");
  EXPECT_EQ(file.Str("action"), "deny");
  EXPECT_EQ(file.Str("rule"), "default:file");
  EXPECT_EQ(file.Str("errno_name"), "EACCES");

  const Json& exec = lines[8];
  EXPECT_EQ(exec.Str("kind"), "exec");
  EXPECT_EQ(exec.Str("action"), "monitor");
  EXPECT_EQ(exec.Str("rule"), "compilers");

  const Json& ptrace = lines[9];
  EXPECT_EQ(ptrace.Str("kind"), "policy");
  // The event had no exe: the image the pid runs then (gcc, since the exec).
  EXPECT_EQ(ptrace.Str("exe"), "/usr/bin/gcc");
  EXPECT_EQ(ptrace.Str("rule"), "warden:no-ptrace");
  EXPECT_EQ(ptrace.Get("enforced")->boolean, true);
  EXPECT_FALSE(ptrace.Has("target"));  // syscall rules have none
  EXPECT_FALSE(ptrace.Has("result"));  // unknown: left out like elsewhere
}

TEST_F(ExportTest, ListRunsShowsPolicyAndStops) {
  RecordPolicyRun();
  { ASSERT_TRUE(Store::Open(db_).ok()); }
  auto store = Store::Open(db_);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->BeginRun(MakeRun({"x"}, 100)).ok());  // still open below
  auto runs = ListRuns(db_);
  ASSERT_TRUE(runs.ok()) << runs.status();
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].policy, "ci");
  EXPECT_EQ((*runs)[0].policy_mode, "permissive");
  EXPECT_EQ((*runs)[0].stops, 17u);
  EXPECT_EQ((*runs)[1].policy, "");
  EXPECT_EQ((*runs)[1].policy_mode, "");
  EXPECT_EQ((*runs)[1].stops, std::nullopt);
  ASSERT_TRUE((*store)->FinishRun({.end_ns = 200}).ok());
  runs = ListRuns(db_);
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ((*runs)[1].stops, 0u);
}

// A file warden 0.1 wrote is read as it is (a reader never upgrades): its
// events were all allowed, and it has no policy records.
TEST_F(ExportTest, ReadsAVersion1DatabaseWithoutUpgradingIt) {
  ASSERT_EQ(CreateV1Database(db_), "");
  std::string text = Export(std::nullopt);
  auto lines = ParseLines(text);
  ASSERT_EQ(lines.size(), 3u) << text;  // start, file, exit
  EXPECT_EQ(lines[1].Str("kind"), "file");
  EXPECT_EQ(lines[1].Str("path"), "/src/Makefile");
  EXPECT_EQ(lines[1].Str("exe"), "/usr/bin/make");
  EXPECT_EQ(lines[1].Str("action"), "allow");
  EXPECT_FALSE(lines[1].Has("rule"));
  auto runs = ListRuns(db_);
  ASSERT_TRUE(runs.ok()) << runs.status();
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].argv_json, R"(["make"])");
  EXPECT_EQ((*runs)[0].lost_events, 3u);
  EXPECT_EQ((*runs)[0].policy, "");
  EXPECT_EQ((*runs)[0].stops, std::nullopt);
  EXPECT_EQ(store::testing::QueryOne(db_, "PRAGMA user_version"), "1");
}

TEST_F(ExportTest, NewerSchemaIsRefused) {
  ASSERT_EQ(CreateV1Database(db_), "");
  const int newer = kSchemaVersion + 1;
  ASSERT_EQ(store::testing::Exec(db_, "PRAGMA user_version = " + std::to_string(newer)), "");
  std::ostringstream out;
  absl::Status s = ExportNdjson(db_, std::nullopt, out);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.message()), HasSubstr(fmt::format("schema version {}, newer", newer)));
  EXPECT_EQ(ListRuns(db_).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(ExportTest, FiltersByRunAndExportsAllRunsInOrder) {
  RecordTwoRuns();
  auto run2 = ParseLines(Export(2));
  ASSERT_EQ(run2.size(), 1u);
  EXPECT_EQ(run2[0].Int("run"), 2);
  EXPECT_EQ(run2[0].Str("path"), "/tmp/\xff\x01");  // \udcff and \u0001: the bytes
  auto all = ParseLines(Export(std::nullopt));
  ASSERT_EQ(all.size(), 11u);
  for (size_t i = 0; i < 10; ++i) EXPECT_EQ(all[i].Int("run"), 1);
  EXPECT_EQ(all[10].Int("run"), 2);
}

TEST_F(ExportTest, UnknownRunListsTheRunsThereAre) {
  RecordTwoRuns();
  std::ostringstream out;
  absl::Status s = ExportNdjson(db_, 7, out);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(s.message()), HasSubstr("no run 7"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("available runs: 1-2"));
  EXPECT_TRUE(out.str().empty());
}

TEST_F(ExportTest, MissingDatabaseSaysHowToMakeOne) {
  std::ostringstream out;
  absl::Status s = ExportNdjson(db_, std::nullopt, out);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(s.message()), HasSubstr("no database at " + db_));
  EXPECT_THAT(std::string(s.message()), HasSubstr("warden run --db " + db_ + " -- CMD"));
  EXPECT_EQ(ListRuns(db_).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ExportTest, ForeignSqliteFileIsRefused) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  std::ostringstream out;
  absl::Status s = ExportNdjson(db_, std::nullopt, out);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.message()), HasSubstr("not a warden database"));
}

TEST_F(ExportTest, EmptyDatabaseExportsNothing) {
  { ASSERT_TRUE(Store::Open(db_).ok()); }
  EXPECT_EQ(Export(std::nullopt), "");
  std::ostringstream out;
  absl::Status s = ExportNdjson(db_, 1, out);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(s.message()), HasSubstr("has no runs"));
}

TEST_F(ExportTest, ListRunsSummarises) {
  RecordTwoRuns();
  auto runs = ListRuns(db_);
  ASSERT_TRUE(runs.ok()) << runs.status();
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].id, 1);
  EXPECT_EQ((*runs)[0].argv_json, R"(["sh","-c","ls /nope"])");
  EXPECT_EQ((*runs)[0].start_ns, 90);
  EXPECT_EQ((*runs)[0].end_ns, 700);
  EXPECT_EQ((*runs)[0].exit_code, 137);
  EXPECT_EQ((*runs)[0].exit_signal, 9);
  EXPECT_EQ((*runs)[1].id, 2);
  EXPECT_EQ((*runs)[1].exit_signal, std::nullopt);
}

// A reader must work while a run is still being written (WAL).
TEST_F(ExportTest, ExportsWhileARunIsRecording) {
  auto store = Store::Open(db_);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->BeginRun(MakeRun({"x"}, 1)).ok());
  for (int i = 0; i < 1000; ++i)
    (*store)->Submit(FileEvent{.ts_ns = i, .pid = 1, .syscall = "read", .path = "/f", .op = "read"});
  std::ostringstream out;
  absl::Status s = ExportNdjson(db_, 1, out);
  EXPECT_TRUE(s.ok()) << s;
  auto runs = ListRuns(db_);
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ((*runs)[0].end_ns, std::nullopt);
  ASSERT_TRUE((*store)->FinishRun({.end_ns = 2000}).ok());
  EXPECT_EQ(ParseLines(Export(1)).size(), 1000u);
}


}  // namespace
}  // namespace warden::forensics
