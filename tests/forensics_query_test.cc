// `warden profile` and `warden query` over what real runs recorded: the
// profile lists what a known program read, the tree has the fork/exec shape
// of a shell, who finds the reader of a file, net filters a loopback run by
// port and address, denied shows a policy denial, stats counts, and sql is
// read-only. Bad input exits 2 with a message and leaves the file alone.
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/test_util.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using store::testing::Json;
using store::testing::JsonParser;

struct FileState {
  std::string content;
  timespec mtime{};
};

FileState StateOf(const std::string& path) {
  struct stat st {};
  stat(path.c_str(), &st);
  return {ReadFile(path), st.st_mtim};
}

class ForensicsTest : public IntegrationTest {
 protected:
  ExitInfo Warden(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {WardenBin()};
    argv.insert(argv.end(), args.begin(), args.end());
    return Run(argv);
  }
  ExitInfo QueryCmd(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"query", "--db", db()};
    argv.insert(argv.end(), args.begin(), args.end());
    return Warden(argv);
  }
  // Runs `warden query ... --format json` and parses the array it prints.
  std::vector<Json> QueryJson(const std::vector<std::string>& args) {
    std::vector<std::string> a = args;
    a.insert(a.end(), {"--format", "json"});
    ExitInfo r = QueryCmd(a);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string error;
    auto v = JsonParser::Parse(r.out, &error);
    EXPECT_TRUE(v) << error << "\n" << r.out;
    if (!v || v->type != Json::kArray) {
      ADD_FAILURE() << "not a JSON array: " << r.out;
      return {};
    }
    return v->items;
  }

  // sh -c 'cat in.txt; ls sub /nonexistent; exit 3' in dir(): cat reads
  // in.txt, ls lists sub and fails on /nonexistent (exit 2).
  void RecordShell() {
    WriteFile(Path("in.txt"), "hello\n");
    ASSERT_EQ(mkdir(Path("sub").c_str(), 0755), 0);
    WriteFile(Path("sub/a"), "");
    ExitInfo r = RunWarden({"/bin/sh", "-c", "cat in.txt; ls sub /nonexistent; exit 3"});
    ASSERT_EQ(r.exit_code, 3) << r.err;
    ASSERT_THAT(r.out, HasSubstr("hello"));
  }
};

std::vector<std::string> Strings(const Json* array, std::string_view key = "") {
  std::vector<std::string> out;
  if (!array) return out;
  for (const Json& item : array->items) out.push_back(key.empty() ? item.text : item.Str(key));
  return out;
}

// --- profile ---------------------------------------------------------------

