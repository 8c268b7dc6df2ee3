#include "harden/elf_deps.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace warden::harden {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

// This machine's own programs: /bin/ls is a dynamic x86_64 executable.
TEST(ElfDepsTest, ReadsTheInterpreterAndTheNeededLibrariesOfARealProgram) {
  auto deps = ReadElfDeps("/bin/ls");
  ASSERT_TRUE(deps.ok()) << deps.status();
  ASSERT_TRUE(deps->has_value());
  EXPECT_TRUE((*deps)->is_64);
  EXPECT_THAT((*deps)->interpreter, HasSubstr("ld-linux"));
  EXPECT_THAT((*deps)->needed, Contains("libc.so.6"));
}

TEST(ElfDepsTest, ASharedLibraryHasNoInterpreter) {
  // (Debian's libc.so.6 is also a program, with PT_INTERP; libm is not.)
  auto deps = ReadElfDeps("/lib/x86_64-linux-gnu/libm.so.6");
  ASSERT_TRUE(deps.ok()) << deps.status();
  ASSERT_TRUE(deps->has_value());
  EXPECT_EQ((*deps)->interpreter, "");
  EXPECT_THAT((*deps)->needed, Contains("libc.so.6"));
}

class TempFile {
 public:
  explicit TempFile(const std::string& bytes) {
    char tmpl[] = "/tmp/warden_elf.XXXXXX";
    const int fd = mkstemp(tmpl);
    path_ = tmpl;
    if (fd >= 0) {
      (void)!write(fd, bytes.data(), bytes.size());
      close(fd);
    }
  }
  ~TempFile() { unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(ElfDepsTest, AScriptIsNotElf) {
  TempFile f("#!/bin/sh\nexit 0\n");
  auto deps = ReadElfDeps(f.path());
  ASSERT_TRUE(deps.ok()) << deps.status();
  EXPECT_FALSE(deps->has_value());
}

TEST(ElfDepsTest, ATruncatedElfIsAnErrorThatNamesTheFile) {
  std::ifstream in("/bin/ls", std::ios::binary);
  std::string head(100, '\0');
  in.read(head.data(), head.size());
  TempFile f(head);  // the ELF header, its program headers cut off
  auto deps = ReadElfDeps(f.path());
  ASSERT_FALSE(deps.ok());
  EXPECT_THAT(std::string(deps.status().message()), HasSubstr(f.path()));
}

TEST(ElfDepsTest, AMissingFileIsAnError) {
  EXPECT_FALSE(ReadElfDeps("/nonexistent/warden").ok());
}

}  // namespace
}  // namespace warden::harden
