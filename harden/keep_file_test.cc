#include "harden/keep_file.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace warden::harden {
namespace {

using ::testing::HasSubstr;

TEST(KeepFileTest, GlobsExcludesAndComments) {
  auto k = KeepFile::Parse(
      "# extra files\n"
      "/usr/lib/python3/**   # dynamic imports\n"
      "\n"
      "!/usr/lib/python3/**/__pycache__/**\n"
      "/etc/ssl/certs/*.pem\n",
      "keep.txt");
  ASSERT_TRUE(k.ok()) << k.status();
  EXPECT_EQ(k->lines().size(), 3u);
  EXPECT_TRUE(k->Keeps("/usr/lib/python3/dist-packages/six.py"));
  EXPECT_FALSE(k->Keeps("/usr/lib/python3/dist-packages/__pycache__/six.cpython-311.pyc"));
  EXPECT_TRUE(k->Excludes("/usr/lib/python3/dist-packages/__pycache__/six.cpython-311.pyc"));
  EXPECT_TRUE(k->Keeps("/etc/ssl/certs/a.pem"));
  EXPECT_FALSE(k->Keeps("/etc/ssl/certs/sub/a.pem"));  // * stays within one name
  EXPECT_FALSE(k->Keeps("/etc/passwd"));
  EXPECT_FALSE(k->Excludes("/etc/passwd"));
}

TEST(KeepFileTest, ErrorsNameTheFileAndLine) {
  auto k = KeepFile::Parse("/ok/**\nrelative/path\n", "keep.txt");
  ASSERT_FALSE(k.ok());
  EXPECT_THAT(std::string(k.status().message()), HasSubstr("keep.txt:2:"));
  k = KeepFile::Parse("/a\n/b[\n", "k");
  ASSERT_FALSE(k.ok());
  EXPECT_THAT(std::string(k.status().message()), HasSubstr("k:2:"));
  EXPECT_FALSE(KeepFile::Read("/nonexistent/keep").ok());
}

}  // namespace
}  // namespace warden::harden
