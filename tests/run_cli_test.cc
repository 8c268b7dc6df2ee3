// `warden run` and `warden export` as a user meets them: options, usage
// errors, bad databases, --watch, --pin, and running without privileges.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

using ::testing::HasSubstr;

class RunCliTest : public IntegrationTest {};

// warden run's own errors exit 125 (as docker run, env and chroot): never
// a status the program could have given. --name=value works like
// --name value; a mistyped option gets a suggestion, not a usage dump.
TEST_F(RunCliTest, OwnErrorsExit125WithAMessage) {
  ExitInfo r = Run({WardenBin(), "run", "--db", db()});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.err, HasSubstr("no command given"));
  r = Run({WardenBin(), "run", "--frob", "--", "true"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.err, HasSubstr("unknown option '--frob'"));
  r = Run({WardenBin(), "run", "--wacth", "file", "--", "true"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.err, HasSubstr("did you mean '--watch'?"));
  EXPECT_LT(std::count(r.err.begin(), r.err.end(), '\n'), 3) << r.err;
  r = Run({WardenBin(), "run", "--watch", "file,bogus", "--", "true"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.err, HasSubstr("unknown syscall class 'bogus'"));
  r = Run({WardenBin(), "run", "--spin-us", "-3", "--", "true"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.err, HasSubstr("--spin-us"));
  // --name=value, and the program's own status 2 stays 2.
  r = Run({WardenBin(), "run", "--watch=file", "--db=" + db(), "--", "/bin/sh", "-c", "exit 2"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(QueryInt("SELECT count(*) FROM runs WHERE exit_code = 2"), 1);
}

TEST_F(RunCliTest, UnwritableDatabaseIsAClearErrorAndNothingRuns) {
  const std::string marker = Path("ran");
  ExitInfo r = Run({WardenBin(), "run", "--db", Path("no/such/dir/w.db"), "--", "/bin/sh", "-c",
                    "touch " + marker});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.err, HasSubstr(Path("no/such/dir/w.db")));
  EXPECT_THAT(r.err, HasSubstr("writable"));
  EXPECT_NE(access(marker.c_str(), F_OK), 0) << "the command ran without being recorded";
}

TEST_F(RunCliTest, WatchChoosesWhatStops) {
  ExitInfo r = RunWarden({"/bin/cat", "/etc/hostname"}, {"--watch", "network"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(QueryInt("SELECT count(*) FROM file_events WHERE path='/etc/hostname'"), 0);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM syscall_events WHERE name IN ('openat','execve')"), 0);
  r = RunWarden({"/bin/cat", "/etc/hostname"}, {"--watch", "file"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(QueryInt("SELECT count(*) FROM file_events WHERE path='/etc/hostname' AND op='read'"),
            1);
}

// --no-results: the same paths, without their results; what warden's own
// bookkeeping needs (a failed exec, sockets) still stops at the exit.
TEST_F(RunCliTest, NoResultsRecordsPathsWithoutResults) {
  const std::string script = "cat /etc/hostname " + Path("missing") +
                             " 2>/dev/null; " + Path("noprog") + " 2>/dev/null; exit 0";
  ExitInfo r = RunWarden({"/bin/sh", "-c", script}, {"--no-results"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(QueryOne("SELECT coalesce(result, 'NULL') || ' ' || errno FROM file_events "
                     "WHERE path='/etc/hostname' AND op='read'"),
            "NULL 0")
      << Dump();
  EXPECT_EQ(QueryInt("SELECT count(*) FROM file_events WHERE path=" + Sql(Path("missing"))), 1);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM exec_events WHERE path=" + Sql(Path("noprog")) +
                     " AND errno=2"),
            1)
      << Dump();
  EXPECT_EQ(QueryInt("SELECT count(*) FROM syscall_events WHERE name='openat' "
                     "AND result IS NOT NULL"),
            0);
}

TEST_F(RunCliTest, PinRunsTheProgramOnOneCpuAndRecords) {
  ExitInfo r = RunWarden({"/bin/sh", "-c", "grep Cpus_allowed_list /proc/self/status"}, {"--pin"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string cpus = Field(r.out, "Cpus_allowed_list:");
  EXPECT_EQ(cpus.find_first_of(",-"), std::string::npos) << "not one CPU: " << cpus;
  EXPECT_GE(QueryInt("SELECT count(*) FROM exec_events WHERE result=0"), 2);
}

// A user without privileges traces its own child: no capability is needed.
TEST_F(RunCliTest, WorksAsAnUnprivilegedUser) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to switch to an unprivileged user";
  if (access("/usr/bin/setpriv", X_OK) != 0) GTEST_SKIP() << "setpriv (util-linux) missing";
  ASSERT_EQ(chmod(dir().c_str(), 0777), 0);
  ExitInfo r = Run({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all", WardenBin(), "run", "--db", db(),
                    "--", "/bin/sh", "-c", "id -u; cat /etc/hostname >/dev/null; exit 4"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_THAT(r.out, HasSubstr("65534"));
  EXPECT_EQ(QueryInt("SELECT count(*) FROM file_events WHERE path='/etc/hostname' AND op='read'"),
            1)
      << Dump();
}

// SECURITY.md 20: what the main child leaves running is waited for and
// recorded by default, killed with --kill-orphans; the exit status stays the
// main child's either way.
TEST_F(RunCliTest, DescendantsOutlivingTheMainChild) {
  const std::string script = "(sleep 0.3; cat /etc/hostname >/dev/null) & echo $!; exit 3";
  ExitInfo r = RunWarden({"/bin/sh", "-c", script});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(QueryInt("SELECT count(*) FROM file_events WHERE path='/etc/hostname'"), 1) << Dump();
  EXPECT_EQ(QueryInt("SELECT count(*) FROM processes WHERE run_id=1 AND end_ns IS NULL"), 0);

  r = RunWarden({"/bin/sh", "-c", "sleep 30 & echo $!; exit 4"}, {"--kill-orphans"},
                std::chrono::milliseconds(5000));
  EXPECT_EQ(r.exit_code, 4) << r.err;
  pid_t orphan = std::stoi(Lines(r.out).at(0));
  EXPECT_TRUE(ProcessGone(orphan));
  EXPECT_EQ(QueryOne("SELECT term_signal FROM processes WHERE run_id=2 AND pid=" +
                     std::to_string(orphan)),
            "9");
}

TEST_F(RunCliTest, RunsListsEveryRunWithItsStatus) {
  ASSERT_EQ(RunWarden({"/bin/true"}).exit_code, 0);
  ASSERT_EQ(RunWarden({"/bin/sh", "-c", "exit 5"}).exit_code, 5);
  ExitInfo r = Run({WardenBin(), "runs", "--db", db()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;  // header + 2 runs
  EXPECT_EQ(Words(lines[1])[0], "1");
  EXPECT_NE(lines[1].find(R"(["/bin/true"])"), std::string::npos) << r.out;
  EXPECT_EQ(Words(lines[2])[0], "2");
  EXPECT_EQ(Words(lines[2])[3], "5") << r.out;  // RUN START SECONDS EXIT
  r = Run({WardenBin(), "runs", "--db", db(), "--json"});
  ASSERT_EQ(r.exit_code, 0);
  auto second = ParseJsonObject(Lines(r.out).at(1));
  ASSERT_TRUE(second.has_value()) << r.out;
  EXPECT_EQ(second->at("run"), "2");
  EXPECT_EQ(second->at("exit_code"), "5");
  r = Run({WardenBin(), "runs", "--db", Path("missing.db")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(Path("missing.db")));
}

// The container case: warden is PID 1 of a new PID namespace. Orphans are
// re-parented to it and reaped, and warden exits with the main child's
// status: at once by default, like tini (what is left is killed and its
// end recorded); after the orphans with --orphans=wait.
TEST_F(RunCliTest, AsPid1OfAPidNamespace) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root for a PID namespace";
  if (access("/usr/bin/unshare", X_OK) != 0) GTEST_SKIP() << "unshare (util-linux) missing";
  if (Run({"/usr/bin/unshare", "--pid", "--fork", "--mount-proc", "/bin/true"}).exit_code != 0)
    GTEST_SKIP() << "this machine does not allow a new PID namespace";
  const std::string script =
      "(sh -c 'sleep 0.2; cat /etc/hostname >/dev/null; exit 9' &); echo ppid $PPID; exit 4";
  ExitInfo r = Run({"/usr/bin/unshare", "--pid", "--fork", "--mount-proc", WardenBin(), "run",
                    "--db", db(), "--orphans=wait", "--", "/bin/sh", "-c", script});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_EQ(Field(r.out, "ppid"), "1") << r.out;  // the child's parent is warden, PID 1
  // The orphan ran to its end under warden (exit 9 recorded, no zombie left
  // to an init that does not reap).
  EXPECT_EQ(QueryInt("SELECT count(*) FROM file_events WHERE path='/etc/hostname'"), 1) << Dump();
  EXPECT_EQ(QueryInt("SELECT count(*) FROM processes WHERE exit_code=9"), 1) << Dump();
  EXPECT_EQ(QueryOne("SELECT exit_code FROM runs"), "4");

  // The default as PID 1: the README's entrypoint case, `sleep 20 & exit 4`.
  const auto start = std::chrono::steady_clock::now();
  r = Run({"/usr/bin/unshare", "--pid", "--fork", "--mount-proc", WardenBin(), "run", "--db", db(), "--",
           "/bin/sh", "-c", "sleep 20 & echo $!; exit 4"},
          std::chrono::milliseconds(15000));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10)) << "waited for the orphan";
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_EQ(QueryOne("SELECT term_signal FROM processes WHERE run_id=2 AND pid=" + Lines(r.out).at(0)), "9")
      << Dump();
  EXPECT_EQ(QueryOne("SELECT exit_code FROM runs WHERE id=2"), "4");
}

// A container with --read-only: the root filesystem cannot be written, no
// /tmp either; only the database's volume can. warden needs no temporary
// file (the filter is exported through a memfd, SQLite sorts in memory).
TEST_F(RunCliTest, WorksOnAReadOnlyRootFilesystem) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root for a mount namespace";
  if (Run({"/usr/bin/unshare", "--mount", "/bin/true"}).exit_code != 0)
    GTEST_SKIP() << "this machine does not allow a new mount namespace";
  // The test directory is the volume: a mount of its own, left writable.
  const std::string script =
      "mount --bind " + dir() + " " + dir() + " && mount -o remount,bind,ro / && " +
      "! touch /tmp/warden-ro-probe 2>/dev/null && " + WardenBin() + " run --db " + db() +
      " -- /bin/cat /etc/hostname";
  ExitInfo r = Run({"/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", script});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(QueryOne("SELECT count(*) FROM file_events WHERE path='/etc/hostname'"), "1");
}

TEST_F(RunCliTest, ExportErrorsNameTheProblem) {
  ExitInfo r = Run({WardenBin(), "export", "--db", Path("missing.db")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr(Path("missing.db")));
  ASSERT_EQ(RunWarden({"/bin/true"}).exit_code, 0);
  r = Run({WardenBin(), "export", "--db", db(), "--run", "7"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("7"));
  r = Run({WardenBin(), "export", "--db", db(), "--format", "xml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown format 'xml'"));
}

}  // namespace
}  // namespace warden::itest
