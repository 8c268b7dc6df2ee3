#include "forensics/follow.h"

#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/run_lock.h"
#include "forensics/event_reader.h"
#include "forensics/export.h"
#include "forensics/read_db.h"
#include "store/store.h"
#include "store/test_util.h"

namespace warden::forensics {
using namespace warden::store;  // the writer, to make databases to read

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using store::testing::AppendFileEvents;
using store::testing::Exec;
using store::testing::TempDir;

class FollowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    auto store = Store::Open(db_);
    ASSERT_TRUE(store.ok()) << store.status();
    Store& s = **store;
    ASSERT_TRUE(s.BeginRun(RunInfo{.argv = {"a"}, .start_ns = 1}).ok());
    s.Submit(FileEvent{.ts_ns = 2, .pid = 3, .syscall = "openat", .path = "/first", .op = "read"});
    ASSERT_TRUE(s.FinishRun({.end_ns = 5}).ok());
    ASSERT_TRUE(s.BeginRun(RunInfo{.argv = {"sh"}, .start_ns = 100}).ok());
    s.Submit(ProcessStart{.ts_ns = 100, .pid = 10, .ppid = 1, .tgid = 10, .exe = "/bin/sh",
                          .argv = {"sh"}, .cwd = "/w"});
    s.Submit(FileEvent{.ts_ns = 110, .pid = 10, .exe = "/bin/sh", .syscall = "openat",
                       .path = "/etc/hosts", .op = "read", .flags = "O_RDONLY", .result = 3});
    s.Submit(ProcessStart{.ts_ns = 120, .pid = 11, .ppid = 10, .tgid = 11, .exe = "/bin/sh"});
    s.Submit(ProcessEnd{.ts_ns = 130, .pid = 11, .exit_code = 1});
    s.Submit(NetEvent{.ts_ns = 140, .pid = 10, .exe = "/bin/sh", .syscall = "connect",
                      .op = "connect", .family = "AF_INET", .sock_type = "SOCK_STREAM",
                      .direction = "outbound", .address = "10.0.0.1", .port = 80, .fd = 3,
                      .err = 111});
    // Run 2 is left open: still being recorded.
  }

  std::string Follow(FollowOptions o) {
    std::ostringstream out;
    absl::Status s = FollowEvents(db_, o, out);
    EXPECT_TRUE(s.ok()) << s;
    return out.str();
  }

  TempDir dir_;
  std::string db_ = dir_.File("w.db");
};

TEST_F(FollowTest, WithoutFollowPrintsTheExportOfTheLatestRun) {
  std::ostringstream exported;
  ASSERT_TRUE(ExportNdjson(db_, 2, exported).ok());
  EXPECT_EQ(Follow({}), exported.str());
  std::ostringstream first;
  ASSERT_TRUE(ExportNdjson(db_, 1, first).ok());
  EXPECT_EQ(Follow({.run_id = 1}), first.str());
  std::string files = Follow({.kinds = {"file"}});
  EXPECT_THAT(files, HasSubstr("\"path\":\"/etc/hosts\""));
  EXPECT_EQ(files.find("\"kind\":\"process\""), std::string::npos);
}

TEST_F(FollowTest, TextFormat) {
  std::string text = Follow({.format = EventsFormat::kText});
  std::istringstream in(text);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l.substr(l.find(' ') + 1));
  EXPECT_THAT(lines, ElementsAre("[pid 10] process start /bin/sh [sh] (ppid 1)",
                                 "[pid 10] file read /etc/hosts (openat O_RDONLY) = 3",
                                 "[pid 11] process start /bin/sh (ppid 10)",
                                 "[pid 11] process exit 1",
                                 "[pid 10] net connect outbound 10.0.0.1:80 (AF_INET SOCK_STREAM) "
                                 "= -1 ECONNREFUSED"));
  EXPECT_EQ(text.substr(0, 27), "1970-01-01T00:00:00.000000Z");
}

TEST_F(FollowTest, TextShowsControlCharactersEscaped) {
  ASSERT_EQ(AppendFileEvents(db_, 2, {{.ts_ns = 150, .pid = 10, .syscall = "openat",
                                        .path = "/tmp/\x1b[2Jx\ny", .op = "read", .result = 3}}),
            "");
  std::string text = Follow({.kinds = {"file"}, .format = EventsFormat::kText});
  EXPECT_THAT(text, HasSubstr("file read /tmp/\\x1b[2Jx\\ny (openat) = 3\n"));
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
}

