// `warden harden` end to end: a source root made of this machine's own
// files, a workload traced inside it (chroot), the hardened tree written,
// and the same workload run in the hardened tree with the same output.
#include <stdio.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harden/copy_tree.h"
#include "harden/test_root.h"
#include "fmt/format.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

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
  h = Run({WardenBin(), "harden", "--db", db(), "--run", "9", "--from-root", src_, "-o", Path("o2")});
  EXPECT_EQ(h.exit_code, 2);
  EXPECT_THAT(h.err, HasSubstr("no run 9"));
  EXPECT_FALSE(fs::exists(Path("o2")));
  h = Run({WardenBin(), "harden", "--db", Path("none.db"), "--from-root", src_, "-o", Path("o2")});
  EXPECT_EQ(h.exit_code, 2);
  EXPECT_FALSE(fs::exists(Path("o2")));
  EXPECT_FALSE(fs::exists(Path("none.db")));
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

// The three kinds of workload minified images break on, traced in a root
// made of this machine's files, hardened together, and run again in the
// hardened tree with the same status and output: a shell script using
// coreutils; python importing modules (one of them C, loaded with dlopen)
// and loading the CA bundle the way an HTTPS client does; user and group
// names resolved through NSS (nsswitch.conf and the modules it names).
TEST_F(HardenTest, ShellPythonAndNssWorkloadsRunTheSameHardened) {
  if (geteuid() != 0) GTEST_SKIP() << "chroot needs root here";
  MakeSource();
  for (const std::string prog : {"python3.11", "id", "getent", "head"}) harden::testing::CopyProgram(src_, prog);
  fs::create_symlink("python3.11", src_ + "/usr/bin/python3");
  ASSERT_EQ(Run({"/bin/cp", "-a", "/usr/lib/python3.11", src_ + "/usr/lib/"}).exit_code, 0);
  for (const char* so : {"_ssl", "_hashlib", "_json"})
    harden::testing::CopyLibrariesOf(src_, fmt::format("/usr/lib/python3.11/lib-dynload/{}.cpython-311-x86_64-linux-gnu.so", so));
  for (const std::string lib : {"libnss_systemd.so.2", "libnss_dns.so.2"}) {
    fs::copy_file("/lib/x86_64-linux-gnu/" + lib, src_ + "/usr/lib/x86_64-linux-gnu/" + lib);
    harden::testing::CopyLibrariesOf(src_, "/lib/x86_64-linux-gnu/" + lib);
  }
  for (const char* f : {"/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/hosts"})
    fs::copy_file(f, src_ + f);
  ASSERT_EQ(Run({"/bin/cp", "-a", "/etc/ssl", src_ + "/etc/"}).exit_code, 0);
  fs::create_directories(src_ + "/usr/lib/ssl");
  fs::create_symlink("/etc/ssl/certs/ca-certificates.crt", src_ + "/usr/lib/ssl/cert.pem");
  fs::create_symlink("/etc/ssl/certs", src_ + "/usr/lib/ssl/certs");
  fs::create_symlink("/etc/ssl/openssl.cnf", src_ + "/usr/lib/ssl/openssl.cnf");
  std::ofstream(src_ + "/data/app.py")
      << "import json, ssl, email.utils, collections\n"
         "ctx = ssl.create_default_context()\n"
         "print(json.dumps({'ca_certs': len(ctx.get_ca_certs()) > 0, 'date': email.utils.quote('x')}))\n";
  const std::vector<std::vector<std::string>> jobs = {
      {"/bin/sh", "-c", "ls /data | sort -r | head -n 2; cat /data/a.txt"},
      {"/usr/bin/python3", "/data/app.py"},
      {"/usr/bin/id", "root"},
      {"/usr/bin/getent", "group", "root"},
  };
  std::vector<ExitInfo> want;
  for (const auto& job : jobs) {
    std::vector<std::string> cmd = {"/usr/sbin/chroot", src_};
    cmd.insert(cmd.end(), job.begin(), job.end());
    want.push_back(RunWarden(cmd));
    ASSERT_EQ(want.back().exit_code, 0) << job[0] << ": " << want.back().err;
  }
  EXPECT_EQ(want[1].out, "{\"ca_certs\": true, \"date\": \"x\"}\n");
  EXPECT_THAT(want[2].out, HasSubstr("uid=0(root) gid=0(root)"));
  const std::string out = Path("out");
  ExitInfo h = Run({WardenBin(), "harden", "--db", db(), "--run", "1", "--run", "2", "--run", "3", "--run", "4",
                    "--from-root", src_, "-o", out, "--format", "json"});
  ASSERT_EQ(h.exit_code, 0) << h.err;
  for (size_t i = 0; i < jobs.size(); ++i) {
    std::vector<std::string> cmd = {"/usr/sbin/chroot", out};
    cmd.insert(cmd.end(), jobs[i].begin(), jobs[i].end());
    ExitInfo again = Run(cmd);
    EXPECT_EQ(again.exit_code, want[i].exit_code) << jobs[i][0] << ": " << again.err;
    EXPECT_EQ(again.out, want[i].out) << jobs[i][0];
  }
  // Kept for what they are, and the size: the tree is a fraction of the source.
  EXPECT_THAT(h.out, HasSubstr(R"("path":"/etc/ssl/certs/ca-certificates.crt","why":)"));
  EXPECT_THAT(h.out, HasSubstr(R"("path":"/usr/lib/x86_64-linux-gnu/libssl.so.3","why":)"));
  EXPECT_THAT(h.out, HasSubstr(R"("path":"/usr/bin/python3","why":"symlink")"));
  EXPECT_THAT(h.out, HasSubstr(R"("path":"/usr/bin/python3.11","why":"observed")"));
  // Python lists its module directories to find modules in them: only
  // what it imported stays, not the whole standard library.
  EXPECT_THAT(h.out, HasSubstr(R"("path":"/usr/lib/python3.11/json/__init__.py","why":"observed")"));
  EXPECT_THAT(h.out, Not(HasSubstr(R"("path":"/usr/lib/python3.11/smtplib.py","why")")));
  const harden::CopyStats before = harden::MeasureTree(src_), after = harden::MeasureTree(out);
  std::cout << fmt::format("[ SIZE     ] source {} files, {} bytes; hardened {} files, {} bytes ({:.1f}%)\n",
                           before.files, before.bytes, after.files, after.bytes,
                           100.0 * static_cast<double>(after.bytes) / static_cast<double>(before.bytes));
  EXPECT_LT(after.bytes * 2, before.bytes);
  EXPECT_LT(after.files * 4, before.files);
  // A module the coverage run never imported: python finds modules in
  // directory listings, so no lookup fails; --check names the directory
  // it listed that lacks the source's entries.
  ExitInfo c = Run({WardenBin(), "harden", "--check", out, "--db", db(), "--run", "2", "--from-root", src_,
                    "--", "/usr/bin/python3", "-c", "import csv"});
  EXPECT_EQ(c.exit_code, 1) << c.out << c.err;
  EXPECT_THAT(c.err, HasSubstr("No module named 'csv'"));
  EXPECT_THAT(c.out, HasSubstr("exit 0; in the hardened tree (run 1): exit 1  DIFFERENT"));
  EXPECT_THAT(c.out, ::testing::ContainsRegex("\n  /usr/lib/python3.11  [0-9]+ dropped\n"));
}

