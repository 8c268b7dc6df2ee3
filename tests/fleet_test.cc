// The fleet (issue 15) against a real PostgreSQL server
// (pg_test_support.h): runs recorded by the real warden, shipped with
// `warden ship` / `warden run --ship`, read back with --pg, and the faults:
// the server stopped mid-ship, a wrong URL or password, a newer schema.
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "fleet/pg.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "tests/pg_test_support.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

constexpr std::chrono::milliseconds kSlow{60000};

class FleetTest : public IntegrationTest {
 protected:
  ExitInfo Warden(const std::vector<std::string>& args,
                  std::chrono::milliseconds timeout = kSlow) {
    std::vector<std::string> argv = {WardenBin()};
    argv.insert(argv.end(), args.begin(), args.end());
    return Run(argv, timeout);
  }
  // One run of a small workload (files, execs, loopback TCP) into `db`.
  void Record(const std::string& db, const std::vector<std::string>& labels,
              const std::string& extra = "") {
    std::vector<std::string> argv = {WardenBin(), "run", "--db", db};
    for (const auto& l : labels) argv.insert(argv.end(), {"--label", l});
    argv.insert(argv.end(), {"--", "/bin/sh", "-c",
                             fmt::format("cat /etc/hostname /etc/passwd >/dev/null; ls /usr/share "
                                         ">/dev/null; {} tcp >/dev/null; {}",
                                         Helper("connect_helper"), extra)});
    ExitInfo r = Run(argv, kSlow);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // Rows a stream holds in the SQLite file, all runs: calls, exec_events, ...
  int64_t SqliteCount(const std::string& db, const std::string& table) {
    ExitInfo r = Run({"/usr/bin/sqlite3", db, "SELECT count(*) FROM " + table});
    return std::stoll(r.out.empty() ? "-1" : r.out);
  }
  int64_t Events(const std::string& db) {
    return SqliteCount(db, "calls") + SqliteCount(db, "exec_events") +
           SqliteCount(db, "policy_events") + SqliteCount(db, "policy_changes");
  }
  int64_t PgInt(const std::string& url, const std::string& sql) {
    auto c = fleet::PgConn::Connect(url);
    EXPECT_TRUE(c.ok()) << c.status();
    if (!c.ok()) return -1;
    auto r = (*c)->Query(sql);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->Int(0, 0) : -1;
  }
  static std::string Hash(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return std::to_string(std::hash<std::string>()(s.str()));
  }
};

TEST_F(FleetTest, ShippingTwiceLeavesEachEventOnce) {
  WARDEN_PG_DATABASE(url);
  Record(db(), {"app=once"});
  Record(db(), {"app=once"});
  ExitInfo first = Warden({"ship", "--db", db(), "--to", url});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const int64_t want = Events(db());
  ASSERT_GT(want, 50);
  EXPECT_EQ(PgInt(url, "SELECT count(*) FROM events"), want);
  EXPECT_EQ(PgInt(url, "SELECT count(*) FROM processes"), SqliteCount(db(), "processes"));
  EXPECT_EQ(PgInt(url, "SELECT count(*) FROM runs WHERE labels @> '{\"app\":\"once\"}'"), 2);
  ExitInfo again = Warden({"ship", "--db", db(), "--to", url});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("0 events and 0 process rows sent"), std::string::npos) << again.err;
  EXPECT_EQ(PgInt(url, "SELECT count(*) FROM events"), want);
  EXPECT_EQ(PgInt(url, "SELECT count(*) FROM (SELECT DISTINCT run, kind & 49, seq FROM events) d"), want);
}

TEST_F(FleetTest, RunIdentityAndLabelsAreShipped) {
  WARDEN_PG_DATABASE(url);
  Record(db(), {"app=shop", "tier=web"});
  ASSERT_EQ(Warden({"ship", "--db", db(), "--to", url}).exit_code, 0);
  const std::string uuid = QueryOne("SELECT uuid FROM runs");
  ASSERT_EQ(uuid.size(), 36u);
  auto c = fleet::PgConn::Connect(url);
  ASSERT_TRUE(c.ok());
  auto r = (*c)->Query("SELECT uuid::text, labels->>'app', labels->>'tier', labels ? 'host' FROM runs");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->rows(), 1);
  EXPECT_EQ(r->Text(0, 0), uuid);
  EXPECT_EQ(r->Text(0, 1), "shop");
  EXPECT_EQ(r->Text(0, 2), "web");
  EXPECT_EQ(r->Text(0, 3), "t");
}

