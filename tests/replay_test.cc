// `warden replay`: real runs rendered as strace-like lines.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ContainsRegex;
using ::testing::Each;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

class ReplayTest : public IntegrationTest {
 protected:
  ExitInfo Replay(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {WardenBin(), "replay", "--db", db()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return Run(argv);
  }
};

TEST_F(ReplayTest, RendersKnownCalls) {
  ExitInfo r = RunWarden({"/bin/sh", "-c", "cat /etc/hostname >/dev/null; cat /nonexistent"});
  ASSERT_EQ(r.exit_code, 1) << r.err;
  const std::string cat_pid =
      QueryOne("SELECT pid FROM file_events WHERE path='/etc/hostname' AND op='read'");
  ExitInfo p = Replay();
  ASSERT_EQ(p.exit_code, 0) << p.err;
  std::vector<std::string> lines = Lines(p.out);
  EXPECT_THAT(lines, Each(StartsWith("[pid ")));
  EXPECT_THAT(lines, Contains("[pid " + cat_pid + "] openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY) = 3"))
      << p.out;
  EXPECT_THAT(lines, Contains(ContainsRegex("^\\[pid [0-9]+\\] openat\\(AT_FDCWD, \"/nonexistent\", "
                                            "O_RDONLY\\) = -1 ENOENT \\(No such file or directory\\)$")))
      << p.out;
  EXPECT_THAT(lines, Contains(ContainsRegex("^\\[pid " + cat_pid +
                                            "\\] execve\\(\"[^\"]*/cat\", \\[\"cat\", "
                                            "\"/etc/hostname\"\\], .*\\) = 0$")))
      << p.out;
  EXPECT_THAT(lines, Contains(ContainsRegex("exit_group\\(1\\) = \\?$"))) << p.out;
  // The lines follow the recorded order of the calls.
  EXPECT_EQ(static_cast<int64_t>(lines.size()),
            QueryInt("SELECT count(*) FROM syscall_events WHERE run_id=1"));
}

TEST_F(ReplayTest, Filters) {
  ASSERT_EQ(RunWarden({"/bin/true"}).exit_code, 0);  // run 1
  ExitInfo r = RunWarden({"/bin/sh", "-c", "cat /etc/hostname >/dev/null; ls / >/dev/null"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string cat_pid =
      QueryOne("SELECT pid FROM file_events WHERE run_id=2 AND path='/etc/hostname'");

  ExitInfo p = Replay({"--path", "/etc/hostname"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_THAT(Lines(p.out), Each(HasSubstr("\"/etc/hostname\""))) << p.out;
  EXPECT_THAT(Lines(p.out), Not(IsEmpty()));
  // ** crosses directories, * stays within one name. The path filtered on
  // is the file found (/usr/lib/...); the line shows the text the program
  // wrote (/lib/... where /lib is a symlink to usr/lib).
  p = Replay({"--path", "/usr/lib/**", "--pid", cat_pid});
  EXPECT_THAT(Lines(p.out), Each(AllOf(StartsWith("[pid " + cat_pid + "]"), HasSubstr("lib/"))))
      << p.out;
  EXPECT_THAT(Lines(p.out), Not(IsEmpty()));
  p = Replay({"--path", "/*/hostname"});
  EXPECT_THAT(Lines(p.out), Each(HasSubstr("/etc/hostname"))) << p.out;
  EXPECT_THAT(Lines(p.out), Not(IsEmpty()));

  p = Replay({"--syscall", "execve"});
  EXPECT_THAT(Lines(p.out), Each(HasSubstr("] execve(")));
  EXPECT_THAT(Lines(p.out), Contains(ContainsRegex("\"[^\"]*/ls\", \\[\"ls\", \"/\"\\].* = 0$")));

  p = Replay({"--run", "1", "--syscall", "execve"});
  EXPECT_THAT(Lines(p.out), Each(HasSubstr("/bin/true")));

  // Times: RFC 3339 in the --time column; relative bounds.
  p = Replay({"--time", "--from", "10m ago", "--to", "now"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_THAT(Lines(p.out),
              Each(ContainsRegex("^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z "
                                 "\\[pid [0-9]+\\] ")));
  EXPECT_EQ(Lines(p.out).size(), Lines(Replay().out).size());
  p = Replay({"--to", "1h ago"});
  EXPECT_EQ(p.out, "");
  EXPECT_EQ(p.exit_code, 0);
}

TEST_F(ReplayTest, DeniedCallsAreMarked) {
  WriteFile(Path("p.yaml"),
            "version: 1\nname: hide\nrules:\n"
            "  - name: no-hostname\n    type: file-read\n    paths: /etc/hostname\n"
            "    action: deny\n    errno: EACCES\n");
  ExitInfo r = RunWarden({"/bin/cat", "/etc/hostname"}, {"--policy", Path("p.yaml")});
  ASSERT_NE(r.exit_code, 0);
  ExitInfo p = Replay({"--syscall", "openat", "--path", "/etc/hostname"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_THAT(Lines(p.out),
              Contains(ContainsRegex("^\\[pid [0-9]+\\] openat\\(AT_FDCWD, \"/etc/hostname\", "
                                     "O_RDONLY\\) = -1 EACCES \\(Permission denied\\) "
                                     "<denied by no-hostname>$")))
      << p.out;

  // Permissive: the call runs; the line says what would have happened.
  WriteFile(Path("q.yaml"),
            "version: 1\nname: hide\nmode: permissive\nrules:\n"
            "  - name: no-hostname\n    type: file-read\n    paths: /etc/hostname\n"
            "    action: deny\n");
  r = RunWarden({"/bin/cat", "/etc/hostname"}, {"--policy", Path("q.yaml")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  p = Replay({"--syscall", "openat", "--path", "/etc/hostname"});
  EXPECT_THAT(Lines(p.out),
              Contains(ContainsRegex("openat\\(AT_FDCWD, \"/etc/hostname\", O_RDONLY\\) = 3 "
                                     "<would deny: no-hostname>$")))
      << p.out;
}

}  // namespace
}  // namespace warden::itest
