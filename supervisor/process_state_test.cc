#include "supervisor/process_state.h"

#include "gtest/gtest.h"

namespace warden::supervisor {
namespace {

FdEntry File(const std::string& path, bool cloexec = false) {
  return FdEntry{FdEntry::Kind::kFile, path, cloexec};
}

TEST(FdTableTest, SetFindAndOverwrite) {
  FdTable t;
  EXPECT_EQ(t.Find(3), nullptr);
  t.Set(3, File("/etc"));
  ASSERT_NE(t.Find(3), nullptr);
  EXPECT_EQ(t.Find(3)->path, "/etc");
  t.Set(3, File("/usr"));  // a reused number overwrites: close is not traced
  EXPECT_EQ(t.Find(3)->path, "/usr");
}

TEST(FdTableTest, DupCopiesTheEntryWithItsOwnCloexec) {
  FdTable t;
  t.Set(3, File("/etc", /*cloexec=*/true));
  t.Dup(3, 7, /*cloexec=*/false);
  ASSERT_NE(t.Find(7), nullptr);
  EXPECT_EQ(t.Find(7)->path, "/etc");
  EXPECT_FALSE(t.Find(7)->cloexec);
  t.Set(8, File("/old"));
  t.Dup(42, 8, false);  // dup of an unknown fd: the target is unknown now too
  EXPECT_EQ(t.Find(8), nullptr);
}

TEST(FdTableTest, CloseRangeAndExec) {
  FdTable t;
  for (int fd = 3; fd < 10; ++fd) t.Set(fd, File("/f" + std::to_string(fd), fd % 2 == 0));
  t.CloseRange(5, 6);
  EXPECT_EQ(t.Find(5), nullptr);
  EXPECT_EQ(t.Find(6), nullptr);
  EXPECT_NE(t.Find(7), nullptr);
  t.SetCloexec(7, true);
  t.ApplyExec();  // O_CLOEXEC descriptors are gone after a successful exec
  EXPECT_NE(t.Find(3), nullptr);
  EXPECT_EQ(t.Find(4), nullptr);
  EXPECT_EQ(t.Find(7), nullptr);
  EXPECT_NE(t.Find(9), nullptr);
}

}  // namespace
}  // namespace warden::supervisor