// The follow reads again and again: each read returns only what was
// committed since, a process's exit (an update of its row) once.
TEST_F(FollowTest, IncrementalReadsReturnOnlyNewRows) {
  auto db = OpenReadOnly(db_);
  ASSERT_TRUE(db.ok()) << db.status();
  auto reader = EventReader::Create(db->db.get(), db->version, 2, EventSelection{},
                                    EventStyle::kText, /*incremental=*/true);
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto read = [&] {
    std::string buf;
    uint64_t n = 0;
    absl::Status s = (*reader)->Read(buf, [](std::string&) { return absl::OkStatus(); }, &n);
    EXPECT_TRUE(s.ok()) << s;
    std::vector<std::string> lines;
    std::istringstream in(buf);
    for (std::string l; std::getline(in, l);) lines.push_back(l.substr(l.find(' ') + 1));
    return lines;
  };
  EXPECT_EQ(read().size(), 5u);
  EXPECT_THAT(read(), ElementsAre());
  // New rows, out of time order; pid 10's exit is written into its row; an
  // exit whose start was never recorded gets a row of its own; run 1's rows
  // are not this run's.
  ASSERT_EQ(AppendFileEvents(db_, 2,
                             {{.ts_ns = 160, .pid = 10, .syscall = "openat", .path = "/etc/passwd",
                               .op = "read", .result = 3},
                              {.ts_ns = 150, .pid = 10, .syscall = "openat", .path = "/etc/group",
                               .op = "read", .result = 4}}),
            "");
  ASSERT_EQ(AppendFileEvents(db_, 1, {{.ts_ns = 155, .pid = 3, .syscall = "openat",
                                       .path = "/other", .op = "read", .result = 3}}),
            "");
  ASSERT_EQ(Exec(db_,
                 "UPDATE processes SET end_ns=170, exit_code=0 WHERE run_id=2 AND pid=10;"
                 "INSERT INTO processes(run_id, pid, end_ns, term_signal) VALUES(2, 12, 180, 9);"),
            "");
  EXPECT_THAT(read(), ElementsAre("[pid 10] file read /etc/group (openat) = 4",
                                  "[pid 10] file read /etc/passwd (openat) = 3",
                                  "[pid 10] process exit 0", "[pid 12] process killed by SIGKILL"));
  EXPECT_THAT(read(), ElementsAre());
  ASSERT_EQ(Exec(db_,
                 "INSERT INTO processes(run_id, pid, ppid, tgid, exe, start_ns) "
                 "VALUES(2, 13, 10, 13, '/bin/true', 190);"),
            "");
  EXPECT_THAT(read(), ElementsAre("[pid 13] process start /bin/true (ppid 10)"));
  ASSERT_EQ(Exec(db_, "UPDATE processes SET end_ns=195, exit_code=0 WHERE run_id=2 AND pid=13;"),
            "");
  EXPECT_THAT(read(), ElementsAre("[pid 13] process exit 0"));
  EXPECT_THAT(read(), ElementsAre());
}

TEST_F(FollowTest, FollowEndsWhenTheRunEnds) {
  // The run ends while the follow waits: it prints the rest and returns.
  // The test holds the run's lock, as the warden recording it would.
  auto lock = store::RunLock::Take(db_, 2);
  ASSERT_TRUE(lock.ok()) << lock.status();
  std::ostringstream out;
  int polls = 0;
  FollowOptions o{.follow = true, .poll = std::chrono::milliseconds(10), .stop = [&] {
                    if (++polls == 3) {
                      EXPECT_EQ(AppendFileEvents(db_, 2,
                                                 {{.ts_ns = 300, .pid = 10, .syscall = "openat",
                                                   .path = "/last", .op = "read"}}),
                                "");
                      EXPECT_EQ(Exec(db_, "UPDATE runs SET end_ns=400 WHERE id=2;"), "");
                    }
                    return polls > 1000;  // a safety net, never reached
                  }};
  o.format = EventsFormat::kText;
  ASSERT_TRUE(FollowEvents(db_, o, out).ok());
  EXPECT_LT(polls, 1000);
  EXPECT_THAT(out.str(), HasSubstr("file read /last (openat) = ?"));
}

// No end and nobody holds the run's lock: its warden was killed. The
// follow prints what there is and ends instead of waiting forever.
TEST_F(FollowTest, FollowOfAnInterruptedRunEnds) {
  std::ostringstream out;
  int polls = 0;
  FollowOptions o{.follow = true, .poll = std::chrono::milliseconds(10), .stop = [&] {
                    return ++polls > 1000;  // a safety net, never reached
                  }};
  ASSERT_TRUE(FollowEvents(db_, o, out).ok());
  EXPECT_EQ(polls, 0);
  EXPECT_THAT(out.str(), HasSubstr("/etc/hosts"));
}

TEST_F(FollowTest, StopEndsAFollowCleanly) {
  std::ostringstream out;
  FollowOptions o{.follow = true, .poll = std::chrono::milliseconds(10),
                  .stop = [] { return true; }};
  EXPECT_TRUE(FollowEvents(db_, o, out).ok());
  EXPECT_THAT(out.str(), HasSubstr("/etc/hosts"));  // what was there was printed
}

TEST_F(FollowTest, BadInput) {
  std::ostringstream out;
  EXPECT_EQ(FollowEvents(db_, {.run_id = 7}, out).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(FollowEvents(dir_.File("none.db"), {}, out).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace warden::forensics
