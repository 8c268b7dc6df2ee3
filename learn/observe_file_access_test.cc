#include "learn/file_access.h"

#include <fcntl.h>

#include "gtest/gtest.h"
#include "syscalls/decode.h"

namespace warden::learn {
namespace {

using policy::FileAccess;

FileAccess Access(std::string_view syscall, std::string_view op, std::string_view flags) {
  return FileAccessOfEvent(syscall, op, flags).access;
}

TEST(FileAccessTest, OpensByTheirFlagsAsTheGateJudgesThem) {
  EXPECT_EQ(Access("openat", "read", "O_RDONLY|O_CLOEXEC"), FileAccess::kRead);
  EXPECT_EQ(Access("open", "write", "O_WRONLY"), FileAccess::kWrite);
  EXPECT_EQ(Access("openat", "write", "O_RDWR|O_CLOEXEC"), FileAccess::kReadWrite);
  EXPECT_EQ(Access("openat", "create", "O_WRONLY|O_CREAT|O_TRUNC"), FileAccess::kWrite);
  // O_CREAT or O_TRUNC on a read-only open: read and write.
  EXPECT_EQ(Access("openat", "create", "O_RDONLY|O_CREAT"), FileAccess::kReadWrite);
  EXPECT_EQ(Access("openat", "truncate", "O_RDONLY|O_TRUNC"), FileAccess::kReadWrite);
  EXPECT_EQ(Access("openat", "stat", "O_RDONLY|O_PATH"), FileAccess::kNone);
  EXPECT_EQ(Access("openat", "write", "O_ACCMODE"), FileAccess::kReadWrite);
  EXPECT_EQ(Access("openat2", "write", "O_RDWR|O_TMPFILE"), FileAccess::kReadWrite);
  EXPECT_EQ(Access("open_by_handle_at", "read", "O_RDONLY"), FileAccess::kRead);
  // Bits the decoder has no name for are kept as hex; they change nothing.
  EXPECT_EQ(Access("openat", "read", "O_RDONLY|0x40000000"), FileAccess::kRead);
}

TEST(FileAccessTest, AnOpenWithoutFlagsTextFallsBackOnItsOp) {
  EXPECT_EQ(Access("openat", "read", ""), FileAccess::kRead);
  EXPECT_EQ(Access("openat", "create", ""), FileAccess::kWrite);
  EXPECT_EQ(Access("openat", "stat", ""), FileAccess::kNone);
}

TEST(FileAccessTest, ModifyingOpsWriteAndOnlyRenameAndLinkWritePath2) {
  EXPECT_EQ(Access("creat", "create", "O_WRONLY|O_CREAT|O_TRUNC"), FileAccess::kWrite);
  for (std::string_view call : {"unlink", "unlinkat", "rmdir", "mkdir", "mknodat", "chmod",
                                "fchownat", "truncate", "utimensat", "rename", "renameat2",
                                "link", "symlink"})
    EXPECT_EQ(Access(call, "", "0"), FileAccess::kWrite) << call;
  EXPECT_TRUE(FileAccessOfEvent("renameat2", "rename", "0").writes_path2);
  EXPECT_TRUE(FileAccessOfEvent("linkat", "link", "0").writes_path2);
  EXPECT_FALSE(FileAccessOfEvent("symlinkat", "symlink", "").writes_path2);
  EXPECT_FALSE(FileAccessOfEvent("unlinkat", "unlink", "0").writes_path2);
}

TEST(FileAccessTest, XattrWritersByNameReadersNot) {
  EXPECT_EQ(Access("setxattr", "xattr", ""), FileAccess::kWrite);
  EXPECT_EQ(Access("fremovexattr", "xattr", ""), FileAccess::kWrite);
  EXPECT_EQ(Access("getxattr", "xattr", ""), FileAccess::kNone);
  EXPECT_EQ(Access("listxattrat", "xattr", "0"), FileAccess::kNone);
}

TEST(FileAccessTest, CallsFileRulesDoNotJudgeAreNone) {
  for (std::string_view call : {"newfstatat", "faccessat2", "readlinkat", "execve", "chdir",
                                "inotify_add_watch", "mount", "no_such_call"})
    EXPECT_EQ(Access(call, "", ""), FileAccess::kNone) << call;
}

TEST(FileAccessTest, FlagsTextParsesBackExactly) {
  EXPECT_EQ(syscalls::ParseFlagsText(""), 0u);
  EXPECT_EQ(syscalls::ParseFlagsText("O_RDONLY"), 0u);
  EXPECT_EQ(syscalls::ParseFlagsText("O_WRONLY|O_CREAT|O_EXCL|0x10000000"),
            uint64_t{O_WRONLY | O_CREAT | O_EXCL | 0x10000000});
}

}  // namespace
}  // namespace warden::learn
