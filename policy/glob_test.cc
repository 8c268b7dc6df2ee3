#include "policy/glob.h"

#include "gtest/gtest.h"

namespace warden::policy {
namespace {

TEST(GlobTest, StarStaysInOneSegment) {
  EXPECT_TRUE(GlobMatch("/etc/*.conf", "/etc/host.conf"));
  EXPECT_FALSE(GlobMatch("/etc/*.conf", "/etc/sub/host.conf"));
  EXPECT_TRUE(GlobMatch("/etc/*", "/etc/passwd"));
  EXPECT_FALSE(GlobMatch("/etc/*", "/etc"));
  EXPECT_TRUE(GlobMatch("*", "cat"));
  EXPECT_FALSE(GlobMatch("*", "/usr/bin/cat"));
}

TEST(GlobTest, DoubleStarCrossesSegments) {
  EXPECT_TRUE(GlobMatch("/var/www/**", "/var/www/a/b/c.html"));
  EXPECT_TRUE(GlobMatch("/var/www/**", "/var/www/index.html"));
  EXPECT_FALSE(GlobMatch("/var/www/**", "/var/www"));
  EXPECT_FALSE(GlobMatch("/var/www/**", "/var/wwwx/a"));
  EXPECT_TRUE(GlobMatch("**/secret", "/home/u/secret"));
  EXPECT_FALSE(GlobMatch("**/secret", "/home/u/secret2"));
  EXPECT_TRUE(GlobMatch("/proc/**/mem", "/proc/self/mem"));
  EXPECT_TRUE(GlobMatch("/proc/**/mem", "/proc/12/task/13/mem"));
  EXPECT_FALSE(GlobMatch("/proc/**/mem", "/proc/12/memx"));
}

TEST(GlobTest, StarAfterDoubleStarFallsBackToIt) {
  // The '*' cannot take "b/c", so the '**' must take more instead.
  EXPECT_TRUE(GlobMatch("/a/**/x*/y", "/a/b/xq/c/x1/y"));
  EXPECT_TRUE(GlobMatch("/a/**/*.log", "/a/b/c/d.log"));
  EXPECT_FALSE(GlobMatch("/a/**/*.log", "/a/b/c/d.log/e"));
}

TEST(GlobTest, ClassesQuestionAndEscapes) {
  EXPECT_TRUE(GlobMatch("/tmp/file[0-9]", "/tmp/file7"));
  EXPECT_FALSE(GlobMatch("/tmp/file[0-9]", "/tmp/filex"));
  EXPECT_TRUE(GlobMatch("/tmp/file[!0-9]", "/tmp/filex"));
  EXPECT_TRUE(GlobMatch("/tmp/?", "/tmp/a"));
  EXPECT_FALSE(GlobMatch("/tmp/?", "/tmp/ab"));
  EXPECT_FALSE(GlobMatch("/tmp?a", "/tmp/a"));  // '?' never matches '/'
  EXPECT_TRUE(GlobMatch("/tmp/\\*", "/tmp/*"));
  EXPECT_FALSE(GlobMatch("/tmp/\\*", "/tmp/a"));
}

TEST(GlobTest, ValidateRejectsBrokenPatterns) {
  EXPECT_TRUE(ValidateGlob("/var/www/**").ok());
  EXPECT_TRUE(ValidateGlob("/a/[abc]").ok());
  EXPECT_FALSE(ValidateGlob("/a/[abc").ok());
  EXPECT_FALSE(ValidateGlob("/a/b\\").ok());
}

TEST(GlobTest, ProgramMatchesBaseNameOrFullPath) {
  EXPECT_TRUE(ProgramMatch("*", "/usr/bin/cat"));
  EXPECT_TRUE(ProgramMatch("cat", "/usr/bin/cat"));
  EXPECT_FALSE(ProgramMatch("cat", "/usr/bin/tac"));
  EXPECT_TRUE(ProgramMatch("python3*", "/usr/bin/python3.11"));
  EXPECT_TRUE(ProgramMatch("/usr/bin/*", "/usr/bin/cat"));
  EXPECT_FALSE(ProgramMatch("/usr/bin/*", "/bin/cat"));
}

}  // namespace
}  // namespace warden::policy

namespace warden::policy {
namespace {

// The prepared shapes agree with the general matcher on every pattern and
// text of a small corpus.
TEST(GlobTest, PreparedGlobAgreesWithGlobMatch) {
  const char* patterns[] = {"/etc/passwd", "/var/www/**", "**/id_rsa", "**", "/a/**/b",
                            "/a/*", "*", "/x/[ab]", "/tmp/\\*", "**/*.bak", "/etc/pass*"};
  const char* texts[] = {"/etc/passwd", "/etc/passwd2", "/var/www/a/b", "/var/www",
                         "/home/u/.ssh/id_rsa", "/id_rsa", "id_rsa", "/a/q/b", "/a/b",
                         "/a/x", "/x/a", "/x/c", "/tmp/*", "/tmp/x", "/s/t.bak", "", "/"};
  for (const char* p : patterns)
    for (const char* t : texts)
      EXPECT_EQ(Glob(p).Match(t), GlobMatch(p, t)) << p << " vs " << t;
}

}  // namespace
}  // namespace warden::policy