// The source as an image: a `docker save` archive made of the same root
// (one layer), hardened without unpacking it by hand; the runs were
// recorded in a chroot of the unpacked root, which --run-root names.
TEST_F(HardenTest, ADockerSaveArchiveIsASource) {
  if (geteuid() != 0) GTEST_SKIP() << "chroot needs root here";
  MakeSource();
  ExitInfo r = RunWarden({"/usr/sbin/chroot", src_, "/bin/ls", "/data"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string save = Path("save");
  fs::create_directories(save + "/layer1");
  ASSERT_EQ(Run({"/bin/tar", "-C", src_, "-cf", save + "/layer1/layer.tar", "."}).exit_code, 0);
  std::ofstream(save + "/config.json") << R"({"config":{"Entrypoint":["/bin/ls"]}})";
  std::ofstream(save + "/manifest.json")
      << R"([{"Config":"config.json","RepoTags":["app:1"],"Layers":["layer1/layer.tar"]}])";
  ASSERT_EQ(Run({"/bin/tar", "-C", save, "-cf", Path("app.tar"), "."}).exit_code, 0);
  const std::string out = Path("out");
  ExitInfo h = Run({WardenBin(), "harden", "--db", db(), "--from-image", Path("app.tar"), "--run-root", src_,
                    "-o", out});
  ASSERT_EQ(h.exit_code, 0) << h.err;
  EXPECT_THAT(h.out, HasSubstr("warden harden: " + Path("app.tar") + " -> " + out));
  ExitInfo again = Run({"/usr/sbin/chroot", out, "/bin/ls", "/data"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, r.out);
  EXPECT_FALSE(fs::exists(out + "/usr/bin/cat"));
  // Bad input: not an image; both sources.
  WriteFile(Path("not.tar"), "plain text");
  h = Run({WardenBin(), "harden", "--db", db(), "--from-image", Path("not.tar"), "-o", Path("o2")});
  EXPECT_EQ(h.exit_code, 2) << h.err;
  EXPECT_THAT(h.err, HasSubstr(Path("not.tar")));
  EXPECT_FALSE(fs::exists(Path("o2")));
  h = Run({WardenBin(), "harden", "--db", db(), "--from-image", Path("app.tar"), "--from-root", src_, "-o",
           Path("o2")});
  EXPECT_EQ(h.exit_code, 2);
  EXPECT_THAT(h.err, HasSubstr("not both"));
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
                               R"("found_before":false,"in_source":true}],"thinned":[]})")) << c.out;
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
