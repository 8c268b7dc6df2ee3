#include "harden/root_walk.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harden/test_root.h"

namespace warden::harden {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// A merged-/usr root: bin -> usr/bin, lib64 -> usr/lib64, sh -> dash,
// ld.so's own link, /etc/localtime -> /usr/share/zoneinfo/Etc/UTC.
class RootWalkTest : public testing::TempRootTest {
 protected:
  void SetUp() override {
    TempRootTest::SetUp();
    testing::MakeMergedUsr(root_);
    Write("/usr/bin/dash", "x");
    fs::create_symlink("dash", root_ + "/usr/bin/sh");
    Write("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "x");
    Write("/usr/share/zoneinfo/Etc/UTC", "x");
    fs::create_symlink("../usr/share/zoneinfo/Etc/UTC", root_ + "/etc/localtime");
  }
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
