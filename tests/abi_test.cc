// Foreign system call ABIs from a 64-bit process (SECURITY.md 1, 2): i386
// calls through int $0x80 are decoded with the i386 table and recorded; x32
// calls are refused with ENOSYS and recorded as denied.
#include <errno.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

using ::testing::ElementsAre;

class AbiTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    // Without IA32 emulation (ia32_emulation=0), int $0x80 faults: nothing
    // to test then.
    ExitInfo probe = Run({Helper("int80_helper"), "exit", "0"});
    if (probe.exit_code != 0) GTEST_SKIP() << "no i386 emulation in this kernel";
  }
};

TEST_F(AbiTest, Int80OpenIsDecodedAsI386AndRecorded) {
  ExitInfo r = RunWarden({Helper("int80_helper"), "open"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string dump = Dump();
  // The call ran (warden allowed it after judging it) and returned an fd.
  const std::string fd = Field(r.out, "open");
  ASSERT_FALSE(fd.empty());
  EXPECT_GE(std::stoi(fd), 0) << r.out;
  const std::string pid = QueryOne("SELECT pid FROM exec_events WHERE result=0");
  // i386 open is number 5 (x86_64 5 would be fstat).
  EXPECT_THAT(Query("SELECT name, nr, result, action FROM syscall_events WHERE abi='i386' "
                    "AND args LIKE '%/etc/passwd%'"),
              ElementsAre(ElementsAre("open", "5", fd, "allow")))
      << dump;
  // Decoded strace style: no mode argument without O_CREAT.
  EXPECT_EQ(QueryOne("SELECT args FROM syscall_events WHERE abi='i386' AND name='open'"),
            "\"/etc/passwd\", O_RDONLY");
  EXPECT_THAT(Query("SELECT pid, syscall, op, result FROM file_events WHERE path='/etc/passwd'"),
              ElementsAre(ElementsAre(pid, "open", "read", fd)))
      << dump;
  // i386 getpid (20) ran and was recorded as such.
  EXPECT_EQ(Field(r.out, "getpid"), Field(r.out, "getpid", 2)) << r.out;
  EXPECT_THAT(Query("SELECT name, result FROM syscall_events WHERE abi='i386' AND nr=20"),
              ElementsAre(ElementsAre("getpid", pid)))
      << dump;
}

// An i386 socketcall(SYS_CONNECT) is recorded as the connect it carries: a
// 64-bit program cannot reach the network through int $0x80 unrecorded.
TEST_F(AbiTest, I386SocketcallIsRecordedAsTheCallItCarries) {
  ExitInfo r = RunWarden({Helper("int80_helper"), "socketcall"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(Field(r.out, "connect"), "0") << r.out;
  const std::string port = Field(r.out, "port");
  const std::string dump = Dump();
  EXPECT_THAT(Query("SELECT syscall, family, sock_type, direction, address, port, result "
                    "FROM net_events WHERE syscall='connect'"),
              ElementsAre(ElementsAre("connect", "AF_INET", "SOCK_STREAM", "outbound", "127.0.0.1",
                                      port, "0")))
      << dump;
  EXPECT_EQ(QueryInt("SELECT count(*) FROM net_events WHERE syscall='socket' "
                     "AND family='AF_INET' AND result>=0"),
            2)  // the 64-bit listener's and the i386 one
      << dump;
  EXPECT_EQ(QueryInt("SELECT count(*) FROM syscall_events WHERE abi='i386' AND name='socketcall'"),
            2);
}

TEST_F(AbiTest, X32SyscallIsRefusedWithEnosysAndRecorded) {
  ExitInfo r = RunWarden({Helper("int80_helper"), "open"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Field(r.out, "x32"), "-1") << r.out;
  EXPECT_EQ(Field(r.out, "x32", 2), std::to_string(ENOSYS)) << r.out;
  EXPECT_THAT(Query("SELECT abi, action, errno, result FROM syscall_events WHERE nr=" +
                    std::to_string(0x40000000 | 39)),
              ElementsAre(ElementsAre("x86_64", "deny", std::to_string(ENOSYS), "-1")))
      << Dump();
}

TEST_F(AbiTest, Int80ExitEndsTheProcessWithItsCode) {
  ExitInfo r = RunWarden({Helper("int80_helper"), "exit", "42"});
  EXPECT_EQ(r.exit_code, 42) << r.err;
  EXPECT_THAT(Query("SELECT name, nr FROM syscall_events WHERE abi='i386'"),
              ElementsAre(ElementsAre("exit", "1")))
      << Dump();
  EXPECT_EQ(QueryOne("SELECT exit_code FROM runs"), "42");
}

}  // namespace
}  // namespace warden::itest