TEST_F(ForensicsTest, ProfileListsTheFilesCatReadAndTheProgramsRun) {
  RecordShell();
  ExitInfo r = Warden({"profile", "--db", db(), "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string error;
  auto p = JsonParser::Parse(r.out, &error);
  ASSERT_TRUE(p) << error << "\n" << r.out;
  EXPECT_EQ(p->Int("run"), 1);
  EXPECT_EQ(p->Str("status"), "finished");
  EXPECT_EQ(p->Int("exit_code"), 3);
  EXPECT_EQ(p->Int("processes"), 3);
  const Json* files = p->Get("files");
  ASSERT_TRUE(files);
  const Json* read = files->Get("read");
  ASSERT_TRUE(read);
  const Json* in = nullptr;
  for (const Json& f : read->items)
    if (f.Str("path") == Path("in.txt")) in = &f;
  ASSERT_TRUE(in) << "in.txt is not among the files read:\n" << r.out;
  EXPECT_EQ(in->Int("count"), 1);
  EXPECT_THAT(Strings(in->Get("programs")), ElementsAre(EndsWith("/cat")));
  EXPECT_THAT(in->Str("first_seen"), AllOf(HasSubstr("T"), EndsWith("Z")));
  EXPECT_EQ(in->Str("first_seen").size(), std::string("2026-11-23T10:00:00.000Z").size());
  // ls opened the directory; the failed /nonexistent is not a file read.
  EXPECT_THAT(Strings(read, "path"), AllOf(Contains(Path("sub")), Not(Contains("/nonexistent"))));
  EXPECT_THAT(Strings(files->Get("executed"), "path"), AllOf(Contains(EndsWith("/cat")), Contains(EndsWith("/ls"))));
  EXPECT_THAT(Strings(p->Get("programs"), "path"), AllOf(Contains(EndsWith("/cat")), Contains(EndsWith("/ls"))));
  EXPECT_THAT(Strings(files->Get("written"), "path"), IsEmpty());

  ExitInfo text = Warden({"profile", "--db", db(), "--run", "1"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("status:    finished (exit 3)"));
  // in.txt is listed in the "files read" section, with cat.
  size_t section = text.out.find("files read (");
  size_t next = text.out.find("files written (");
  ASSERT_NE(section, std::string::npos) << text.out;
  std::string files_read = text.out.substr(section, next - section);
  bool found = false;
  for (const auto& line : Lines(files_read))
    if (line.find(Path("in.txt")) != std::string::npos) {
      found = true;
      EXPECT_THAT(line, HasSubstr("/cat"));
    }
  EXPECT_TRUE(found) << text.out;
}

TEST_F(ForensicsTest, ProfileOfALoopbackRunListsPortsAndAddresses) {
  ExitInfo r = RunWarden({Helper("connect_helper"), "tcp"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string port = Field(r.out, "port"), udp = Field(r.out, "udp");
  ExitInfo p = Warden({"profile", "--db", db(), "--format", "json"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  auto v = JsonParser::Parse(p.out);
  ASSERT_TRUE(v) << p.out;
  const Json* ports = v->Get("ports");
  ASSERT_TRUE(ports);
  std::vector<std::string> listening, accessed;
  for (const Json& u : ports->Get("listening")->items)
    listening.push_back(u.Str("address") + ":" + std::to_string(u.Int("port")));
  for (const Json& u : ports->Get("accessed")->items)
    accessed.push_back(u.Str("address") + ":" + std::to_string(u.Int("port")));
  EXPECT_THAT(listening, ElementsAre("127.0.0.1:" + port));
  EXPECT_THAT(accessed, AllOf(Contains("127.0.0.1:" + port), Contains("127.0.0.1:" + udp)));
  ASSERT_EQ(v->Get("addresses")->items.size(), 1u) << p.out;
  const Json& host = v->Get("addresses")->items[0];
  EXPECT_EQ(host.Str("address"), "127.0.0.1");
  EXPECT_EQ(host.Int("outbound"), 2);  // connect, sendto
  EXPECT_EQ(host.Int("inbound"), 2);   // accept, recvfrom
}

// --- tree ------------------------------------------------------------------

TEST_F(ForensicsTest, TreeShowsTheShellWithCatAndLsUnderIt) {
  RecordShell();
  auto rows = QueryJson({"tree"});
  ASSERT_EQ(rows.size(), 3u) << Dump();
  EXPECT_EQ(rows[0].Int("depth"), 0);
  EXPECT_EQ(Strings(rows[0].Get("argv")),
            (std::vector<std::string>{"/bin/sh", "-c", "cat in.txt; ls sub /nonexistent; exit 3"}));
  EXPECT_EQ(rows[0].Int("exit_code"), 3);
  EXPECT_EQ(rows[1].Int("depth"), 1);
  EXPECT_EQ(rows[1].Int("ppid"), rows[0].Int("pid"));
  EXPECT_THAT(Strings(rows[1].Get("argv")), ElementsAre("cat", "in.txt"));
  EXPECT_EQ(rows[1].Str("status"), "exit 0");
  EXPECT_EQ(rows[2].Int("depth"), 1);
  EXPECT_THAT(Strings(rows[2].Get("argv")), ElementsAre("ls", "sub", "/nonexistent"));
  EXPECT_EQ(rows[2].Str("status"), "exit 2");
  for (const Json& row : rows) {
    ASSERT_TRUE(row.Get("duration_ms"));
    EXPECT_EQ(row.Get("duration_ms")->type, Json::kNumber);
  }

  ExitInfo text = QueryCmd({"tree"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  auto lines = Lines(text.out);
  ASSERT_EQ(lines.size(), 4u) << text.out;
  EXPECT_THAT(lines[0], AllOf(HasSubstr("PID"), HasSubstr("STATUS"), HasSubstr("COMMAND")));
  EXPECT_THAT(lines[1], AllOf(HasSubstr("exit 3"), EndsWith("/bin/sh -c 'cat in.txt; ls sub /nonexistent; exit 3'")));
  EXPECT_THAT(lines[2], AllOf(HasSubstr("exit 0"), EndsWith(" \\_ cat in.txt")));
  EXPECT_THAT(lines[3], AllOf(HasSubstr("exit 2"), EndsWith(" \\_ ls sub /nonexistent")));
}

TEST_F(ForensicsTest, TreeOfForkHelperHasOneParentAndItsChildren) {
  ExitInfo r = RunWarden({Helper("fork_helper"), dir(), "3", "7"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = QueryJson({"tree"});
  ASSERT_EQ(rows.size(), 4u) << Dump();
  EXPECT_EQ(rows[0].Int("depth"), 0);
  EXPECT_EQ(rows[0].Str("status"), "exit 0");
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].Int("depth"), 1);
    EXPECT_EQ(rows[i].Int("ppid"), rows[0].Int("pid"));
    EXPECT_EQ(rows[i].Str("status"), "exit 7");
  }
  // csv: a header and one line per process.
  ExitInfo csv = QueryCmd({"tree", "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  auto lines = Lines(csv.out);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], "depth,pid,ppid,tgid,is_thread,exe,argv,start,end,duration_ms,exit_code,signal,status\r");
}

// --- who, timeline ---------------------------------------------------------

TEST_F(ForensicsTest, WhoFindsTheProcessThatReadTheFile) {
  RecordShell();
  auto rows = QueryJson({"who", Path("in.txt")});
  ASSERT_EQ(rows.size(), 1u) << Dump();
  EXPECT_THAT(rows[0].Str("exe"), EndsWith("/cat"));
  EXPECT_EQ(rows[0].Str("op"), "read");
  EXPECT_EQ(rows[0].Str("result"), "ok");
  EXPECT_EQ(rows[0].Int("count"), 1);
  const std::string cat_pid = std::to_string(rows[0].Int("pid"));
  EXPECT_EQ(QueryOne("SELECT pid FROM processes WHERE argv LIKE '[\"cat\"%'"), cat_pid);

  // A glob over the directory finds both ls's open of sub and cat's read.
  auto glob = QueryJson({"who", dir() + "/*"});
  std::vector<std::string> seen;
  for (const Json& row : glob) seen.push_back(row.Str("path") + " " + row.Str("op"));
  EXPECT_THAT(seen, AllOf(Contains(Path("in.txt") + " read"), Contains(Path("sub") + " read")));
  // /nonexistent: who tried, and how it failed.
  auto missing = QueryJson({"who", "/nonexist*"});
  ASSERT_FALSE(missing.empty());
  EXPECT_THAT(missing[0].Str("exe"), EndsWith("/ls"));
  EXPECT_EQ(missing[0].Str("result"), "ENOENT");
  EXPECT_THAT(QueryJson({"who", "/no/such/*"}), IsEmpty());
}

TEST_F(ForensicsTest, TimelineIsInTimeOrderAndFilters) {
  RecordShell();
  auto all = QueryJson({"timeline"});
  ASSERT_GT(all.size(), 20u);
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LE(all[i - 1].Int("ts_ns"), all[i].Int("ts_ns")) << i;
  EXPECT_EQ(all.front().Str("kind"), "process_start");
  EXPECT_EQ(all.back().Str("kind"), "process_end");

  auto execs = QueryJson({"timeline", "--kind", "exec", "--from", "1h ago", "--to", "now"});
  std::vector<std::string> ok;
  for (const Json& e : execs)
    if (e.Str("event").ends_with("= 0")) ok.push_back(e.Str("event"));
  ASSERT_EQ(ok.size(), 3u);  // sh (by warden), cat, ls
  EXPECT_THAT(ok[1], HasSubstr("[cat in.txt]"));
  EXPECT_THAT(ok[2], HasSubstr("[ls sub /nonexistent]"));

  const std::string cat_pid = QueryOne("SELECT pid FROM processes WHERE argv LIKE '[\"cat\"%'");
  auto by_pid = QueryJson({"timeline", "--pid", cat_pid});
  ASSERT_FALSE(by_pid.empty());
  for (const Json& e : by_pid) EXPECT_EQ(std::to_string(e.Int("pid")), cat_pid);
  EXPECT_THAT(QueryJson({"timeline", "--to", "1h ago"}), IsEmpty());
  // An RFC 3339 window around the first event holds it.
  const int64_t first = all.front().Int("ts_ns");
  auto window = QueryJson({"timeline", "--from", std::to_string(first), "--to", std::to_string(first)});
  ASSERT_FALSE(window.empty());
  EXPECT_EQ(window[0].Int("ts_ns"), first);
}

// --- net, denied, stats ----------------------------------------------------

TEST_F(ForensicsTest, NetFiltersALoopbackRunByPortAndAddress) {
  ExitInfo r = RunWarden({Helper("connect_helper"), "tcp"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string port = Field(r.out, "port");
  ASSERT_FALSE(port.empty());
  auto rows = QueryJson({"net", "--port", port});
  std::vector<std::string> ops;
  for (const Json& row : rows) {
    EXPECT_EQ(std::to_string(row.Int("port")), port);
    EXPECT_EQ(row.Str("address"), "127.0.0.1");
    ops.push_back(row.Str("syscall"));
  }
  EXPECT_THAT(ops, ElementsAre("listen", "connect")) << Dump();

  auto all = QueryJson({"net"});
  EXPECT_GT(all.size(), rows.size());
  auto loopback = QueryJson({"net", "--addr", "127.0.0.0/8"});
  EXPECT_FALSE(loopback.empty());
  for (const Json& row : loopback) EXPECT_EQ(row.Str("address"), "127.0.0.1");
  EXPECT_THAT(QueryJson({"net", "--addr", "10.0.0.0/8"}), IsEmpty());

  ExitInfo bad = QueryCmd({"net", "--addr", "10.0.0.0/33"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--addr"));
}

TEST_F(ForensicsTest, DeniedShowsThePolicyDenial) {
  WriteFile(Path("secret"), "top secret\n");
  WriteFile(Path("policy.yaml"), "version: 1\nname: no-secret\nrules:\n"
                                 "  - name: cat-no-secret\n    type: file-read\n    program: cat\n"
                                 "    paths: " + Path("secret") + "\n    action: deny\n    errno: EACCES\n");
  ExitInfo r = RunWarden({"/bin/cat", Path("secret")}, {"--policy", Path("policy.yaml")});
  ASSERT_EQ(r.exit_code, 1) << r.err;
  auto rows = QueryJson({"denied"});
  ASSERT_EQ(rows.size(), 1u) << Dump();
  EXPECT_EQ(rows[0].Str("action"), "deny");
  EXPECT_EQ(rows[0].Str("rule"), "cat-no-secret");
  EXPECT_EQ(rows[0].Str("category"), "file-read");
  EXPECT_EQ(rows[0].Str("target"), Path("secret"));
  EXPECT_EQ(rows[0].Str("errno"), "EACCES");
  EXPECT_THAT(rows[0].Str("exe"), EndsWith("/cat"));

  ExitInfo text = QueryCmd({"denied"});
  ASSERT_EQ(text.exit_code, 0);
  EXPECT_THAT(text.out, AllOf(HasSubstr("cat-no-secret"), HasSubstr(Path("secret")), HasSubstr("EACCES")));

  // stats: the deny among the actions and the policy hits.
  auto stats = QueryJson({"stats"});
  std::map<std::string, int64_t> counts;
  for (const Json& s : stats) counts[s.Str("group") + " " + s.Str("name")] = s.Int("count");
  EXPECT_EQ(counts["policy deny"], 1);
  EXPECT_GE(counts["action deny"], 1);
  EXPECT_EQ(counts["kind policy"], 1);
}

TEST_F(ForensicsTest, StatsCountWhatTheTablesHold) {
  RecordShell();
  auto stats = QueryJson({"stats"});
  std::map<std::string, int64_t> counts;
  for (const Json& s : stats) counts[s.Str("group") + " " + s.Str("name")] = s.Int("count");
  EXPECT_EQ(counts["kind process"], 3);
  EXPECT_EQ(counts["kind file"], QueryInt("SELECT count(*) FROM file_events WHERE run_id=1"));
  EXPECT_EQ(counts["kind exec"], QueryInt("SELECT count(*) FROM exec_events WHERE run_id=1"));
  EXPECT_EQ(counts["kind syscall"], QueryInt("SELECT count(*) FROM syscall_events WHERE run_id=1"));
  EXPECT_EQ(counts["action allow"], counts["kind syscall"]);
  EXPECT_EQ(counts["syscall openat"], QueryInt("SELECT count(*) FROM syscall_events WHERE run_id=1 AND name='openat'"));
  EXPECT_GT(counts["syscall openat"], 0);
}

// --- sql -------------------------------------------------------------------

TEST_F(ForensicsTest, SqlRefusesADeleteAndAnswersASelectInCsv) {
  RecordShell();
  const int64_t runs = QueryInt("SELECT count(*) FROM runs");
  FileState before = StateOf(db());
  ExitInfo del = QueryCmd({"sql", "DELETE FROM runs"});
  EXPECT_EQ(del.exit_code, 2);
  EXPECT_THAT(del.err, HasSubstr("only a SELECT"));
  EXPECT_TRUE(del.out.empty());
  for (const char* sql : {"select 1; delete from runs", "WITH x AS (SELECT 1) DELETE FROM runs",
                          "PRAGMA user_version=0", "SELECT * FROM nope"}) {
    ExitInfo r = QueryCmd({"sql", sql});
    EXPECT_EQ(r.exit_code, 2) << sql;
  }
  FileState after = StateOf(db());
  EXPECT_EQ(after.content, before.content);
  EXPECT_EQ(after.mtime.tv_sec, before.mtime.tv_sec);
  EXPECT_EQ(after.mtime.tv_nsec, before.mtime.tv_nsec);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM runs"), runs);

  ExitInfo csv = QueryCmd({"sql", "SELECT id, argv, exit_code FROM runs", "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out, "id,argv,exit_code\r\n"
                     "1,\"[\"\"/bin/sh\"\",\"\"-c\"\",\"\"cat in.txt; ls sub /nonexistent; exit 3\"\"]\",3\r\n");
}

// --- bad input -------------------------------------------------------------

TEST_F(ForensicsTest, BadInputExits2WithAMessageAndLeavesTheFileAlone) {
  // Missing file: not created.
  ExitInfo missing = Warden({"profile", "--db", Path("nope.db")});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, AllOf(HasSubstr(Path("nope.db")), HasSubstr("does not exist")));
  EXPECT_TRUE(ReadFile(Path("nope.db")).empty());
  EXPECT_NE(access(Path("nope.db").c_str(), F_OK), 0);

  // A text file, and an SQLite file of another program.
  WriteFile(Path("notes.txt"), "not a database\n");
  ASSERT_EQ(store::testing::Exec(Path("other.db"), "CREATE TABLE t(x); INSERT INTO t VALUES (1);"), "");
  for (const std::string& file : {Path("notes.txt"), Path("other.db")}) {
    FileState before = StateOf(file);
    for (const auto& cmd : std::vector<std::vector<std::string>>{
             {"profile", "--db", file}, {"query", "--db", file, "tree"}, {"query", "--db", file, "sql", "SELECT 1"}}) {
      ExitInfo r = Warden(cmd);
      EXPECT_EQ(r.exit_code, 2) << file;
      EXPECT_THAT(r.err, AllOf(HasSubstr(file), HasSubstr("is not a warden database"))) << file;
      EXPECT_TRUE(r.out.empty());
    }
    FileState after = StateOf(file);
    EXPECT_EQ(after.content, before.content) << file;
    EXPECT_EQ(after.mtime.tv_nsec, before.mtime.tv_nsec) << file;
  }

  // An unknown run lists the runs there are.
  RecordShell();
  FileState before = StateOf(db());
  ExitInfo run = QueryCmd({"--run", "9", "who", "/etc/*"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, AllOf(HasSubstr("no run 9"), HasSubstr(db()), HasSubstr("available runs: 1")));
  ExitInfo prun = Warden({"profile", "--db", db(), "--run", "9"});
  EXPECT_EQ(prun.exit_code, 2);
  EXPECT_THAT(prun.err, HasSubstr("available runs: 1"));
  // Bad times, unknown queries and formats.
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"timeline", "--from", "yesterday"},
           {"timeline", "--to", "2026-13-01T00:00:00Z"},
           {"timeline", "--from", "now", "--to", "1h ago"},
           {"nosuch"},
           {"tree", "--format", "xml"},
           {"tree", "--port", "80"},
           {"who"}}) {
    ExitInfo r = QueryCmd(args);
    EXPECT_EQ(r.exit_code, 2) << args[0];
    EXPECT_FALSE(r.err.empty());
  }
  ExitInfo bad_time = QueryCmd({"timeline", "--from", "yesterday"});
  EXPECT_THAT(bad_time.err, AllOf(HasSubstr("bad time 'yesterday'"), HasSubstr("RFC 3339"), HasSubstr("ago")));
  FileState after = StateOf(db());
  EXPECT_EQ(after.content, before.content);
  EXPECT_EQ(after.mtime.tv_nsec, before.mtime.tv_nsec);
}

}  // namespace
}  // namespace warden::itest
