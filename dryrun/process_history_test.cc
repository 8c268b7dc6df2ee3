#include "dryrun/process_history.h"

#include "gtest/gtest.h"

namespace warden::dryrun {
namespace {

TEST(ProcessHistoryTest, ForkInheritsThreadsShareExecReplaces) {
  ProcessHistory h;
  h.Start(ProcessRow{1, 10, 1, 10});
  h.Exec(10, "/bin/sh");
  h.Start(ProcessRow{2, 11, 10, 11});  // fork
  EXPECT_EQ(h.ExecPath(11), "/bin/sh");
  h.Exec(11, "/usr/bin/cat");
  EXPECT_EQ(h.ExecPath(11), "/usr/bin/cat");
  EXPECT_EQ(h.ExecPath(10), "/bin/sh");
  h.Start(ProcessRow{3, 12, 10, 10});  // a thread of 10
  h.Bound(12, 5, 8080);
  EXPECT_EQ(h.LocalPort(10, 5), 8080);
  EXPECT_EQ(h.LocalPort(11, 5), std::nullopt);  // forked before the bind
  EXPECT_EQ(h.ExecPath(999), "");
}

TEST(ProcessHistoryTest, DoomedProcessesAndTheirLaterChildren) {
  ProcessHistory h;
  h.Start(ProcessRow{1, 10, 1, 10});
  h.Start(ProcessRow{2, 11, 10, 11});
  h.Doom(10);
  EXPECT_TRUE(h.Doomed(10));
  EXPECT_FALSE(h.Doomed(11));  // forked before
  h.Start(ProcessRow{3, 12, 10, 12});
  EXPECT_TRUE(h.Doomed(12));
  h.Start(ProcessRow{4, 10, 1, 10});  // the pid reused: a new process
  EXPECT_FALSE(h.Doomed(10));
}

}  // namespace
}  // namespace warden::dryrun
