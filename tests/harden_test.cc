// `warden harden` end to end: a source root made of this machine's own
// files, a workload traced inside it (chroot), the hardened tree written,
// and the same workload run in the hardened tree with the same output.
#include <stdio.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harden/test_root.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class HardenTest : public IntegrationTest {
 protected:
  // SRC: a merged-/usr root with ls, cat, sort and their libraries.
  void MakeSource() {
    src_ = Path("src");
    harden::testing::MakeMergedUsr(src_);
    fs::create_directories(src_ + "/data");
    for (const std::string prog : {"ls", "cat", "sort"}) harden::testing::CopyProgram(src_, prog);
    std::ofstream(src_ + "/data/a.txt") << "hello\n";
    std::ofstream(src_ + "/data/b.txt") << "world\n";
  }

  std::string src_;
};

TEST_F(HardenTest, TheHardenedTreeRunsTheWorkloadAndDropsTheRest) {
  if (geteuid() != 0) GTEST_SKIP() << "chroot needs root here";
  MakeSource();
  ExitInfo r = RunWarden({"/usr/sbin/chroot", src_, "/bin/ls", "/data"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string want = r.out;
  ASSERT_EQ(want, "a.txt\nb.txt\n");
  const std::string out = Path("out");
  ExitInfo h = Run({WardenBin(), "harden", "--db", db(), "--from-root", src_, "-o", out});
  ASSERT_EQ(h.exit_code, 0) << h.err << h.out;
  EXPECT_THAT(h.out, HasSubstr("/usr/bin/ls  observed"));
  EXPECT_THAT(h.out, HasSubstr("/bin  symlink"));
  EXPECT_THAT(h.out, HasSubstr("elf-dependency of /usr/bin/ls"));
  // The same workload in the hardened tree: same status and output.
  ExitInfo again = Run({"/usr/sbin/chroot", out, "/bin/ls", "/data"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, want);
  // What the run never used is gone: cat, sort and their own libraries.
  EXPECT_FALSE(fs::exists(out + "/usr/bin/cat"));
  EXPECT_FALSE(fs::exists(out + "/usr/bin/sort"));
  ExitInfo cat = Run({"/usr/sbin/chroot", out, "/bin/cat", "/data/a.txt"});
  EXPECT_NE(cat.exit_code, 0);
  // Bad input: the output is not empty now; the root does not exist.
  h = Run({WardenBin(), "harden", "--db", db(), "--from-root", src_, "-o", out});
  EXPECT_EQ(h.exit_code, 2);
  EXPECT_THAT(h.err, HasSubstr("not empty"));
  h = Run({WardenBin(), "harden", "--db", db(), "--from-root", Path("nowhere"), "-o", Path("o2")});
  EXPECT_EQ(h.exit_code, 2);
  EXPECT_FALSE(fs::exists(Path("o2")));
}

TEST_F(HardenTest, TheKeepFileAddsWhatTheRunDidNotReach) {
  if (geteuid() != 0) GTEST_SKIP() << "chroot needs root here";
  MakeSource();
  ASSERT_EQ(RunWarden({"/usr/sbin/chroot", src_, "/bin/ls", "/data"}).exit_code, 0);
  WriteFile(Path("keep"), "# cat is used by a path the tests do not reach\n/usr/bin/cat\n");
  const std::string out = Path("out");
  ExitInfo h = Run({WardenBin(), "harden", "--db", db(), "--from-root", src_, "-o", out, "--keep",
                    Path("keep")});
  ASSERT_EQ(h.exit_code, 0) << h.err;
  ExitInfo cat = Run({"/usr/sbin/chroot", out, "/bin/cat", "/data/a.txt"});
  EXPECT_EQ(cat.exit_code, 0) << cat.err;
  EXPECT_EQ(cat.out, "hello\n");
  WriteFile(Path("bad"), "/ok\nnot/absolute\n");
  h = Run({WardenBin(), "harden", "--db", db(), "--from-root", src_, "-o", Path("o3"), "--keep",
           Path("bad")});
  EXPECT_EQ(h.exit_code, 2);
  EXPECT_THAT(h.err, HasSubstr(Path("bad") + ":2:"));
}

}  // namespace
}  // namespace warden::itest
