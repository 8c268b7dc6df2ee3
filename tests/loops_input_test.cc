// Bad input to learn, expect, verify and policy test: a clear message naming
// what is wrong, exit status 2, no output file, and no database written or
// created (issue 10).
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

class LoopsInputTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    ExitInfo r = RunWarden({"/bin/cat", "/etc/hostname"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // Fold the WAL in, so that the file's bytes are all there is to compare.
    Run({"/usr/bin/sqlite3", db(), "PRAGMA wal_checkpoint(TRUNCATE)"});
    before_ = ReadFile(db());
  }
  ExitInfo Warden(std::vector<std::string> args) {
    args.insert(args.begin(), WardenBin());
    return Run(args);
  }
  // Exit 2, the message, no output file, the database untouched.
  void ExpectRefused(const ExitInfo& r, const std::string& message) {
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_THAT(r.err, HasSubstr(message));
    EXPECT_FALSE(std::filesystem::exists(Path("out"))) << "an output file was written";
    EXPECT_EQ(ReadFile(db()), before_) << "the database changed";
  }
  std::string before_;
};

TEST_F(LoopsInputTest, LearnRefusesAMergeFileWithErrors) {
  WriteFile(Path("bad.yaml"), "version: 1\nname: x\nrules:\n  - name: r\n    type: file-read\n"
                              "    paths: /etc/x\n    action: alow\n");
  ExitInfo r = Warden({"learn", "--db", db(), "--merge", Path("bad.yaml"), "-o", Path("out")});
  ExpectRefused(r, "bad.yaml:7:");
  EXPECT_THAT(r.err, HasSubstr("alow"));
}

TEST_F(LoopsInputTest, ExpectedProfileThatIsNotJsonOrOfAnotherVersion) {
  WriteFile(Path("notjson.json"), "{\"schema_version\": 1,\n  \"service\": x}\n");
  ExpectRefused(Warden({"verify", "--expect", Path("notjson.json"), "--db", db(), "-o", Path("out")}),
                "notjson.json:2:");
  WriteFile(Path("v2.json"), "{\"schema_version\": 2, \"service\": \"s\", \"items\": []}\n");
  ExpectRefused(Warden({"verify", "--expect", Path("v2.json"), "--db", db(), "-o", Path("out")}),
                "schema_version 2");
}

TEST_F(LoopsInputTest, ARunThatDoesNotExist) {
  ExitInfo e = Warden({"expect", "--db", db(), "-o", Path("expect.json")});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  WriteFile(Path("p.yaml"), "version: 1\nname: p\nrules: []\n");
  for (const std::vector<std::string>& cmd :
       {std::vector<std::string>{"learn", "--db", db(), "--run", "9", "-o", Path("out")},
        {"expect", "--db", db(), "--run", "9", "-o", Path("out")},
        {"verify", "--expect", Path("expect.json"), "--db", db(), "--run", "9", "-o", Path("out")},
        {"policy", "test", Path("p.yaml"), "--db", db(), "--run", "9"}}) {
    SCOPED_TRACE(cmd[0]);
    ExpectRefused(Warden(cmd), "no run 9");
  }
}

TEST_F(LoopsInputTest, AMissingDatabaseIsNotCreated) {
  const std::string missing = Path("none.db");
  ExitInfo e = Warden({"expect", "--db", db(), "-o", Path("expect.json")});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  for (const std::vector<std::string>& cmd :
       {std::vector<std::string>{"learn", "--db", missing, "-o", Path("out")},
        {"expect", "--db", missing, "-o", Path("out")},
        {"verify", "--expect", Path("expect.json"), "--db", missing, "-o", Path("out")}}) {
    SCOPED_TRACE(cmd[0]);
    ExpectRefused(Warden(cmd), missing);
    EXPECT_FALSE(std::filesystem::exists(missing));
  }
}

TEST_F(LoopsInputTest, TheCommandsNeverWriteTheDatabase) {
  ExitInfo l = Warden({"learn", "--db", db(), "-o", Path("p.yaml")});
  ASSERT_EQ(l.exit_code, 0) << l.err;
  ExitInfo e = Warden({"expect", "--db", db(), "-o", Path("expect.json")});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  ExitInfo v = Warden({"verify", "--expect", Path("expect.json"), "--db", db()});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  ExitInfo t = Warden({"policy", "test", Path("p.yaml"), "--db", db()});
  EXPECT_EQ(t.exit_code, 0) << t.out << t.err;
  EXPECT_EQ(ReadFile(db()), before_);
}

}  // namespace
}  // namespace warden::itest
