#include "harden/plan.h"

#include <stdio.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harden/test_root.h"

namespace warden::harden {
namespace {

namespace fs = std::filesystem;
using ::testing::IsEmpty;
using ::testing::Key;
using ::testing::Contains;
using ::testing::Not;

// A merged-/usr root with this machine's /usr/bin/ls (also as "unused")
// and its libraries.
class PlanTest : public testing::TempRootTest {
 protected:
  void SetUp() override {
    TempRootTest::SetUp();
    testing::MakeMergedUsr(root_);
    fs::create_directories(root_ + "/tmp");
    libs_ = testing::CopyProgram(root_, "ls");
    testing::CopyProgram(root_, "ls", "unused");
    Write("/etc/passwd", "root:x:0:0::/root:/bin/sh\n");
    Write("/etc/nsswitch.conf", "passwd: files\n");
  }

  PlanInput Input(std::vector<std::string> observed) {
    PlanInput in;
    in.root = root_;
    in.observed = std::move(observed);
    return in;
  }

  std::vector<std::string> libs_;
};

TEST_F(PlanTest, KeepsTheProgramItsLinksItsLoaderAndItsLibraries) {
  auto plan = MakePlan(Input({"/bin/ls"}));
  ASSERT_TRUE(plan.ok()) << plan.status();
  const auto& k = plan->kept;
  ASSERT_TRUE(k.contains("/usr/bin/ls"));
  EXPECT_EQ(k.at("/usr/bin/ls").why, Why::kObserved);
  EXPECT_EQ(k.at("/bin").why, Why::kLinkOnTheWay);
  // The interpreter named in the ELF file, through its own link chain.
  EXPECT_EQ(k.at("/lib64").why, Why::kLinkOnTheWay);
  EXPECT_EQ(k.at("/usr/lib64/ld-linux-x86-64.so.2").why, Why::kLinkOnTheWay);
  EXPECT_EQ(k.at("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2").why, Why::kElfDependency);
  ASSERT_FALSE(libs_.empty());
  for (const std::string& l : libs_) EXPECT_TRUE(k.contains(l)) << l;  // transitive too
  EXPECT_EQ(k.at("/usr/lib/x86_64-linux-gnu/libc.so.6").why, Why::kElfDependency);
  EXPECT_EQ(k.at("/etc/passwd").why, Why::kDefault);
  EXPECT_EQ(k.at("/tmp").why, Why::kDefault);
  EXPECT_EQ(k.at("/usr").why, Why::kParent);
  EXPECT_THAT(k, Not(Contains(Key("/usr/bin/unused"))));
  EXPECT_THAT(plan->missing, IsEmpty());
}

TEST_F(PlanTest, KeepFileAddsAndExcludes) {
  PlanInput in = Input({"/bin/ls", "/etc/passwd"});
  auto keep = KeepFile::Parse("/usr/bin/unused\n!/etc/passwd\n", "keep");
  ASSERT_TRUE(keep.ok());
  in.keep = *keep;
  in.defaults.users = false;
  auto plan = MakePlan(in);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->kept.at("/usr/bin/unused").why, Why::kKeepFile);
  EXPECT_THAT(plan->kept, Not(Contains(Key("/etc/passwd"))));
}

TEST_F(PlanTest, MissingLibraryIsReportedAndAMissingRootRefused) {
  fs::remove(root_ + "/usr/lib/x86_64-linux-gnu/libc.so.6");
  auto plan = MakePlan(Input({"/usr/bin/ls"}));
  ASSERT_TRUE(plan.ok());
  EXPECT_THAT(plan->missing, Contains(::testing::HasSubstr("libc.so.6")));
  PlanInput bad;
  bad.root = "/nonexistent";
  EXPECT_FALSE(MakePlan(bad).ok());
}

}  // namespace
}  // namespace warden::harden
