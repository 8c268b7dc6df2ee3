// Following the whole process tree: fork, vfork, raw clone, clone3, threads,
// exec from a non-leader thread, a zombie thread-group leader and a
// double-forked orphan (SECURITY.md 10, 11, 12, 17, 19, 20).
#include <signal.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

using ::testing::ElementsAre;

class ProcessTreeTest : public IntegrationTest {
 protected:
  // pid of the first (only) exec'd image of the run's main process.
  std::string MainPid() {
    return QueryOne("SELECT pid FROM processes WHERE ppid=(SELECT ppid FROM processes ORDER BY "
                    "id LIMIT 1) ORDER BY id LIMIT 1");
  }
  // The pids that created `path` successfully.
  std::vector<std::string> CreatorsOf(const std::string& path) {
    std::vector<std::string> out;
    for (const auto& row : Query("SELECT pid FROM file_events WHERE op='create' AND result>=0 "
                                 "AND path=" + Sql(path) + " ORDER BY id"))
      out.push_back(row[0]);
    return out;
  }
};

// Every child's very first syscall is its open: the tracer sees it even when
// the child's first stop comes before the parent's fork event.
TEST_F(ProcessTreeTest, ForkedChildrenFirstOpenIsRecordedUnderTheChildPid) {
  constexpr int kChildren = 20;
  ExitInfo r = RunWarden({Helper("fork_helper"), dir(), std::to_string(kChildren), "4"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string parent = MainPid();
  for (int i = 0; i < kChildren; ++i) {
    std::string line = Lines(r.out).at(i);
    auto w = Words(line);
    ASSERT_EQ(w.size(), 4u) << line;
    const std::string child = w[2];
    EXPECT_EQ(w[3], "4");
    EXPECT_THAT(CreatorsOf(Path("f" + std::to_string(i))), ElementsAre(child)) << Dump();
    EXPECT_THAT(Query("SELECT ppid, tgid, is_thread, exit_code FROM processes WHERE pid=" + child),
                ElementsAre(ElementsAre(parent, child, "0", "4")))
        << Dump();
  }
}

TEST_F(ProcessTreeTest, VforkChildOpenIsRecordedUnderTheChildPid) {
  ExitInfo r = RunWarden({Helper("vfork_helper"), Path("v"), "6"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string child = Field(r.out, "child");
  ASSERT_FALSE(child.empty()) << r.out;
  EXPECT_EQ(Field(r.out, "child", 2), "6");
  EXPECT_THAT(CreatorsOf(Path("v")), ElementsAre(child)) << Dump();
  EXPECT_THAT(Query("SELECT ppid, is_thread, exit_code FROM processes WHERE pid=" + child),
              ElementsAre(ElementsAre(MainPid(), "0", "6")));
}

TEST_F(ProcessTreeTest, VforkThenExecIsFollowed) {
  ExitInfo r = RunWarden({Helper("vfork_helper"), "--exec", "6"});
  EXPECT_EQ(r.exit_code, 6) << r.err;
  const std::string child = Field(r.out, "child");
  ASSERT_FALSE(child.empty()) << r.out;
  EXPECT_EQ(QueryOne("SELECT argv FROM exec_events WHERE result=0 AND pid=" + child),
            "[\"sh\",\"-c\",\"exit 6\"]")
      << Dump();
  EXPECT_EQ(QueryOne("SELECT exit_code FROM processes WHERE pid=" + child + " ORDER BY id DESC"),
            "6");
}

class RawCloneTest : public ProcessTreeTest,
                     public ::testing::WithParamInterface<const char*> {};

TEST_P(RawCloneTest, ChildsFirstSyscallIsSeen) {
  const std::string mode = GetParam();
  // Several rounds: the order of the child's first stop and the parent's
  // clone event varies from run to run.
  for (int round = 0; round < 5; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const std::string path = Path(mode + std::to_string(round));
    ExitInfo r = RunWarden({Helper("clone_helper"), mode, path, "5"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    const std::string child = Field(r.out, "child");
    ASSERT_FALSE(child.empty()) << r.out;
    EXPECT_EQ(Field(r.out, "child", 2), "5");
    EXPECT_THAT(CreatorsOf(path), ElementsAre(child)) << Dump();
    EXPECT_EQ(QueryOne("SELECT is_thread || ' ' || exit_code FROM processes WHERE pid=" + child),
              "0 5");
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, RawCloneTest, ::testing::Values("sigchld", "vfork", "clone3"));

TEST_F(ProcessTreeTest, ThreadsAreRecordedWithTheirTidAndIsThread) {
  constexpr int kThreads = 8;
  ExitInfo r = RunWarden({Helper("threads"), dir(), std::to_string(kThreads)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string pid = Field(r.out, "main");
  ASSERT_FALSE(pid.empty());
  EXPECT_THAT(CreatorsOf(Path("main")), ElementsAre(pid));
  // Threads share their process's parent.
  const std::string ppid = QueryOne("SELECT ppid FROM processes WHERE pid=" + pid);
  EXPECT_EQ(QueryOne("SELECT is_thread FROM processes WHERE pid=" + pid), "0");
  for (int i = 0; i < kThreads; ++i) {
    const std::string tid = Field(Lines(r.out).at(1 + i), "tid", 2);
    ASSERT_FALSE(tid.empty());
    EXPECT_NE(tid, pid);
    EXPECT_THAT(CreatorsOf(Path("t" + std::to_string(i))), ElementsAre(tid)) << Dump();
    EXPECT_THAT(Query("SELECT is_thread, tgid, ppid FROM processes WHERE pid=" + tid),
                ElementsAre(ElementsAre("1", pid, ppid)))
        << Dump();
  }
}

// SECURITY.md 11: the exec event arrives under the tgid; the new image runs
// as the process (pid == tgid) and everything it does is recorded so.
TEST_F(ProcessTreeTest, ExecFromNonLeaderThread) {
  ExitInfo r = RunWarden({Helper("thread_exec"), "one", Path("out")});
  ASSERT_EQ(r.exit_code, 23) << r.out << r.err;
  const std::string pid = Field(r.out, "pid");
  const std::string tid = Field(r.out, "tid");
  ASSERT_FALSE(pid.empty());
  ASSERT_NE(pid, tid);
  EXPECT_EQ(ReadFile(Path("out")), "one " + pid + "\n");
  const std::string dump = Dump();
  // The exec is recorded once, under the thread-group id.
  EXPECT_THAT(Query("SELECT pid, argv FROM exec_events WHERE result=0 AND argv LIKE '%\"child\"%'"),
              ElementsAre(ElementsAre(pid, "[\"thread_exec\",\"child\"," +
                                               std::string("\"") + Path("out") + "\",\"one\"]")))
      << dump;
  EXPECT_THAT(CreatorsOf(Path("out")), ElementsAre(pid)) << dump;
  // The new image has its own row, as a process (not a thread), with the
  // exit status; the exec'ing thread's own row still says it was a thread.
  EXPECT_THAT(Query("SELECT is_thread, tgid, exit_code FROM processes WHERE pid=" + pid +
                    " AND argv LIKE '%\"child\"%'"),
              ElementsAre(ElementsAre("0", pid, "23")))
      << dump;
  EXPECT_EQ(QueryOne("SELECT is_thread FROM processes WHERE pid=" + tid), "1") << dump;
  EXPECT_EQ(QueryOne("SELECT exit_code FROM runs"), "23");
  // Every row has ended: the exec'ing thread's id ended at the exec.
  EXPECT_EQ(QueryInt("SELECT count(*) FROM processes WHERE end_ns IS NULL"), 0) << dump;
}

TEST_F(ProcessTreeTest, TwoThreadsExecAtOnce) {
  for (int round = 0; round < 5; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const std::string out = Path("out" + std::to_string(round));
    ExitInfo r = RunWarden({Helper("thread_exec"), "two", out}, {},
                           std::chrono::milliseconds(5000));
    ASSERT_EQ(r.exit_code, 23) << r.out << r.err;
    const std::string pid = Field(r.out, "pid");
    // Exactly one exec won, and its image ran as the process.
    std::string content = ReadFile(out);
    EXPECT_THAT(content, ::testing::AnyOf("a " + pid + "\n", "b " + pid + "\n"));
    const std::string run = "(SELECT max(id) FROM runs)";
    EXPECT_EQ(QueryInt("SELECT count(*) FROM exec_events WHERE result=0 AND run_id=" + run +
                       " AND argv LIKE '%\"child\"%'"),
              1)
        << Dump();
    EXPECT_EQ(QueryOne("SELECT pid FROM exec_events WHERE result=0 AND run_id=" + run +
                       " AND argv LIKE '%\"child\"%'"),
              pid);
    EXPECT_EQ(QueryOne("SELECT pid FROM file_events WHERE op='create' AND path=" + Sql(out)), pid);
  }
}

// SECURITY.md 11 + 12: the leader has exited (a zombie) when a thread execs.
TEST_F(ProcessTreeTest, ExecAfterLeaderBecameZombie) {
  ExitInfo r = RunWarden({Helper("thread_exec"), "zombie", Path("out")});
  ASSERT_EQ(r.exit_code, 23) << r.out << r.err;
  const std::string pid = Field(r.out, "pid");
  EXPECT_EQ(Field(r.out, "leader"), std::to_string('Z')) << "the leader was not a zombie yet";
  EXPECT_EQ(ReadFile(Path("out")), "zombie " + pid + "\n");
  EXPECT_THAT(CreatorsOf(Path("out")), ElementsAre(pid)) << Dump();
  EXPECT_EQ(QueryOne("SELECT exit_code FROM processes WHERE pid=" + pid + " AND argv LIKE "
                     "'%\"child\"%'"),
            "23")
      << Dump();
}

// SECURITY.md 12: the leader pthread_exits; the other threads go on and
// their activity is recorded under their own tids; the group's exit status
// is reported when the last one ends.
TEST_F(ProcessTreeTest, ZombieLeaderThreadsGoOn) {
  constexpr int kThreads = 4;
  ExitInfo r = RunWarden({Helper("leader_exit"), dir(), std::to_string(kThreads)});
  ASSERT_EQ(r.exit_code, 5) << r.out << r.err;
  const std::string pid = Field(r.out, "pid");
  ASSERT_FALSE(pid.empty());
  for (const auto& line : Lines(r.out)) {
    auto w = Words(line);
    if (w.size() != 4 || w[0] != "tid") continue;
    EXPECT_EQ(w[3], "Z") << "thread ran before the leader was a zombie";
    const std::string path = Path("t" + w[1]);
    auto creators = CreatorsOf(path);
    EXPECT_EQ(creators, std::vector<std::string>(3, w[2])) << path << "\n" << Dump();
    EXPECT_EQ(QueryOne("SELECT is_thread || ' ' || tgid FROM processes WHERE pid=" + w[2]),
              "1 " + pid);
  }
  EXPECT_EQ(QueryInt("SELECT count(*) FROM processes WHERE is_thread=1"), kThreads);
  EXPECT_EQ(QueryOne("SELECT exit_code FROM processes WHERE pid=" + pid), "5") << Dump();
  EXPECT_EQ(QueryOne("SELECT exit_code FROM runs"), "5");
}

// SECURITY.md 19/20: the orphan is re-parented to warden, traced until it
// ends, reaped, and its exit status does not replace the main child's.
TEST_F(ProcessTreeTest, DoubleForkedOrphanIsTracedAndReaped) {
  ExitInfo r = RunWarden({Helper("double_fork"), Path("orphan.txt"), "3", "9"});
  EXPECT_EQ(r.exit_code, 3) << "the orphan's status leaked into warden's: " << r.err;
  const pid_t orphan = std::stoi(Field(r.out, "orphan").empty() ? "0" : Field(r.out, "orphan"));
  ASSERT_GT(orphan, 0) << r.out;
  // The orphan did its work after the main process was gone, re-parented to
  // warden (the subreaper): its file is recorded under its pid.
  EXPECT_EQ(QueryOne("SELECT pid FROM file_events WHERE op='create' AND path=" +
                     Sql(Path("orphan.txt"))),
            std::to_string(orphan))
      << Dump();
  const std::string warden_pid = QueryOne("SELECT ppid FROM processes ORDER BY id LIMIT 1");
  EXPECT_EQ(ReadFile(Path("orphan.txt")), "ppid " + warden_pid + "\n");
  EXPECT_EQ(QueryOne("SELECT exit_code FROM processes WHERE pid=" + std::to_string(orphan)), "9");
  EXPECT_THAT(Query("SELECT exit_code, coalesce(exit_signal, 0) FROM runs"),
              ElementsAre(ElementsAre("3", "0")));
  // Reaped by warden: no zombie is left behind for anyone else.
  EXPECT_TRUE(WaitUntil([&] { return ProcessGone(orphan); }, std::chrono::milliseconds(1000)))
      << "process " << orphan << " still exists, state " << ProcessState(orphan);
}

}  // namespace
}  // namespace warden::itest
