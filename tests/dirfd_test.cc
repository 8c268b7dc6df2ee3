// cwd and dirfd tracking: every recorded path is absolute and names the file
// the kernel really used, after chdir, fchdir, openat on a dirfd and on its
// duplicates (dup, dup2, dup3, F_DUPFD), a reused descriptor number (also
// one reused by SCM_RIGHTS after an untraced close), a thread's chdir
// (shared cwd) or one with unshare(CLONE_FS), a child's chdir (not shared)
// and a cwd renamed after chdir; two-path calls carry path2 (SECURITY.md 9).
#include <sys/stat.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

using ::testing::ElementsAre;

class DirfdTest : public IntegrationTest {};

TEST_F(DirfdTest, RecordedPathsFollowCwdAndDirfds) {
  ExitInfo r = RunWarden({Helper("dirfd_helper"), dir()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_EQ(Field(r.out, "done", 0), "done");
  const std::string dump = Dump();
  const std::string d = dir(), a = dir() + "/a", b = dir() + "/a/b";

  // Every path warden recorded for this run is absolute and normalized.
  EXPECT_EQ(QueryInt("SELECT count(*) FROM file_events WHERE path NOT LIKE '/%' OR path LIKE "
                     "'%/./%' OR path LIKE '%/../%' OR path LIKE '%//%' OR (path2 IS NOT NULL "
                     "AND path2 NOT LIKE '/%' AND syscall NOT LIKE 'symlink%')"),
            0)
      << dump;

  auto created = [&](const std::string& path) {
    return QueryInt("SELECT count(*) FROM file_events WHERE op='create' AND result>=0 AND path=" +
                    Sql(path));
  };
  EXPECT_EQ(created(a + "/f1"), 1) << "open after chdir\n" << dump;
  EXPECT_EQ(created(b + "/f2"), 1) << "openat(dirfd)\n" << dump;
  EXPECT_EQ(created(b + "/f3"), 1) << "open after fchdir\n" << dump;
  EXPECT_EQ(created(a + "/f4"), 1) << "open after chdir(\"..\")\n" << dump;
  EXPECT_EQ(created(b + "/f5"), 1) << "openat(dup2 of dirfd)\n" << dump;
  EXPECT_EQ(created(b + "/f6"), 1) << "openat(dup3 of dirfd)\n" << dump;
  EXPECT_EQ(created(b + "/f7"), 1) << "openat(F_DUPFD of dirfd)\n" << dump;
  EXPECT_EQ(created(b + "/f7d"), 1) << "openat(dup of dirfd)\n" << dump;
  EXPECT_EQ(created(d + "/f8"), 1) << "openat(reused descriptor number)\n" << dump;
  EXPECT_EQ(created(b + "/g1"), 1) << "open after a thread's chdir\n" << dump;
  EXPECT_EQ(created(d + "/u1"), 1) << "open after chdir in a thread with its own cwd\n" << dump;
  EXPECT_EQ(created(a + "/u2"), 1) << "open after another thread unshared its cwd\n" << dump;
  EXPECT_EQ(created(d + "/c1"), 1) << "child's openat(inherited dirfd)\n" << dump;
  EXPECT_EQ(created(a + "/f9"), 1) << "open after a child's chdir(\"/\")\n" << dump;
  EXPECT_EQ(created(d + "/scm1"), 1) << "openat(dirfd received over SCM_RIGHTS, reusing the "
                                         "number of a closed dirfd)\n" << dump;
  EXPECT_EQ(created(a + "/ren2/r1"), 1) << "open after the cwd was renamed\n" << dump;
  EXPECT_EQ(QueryInt("SELECT count(*) FROM file_events WHERE op='read' AND result>=0 AND path=" +
                     Sql(a + "/f1")),
            1)
      << "open(\"../a/./f1\")\n" << dump;
  EXPECT_EQ(QueryInt("SELECT count(*) FROM file_events WHERE op='read' AND path='/etc/passwd' "
                     "AND result>=0"),
            1)
      << dump;
  // The child's file is recorded under the child, not the parent.
  EXPECT_NE(QueryOne("SELECT pid FROM file_events WHERE path=" + Sql(d + "/c1")),
            QueryOne("SELECT pid FROM file_events WHERE path=" + Sql(a + "/f9")));

  // Two-path and single-path operations, in call order.
  Rows ops = Query("SELECT op, path, coalesce(path2, '') FROM file_events WHERE result=0 AND op "
                   "IN ('rename', 'link', 'symlink', 'unlink', 'mkdir', 'rmdir') AND path LIKE " +
                   Sql(d + "/%") + " ORDER BY id");
  EXPECT_THAT(ops, ElementsAre(ElementsAre("mkdir", a, ""),
                               ElementsAre("mkdir", b, ""),
                               ElementsAre("rename", a + "/f4", a + "/f4r"),
                               ElementsAre("rename", d + "/f8", a + "/f8r"),
                               ElementsAre("link", a + "/f1", a + "/f1l"),
                               ElementsAre("link", a + "/f1", d + "/f1top"),
                               // symlink: path2 is the link's target text, unresolved.
                               ElementsAre("symlink", a + "/sl", "some/target"),
                               ElementsAre("symlink", d + "/sl2", "/abs/target"),
                               ElementsAre("unlink", a + "/f1l", ""),
                               ElementsAre("mkdir", a + "/m", ""),
                               ElementsAre("rmdir", a + "/m", ""),
                               ElementsAre("mkdir", d + "/m2", ""),
                               ElementsAre("rmdir", d + "/m2", ""),
                               ElementsAre("unlink", d + "/f1top", ""),
                               ElementsAre("mkdir", a + "/ren", ""),
                               ElementsAre("rename", a + "/ren", a + "/ren2")))
      << dump;
}

// The %file calls beyond opens and stats that name a path (strace shows
// them; warden recorded only their raw syscall events): each is a file event
// with its path resolved against the dirfd, NULL meaning the dirfd itself
// for fanotify_mark and no file at all for quotactl(Q_SYNC).
TEST_F(DirfdTest, OtherPathCallsAreFileEvents) {
  const std::string s = Path("sub");
  ASSERT_EQ(mkdir(s.c_str(), 0755), 0);
  ExitInfo r = RunWarden({Helper("path_calls"), s});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_EQ(Field(r.out, "done", 0), "done");
  const std::string mine = " syscall NOT IN ('execve', 'openat') AND path LIKE " + Sql(dir() + "/%");
  Rows rows = Query("SELECT syscall, op, path, coalesce(path2, '') FROM file_events WHERE" + mine +
                    " ORDER BY id");
  EXPECT_THAT(rows, ElementsAre(ElementsAre("fanotify_mark", "watch", s + "/fa", ""),
                                ElementsAre("fanotify_mark", "watch", s, ""),
                                ElementsAre("quotactl", "quota", Path("qdev"), ""),
                                ElementsAre("open_tree", "mount", s + "/ot", ""),
                                ElementsAre("open_tree_attr", "mount", s + "/ota", ""),
                                ElementsAre("fspick", "mount", s + "/fp", ""),
                                ElementsAre("mount_setattr", "mount", s + "/ms", ""),
                                ElementsAre("move_mount", "mount", s + "/from", Path("to")),
                                ElementsAre("setxattrat", "xattr", s + "/sx", ""),
                                ElementsAre("getxattrat", "xattr", s + "/gx", ""),
                                ElementsAre("listxattrat", "xattr", s + "/lx", ""),
                                ElementsAre("removexattrat", "xattr", s + "/rx", ""),
                                ElementsAre("file_getattr", "stat", s + "/fg", ""),
                                ElementsAre("file_setattr", "chmod", s + "/fs", ""),
                                ElementsAre("faccessat2", "access", s + "/fa2", "")))
      << Dump();
  // 0x200 is AT_EACCESS for faccessat2 (it would be AT_REMOVEDIR for unlinkat).
  EXPECT_EQ(QueryOne("SELECT flags FROM file_events WHERE syscall='faccessat2' AND" + mine),
            "AT_EACCESS");
  // None of them succeeded: the helper makes each fail before it acts.
  EXPECT_EQ(QueryInt("SELECT count(*) FROM file_events WHERE result>=0 AND" + mine), 0)
      << Dump();
}

}  // namespace
}  // namespace warden::itest
