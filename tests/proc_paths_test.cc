// SECURITY.md 9: paths through /proc/self/fd/N, /dev/fd/N, /proc/PID/cwd and
// /proc/self/root are recorded as the file they name.
#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

class ProcPathsTest : public IntegrationTest {};

TEST_F(ProcPathsTest, ProcLinksResolveToTheFileTheyName) {
  WriteFile(Path("target.txt"), "x");
  const std::string script =
      "exec 5<" + Path("") + "; cat /proc/self/fd/5/target.txt /dev/fd/5/target.txt "
      "/proc/self/root" + Path("target.txt") + " /proc/$$/cwd/target.txt >/dev/null";
  ExitInfo r = RunWarden({"/bin/sh", "-c", "cd " + Path("") + " && " + script});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(QueryInt("SELECT count(*) FROM file_events WHERE op='read' AND result>=0 AND path=" +
                     Sql(Path("target.txt"))),
            4)
      << Dump();
  EXPECT_EQ(QueryInt("SELECT count(*) FROM file_events WHERE path LIKE '/proc/%target.txt' "
                     "OR path LIKE '/dev/fd/%'"),
            0)
      << Dump();
}

}  // namespace
}  // namespace warden::itest
