// Signals through the tracer: delivered once, forwarded from warden to the
// child, job-control stops that really stop, and SIGKILL on either side
// (SECURITY.md 4, 13, 15, 16, 18).
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using std::chrono::milliseconds;

class SignalsTest : public IntegrationTest {
 protected:
  // "ready <pid> ..." from a helper started under warden: word `i` of it.
  pid_t ReadyPid(const Spawned& w, int i = 1) {
    if (!WaitForOutput(w, "ready ")) return -1;
    std::string v = Field(ReadFile(w.out_path), "ready", i);
    return v.empty() ? -1 : std::stoi(v);
  }
};

// SECURITY.md 16: a handled signal is delivered exactly once (the tracer
// re-injects it at the signal-delivery-stop only), with its siginfo intact.
TEST_F(SignalsTest, HandledSignalArrivesOnceWithItsSiginfo) {
  ExitInfo r = RunWarden({Helper("signals_helper"), "count"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // kill() to self, sigqueue() to self, kill() from a child: three signals.
  EXPECT_EQ(Field(r.out, "count"), "3") << r.out;
  EXPECT_THAT(Lines(r.out), ::testing::Contains("info 0 code 0 pid self val 0")) << r.out;
  EXPECT_THAT(Lines(r.out), ::testing::Contains("info 1 code -1 pid self val 42")) << r.out;
  EXPECT_THAT(Lines(r.out), ::testing::Contains("info 2 code 0 pid child val 0")) << r.out;
}

// SECURITY.md 18: each forwarded signal reaches the child, whose handler
// exits with 40 + signo; warden exits with that status.
class ForwardTest : public SignalsTest, public ::testing::WithParamInterface<int> {};

TEST_P(ForwardTest, SignalToWardenReachesTheChild) {
  const int sig = GetParam();
  Spawned w = StartWarden({Helper("signals_helper"), "wait", "40"});
  pid_t child = ReadyPid(w);
  ASSERT_GT(child, 0) << ReadFile(w.err_path);
  ASSERT_EQ(kill(w.pid, sig), 0);
  ExitInfo r = Wait(w, milliseconds(5000));
  ASSERT_FALSE(r.timed_out) << "the child never got " << sigabbrev_np(sig);
  EXPECT_EQ(r.exit_code, 40 + sig) << r.err;
  EXPECT_EQ(QueryOne("SELECT exit_code FROM runs"), std::to_string(40 + sig));
  EXPECT_EQ(QueryOne("SELECT exit_code FROM processes WHERE pid=" + std::to_string(child)),
            std::to_string(40 + sig));
}

INSTANTIATE_TEST_SUITE_P(Signals, ForwardTest,
                         ::testing::Values(SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2),
                         [](const auto& info) { return std::string(sigabbrev_np(info.param)); });

// A forwarded signal the child does not handle kills it: 128 + N.
TEST_F(SignalsTest, ForwardedSignalKillingTheChildGives128PlusN) {
  Spawned w = StartWarden({Helper("signals_helper"), "stop", Path("never")});
  ASSERT_GT(ReadyPid(w), 0) << ReadFile(w.err_path);
  ASSERT_EQ(kill(w.pid, SIGTERM), 0);
  ExitInfo r = Wait(w, milliseconds(5000));
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 128 + SIGTERM) << r.err;
  EXPECT_THAT(Query("SELECT exit_code, exit_signal FROM runs"),
              ElementsAre(ElementsAre("143", "15")));
}

// SECURITY.md 15: SIGSTOP stops the traced child for real (group-stop,
// PTRACE_LISTEN), SIGCONT resumes it, and the run completes.
TEST_F(SignalsTest, StopAndContReallyStopAndResume) {
  Spawned w = StartWarden({Helper("signals_helper"), "stop", Path("go")});
  pid_t child = ReadyPid(w);
  ASSERT_GT(child, 0) << ReadFile(w.err_path);
  auto stopped = [&] {
    char s = ProcessState(child);
    return s == 'T' || s == 't';
  };
  ASSERT_EQ(kill(child, SIGSTOP), 0);
  ASSERT_TRUE(WaitUntil(stopped, milliseconds(2000))) << "state " << ProcessState(child);
  // It stays stopped, even with its go-file present: a stopped process
  // makes no progress.
  WriteFile(Path("go"), "");
  // A running child would see it within a millisecond and exit.
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_TRUE(stopped()) << "state " << ProcessState(child);
  EXPECT_TRUE(ProcessAlive(child));
  EXPECT_EQ(waitpid(w.pid, nullptr, WNOHANG), 0) << "the child ran on while it should be stopped";
  ASSERT_EQ(kill(child, SIGCONT), 0);
  ExitInfo r = Wait(w, milliseconds(5000));
  ASSERT_FALSE(r.timed_out) << "SIGCONT did not resume the child";
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// Group-stop of a multi-threaded process: every thread, including those
// that were inside watched syscalls, stops; SIGCONT resumes all of them.
TEST_F(SignalsTest, StopAndContStopEveryThread) {
  Spawned w = StartWarden({Helper("signals_helper"), "busy", dir()});
  pid_t child = ReadyPid(w);
  ASSERT_GT(child, 0) << ReadFile(w.err_path);
  const std::string task_dir = "/proc/" + std::to_string(child) + "/task/";
  auto all_stopped = [&] {
    std::error_code ec;
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator(task_dir, ec)) {
      std::string stat = ReadFile(e.path().string() + "/stat");
      size_t close = stat.rfind(')');
      if (close == std::string::npos || close + 2 >= stat.size()) return false;
      char s = stat[close + 2];
      if (s != 'T' && s != 't') return false;
      ++n;
    }
    return n == 5;  // main thread + 4 busy threads
  };
  auto mtimes = [&] {
    std::string out;
    for (int i = 0; i < 4; ++i) {
      struct stat st {};
      stat(Path("b" + std::to_string(i)).c_str(), &st);
      out += std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + " ";
    }
    return out;
  };
  ASSERT_EQ(kill(child, SIGSTOP), 0);
  // A thread caught in a seccomp stop (also state 't') finishes that one
  // open before it group-stops: wait for the files to settle, then check
  // that nothing moves any more.
  std::string frozen;
  ASSERT_TRUE(WaitUntil(
      [&] {
        std::string before = mtimes();
        std::this_thread::sleep_for(milliseconds(30));
        frozen = mtimes();
        return all_stopped() && frozen == before;
      },
      milliseconds(2000)))
      << "the threads did not all stop";
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_TRUE(all_stopped());
  EXPECT_EQ(mtimes(), frozen) << "a thread kept running during the group-stop";
  ASSERT_EQ(kill(child, SIGCONT), 0);
  // Every thread makes progress again.
  EXPECT_TRUE(WaitUntil([&] {
    std::vector<std::string> before = Words(frozen), now = Words(mtimes());
    for (size_t i = 0; i < before.size(); ++i)
      if (before[i] == now[i]) return false;
    return true;
  })) << "not every thread resumed";
  ASSERT_EQ(kill(child, SIGKILL), 0);
  ExitInfo r = Wait(w, milliseconds(5000));
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 137) << r.err;
}

