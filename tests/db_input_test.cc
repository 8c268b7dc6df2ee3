// The database file as input: what is not a warden database is refused
// (exit 2) and left byte-for-byte as it was; two runs writing one file at
// the same time both land whole.
#include <string>

#include "gtest/gtest.h"
#include "store/schema.h"
#include "store/test_util.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

class DbInputTest : public IntegrationTest {
 protected:
  // Runs `warden run --db FILE -- true` and checks the refusal.
  void ExpectRefused(const std::string& file, const std::string& why) {
    const std::string before = ReadFile(file);
    ExitInfo r = Run({WardenBin(), "run", "--db", file, "--", "true"});
    EXPECT_EQ(r.exit_code, 125) << r.err;  // warden run's own error
    EXPECT_NE(r.err.find(why), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("left unchanged"), std::string::npos) << r.err;
    EXPECT_EQ(ReadFile(file), before) << file << " was modified";
  }
};

TEST_F(DbInputTest, TextFileIsRefused) {
  WriteFile(Path("notes.txt"), "shopping list\n");
  ExpectRefused(Path("notes.txt"), "not a warden database");
}

TEST_F(DbInputTest, CorruptFileIsRefused) {
  std::string bytes = "SQLite format 3";
  bytes.push_back('\0');
  for (int i = 0; i < 4096; ++i) bytes.push_back(static_cast<char>((i * 131) & 0xff));
  WriteFile(Path("broken.db"), bytes);
  ExpectRefused(Path("broken.db"), "not a warden database");
}

TEST_F(DbInputTest, ForeignSqliteDatabaseIsRefused) {
  ExitInfo made = Run({"/usr/bin/sqlite3", Path("app.db"),
                       "CREATE TABLE users(name TEXT); INSERT INTO users VALUES('ann');"});
  if (made.exit_code != 0) GTEST_SKIP() << "sqlite3 CLI unavailable: " << made.err;
  ExpectRefused(Path("app.db"), "SQLite database of something else (tables: users)");
}

TEST_F(DbInputTest, TwoRunsWritingOneFileAtOnceBothLand) {
  const std::string script = "for i in 1 2 3 4 5 6 7 8; do cat /etc/hostname >/dev/null; done";
  Spawned a = StartWarden({"/bin/sh", "-c", script});
  Spawned b = StartWarden({"/bin/sh", "-c", script});
  ExitInfo ra = Wait(a), rb = Wait(b);
  ASSERT_EQ(ra.exit_code, 0) << ra.err;
  ASSERT_EQ(rb.exit_code, 0) << rb.err;
  EXPECT_EQ(QueryInt("SELECT count(*) FROM runs WHERE end_ns IS NOT NULL AND lost_events=0"), 2)
      << Dump();
  // Each run has its own eight reads of /etc/hostname, none lost or mixed up.
  Rows per_run = Query("SELECT run_id, count(*) FROM file_events WHERE path='/etc/hostname' "
                       "AND op='read' GROUP BY run_id ORDER BY run_id");
  ASSERT_EQ(per_run.size(), 2u) << Dump();
  EXPECT_EQ(per_run[0][1], "8");
  EXPECT_EQ(per_run[1][1], "8");
}

// A file of an older warden is upgraded by the next `warden run`, which
// says so once on stderr; the old run's rows and the new run's are both
// there afterwards, and the next run says nothing.
TEST_F(DbInputTest, OlderFileIsUpgradedWithANotice) {
  const std::string db = Path("old.db");
  ASSERT_EQ(store::testing::CreateV1Database(db), "");
  ExitInfo first = Run({WardenBin(), "run", "--db", db, "--", "/bin/cat", "/etc/hostname"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("upgrading '" + db + "' from database schema version 1 to " +
                           std::to_string(store::kSchemaVersion)),
            std::string::npos)
      << first.err;
  ExitInfo second = Run({WardenBin(), "run", "--db", db, "--", "true"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.err.find("upgrading"), std::string::npos) << second.err;
  EXPECT_EQ(store::testing::QueryOne(db, "PRAGMA user_version"),
            std::to_string(store::kSchemaVersion));
  EXPECT_EQ(store::testing::QueryOne(db, "SELECT count(*) FROM file_events WHERE run_id = 1"),
            "1");
  EXPECT_EQ(store::testing::QueryOne(db, "SELECT count(*) FROM file_events WHERE run_id = 2 AND "
                                         "path = '/etc/hostname' AND op = 'read'"),
            "1");
}

}  // namespace
}  // namespace warden::itest
