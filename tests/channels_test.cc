// SECURITY.md 7: io_uring can open files and connect without system calls
// warden sees; its setup is always recorded, whatever --watch says.
#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

class ChannelsTest : public IntegrationTest {};

TEST_F(ChannelsTest, IoUringSetupIsAlwaysRecorded) {
  ExitInfo r = RunWarden({Helper("io_uring_helper")}, {"--watch", "network"});
  if (r.exit_code == 1) GTEST_SKIP() << "io_uring is disabled on this kernel";
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(QueryInt("SELECT count(*) FROM syscall_events WHERE name='io_uring_setup' "
                     "AND result>=0"),
            1)
      << Dump();
}

}  // namespace
}  // namespace warden::itest