// The same through the tracer's own job-control path: SIGTSTP (default
// action stop) sent to the child.
TEST_F(SignalsTest, TstpAndContReallyStopAndResume) {
  Spawned w = StartWarden({Helper("signals_helper"), "stop", Path("go")});
  pid_t child = ReadyPid(w);
  ASSERT_GT(child, 0);
  ASSERT_EQ(kill(child, SIGTSTP), 0);
  ASSERT_TRUE(WaitUntil([&] {
    char s = ProcessState(child);
    return s == 'T' || s == 't';
  })) << "state " << ProcessState(child);
  WriteFile(Path("go"), "");
  ASSERT_EQ(kill(child, SIGCONT), 0);
  ExitInfo r = Wait(w, milliseconds(5000));
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// SECURITY.md 4: if warden dies, every traced process dies with it.
TEST_F(SignalsTest, SigkillOfWardenKillsEveryTracee) {
  Spawned w = StartWarden({Helper("signals_helper"), "sleep"});
  pid_t child = ReadyPid(w, 1), grandchild = ReadyPid(w, 2);
  ASSERT_GT(child, 0);
  ASSERT_GT(grandchild, 0);
  ASSERT_TRUE(ProcessAlive(child));
  ASSERT_TRUE(ProcessAlive(grandchild));
  // While warden records, readers see the run as running.
  ExitInfo runs = Run({WardenBin(), "runs", "--db", db(), "--json"});
  EXPECT_THAT(runs.out, HasSubstr(R"("state":"running")")) << runs.out << runs.err;
  ASSERT_EQ(kill(w.pid, SIGKILL), 0);
  ExitInfo r = Wait(w, milliseconds(2000));
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_TRUE(WaitUntil([&] { return !ProcessAlive(child) && !ProcessAlive(grandchild); },
                        milliseconds(2000)))
      << "tracees survived warden: " << ProcessState(child) << " " << ProcessState(grandchild);
  // What was recorded so far is still there; the run has no end, and is
  // shown as interrupted, not as in progress forever.
  EXPECT_THAT(Query("SELECT end_ns IS NULL, exit_code IS NULL FROM runs"),
              ElementsAre(ElementsAre("1", "1")));
  runs = Run({WardenBin(), "runs", "--db", db(), "--json"});
  EXPECT_THAT(runs.out, HasSubstr(R"("state":"interrupted")")) << runs.out << runs.err;
  runs = Run({WardenBin(), "runs", "--db", db()});
  EXPECT_THAT(runs.out, HasSubstr("interrupted")) << runs.out;
  ExitInfo profile = Run({WardenBin(), "profile", "--db", db()});
  EXPECT_THAT(profile.out, HasSubstr("interrupted (warden died)")) << profile.out << profile.err;
}

// SECURITY.md 13: a tracee killed while it is stopped (group-stop) or in
// the middle of a watched syscall: warden survives, records the death, and
// reports 128+9.
TEST_F(SignalsTest, SigkillOfStoppedTracee) {
  Spawned w = StartWarden({Helper("signals_helper"), "stop", Path("never")});
  pid_t child = ReadyPid(w);
  ASSERT_GT(child, 0);
  ASSERT_EQ(kill(child, SIGSTOP), 0);
  ASSERT_TRUE(WaitUntil([&] {
    char s = ProcessState(child);
    return s == 'T' || s == 't';
  }));
  ASSERT_EQ(kill(child, SIGKILL), 0);
  ExitInfo r = Wait(w, milliseconds(5000));
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 137) << r.err;
  EXPECT_EQ(QueryOne("SELECT term_signal FROM processes WHERE pid=" + std::to_string(child)), "9");
}

