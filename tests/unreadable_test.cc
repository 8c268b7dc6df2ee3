// Pointers the tracer cannot read (SECURITY.md 14): NULL, an unmapped page,
// a string running into an unmapped page, an over-long path, a bad argv
// element and a huge argv. warden survives, records each call with a marker
// instead of a made-up path, and the exit status is intact.
#include <errno.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

using ::testing::ElementsAre;
using ::testing::StartsWith;

class UnreadableTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    if (HasFatalFailure()) return;
    r_ = RunWarden({Helper("unreadable_helper")});
    out_ = r_.out;
  }
  // "<case> <ret> <errno> <address>" from the helper.
  std::string Errno(const std::string& name) { return Field(out_, name, 2); }
  std::string Addr(const std::string& name) { return Field(out_, name, 3); }
  // path, op, result, errno, path2 of the file rows with errno `err`, in order.
  Rows FailedFileRows(int err) {
    return Query("SELECT path, op, result, errno, coalesce(path2, '') FROM file_events WHERE "
                 "errno=" + std::to_string(err) + " ORDER BY id");
  }

  ExitInfo r_;
  std::string out_;
};

TEST_F(UnreadableTest, WardenSurvivesAndTheExitStatusIsIntact) {
  // The last step execs `sh -c 'exit 7'` with ~300 KB of argv.
  EXPECT_EQ(r_.exit_code, 7) << r_.out << r_.err;
  EXPECT_EQ(r_.signal, 0);
  EXPECT_THAT(Query("SELECT exit_code, coalesce(exit_signal, 0) FROM runs"),
              ElementsAre(ElementsAre("7", "0")));
  for (const char* c : {"null", "unmapped", "cross", "rename2", "badargv"})
    EXPECT_EQ(Errno(c), std::to_string(EFAULT)) << c << "\n" << out_;
  EXPECT_EQ(Errno("long"), std::to_string(ENAMETOOLONG)) << out_;
}

TEST_F(UnreadableTest, UnreadablePathsAreRecordedWithMarkers) {
  ASSERT_EQ(r_.exit_code, 7);
  const std::string dump = Dump();
  const std::string unmapped = "<unreadable " + Addr("unmapped") + ">";
  // In call order: open(NULL), open(unmapped), open(crossing), rename(src,
  // unmapped). A NULL path is not the cwd; a cut-off string is not a path.
  EXPECT_THAT(FailedFileRows(EFAULT),
              ElementsAre(ElementsAre("<unreadable 0x0>", "read", "-1", "14", ""),
                          ElementsAre(unmapped, "read", "-1", "14", ""),
                          ElementsAre("<truncated " + Addr("cross") + ": aaaaaaaaaaaaaaaa>",
                                      "read", "-1", "14", ""),
                          ElementsAre(Path("unreadable-src"), "rename", "-1", "14", unmapped),
                          ElementsAre(Real("/bin/sh"), "exec", "-1", "14", "")))
      << dump;
  // A 6000-byte path is cut at PATH_MAX and says so.
  Rows too_long = FailedFileRows(ENAMETOOLONG);
  ASSERT_EQ(too_long.size(), 1u) << dump;
  EXPECT_THAT(too_long[0][0], StartsWith("<truncated " + Addr("long") + ": /xxxx"));
  EXPECT_LT(too_long[0][0].size(), 4200u);
  // Every other recorded path is absolute.
  EXPECT_EQ(QueryInt("SELECT count(*) FROM file_events WHERE path NOT LIKE '/%' AND path NOT "
                     "LIKE '<unreadable 0x%>' AND path NOT LIKE '<truncated 0x%>'"),
            0)
      << dump;
  // The raw rows show the same, strace style.
  EXPECT_THAT(Query("SELECT args FROM syscall_events WHERE name='openat' AND errno=14 ORDER BY id"),
              ElementsAre(ElementsAre("AT_FDCWD, NULL, O_RDONLY"),
                          ElementsAre("AT_FDCWD, " + unmapped + ", O_RDONLY"),
                          ElementsAre("AT_FDCWD, \"aaaaaaaaaaaaaaaa\"..., O_RDONLY")))
      << dump;
}

TEST_F(UnreadableTest, BadAndHugeArgvAreMarkedTruncated) {
  ASSERT_EQ(r_.exit_code, 7);
  const std::string dump = Dump();
  // execve("/bin/sh", {"sh", <unmapped>}): failed, argv cut at the bad element.
  EXPECT_THAT(Query("SELECT path, argv, argv_truncated, result, errno FROM exec_events "
                    "WHERE errno=14"),
              ElementsAre(ElementsAre(Real("/bin/sh"), "[\"sh\"]", "1", "-1", "14")))
      << dump;
  // The huge argv: the exec succeeded; argv kept up to the cap and flagged.
  Rows big = Query("SELECT argv, argv_truncated, result FROM exec_events WHERE result=0 AND "
                   "path=" + Sql(Real("/bin/sh")));
  ASSERT_EQ(big.size(), 1u) << dump;
  EXPECT_EQ(big[0][1], "1");
  auto argv = ParseJsonStringArray(big[0][0]);
  ASSERT_TRUE(argv.has_value());
  ASSERT_GE(argv->size(), 3u);
  EXPECT_EQ((*argv)[0], "sh");
  EXPECT_EQ((*argv)[1], "-c");
  EXPECT_EQ((*argv)[2], "exit 7");
  EXPECT_LT(argv->size(), 303u) << "300 extra arguments of 1000 bytes cannot all fit the cap";
  EXPECT_EQ(QueryOne("SELECT exit_code FROM processes WHERE argv LIKE '[\"sh\",\"-c\",\"exit 7\"%'"),
            "7");
}

}  // namespace
}  // namespace warden::itest
