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
    for (const std::string prog : {"ls", "cat", "sort", "dash"}) harden::testing::CopyProgram(src_, prog);
    fs::create_symlink("dash", src_ + "/usr/bin/sh");
    // The job: cat only runs when asked ("full"), which the coverage run
    // below does not do.
    std::ofstream(src_ + "/data/job.sh") << "ls /data\nif [ \"$1\" = full ]; then cat /data/a.txt; fi\n";
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
  ASSERT_EQ(want, "a.txt\nb.txt\njob.sh\n");
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

// --check: the job run again in the hardened tree, asked to do what the
// coverage run did not: cat is missing, --check names it, the exit status
// differs; with cat in the keep file the check passes.
TEST_F(HardenTest, CheckNamesWhatTheTreeLacksAndTheKeepFileFixesIt) {
  if (geteuid() != 0) GTEST_SKIP() << "chroot needs root here";
  MakeSource();
  ExitInfo r = RunWarden({"/usr/sbin/chroot", src_, "/bin/sh", "/data/job.sh"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(r.out, "a.txt\nb.txt\njob.sh\n");
  const std::string out = Path("out");
  ASSERT_EQ(Run({WardenBin(), "harden", "--db", db(), "--from-root", src_, "-o", out}).exit_code, 0);
  const std::vector<std::string> check = {WardenBin(), "harden", "--check", out, "--db", db(),
                                          "--from-root", src_, "--", "/bin/sh", "/data/job.sh", "full"};
  ExitInfo c = Run(check);
  EXPECT_EQ(c.exit_code, 1) << c.out << c.err;
  EXPECT_THAT(c.out, HasSubstr("original run 1: exit 0; in the hardened tree (run 1): exit 127  DIFFERENT"));
  EXPECT_THAT(c.out, HasSubstr("missing in the hardened tree (1)"));
  EXPECT_THAT(c.out, HasSubstr("  /usr/bin/cat  in the source root; by /usr/bin/dash\n"));
  EXPECT_THAT(c.out, HasSubstr("same: no"));
  // The same job as the coverage run: nothing missing, same status.
  std::vector<std::string> same = check;
  same.pop_back();
  c = Run(same);
  EXPECT_EQ(c.exit_code, 0) << c.out << c.err;
  EXPECT_THAT(c.out, HasSubstr("missing: none"));
  // JSON, with the database kept where asked.
  std::vector<std::string> json = check;
  json.insert(json.begin() + 6, {"--format", "json", "--check-db", Path("check.db")});
  c = Run(json);
  EXPECT_THAT(c.out, HasSubstr(R"("same":false,"original":{"run":1,"exit_code":0,"exit_signal":null},)"
                               R"("hardened":{"run":1,"exit_code":127,"exit_signal":null},)"
                               R"("missing":[{"path":"/usr/bin/cat","program":"/usr/bin/dash",)"
                               R"("found_before":false,"in_source":true}]})")) << c.out;
  EXPECT_TRUE(fs::exists(Path("check.db")));
  // Kept by the keep file: the check passes.
  WriteFile(Path("keep"), "/usr/bin/cat\n");
  ASSERT_EQ(Run({WardenBin(), "harden", "--db", db(), "--from-root", src_, "-o", out, "--force",
                 "--keep", Path("keep")}).exit_code, 0);
  c = Run(check);
  EXPECT_EQ(c.exit_code, 0) << c.out << c.err;
  EXPECT_THAT(c.out, HasSubstr("exit 0; in the hardened tree (run 1): exit 0\n"));
  // Bad input: no command, no tree, no such run.
  EXPECT_EQ(Run({WardenBin(), "harden", "--check", out, "--db", db()}).exit_code, 2);
  EXPECT_EQ(Run({WardenBin(), "harden", "--check", Path("nowhere"), "--db", db(), "--", "/bin/true"}).exit_code, 2);
  c = Run({WardenBin(), "harden", "--check", out, "--db", db(), "--run", "9", "--", "/bin/true"});
  EXPECT_EQ(c.exit_code, 2);
  EXPECT_THAT(c.err, HasSubstr("no run 9"));
}

}  // namespace
}  // namespace warden::itest
