#include "harden/root_walk.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace warden::harden {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class RootWalkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/warden_root.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    // A merged-/usr root: bin -> usr/bin, lib64 -> usr/lib64, sh -> dash,
    // ld.so's own link, /etc/localtime -> /usr/share/zoneinfo/Etc/UTC.
    for (const char* d : {"/usr/bin", "/usr/lib64", "/usr/lib/x86_64-linux-gnu",
                          "/usr/share/zoneinfo/Etc", "/etc"})
      fs::create_directories(root_ + d);
    fs::create_symlink("usr/bin", root_ + "/bin");
    fs::create_symlink("usr/lib64", root_ + "/lib64");
    std::ofstream(root_ + "/usr/bin/dash") << "x";
    fs::create_symlink("dash", root_ + "/usr/bin/sh");
    std::ofstream(root_ + "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2") << "x";
    fs::create_symlink("/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                       root_ + "/usr/lib64/ld-linux-x86-64.so.2");
    fs::create_symlink("usr/lib", root_ + "/lib");
    std::ofstream(root_ + "/usr/share/zoneinfo/Etc/UTC") << "x";
    fs::create_symlink("../usr/share/zoneinfo/Etc/UTC", root_ + "/etc/localtime");
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string root_;
};

TEST_F(RootWalkTest, WholeChainsOfAMergedUsrLayout) {
  RootWalk w = WalkInRoot(root_, "/bin/sh");
  EXPECT_THAT(w.links, ElementsAre("/bin", "/usr/bin/sh"));
  EXPECT_EQ(w.target, "/usr/bin/dash");
  w = WalkInRoot(root_, "/lib64/ld-linux-x86-64.so.2");
  EXPECT_THAT(w.links, ElementsAre("/lib64", "/usr/lib64/ld-linux-x86-64.so.2", "/lib"));
  EXPECT_EQ(w.target, "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
  w = WalkInRoot(root_, "/etc/localtime");
  EXPECT_THAT(w.links, ElementsAre("/etc/localtime"));
  EXPECT_EQ(w.target, "/usr/share/zoneinfo/Etc/UTC");
}

TEST_F(RootWalkTest, NotFollowedLastLinkAndMissingFiles) {
  RootWalk w = WalkInRoot(root_, "/bin/sh", /*follow_last=*/false);
  EXPECT_THAT(w.links, ElementsAre("/bin"));
  EXPECT_EQ(w.target, "/usr/bin/sh");
  w = WalkInRoot(root_, "/bin/nothere");
  EXPECT_THAT(w.links, ElementsAre("/bin"));
  EXPECT_EQ(w.target, std::nullopt);
}

TEST_F(RootWalkTest, StaysInsideTheRoot) {
  // "/../../etc" is "/etc" of the root, and an absolute link's target is
  // the root's, never the host's.
  fs::create_symlink("/etc/hostname", root_ + "/etc/h");
  RootWalk w = WalkInRoot(root_, "/../../etc/h");
  EXPECT_THAT(w.links, ElementsAre("/etc/h"));
  EXPECT_EQ(w.target, std::nullopt);  // the root has no /etc/hostname
  fs::create_symlink("loop", root_ + "/etc/loop");
  EXPECT_EQ(WalkInRoot(root_, "/etc/loop").target, std::nullopt);
}

}  // namespace
}  // namespace warden::harden
