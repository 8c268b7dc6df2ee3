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

}  // namespace
}  // namespace warden::supervisor
