#include "harden/copy_tree.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harden/test_root.h"
#include "tests/scratch.h"

namespace warden::harden {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

using warden::testing::Slurp;

class CopyTreeTest : public testing::TempRootTest {
 protected:
  void SetUp() override {
    TempRootTest::SetUp();
    out_ = tmp_ + "/out";
    fs::create_directories(root_ + "/srv/app");
    chmod((root_ + "/srv/app").c_str(), 0750);
    Write("/srv/app/conf", "key=value\n");
    chmod((root_ + "/srv/app/conf").c_str(), 0640);
    Write("/srv/app/dropped", "never used\n");
    link((root_ + "/srv/app/conf").c_str(), (root_ + "/srv/app/conf.hard").c_str());
    fs::create_symlink("conf", root_ + "/srv/app/current");
    xattr_ = setxattr((root_ + "/srv/app/conf").c_str(), "user.warden", "v", 1, 0) == 0;
    for (const char* p : {"/srv", "/srv/app", "/srv/app/conf", "/srv/app/conf.hard",
                          "/srv/app/current"})
      plan_.kept[p] = Kept{Why::kObserved, ""};
  }

  std::string out_;
  bool xattr_ = false;
  Plan plan_;
};

TEST_F(CopyTreeTest, ContentsModesLinksAndHardLinksArePreserved) {
  auto stats = CopyTree(root_, plan_, out_, false);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(Slurp(out_ + "/srv/app/conf"), "key=value\n");
  struct stat a, b, d;
  ASSERT_EQ(stat((out_ + "/srv/app/conf").c_str(), &a), 0);
  ASSERT_EQ(stat((out_ + "/srv/app/conf.hard").c_str(), &b), 0);
  ASSERT_EQ(stat((out_ + "/srv/app").c_str(), &d), 0);
  EXPECT_EQ(a.st_mode & 07777, 0640u);
  EXPECT_EQ(d.st_mode & 07777, 0750u);
  EXPECT_EQ(a.st_ino, b.st_ino);  // one inode, two names, as in the source
  EXPECT_EQ(fs::read_symlink(out_ + "/srv/app/current"), "conf");
  EXPECT_FALSE(fs::exists(out_ + "/srv/app/dropped"));
  EXPECT_EQ(stats->files, 1u);
  EXPECT_EQ(stats->hard_links, 1u);
  EXPECT_EQ(stats->links, 1u);
  if (xattr_) {
    char v[8] = {};
    EXPECT_EQ(getxattr((out_ + "/srv/app/conf").c_str(), "user.warden", v, sizeof v), 1);
    EXPECT_EQ(v[0], 'v');
  }
  const CopyStats before = MeasureTree(root_);
  EXPECT_EQ(before.files, 2u);  // conf (one inode) and dropped
  EXPECT_GT(before.bytes, stats->bytes);
}

TEST_F(CopyTreeTest, ANonEmptyOutputIsRefusedUnlessForced) {
  fs::create_directories(out_);
  std::ofstream(out_ + "/old") << "x";
  auto stats = CopyTree(root_, plan_, out_, false);
  ASSERT_FALSE(stats.ok());
  EXPECT_THAT(std::string(stats.status().message()), HasSubstr("not empty"));
  EXPECT_FALSE(fs::exists(out_ + "/srv"));  // nothing written
  EXPECT_TRUE(CopyTree(root_, plan_, out_, true).ok());
  EXPECT_TRUE(fs::exists(out_ + "/srv/app/conf"));
}

}  // namespace
}  // namespace warden::harden
