#include "harden/lib_search.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harden/test_root.h"

namespace warden::harden {
namespace {

namespace fs = std::filesystem;

// A small root filesystem in a temp directory: a merged-/usr layout
// (lib -> usr/lib) with copies of this machine's libm and libc.
class LibSearchTest : public testing::TempRootTest {
 protected:
  void SetUp() override {
    TempRootTest::SetUp();
    fs::create_directories(root_ + "/usr/lib/x86_64-linux-gnu");
    fs::create_directories(root_ + "/etc/ld.so.conf.d");
    fs::create_directories(root_ + "/opt/app/bin");
    fs::create_directories(root_ + "/opt/app/lib");
    fs::create_symlink("usr/lib", root_ + "/lib");
    fs::copy_file("/lib/x86_64-linux-gnu/libm.so.6", root_ + "/opt/app/lib/libm.so.6");
    fs::copy_file("/lib/x86_64-linux-gnu/libc.so.6", root_ + "/usr/lib/x86_64-linux-gnu/libc.so.6");
    Write("/etc/ld.so.conf", "# comment\ninclude /etc/ld.so.conf.d/*.conf\n");
    Write("/etc/ld.so.conf.d/app.conf", "/opt/app/lib  # the app's own\n");
  }

  ElfDeps X64() const {
    auto deps = ReadElfDeps("/bin/ls");
    return deps.ok() && deps->has_value() ? **deps : ElfDeps{};
  }

};

TEST_F(LibSearchTest, ReadsLdSoConfWithItsIncludes) {
  LibrarySearch s(root_);
  EXPECT_THAT(s.conf_dirs(), ::testing::ElementsAre("/opt/app/lib"));
  EXPECT_EQ(s.Find("libm.so.6", X64(), "/usr/bin/ls"), "/opt/app/lib/libm.so.6");
}

TEST_F(LibSearchTest, SystemDirectoriesThroughTheRootsOwnSymlinks) {
  LibrarySearch s(root_);
  // /lib/x86_64-linux-gnu comes first and is a symlink in this root only.
  EXPECT_EQ(s.Find("libc.so.6", X64(), "/usr/bin/ls"), "/lib/x86_64-linux-gnu/libc.so.6");
  EXPECT_EQ(s.Find("libnothere.so.1", X64(), "/usr/bin/ls"), std::nullopt);
}

TEST_F(LibSearchTest, RunpathWithOrigin) {
  fs::remove(root_ + "/etc/ld.so.conf.d/app.conf");
  LibrarySearch s(root_);
  ElfDeps app = X64();
  app.runpath = {"$ORIGIN/../lib"};
  EXPECT_EQ(s.Find("libm.so.6", app, "/opt/app/bin/tool"), "/opt/app/bin/../lib/libm.so.6");
  EXPECT_EQ(s.Find("libm.so.6", X64(), "/opt/app/bin/tool"), std::nullopt);
}

TEST_F(LibSearchTest, AnotherClassIsPassedOver) {
  LibrarySearch s(root_);
  ElfDeps i386 = X64();
  i386.is_64 = false;
  i386.machine = 3;  // EM_386
  EXPECT_EQ(s.Find("libm.so.6", i386, "/usr/bin/x"), std::nullopt);
}

TEST_F(LibSearchTest, InRootResolvesAbsoluteSymlinksInsideTheRoot) {
  fs::create_symlink("/usr/lib/x86_64-linux-gnu/libc.so.6", root_ + "/opt/app/lib/libc-abs.so");
  EXPECT_EQ(InRoot(root_, "/opt/app/lib/libc-abs.so"),
            root_ + "/usr/lib/x86_64-linux-gnu/libc.so.6");
}

}  // namespace
}  // namespace warden::harden
