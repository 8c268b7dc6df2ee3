// The file a call acts on, found as the kernel finds it, is what a policy
// judges and what warden records (issue 12, 3 and 6): symlinks (the last
// one per call), ".." after a symlink, magic links and nested roots,
// openat2's RESOLVE_IN_ROOT, chroot. Each attempt below read a file a rule
// denies, or recorded a file nobody touched, before.
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "supervisor/paths.h"
#include "tests/policy_test_support.h"

namespace warden::itest {
namespace {

using ::testing::HasSubstr;

const std::string kNoSecret = NoSecretPolicy("real/secret");

class ObjectPathsTest : public PolicyTest {
 protected:
  void SetUp() override {
    PolicyTest::SetUp();
    ASSERT_EQ(mkdir(Path("real").c_str(), 0755), 0);
    ASSERT_EQ(mkdir(Path("real/sub").c_str(), 0755), 0);
    WriteFile(Path("real/secret"), "s\n");
    WriteFile(Path("real/other"), "o\n");
    WriteFile(Path("secret"), "not the secret\n");
    // l -> real/sub: l/.. is real, not the test directory.
    ASSERT_EQ(symlink(Path("real/sub").c_str(), Path("l").c_str()), 0);
    ASSERT_EQ(symlink(Path("real/secret").c_str(), Path("p").c_str()), 0);  // absolute
    ASSERT_EQ(symlink("real/secret", Path("rel").c_str()), 0);              // relative
    ASSERT_EQ(symlink("p", Path("chain").c_str()), 0);                     // chain -> p -> secret
    ASSERT_EQ(symlink(Path("real").c_str(), Path("d").c_str()), 0);         // a directory link
  }