TEST_F(SignalsTest, SigkillInsideABlockedWatchedSyscall) {
  ASSERT_EQ(mkfifo(Path("fifo").c_str(), 0600), 0);
  Spawned w = StartWarden({Helper("signals_helper"), "fifo", Path("fifo")});
  pid_t child = ReadyPid(w);
  ASSERT_GT(child, 0);
  // Wait until it sleeps in open(2) of the FIFO (after warden let it run).
  const std::string proc = "/proc/" + std::to_string(child);
  ASSERT_TRUE(WaitUntil([&] {
    return ProcessState(child) == 'S' && ReadFile(proc + "/syscall").rfind("257 ", 0) == 0;
  })) << ReadFile(proc + "/syscall");
  ASSERT_EQ(kill(child, SIGKILL), 0);
  ExitInfo r = Wait(w, milliseconds(5000));
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 137) << r.err;
  EXPECT_EQ(QueryOne("SELECT term_signal FROM processes WHERE pid=" + std::to_string(child)), "9");
  // The interrupted call is recorded, without a result.
  EXPECT_THAT(Query("SELECT name, result FROM syscall_events WHERE pid=" + std::to_string(child) +
                    " AND name!='execve' AND args LIKE " + Sql("%" + Path("fifo") + "%")),
              ElementsAre(ElementsAre("openat", "NULL")))
      << Dump();
  // And so is the open it asked for, as a file event without a result (as
  // strace shows "= ?"): the program did try to open the FIFO.
  EXPECT_THAT(Query("SELECT syscall, op, result, errno FROM file_events WHERE pid=" +
                    std::to_string(child) + " AND path=" + Sql(Path("fifo"))),
              ElementsAre(ElementsAre("openat", "read", "NULL", "0")))
      << Dump();
}

// Threads spinning on watched syscalls: SIGKILL lands while some are in
// seccomp stops, some between stops; every ptrace call must tolerate ESRCH.
TEST_F(SignalsTest, SigkillWhileThreadsAreInSyscalls) {
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    Spawned w = StartWarden({Helper("signals_helper"), "busy", dir()});
    pid_t child = ReadyPid(w);
    ASSERT_GT(child, 0) << ReadFile(w.err_path);
    std::this_thread::sleep_for(milliseconds(20));
    ASSERT_EQ(kill(child, SIGKILL), 0);
    ExitInfo r = Wait(w, milliseconds(5000));
    ASSERT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 137) << r.err;
    EXPECT_EQ(r.signal, 0) << "warden itself died";
    const std::string run = "(SELECT max(id) FROM runs)";
    EXPECT_EQ(QueryOne("SELECT exit_code FROM runs WHERE id=" + run), "137");
    EXPECT_GT(QueryInt("SELECT count(*) FROM file_events WHERE run_id=" + run +
                       " AND path LIKE " + Sql(Path("b%"))),
              0);
  }
}

}  // namespace
}  // namespace warden::itest
