// `warden events --follow`: another process sees the events of a running
// `warden run` as they are committed, and stops when the run ends.
#include <signal.h>

#include <algorithm>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

using ::testing::HasSubstr;

class EventsFollowTest : public IntegrationTest {
 protected:
  // Starts a run that reads /etc/hostname five times, 0.3 s apart, and
  // waits until its run row exists.
  Spawned StartSlowRun() {
    Spawned run = StartWarden({"/bin/sh", "-c",
                               "for i in 1 2 3 4 5; do cat /etc/hostname >/dev/null; sleep 0.3; done"});
    EXPECT_TRUE(WaitUntil([&] { return ReadFile(db()).size() > 0 && RunCount() >= 1; },
                          std::chrono::milliseconds(5000)));
    return run;
  }
  // 0 until the file has its tables and the run its row.
  int64_t RunCount() {
    return QueryInt("SELECT count(*) FROM sqlite_master WHERE name='runs'") == 1
               ? QueryInt("SELECT count(*) FROM runs")
               : 0;
  }
};

TEST_F(EventsFollowTest, SeesEventsOfARunningWardenAndEndsWithIt) {
  Spawned run = StartSlowRun();
  Spawned follow = Start({WardenBin(), "events", "--db", db(), "--follow", "--kind", "file"});
  // Printed while the run still runs: the first read of /etc/hostname.
  ASSERT_TRUE(WaitForOutput(follow, "\"path\":\"/etc/hostname\"", std::chrono::milliseconds(5000)))
      << ReadFile(follow.out_path);
  EXPECT_TRUE(ProcessAlive(run.pid)) << "the run should still be running";
  EXPECT_EQ(QueryOne("SELECT end_ns IS NULL FROM runs"), "1");
  ExitInfo r = Wait(run, std::chrono::milliseconds(15000));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // It ends by itself once the run has ended, with every event printed.
  ExitInfo f = Wait(follow, std::chrono::milliseconds(5000));
  EXPECT_FALSE(f.timed_out);
  EXPECT_EQ(f.exit_code, 0) << f.err;
  int hostname_reads = 0;
  for (const auto& line : Lines(f.out)) {
    auto obj = ParseJsonObject(line);
    ASSERT_TRUE(obj.has_value()) << line;
    EXPECT_EQ(obj->at("kind"), "file") << line;
    if (obj->at("path") == "/etc/hostname") ++hostname_reads;
  }
  EXPECT_EQ(hostname_reads, 5) << f.out;
  // The same lines as the export of the run (maybe in another order: each
  // read is sorted by time, reads follow each other).
  ExitInfo e = Run({WardenBin(), "export", "--db", db(), "--kind", "file"});
  std::vector<std::string> exported = Lines(e.out), followed = Lines(f.out);
  std::sort(exported.begin(), exported.end());
  std::sort(followed.begin(), followed.end());
  EXPECT_EQ(followed, exported);
}

TEST_F(EventsFollowTest, CtrlCEndsAFollowCleanly) {
  Spawned run = StartSlowRun();
  Spawned follow = Start({WardenBin(), "events", "--db", db(), "--follow", "--format", "text"});
  ASSERT_TRUE(WaitForOutput(follow, "file read /etc/hostname", std::chrono::milliseconds(5000)));
  kill(follow.pid, SIGINT);
  ExitInfo f = Wait(follow, std::chrono::milliseconds(3000));
  EXPECT_FALSE(f.timed_out);
  EXPECT_EQ(f.exit_code, 0) << f.err;
  EXPECT_EQ(f.err, "");
  EXPECT_TRUE(f.out.empty() || f.out.back() == '\n') << "a line cut short";
  EXPECT_THAT(f.out, testing::ContainsRegex("\\[pid [0-9]+\\] file read /etc/hostname \\(openat "
                                            "O_RDONLY\\) = 3"));
  ASSERT_EQ(Wait(run, std::chrono::milliseconds(15000)).exit_code, 0);
}

TEST_F(EventsFollowTest, WithoutFollowPrintsTheLatestRunAndExits) {
  ASSERT_EQ(RunWarden({"/bin/cat", "/etc/hostname"}).exit_code, 0);
  ASSERT_EQ(RunWarden({"/bin/true"}).exit_code, 0);
  ExitInfo e = Run({WardenBin(), "events", "--db", db()});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  ExitInfo x = Run({WardenBin(), "export", "--db", db(), "--run", "2"});
  EXPECT_EQ(e.out, x.out);
  e = Run({WardenBin(), "events", "--db", db(), "--run", "1", "--kind", "exec", "--format", "text"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_THAT(e.out, HasSubstr(" exec " + Real("/bin/cat") + " [/bin/cat /etc/hostname] = 0\n"));
}

}  // namespace
}  // namespace warden::itest
