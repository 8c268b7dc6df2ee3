#include "supervisor/paths.h"

#include "gtest/gtest.h"

namespace warden::supervisor {
namespace {

TEST(PathsTest, Normalize) {
  EXPECT_EQ(NormalizePath("/"), "/");
  EXPECT_EQ(NormalizePath("//usr///lib/"), "/usr/lib");
  EXPECT_EQ(NormalizePath("/usr/./lib/../bin"), "/usr/bin");
  EXPECT_EQ(NormalizePath("/../../etc"), "/etc");
}

TEST(PathsTest, ResolveRelativeAgainstBase) {
  EXPECT_EQ(ResolvePath("/home/u", "a/b.txt"), "/home/u/a/b.txt");
  EXPECT_EQ(ResolvePath("/home/u", "../v"), "/home/v");
  EXPECT_EQ(ResolvePath("/home/u", "/etc/passwd"), "/etc/passwd");
  EXPECT_EQ(ResolvePath("/", "etc"), "/etc");
  EXPECT_EQ(ResolvePath("/tmp/d", ""), "/tmp/d");
  EXPECT_EQ(ResolvePath("/tmp/d", "."), "/tmp/d");
}

TEST(PathsTest, SplitProcLinkNamesTheLinkAndTheRest) {
  std::string link, rest;
  ASSERT_TRUE(SplitProcLink("/proc/self/fd/3", 11, 10, &link, &rest));
  EXPECT_EQ(link, "/proc/10/fd/3");
  EXPECT_EQ(rest, "");
  ASSERT_TRUE(SplitProcLink("/proc/self/fd/12/sub/file", 11, 10, &link, &rest));
  EXPECT_EQ(link, "/proc/10/fd/12");
  EXPECT_EQ(rest, "/sub/file");
  ASSERT_TRUE(SplitProcLink("/proc/thread-self/cwd/x", 11, 10, &link, &rest));
  EXPECT_EQ(link, "/proc/10/task/11/cwd");
  EXPECT_EQ(rest, "/x");
  ASSERT_TRUE(SplitProcLink("/proc/42/root/etc/passwd", 11, 10, &link, &rest));
  EXPECT_EQ(link, "/proc/42/root");
  EXPECT_EQ(rest, "/etc/passwd");
  ASSERT_TRUE(SplitProcLink("/dev/fd/5/hostname", 11, 10, &link, &rest));
  EXPECT_EQ(link, "/proc/10/fd/5");
  EXPECT_EQ(rest, "/hostname");
  ASSERT_TRUE(SplitProcLink("/proc/self/exe", 11, 10, &link, &rest));
  EXPECT_EQ(link, "/proc/10/exe");
  EXPECT_EQ(rest, "");
}

TEST(PathsTest, SplitProcLinkLeavesOtherPathsAlone) {
  std::string link, rest;
  EXPECT_FALSE(SplitProcLink("/proc/self/status", 1, 1, &link, &rest));
  EXPECT_FALSE(SplitProcLink("/proc/cpuinfo", 1, 1, &link, &rest));
  EXPECT_FALSE(SplitProcLink("/proc/self/fdinfo/3", 1, 1, &link, &rest));
  EXPECT_FALSE(SplitProcLink("/proc/12x/fd/3", 1, 1, &link, &rest));
  EXPECT_FALSE(SplitProcLink("/proc/self/fd/", 1, 1, &link, &rest));
  EXPECT_FALSE(SplitProcLink("/etc/passwd", 1, 1, &link, &rest));
}

}  // namespace
}  // namespace warden::supervisor
