// Reading tracee memory where process_vm_readv is refused (a container
// runtime's default seccomp profile does so without SYS_PTRACE): warden
// falls back to /proc/PID/mem, then PTRACE_PEEKDATA, and records real paths
// (issue 12). Before, every path was "<unreadable 0x...>" and a policy
// denied every open.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class MemoryFallbackTest : public IntegrationTest {};

TEST_F(MemoryFallbackTest, PathsAreReadWithoutProcessVmReadv) {
  ExitInfo r = Run({Helper("deny_vm_readv"), WardenBin(), "run", "--db", db(), "--", "/bin/cat",
                    "/etc/hostname"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("cannot read the traced program's memory"))) << r.err;
  EXPECT_EQ(QueryInt("SELECT count(*) FROM file_events WHERE path='/etc/hostname' AND op='read' "
                     "AND result >= 0"),
            1)
      << Dump();
  EXPECT_EQ(QueryInt("SELECT count(*) FROM file_events WHERE path LIKE '<unreadable%'"), 0) << Dump();
  // argv, read from memory too.
  EXPECT_THAT(QueryOne("SELECT argv FROM exec_events WHERE path=" + Sql(Real("/bin/cat"))),
              HasSubstr("/etc/hostname"))
      << Dump();
}

// Under a policy, opens are judged on the real path, not denied as
// unreadable.
TEST_F(MemoryFallbackTest, APolicyJudgesRealPathsWithoutProcessVmReadv) {
  WriteFile(Path("p.yaml"), R"(version: 1
name: fallback
rules:
  - name: no-hostname
    type: file-read
    paths: /etc/hostname
    action: deny
    errno: EACCES
)");
  ExitInfo r = Run({Helper("deny_vm_readv"), WardenBin(), "run", "--policy", Path("p.yaml"), "--db",
                    db(), "--", "/bin/sh", "-c", "cat /etc/hostname; cat /etc/os-release"});
  EXPECT_THAT(r.out, HasSubstr("ID=")) << r.out << r.err;   // os-release was read
  EXPECT_THAT(r.err, HasSubstr("Permission denied")) << r.err;  // hostname was not
  EXPECT_EQ(QueryOne("SELECT action || ' ' || rule FROM file_events WHERE path='/etc/hostname'"),
            "deny no-hostname")
      << Dump();
}

}  // namespace
}  // namespace warden::itest