TEST_F(FleetTest, ServerStoppedMidShipThenResumedCompletesExactlyOnce) {
  // A server of its own: this test stops it.
  const std::string dir = fmt::format("{}-fault-{}", PgServerDir(), getpid());
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      PgServerCommand("stop", dir);
      std::system(("rm -rf '" + dir + "'").c_str());
    }
  } cleanup{dir};
  WARDEN_PG_DATABASE_IN(url, dir);
  // Enough events for many batches.
  ExitInfo rec = RunWarden({"/usr/bin/find", "/usr", "-maxdepth", "4"}, {}, kSlow);
  ASSERT_EQ(rec.exit_code, 0) << rec.err;
  const int64_t want = Events(db());
  ASSERT_GT(want, 5000);
  Spawned ship = Start({WardenBin(), "ship", "--db", db(), "--to", url, "--batch", "200"});
  auto shipped = [&] {
    auto c = fleet::PgConn::Connect(url);
    if (!c.ok()) return int64_t{-1};
    auto r = (*c)->Query("SELECT count(*) FROM events");  // no table yet: not yet
    return r.ok() ? r->Int(0, 0) : int64_t{-1};
  };
  ASSERT_TRUE(WaitUntil([&] { return shipped() > 1000; }, std::chrono::milliseconds(30000)));
  PgServerCommand("crash", dir);
  const std::string before = Hash(db());
  ExitInfo broken = Wait(ship, kSlow);
  EXPECT_EQ(broken.exit_code, 1) << broken.err;
  EXPECT_NE(broken.err.find("not shipped"), std::string::npos) << broken.err;
  EXPECT_EQ(Hash(db()), before);  // the file is only read
  ASSERT_FALSE(PgServerCommand("start", dir).empty());
  const int64_t partial = PgInt(url, "SELECT count(*) FROM events");
  EXPECT_GT(partial, 0);
  EXPECT_LT(partial, want);
  ExitInfo resumed = Warden({"ship", "--db", db(), "--to", url});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(PgInt(url, "SELECT count(*) FROM events"), want);
  EXPECT_EQ(PgInt(url, "SELECT count(*) FROM (SELECT DISTINCT run, kind & 49, seq FROM events) d"), want);
  EXPECT_EQ(PgInt(url, "SELECT count(*) FROM processes"), SqliteCount(db(), "processes"));
}

TEST_F(FleetTest, BadUrlPasswordOrNewerSchemaIsAClearErrorAndTheFileIsUntouched) {
  WARDEN_PG_DATABASE(url);
  Record(db(), {});
  const std::string before = Hash(db());
  // Nothing listens on port 1.
  ExitInfo refused = Warden({"ship", "--db", db(), "--to", "postgresql://warden:x@127.0.0.1:1/postgres"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("cannot reach PostgreSQL"), std::string::npos) << refused.err;
  EXPECT_EQ(refused.err.find(":x@"), std::string::npos) << "the password is shown: " << refused.err;
  ExitInfo not_url = Warden({"ship", "--db", db(), "--to", "postgresql://[broken"});
  EXPECT_EQ(not_url.exit_code, 2) << not_url.err;
  const size_t colon = url.find(':', 13), at = url.find('@');
  const std::string wrong = url.substr(0, colon + 1) + "wrong-password" + url.substr(at);
  ExitInfo password = Warden({"ship", "--db", db(), "--to", wrong});
  EXPECT_EQ(password.exit_code, 2);
  EXPECT_NE(password.err.find("refused the login"), std::string::npos) << password.err;
  EXPECT_EQ(password.err.find("wrong-password"), std::string::npos) << password.err;
  ASSERT_EQ(Warden({"ship", "--db", db(), "--to", url}).exit_code, 0);
  auto c = fleet::PgConn::Connect(url);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->Exec("UPDATE warden_schema SET version = 99").ok());
  ExitInfo newer = Warden({"ship", "--db", db(), "--to", url});
  EXPECT_EQ(newer.exit_code, 2);
  EXPECT_NE(newer.err.find("newer than this warden"), std::string::npos) << newer.err;
  ExitInfo missing = Warden({"ship", "--db", Path("nope.db"), "--to", url});
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_EQ(Hash(db()), before);
}

TEST_F(FleetTest, RunShipShipsWhileRecording) {
  WARDEN_PG_DATABASE(url);
  ExitInfo r = RunWarden({"/bin/sh", "-c", "for i in 1 2 3; do ls /usr/bin >/dev/null; sleep 0.2; done"},
                         {"--ship", url, "--label", "app=live"}, kSlow);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("shipped run 1"), std::string::npos) << r.err;
  EXPECT_EQ(PgInt(url, "SELECT count(*) FROM events"), Events(db()));
  EXPECT_EQ(PgInt(url, "SELECT count(*) FROM processes WHERE end_ns IS NOT NULL"),
            SqliteCount(db(), "processes WHERE end_ns IS NOT NULL"));
  EXPECT_EQ(PgInt(url, "SELECT count(*) FROM runs WHERE end_ns IS NOT NULL AND labels->>'app' = 'live'"), 1);
}

