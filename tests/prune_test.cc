// `warden prune`: retention over real runs.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

using ::testing::HasSubstr;

class PruneTest : public IntegrationTest {
 protected:
  // Rows of run `id` in every table, and its own row.
  std::string Counts(int id) {
    std::string r = std::to_string(id);
    return QueryOne("SELECT (SELECT count(*) FROM processes WHERE run_id=" + r + ") || ' ' || "
                    "(SELECT count(*) FROM file_events WHERE run_id=" + r + ") || ' ' || "
                    "(SELECT count(*) FROM exec_events WHERE run_id=" + r + ") || ' ' || "
                    "(SELECT count(*) FROM net_events WHERE run_id=" + r + ") || ' ' || "
                    "(SELECT count(*) FROM syscall_events WHERE run_id=" + r + ") || ' ' || "
                    "(SELECT count(*) FROM policy_events WHERE run_id=" + r + ") || ' ' || "
                    "(SELECT count(*) FROM policy_changes WHERE run_id=" + r + ") || ' ' || "
                    "(SELECT count(*) FROM runs WHERE id=" + r + ")");
  }
  ExitInfo Prune(const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {WardenBin(), "prune", "--db", db()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return Run(argv);
  }
};

TEST_F(PruneTest, RemovesTheOldRunWithAllItsRowsAndKeepsTheOthers) {
  WriteFile(Path("p.yaml"),
            "version: 1\nname: hide\nrules:\n"
            "  - name: no-hostname\n    type: file-read\n    paths: /etc/hostname\n"
            "    action: deny\n");
  // Run 1 has rows in every table (a policy, a denial, a socket).
  ASSERT_NE(RunWarden({"/bin/sh", "-c", "cat /etc/hostname; " + Helper("connect_helper") + " tcp"},
                      {"--policy", Path("p.yaml")})
                .exit_code,
            -1);
  ASSERT_EQ(RunWarden({"/bin/cat", "/etc/hostname"}).exit_code, 0);
  ASSERT_EQ(RunWarden({"/bin/true"}).exit_code, 0);
  for (const char* t : {"processes", "file_events", "exec_events", "net_events", "syscall_events",
                        "policy_events", "policy_changes"})
    ASSERT_GT(QueryInt(std::string("SELECT count(*) FROM ") + t + " WHERE run_id=1"), 0) << t;
  const std::string run2 = Counts(2), run3 = Counts(3);
  // Run 1 started two hours ago.
  Query("UPDATE runs SET start_ns = start_ns - 7200000000000 WHERE id=1");

  ExitInfo dry = Prune({"--older-than", "1h", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("would remove run 1 ("));
  EXPECT_THAT(dry.out, HasSubstr("would remove 1 run ("));
  EXPECT_NE(Counts(1), "0 0 0 0 0 0 0 0");

  ExitInfo r = Prune({"--older-than", "1h"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("removed run 1 ("));
  EXPECT_THAT(r.out, HasSubstr("; 2 runs kept"));
  EXPECT_EQ(Counts(1), "0 0 0 0 0 0 0 0");
  EXPECT_EQ(Counts(2), run2);
  EXPECT_EQ(Counts(3), run3);
  // The others read as before.
  ExitInfo e = Run({WardenBin(), "export", "--db", db(), "--run", "2", "--kind", "file"});
  EXPECT_THAT(e.out, HasSubstr("\"path\":\"/etc/hostname\""));

  // Nothing older: nothing removed.
  r = Prune({"--older-than", "1h", "--vacuum"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("removed 0 runs (0 rows)"));
  EXPECT_THAT(r.out, HasSubstr("vacuumed: "));
  EXPECT_EQ(Counts(2), run2);
}

TEST_F(PruneTest, KeepsARunThatIsStillRecording) {
  Spawned run = StartWarden({"/bin/sh", "-c", "for i in 1 2 3 4 5 6; do cat /etc/hostname >/dev/null; sleep 0.2; done"});
  ASSERT_TRUE(WaitUntil([&] {
    return !ReadFile(db()).empty() &&
           QueryInt("SELECT count(*) FROM sqlite_master WHERE name='file_events'") == 1 &&
           QueryInt("SELECT count(*) FROM file_events WHERE path='/etc/hostname'") >= 1;
  }, std::chrono::milliseconds(5000)));
  // It started "long ago" but records now.
  Query("UPDATE runs SET start_ns = start_ns - 7200000000000 WHERE id=1");
  ExitInfo r = Prune({"--older-than", "30m"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("kept run 1 ("));
  EXPECT_THAT(r.out, HasSubstr("(still recording)"));
  ASSERT_EQ(Wait(run).exit_code, 0);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM file_events WHERE run_id=1 AND path='/etc/hostname'"), 6);
}

TEST_F(PruneTest, UsageErrors) {
  ASSERT_EQ(RunWarden({"/bin/true"}).exit_code, 0);
  for (const auto& args : std::vector<std::vector<std::string>>{
           {}, {"--older-than"}, {"--older-than", "72"}, {"--older-than", "3 parsecs"},
           {"--older-than", "1h ago"}, {"--older-than", "1h", "--force"}}) {
    ExitInfo r = Prune(args);
    EXPECT_EQ(r.exit_code, 2) << testing::PrintToString(args) << r.err;
    EXPECT_THAT(r.err, HasSubstr("warden prune: "));
  }
  EXPECT_EQ(QueryInt("SELECT count(*) FROM runs"), 1);
}

}  // namespace
}  // namespace warden::itest
