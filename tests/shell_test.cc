// Shell pipelines and exit statuses: what `warden run -- sh -c ...` records
// and how warden reports the command's end.
#include <sys/stat.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

using ::testing::ElementsAre;

class ShellTest : public IntegrationTest {};

TEST_F(ShellTest, PipelineRecordsExecsFilesAndProcessTree) {
  ExitInfo r = RunWarden({"/bin/sh", "-c", "cat /etc/hostname | wc -c > out"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string dump = Dump();

  // Both programs of the pipeline were exec'd, with their argv.
  std::string cat_pid = QueryOne(
      "SELECT pid FROM exec_events WHERE result=0 AND argv='[\"cat\",\"/etc/hostname\"]'");
  std::string wc_pid =
      QueryOne("SELECT pid FROM exec_events WHERE result=0 AND argv='[\"wc\",\"-c\"]'");
  ASSERT_FALSE(cat_pid.empty()) << dump;
  ASSERT_FALSE(wc_pid.empty()) << dump;
  EXPECT_NE(cat_pid, wc_pid);
  EXPECT_THAT(QueryOne("SELECT path FROM exec_events WHERE result=0 AND pid=" + cat_pid),
              ::testing::EndsWith("/cat"));

  // cat read /etc/hostname; the shell child that became wc created `out`,
  // recorded with its absolute path.
  EXPECT_EQ(QueryInt("SELECT count(*) FROM file_events WHERE path='/etc/hostname' AND op='read' "
                     "AND result>=0 AND pid=" + cat_pid),
            1)
      << dump;
  EXPECT_EQ(QueryInt("SELECT count(*) FROM file_events WHERE path=" + Sql(Path("out")) +
                     " AND op='create' AND result>=0 AND pid=" + wc_pid),
            1)
      << dump;
  struct stat st;
  ASSERT_EQ(stat(Path("out").c_str(), &st), 0);

  // Process tree: the shell is the child of warden, cat and wc of the shell.
  std::string sh_pid = QueryOne(
      "SELECT pid FROM exec_events WHERE result=0 AND path=" + Sql(Real("/bin/sh")) + " ORDER BY id LIMIT 1");
  ASSERT_FALSE(sh_pid.empty()) << dump;
  EXPECT_EQ(QueryOne("SELECT DISTINCT ppid FROM processes WHERE pid=" + cat_pid), sh_pid) << dump;
  EXPECT_EQ(QueryOne("SELECT DISTINCT ppid FROM processes WHERE pid=" + wc_pid), sh_pid) << dump;
  EXPECT_EQ(QueryInt("SELECT count(DISTINCT ppid) FROM processes WHERE pid=" + sh_pid), 1);
  std::string warden_pid = QueryOne("SELECT ppid FROM processes WHERE pid=" + sh_pid + " LIMIT 1");
  EXPECT_NE(warden_pid, sh_pid);
  EXPECT_NE(warden_pid, "0");
  // The image rows of cat and wc carry their argv and exit status 0.
  EXPECT_EQ(QueryOne("SELECT exit_code FROM processes WHERE pid=" + cat_pid +
                     " AND exe LIKE '%/cat'"),
            "0")
      << dump;
  EXPECT_EQ(QueryOne("SELECT argv FROM processes WHERE pid=" + wc_pid + " AND exe LIKE '%/wc'"),
            "[\"wc\",\"-c\"]");
  // The run row.
  EXPECT_THAT(Query("SELECT exit_code, coalesce(exit_signal, 0), cwd FROM runs"),
              ElementsAre(ElementsAre("0", "0", dir())));
}

TEST_F(ShellTest, ExitCodeOfTheCommandIsWardensExitCode) {
  ExitInfo r = RunWarden({"/bin/sh", "-c", "cat /etc/hostname >/dev/null; exit 3"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(Query("SELECT exit_code, coalesce(exit_signal, 0) FROM runs"), ElementsAre(ElementsAre("3", "0")));
}

TEST_F(ShellTest, CommandNotFoundExits127) {
  ExitInfo r = RunWarden({"no-such-command-warden-itest"});
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_THAT(r.err, ::testing::HasSubstr("command not found"));
  EXPECT_EQ(QueryOne("SELECT exit_code FROM runs"), "127");
  // Every attempt of the PATH search was recorded as a failed exec.
  EXPECT_GE(QueryInt("SELECT count(*) FROM exec_events WHERE errno=2 AND path LIKE "
                     "'%/no-such-command-warden-itest'"),
            1)
      << Dump();
  // The main child's end is recorded although it never ran a program.
  EXPECT_EQ(QueryOne("SELECT exit_code FROM processes WHERE run_id=1 ORDER BY id DESC LIMIT 1"),
            "127");
  r = RunWarden({Path("missing/prog")});
  EXPECT_EQ(r.exit_code, 127);
}

TEST_F(ShellTest, NotExecutableExits126) {
  WriteFile(Path("script.sh"), "#!/bin/sh\nexit 0\n", 0644);
  ExitInfo r = RunWarden({Path("script.sh")});
  EXPECT_EQ(r.exit_code, 126) << r.err;
  EXPECT_EQ(QueryOne("SELECT exit_code FROM runs"), "126");
  EXPECT_EQ(QueryInt("SELECT count(*) FROM exec_events WHERE errno=13 AND path=" +
                     Sql(Path("script.sh"))),
            1)
      << Dump();
}

TEST_F(ShellTest, KilledBySignalExits128PlusN) {
  ExitInfo r = RunWarden({"/bin/sh", "-c", "kill -KILL $$"});
  EXPECT_EQ(r.exit_code, 137) << r.err;
  EXPECT_THAT(Query("SELECT exit_code, coalesce(exit_signal, 0) FROM runs"),
              ElementsAre(ElementsAre("137", "9")));
  EXPECT_EQ(QueryOne("SELECT term_signal FROM processes WHERE end_ns IS NOT NULL ORDER BY id LIMIT 1"),
            "9");
  r = RunWarden({"/bin/sh", "-c", "kill -TERM $$"});
  EXPECT_EQ(r.exit_code, 143) << r.err;
  r = RunWarden({"/bin/sh", "-c", "kill -SEGV $$"});
  EXPECT_EQ(r.exit_code, 139) << r.err;
}

// Failed execs inside the traced program: recorded with their errno, the
// path made absolute, argv as passed; the program goes on.
TEST_F(ShellTest, FailedExecsAreRecorded) {
  WriteFile(Path("notexec"), "#!/bin/sh\n", 0644);
  ExitInfo r = RunWarden({Helper("exec_fail"), "notexec"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(Query("SELECT path, argv, result, errno FROM exec_events WHERE result IS NOT 0 "
                    "ORDER BY id"),
              ElementsAre(ElementsAre("/nonexistent/dir/missing-prog",
                                      "[\"missing-prog\",\"arg1\"]", "-1", "2"),
                          ElementsAre(Path("notexec"), "[\"notexec\",\"arg2\"]", "-1", "13")))
      << Dump();
  EXPECT_EQ(QueryInt("SELECT count(*) FROM file_events WHERE op='exec' AND result=-1 AND path=" +
                     Sql(Path("notexec"))),
            1);
}

TEST_F(ShellTest, RecordEnvStoresTheEnvironmentOfEachExec) {
  ExitInfo r = RunWarden({"/usr/bin/env", "WARDEN_ITEST_VAR=hello world", "/bin/sh", "-c", "exit 0"},
                         {"--record-env"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto envp = ParseJsonStringArray(QueryOne("SELECT envp FROM exec_events WHERE path=" + Sql(Real("/bin/sh")) + " "
                                            "AND result=0"));
  ASSERT_TRUE(envp.has_value()) << Dump();
  EXPECT_THAT(*envp, ::testing::Contains("WARDEN_ITEST_VAR=hello world"));
  // Without the option, no environment is stored.
  r = RunWarden({"/usr/bin/env", "WARDEN_ITEST_VAR=x", "/bin/sh", "-c", "exit 0"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM exec_events WHERE run_id=2 AND envp IS NOT NULL"), 0);
}

}  // namespace
}  // namespace warden::itest