TEST_F(FleetTest, PruneDropsWholeOldDayPartitionsOnly) {
  WARDEN_PG_DATABASE(url);
  Record(db(), {});
  // The same run ten days earlier, in a copy (a run's own UUID: a new one).
  const std::string old = Path("old.db");
  ASSERT_EQ(Run({"/bin/cp", db(), old}).exit_code, 0);
  const std::string shift = std::to_string(int64_t{10} * 86400 * 1000000000);
  for (const std::string& sql :
       {"UPDATE runs SET start_ns = start_ns - " + shift + ", end_ns = end_ns - " + shift +
            ", uuid = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'",
        "UPDATE exec_events SET ts_ns = ts_ns - " + shift,
        "UPDATE processes SET start_ns = start_ns - " + shift + ", end_ns = end_ns - " + shift})
    ASSERT_EQ(Run({"/usr/bin/sqlite3", old, sql}).exit_code, 0) << sql;
  ASSERT_EQ(Warden({"ship", "--db", db(), "--to", url}).exit_code, 0);
  ASSERT_EQ(Warden({"ship", "--db", old, "--to", url}).exit_code, 0);
  const int64_t recent = Events(db());
  EXPECT_EQ(PgInt(url, "SELECT count(*) FROM events"), 2 * recent);
  ExitInfo prune = Warden({"ship", "--to", url, "--prune-older-than", "72h"});
  ASSERT_EQ(prune.exit_code, 0) << prune.err;
  EXPECT_NE(prune.out.find("1 partition dropped"), std::string::npos) << prune.out;
  EXPECT_EQ(PgInt(url, "SELECT count(*) FROM events"), recent);
  // Shipping the old file again brings nothing back: its cursors remain.
  ASSERT_EQ(Warden({"ship", "--db", old, "--to", url}).exit_code, 0);
  EXPECT_EQ(PgInt(url, "SELECT count(*) FROM events"), recent);
  ExitInfo bad = Warden({"ship", "--to", url, "--prune-older-than", "soon"});
  EXPECT_EQ(bad.exit_code, 2);
}

// The fleet reads: the same answers from PostgreSQL as from the union of
// the shipped files (one implementation over both sources).
TEST_F(FleetTest, FleetReadsEqualTheUnionOfTheShippedFiles) {
  WARDEN_PG_DATABASE(url);
  std::vector<std::string> dbs = {Path("a.db"), Path("b.db"), Path("c.db")};
  for (size_t i = 0; i < dbs.size(); ++i) {
    Record(dbs[i], {"app=union", "replica=" + std::to_string(i)}, i == 1 ? "id >/dev/null" : "");
    ExitInfo s = Warden({"ship", "--db", dbs[i], "--to", url});
    ASSERT_EQ(s.exit_code, 0) << s.err;
  }
  // A run of another app, shipped too, is not selected.
  Record(Path("other.db"), {"app=other"}, "cat /etc/shells >/dev/null");
  ASSERT_EQ(Warden({"ship", "--db", Path("other.db"), "--to", url}).exit_code, 0);
  const std::vector<std::string> files = {"--db", dbs[0], "--db", dbs[1], "--db", dbs[2]};
  const std::vector<std::string> fleet = {"--pg", url, "--select", "app=union"};
  auto both = [&](std::vector<std::string> cmd) {
    std::vector<std::string> a = cmd, b = cmd;
    a.insert(a.end(), files.begin(), files.end());
    b.insert(b.end(), fleet.begin(), fleet.end());
    ExitInfo from_files = Warden(a), from_pg = Warden(b);
    EXPECT_EQ(from_files.exit_code, 0) << from_files.err;
    EXPECT_EQ(from_pg.exit_code, 0) << from_pg.err;
    EXPECT_FALSE(from_files.out.empty());
    EXPECT_EQ(from_pg.out, from_files.out) << cmd[0];
    return from_pg.out;
  };
  const std::string profile = both({"profile", "--format", "json"});
  EXPECT_NE(profile.find("\"runs\":[{"), std::string::npos);
  EXPECT_EQ(profile.find("/etc/shells"), std::string::npos) << "another app's run was read";
  EXPECT_NE(profile.find("/usr/bin/id"), std::string::npos);
  both({"profile"});
  const std::string policy = both({"learn"});
  EXPECT_NE(policy.find("/etc/passwd"), std::string::npos);
  ExitInfo e = Warden({"expect", "--pg", url, "--select", "app=union", "-o", Path("expect.json")});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  both({"verify", "--expect", Path("expect.json"), "--format", "json"});
  // A window with nothing in it, labels nobody has, and mixed sources.
  ExitInfo none = Warden({"profile", "--pg", url, "--select", "app=nobody"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("no shipped run has the labels"), std::string::npos) << none.err;
  ExitInfo mixed = Warden({"learn", "--pg", url, "--db", dbs[0]});
  EXPECT_EQ(mixed.exit_code, 2);
  EXPECT_NE(mixed.err.find("exclude each other"), std::string::npos) << mixed.err;
  ExitInfo select_alone = Warden({"profile", "--db", dbs[0], "--select", "app=union"});
  EXPECT_EQ(select_alone.exit_code, 2);
  EXPECT_NE(select_alone.err.find("needs --pg"), std::string::npos) << select_alone.err;
}

}  // namespace
}  // namespace warden::itest