  // The verdict and the record of the open of the latest run.
  std::string Denial() {
    return QueryOne("SELECT action || ' ' || rule || ' ' || path FROM file_events WHERE run_id=" +
                    RunId() + " AND rule='no-secret'");
  }
};

TEST_F(ObjectPathsTest, SymlinksAndDotDotAreJudgedAsTheFileTheyReach) {
  const std::string want = "deny no-secret " + Path("real/secret");
  for (const std::string name : {"p", "rel", "chain", "d/secret", "l/../secret", "d/sub/../secret",
                                 "l/../../real/secret"}) {
    ExitInfo r = RunHelper(kNoSecret, {"read", Path(name)});
    EXPECT_EQ(r.out, "read err EACCES\n") << name << "\n" << r.err << PolicyDump();
    EXPECT_EQ(Denial(), want) << name << PolicyDump();
    // The name the program used is kept next to the file.
    EXPECT_EQ(QueryOne("SELECT named FROM file_events WHERE run_id=" + RunId() +
                       " AND rule='no-secret'"),
              supervisor::NormalizePath(Path(name)))  // lexical: the name as written
        << name;
  }
  // Control: the same shapes to a file no rule names open.
  ExitInfo r = RunHelper(kNoSecret, {"read", Path("l/../other")});
  EXPECT_EQ(r.out, "read ok 3\n") << r.err << PolicyDump();
  // And the lexical twin of l/../secret, $DIR/secret, is another file.
  r = RunHelper(kNoSecret, {"read", Path("secret")});
  EXPECT_EQ(r.out, "read ok 3\n") << r.err << PolicyDump();
}

TEST_F(ObjectPathsTest, MagicLinksAndNestedRootsAreFollowed) {
  const std::string want = "deny no-secret " + Path("real/secret");
  ExitInfo r = RunHelper(kNoSecret, {"taskroot", Path("real/secret")});
  EXPECT_EQ(r.out, "taskroot err EACCES\n") << r.err << PolicyDump();
  EXPECT_EQ(Denial(), want) << PolicyDump();
  r = RunHelper(kNoSecret, {"read", "/proc/self/root/proc/self/root" + Path("real/secret")});
  EXPECT_EQ(r.out, "read err EACCES\n") << r.err << PolicyDump();
  EXPECT_EQ(Denial(), want) << PolicyDump();
  r = RunHelper(kNoSecret, {"read", "/proc/thread-self/root" + Path("p")});
  EXPECT_EQ(r.out, "read err EACCES\n") << r.err << PolicyDump();
  EXPECT_EQ(Denial(), want) << PolicyDump();
}

TEST_F(ObjectPathsTest, OpenatTwoInRootIsJudgedInsideItsRoot) {
  ExitInfo r = RunHelper(kNoSecret, {"in-root", Path("real"), "secret"});
  EXPECT_EQ(r.out, "in-root err EACCES\n") << r.err << PolicyDump();
  EXPECT_EQ(Denial(), "deny no-secret " + Path("real/secret")) << PolicyDump();
  // An absolute symlink inside the root stays inside it too.
  ASSERT_EQ(symlink("/secret", Path("real/abs").c_str()), 0);
  r = RunHelper(kNoSecret, {"in-root", Path("real"), "abs"});
  EXPECT_EQ(r.out, "in-root err EACCES\n") << r.err << PolicyDump();
  EXPECT_EQ(Denial(), "deny no-secret " + Path("real/secret")) << PolicyDump();
}

TEST_F(ObjectPathsTest, ChrootIsJudgedAndRecordedFromTheNewRoot) {
  ExitInfo probe = Run({H(), "chroot", Path("real"), "/other"});
  if (probe.out != "chroot ok 3\n")
    GTEST_SKIP() << "no unprivileged user namespace + chroot here: " << probe.out;
  ExitInfo r = RunHelper(kNoSecret, {"chroot", Path("real"), "/secret"});
  EXPECT_EQ(r.out, "chroot err EACCES\n") << r.err << PolicyDump();
  EXPECT_EQ(Denial(), "deny no-secret " + Path("real/secret")) << PolicyDump();
  // Without a policy, the record says which file it was, in warden's view.
  r = RunWarden({H(), "chroot", Path("real"), "/other"});
  EXPECT_EQ(r.out, "chroot ok 3\n") << r.err;
  EXPECT_EQ(QueryOne("SELECT count(*) FROM file_events WHERE run_id=" + RunId() +
                     " AND syscall='openat' AND result=3 AND path=" + Sql(Path("real/other"))),
            "1")
      << PolicyDump();
  EXPECT_EQ(QueryOne("SELECT count(*) FROM file_events WHERE run_id=" + RunId() +
                     " AND path='/other'"),
            "0");
}

// Recording without a policy: `ls DIR/l/..` lists real, not DIR.
TEST_F(ObjectPathsTest, RecordsTheFileNotTheLexicalName) {
  ExitInfo r = RunWarden({"/bin/ls", Path("l/..")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("secret"));
  EXPECT_NE(QueryOne("SELECT count(*) FROM file_events WHERE run_id=" + RunId() + " AND path=" +
                     Sql(Path("real")) + " AND named=" + Sql(dir()) + " AND result>=0"),
            "0")
      << Dump();
  EXPECT_EQ(QueryOne("SELECT count(*) FROM file_events WHERE run_id=" + RunId() + " AND path=" +
                     Sql(dir()) + " AND result>=0"),
            "0")
      << Dump();
}

// A rule written with a symlink on the way (DIR/d/** where d -> real)
// matches the files under its target.
TEST_F(ObjectPathsTest, RulesThroughSymlinksMatchTheirTargets) {
  constexpr std::string_view kViaLink = R"(
rules:
  - name: no-d
    type: file-read
    paths: $DIR/d/**
    action: deny
    errno: EACCES
)";
  ExitInfo r = RunHelper(kViaLink, {"read", Path("real/other")});
  EXPECT_EQ(r.out, "read err EACCES\n") << r.err << PolicyDump();
  r = RunHelper(kViaLink, {"read", Path("d/other")});
  EXPECT_EQ(r.out, "read err EACCES\n") << r.err << PolicyDump();
  r = RunHelper(kViaLink, {"read", Path("secret")});
  EXPECT_EQ(r.out, "read ok 3\n") << r.err << PolicyDump();
}

}  // namespace
}  // namespace warden::itest
