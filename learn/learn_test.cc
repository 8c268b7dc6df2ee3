// Learn() end to end on a database written by the store: the policy it
// writes, --merge, and bad input; the database is only read.
#include "learn/learn.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "policy/parser.h"
#include "store/store.h"

namespace warden::learn {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kT0 = 1'700'000'000'000'000'000;

class LearnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/learn_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    db_ = dir_ + "/w.db";
    Record({"/etc/passwd", "/proc/1234/stat"});
    Record({"/etc/passwd", "/proc/999/stat"});
  }
  void TearDown() override { system(("rm -rf '" + dir_ + "'").c_str()); }

  // One run: cat reads `paths`, sh executes cat.
  void Record(const std::vector<std::string>& paths) {
    auto store = store::Store::Open(db_);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store::RunInfo info{{"sh", "-c", "cat"}, "/", "host", "test", kT0 + 10 * runs_, "", ""};
    ASSERT_TRUE((*store)->BeginRun(info).ok());
    store::ExecEvent exec;
    exec.ts_ns = kT0 + 10 * runs_ + 1;
    exec.pid = 10;
    exec.exe = "/usr/bin/dash";
    exec.path = "/usr/bin/cat";
    exec.argv = {"cat"};
    exec.result = 0;
    (*store)->Submit(exec);
    for (const auto& p : paths) {
      store::FileEvent f;
      f.ts_ns = kT0 + 10 * runs_ + 2;
      f.pid = 10;
      f.exe = "/usr/bin/cat";
      f.syscall = "openat";
      f.path = p;
      f.op = "read";
      f.flags = "O_RDONLY|O_CLOEXEC";
      f.result = 3;
      (*store)->Submit(f);
    }
    ASSERT_TRUE((*store)->FinishRun({kT0 + 10 * runs_ + 5, 0, 0, 0, 0}).ok());
    ++runs_;
  }

  LearnOptions Options() {
    LearnOptions o;
    o.selection.dbs = {db_};
    o.selection.runs = {1, 2};
    return o;
  }
  std::string WriteFile(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name) << text;
    return dir_ + "/" + name;
  }
  std::string Contents(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::string dir_, db_;
  int runs_ = 0;
};

TEST_F(LearnTest, WritesAPolicyOfWhatTheRunsDid) {
  std::string before = Contents(db_);
  auto text = Learn(Options());
  ASSERT_TRUE(text.ok()) << text.status().message();
  auto p = policy::ParsePolicyText(*text, "learned.yaml");
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_EQ(p->rules.size(), 2u) << *text;
  EXPECT_EQ(p->rules[0].name, "cat-read");
  EXPECT_THAT(p->rules[0].paths, ::testing::ElementsAre("/etc/passwd", "/proc/*/stat"));
  EXPECT_EQ(p->rules[1].name, "dash-exec");
  EXPECT_THAT(*text, HasSubstr(db_ + " runs 1, 2"));
  EXPECT_EQ(Contents(db_), before);  // read, never written
}

TEST_F(LearnTest, LearningAgainWithMergeGivesTheSameBytes) {
  auto first = Learn(Options());
  ASSERT_TRUE(first.ok());
  LearnOptions o = Options();
  o.merge = WriteFile("first.yaml", *first);
  auto second = Learn(o);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(*second, *first);
}

TEST_F(LearnTest, ExactAndModeOptions) {
  LearnOptions o = Options();
  o.gen.exact = true;
  o.mode = policy::Mode::kActive;
  auto text = Learn(o);
  ASSERT_TRUE(text.ok());
  EXPECT_THAT(*text, HasSubstr("      - /proc/1234/stat\n      - /proc/999/stat\n"));
  EXPECT_THAT(*text, HasSubstr("\nmode: active\n"));
}

TEST_F(LearnTest, BadInputIsNamed) {
  LearnOptions o = Options();
  o.selection.runs = {7};
  auto no_run = Learn(o);
  EXPECT_EQ(no_run.status().code(), absl::StatusCode::kNotFound);
  o = Options();
  o.selection.dbs = {dir_ + "/none.db"};
  EXPECT_EQ(Learn(o).status().code(), absl::StatusCode::kNotFound);
  // The merge file is checked first, before any database is read.
  o.merge = dir_ + "/missing.yaml";
  auto missing = Learn(o);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("missing.yaml"));
  o.merge = WriteFile("bad.yaml", "version: 1\nname: x\nmode: strict\n");
  auto bad = Learn(o);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("bad.yaml:3:7: "));
}

}  // namespace
}  // namespace warden::learn
