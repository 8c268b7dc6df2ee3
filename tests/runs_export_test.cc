// One database, several runs; and `warden export --format ndjson` over what
// real runs recorded.
#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

using ::testing::ElementsAre;

class RunsExportTest : public IntegrationTest {
 protected:
  ExitInfo Export(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {WardenBin(), "export", "--db", db(), "--format", "ndjson"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return Run(argv);
  }
};

TEST_F(RunsExportTest, SecondRunIsAppendedAndLeavesTheFirstUntouched) {
  ExitInfo r1 = RunWarden({"/bin/sh", "-c", "cat /etc/hostname > first; exit 4"});
  ASSERT_EQ(r1.exit_code, 4) << r1.err;
  const std::string counts =
      "SELECT (SELECT count(*) FROM processes WHERE run_id=1) || ' ' || "
      "(SELECT count(*) FROM file_events WHERE run_id=1) || ' ' || "
      "(SELECT count(*) FROM exec_events WHERE run_id=1) || ' ' || "
      "(SELECT count(*) FROM syscall_events WHERE run_id=1) || ' ' || "
      "(SELECT max(id) FROM file_events WHERE run_id=1)";
  const std::string before = QueryOne(counts);
  const std::string first_run = QueryOne("SELECT argv || exit_code || end_ns FROM runs WHERE id=1");

  ExitInfo r2 = RunWarden({"/bin/sh", "-c", "cat /etc/hostname > second"});
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_THAT(Query("SELECT id, argv, exit_code, end_ns IS NOT NULL FROM runs ORDER BY id"),
              ElementsAre(ElementsAre("1", "[\"/bin/sh\",\"-c\",\"cat /etc/hostname > first; exit 4\"]",
                                      "4", "1"),
                          ElementsAre("2", "[\"/bin/sh\",\"-c\",\"cat /etc/hostname > second\"]",
                                      "0", "1")));
  EXPECT_EQ(QueryOne(counts), before);
  EXPECT_EQ(QueryOne("SELECT argv || exit_code || end_ns FROM runs WHERE id=1"), first_run);
  // Each run's events are its own.
  EXPECT_EQ(QueryOne("SELECT group_concat(DISTINCT run_id) FROM file_events WHERE path=" +
                     Sql(Path("first"))),
            "1");
  EXPECT_EQ(QueryOne("SELECT group_concat(DISTINCT run_id) FROM file_events WHERE path=" +
                     Sql(Path("second"))),
            "2");
}

TEST_F(RunsExportTest, NdjsonLinesAreObjectsWithTheCommonAndKindFields) {
  ExitInfo r = RunWarden({"/bin/sh", "-c", "cat /etc/hostname > out; exit 2"});
  ASSERT_EQ(r.exit_code, 2) << r.err;
  r = RunWarden({Helper("connect_helper"), "tcp"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string port = Field(r.out, "port");

  ExitInfo e = Export();
  ASSERT_EQ(e.exit_code, 0) << e.err;
  std::vector<std::string> lines = Lines(e.out);
  ASSERT_FALSE(lines.empty());
  std::set<std::string> kinds, runs;
  int exec_lines = 0, net_lines = 0;
  bool saw_connect = false, saw_out = false;
  for (const auto& line : lines) {
    auto obj = ParseJsonObject(line);
    ASSERT_TRUE(obj.has_value()) << "not a JSON object: " << line;
    for (const char* key : {"run", "ts", "pid", "kind"})
      ASSERT_TRUE(obj->contains(key)) << "no \"" << key << "\" in " << line;
    EXPECT_GT(std::stoll(obj->at("ts")), 0) << line;
    EXPECT_GT(std::stoll(obj->at("pid")), 0) << line;
    const std::string& kind = obj->at("kind");
    kinds.insert(kind);
    runs.insert(obj->at("run"));
    if (kind == "exec") {
      ++exec_lines;
      ASSERT_TRUE(obj->contains("argv")) << line;
      EXPECT_TRUE(ParseJsonStringArray(obj->at("argv")).has_value()) << line;
    }
    if (kind == "net") {
      ++net_lines;
      for (const char* key : {"family", "direction"})
        EXPECT_TRUE(obj->contains(key)) << "no \"" << key << "\" in " << line;
      const std::string& op = obj->contains("op") ? obj->at("op") : "";
      if (op == "connect" || op == "bind" || op == "accept" || op == "listen") {
        EXPECT_TRUE(obj->contains("addr")) << line;
        EXPECT_TRUE(obj->contains("port")) << line;
      }
      if (op == "connect") {
        saw_connect = true;
        EXPECT_EQ(obj->at("addr"), "127.0.0.1") << line;
        EXPECT_EQ(obj->at("port"), port) << line;
        EXPECT_EQ(obj->at("direction"), "outbound") << line;
        EXPECT_EQ(obj->at("family"), "AF_INET") << line;
      }
    }
    if (kind == "file" && obj->contains("path") && obj->at("path") == Path("out")) {
      saw_out = true;
      EXPECT_EQ(obj->at("op"), "create") << line;
      EXPECT_EQ(obj->at("run"), "1") << line;
    }
  }
  EXPECT_EQ(runs, (std::set<std::string>{"1", "2"}));
  EXPECT_EQ(kinds, (std::set<std::string>{"process", "exec", "file", "net", "syscall"}));
  EXPECT_GE(exec_lines, 3);  // sh, cat, connect_helper
  EXPECT_GE(net_lines, 6);
  EXPECT_TRUE(saw_connect);
  EXPECT_TRUE(saw_out);

  // --run selects one run.
  ExitInfo one = Export({"--run", "2"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  for (const auto& line : Lines(one.out)) {
    auto obj = ParseJsonObject(line);
    ASSERT_TRUE(obj.has_value()) << line;
    EXPECT_EQ(obj->at("run"), "2") << line;
  }
  EXPECT_LT(Lines(one.out).size(), lines.size());
}

}  // namespace
}  // namespace warden::itest
