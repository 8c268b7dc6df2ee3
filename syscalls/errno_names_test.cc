#include <errno.h>

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "syscalls/decode.h"

namespace warden::syscalls {
namespace {

TEST(ErrnoNameTest, CommonErrnos) {
  EXPECT_EQ(ErrnoName(EPERM), "EPERM");
  EXPECT_EQ(ErrnoName(ENOENT), "ENOENT");
  EXPECT_EQ(ErrnoName(EAGAIN), "EAGAIN");
  EXPECT_EQ(ErrnoName(EWOULDBLOCK), "EAGAIN");
  EXPECT_EQ(ErrnoName(EDEADLOCK), "EDEADLK");
  EXPECT_EQ(ErrnoName(ENOTSUP), "EOPNOTSUPP");
  EXPECT_EQ(ErrnoName(ECONNREFUSED), "ECONNREFUSED");
  EXPECT_EQ(ErrnoName(ENOTRECOVERABLE), "ENOTRECOVERABLE");
  EXPECT_EQ(ErrnoName(EHWPOISON), "EHWPOISON");
}

TEST(ErrnoNameTest, EveryLibcErrnoIsNamedAsGlibcNamesIt) {
  // strerrorname_np gives glibc's name for each number (EAGAIN, not
  // EWOULDBLOCK), which is also the kernel's and strace's choice.
  for (int err = 1; err <= EHWPOISON; ++err) {
    const char* name = strerrorname_np(err);
    if (name == nullptr) {
      EXPECT_EQ(ErrnoName(err), std::to_string(err)) << err;
      continue;
    }
    EXPECT_EQ(ErrnoName(err), name) << err;
  }
}

TEST(ErrnoNameTest, KernelInternal) {
  EXPECT_EQ(ErrnoName(512), "ERESTARTSYS");
  EXPECT_EQ(ErrnoName(513), "ERESTARTNOINTR");
  EXPECT_EQ(ErrnoName(514), "ERESTARTNOHAND");
  EXPECT_EQ(ErrnoName(515), "ENOIOCTLCMD");
  EXPECT_EQ(ErrnoName(516), "ERESTART_RESTARTBLOCK");
  EXPECT_EQ(ErrnoName(517), "EPROBE_DEFER");
  EXPECT_EQ(ErrnoName(524), "ENOTSUPP");
  EXPECT_EQ(ErrnoName(520), "520");
}

TEST(ErrnoNameTest, UnknownAsDecimal) {
  EXPECT_EQ(ErrnoName(0), "0");
  EXPECT_EQ(ErrnoName(41), "41");
  EXPECT_EQ(ErrnoName(4000), "4000");
}

TEST(ErrnoDescriptionTest, Texts) {
  EXPECT_EQ(ErrnoDescription(ENOENT), "No such file or directory");
  EXPECT_EQ(ErrnoDescription(EACCES), "Permission denied");
  EXPECT_EQ(ErrnoDescription(512), "To be restarted if SA_RESTART is set");
  EXPECT_EQ(ErrnoDescription(516), "Interrupted by signal");
  EXPECT_EQ(ErrnoDescription(4000), "Unknown error 4000");
}

}  // namespace
}  // namespace warden::syscalls
