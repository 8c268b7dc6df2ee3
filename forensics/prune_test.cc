#include "forensics/prune.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/store.h"
#include "store/test_util.h"

namespace warden::forensics {
using namespace warden::store;  // the writer, to make databases to read

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using store::testing::Exec;
using store::testing::QueryOne;
using store::testing::TempDir;

constexpr int64_t kHour = 3600LL * 1000000000;
constexpr int64_t kNow = 1'800'000'000LL * 1000000000;  // a fixed "now" for the tests

// Counts of a run's rows in every table, "processes file exec net syscall
// policy policy_changes runs".
std::string Counts(const std::string& db, int64_t run) {
  std::string r = std::to_string(run);
  return QueryOne(db, "SELECT (SELECT count(*) FROM processes WHERE run_id=" + r + ") || ' ' || "
                      "(SELECT count(*) FROM file_events WHERE run_id=" + r + ") || ' ' || "
                      "(SELECT count(*) FROM exec_events WHERE run_id=" + r + ") || ' ' || "
                      "(SELECT count(*) FROM net_events WHERE run_id=" + r + ") || ' ' || "
                      "(SELECT count(*) FROM syscall_events WHERE run_id=" + r + ") || ' ' || "
                      "(SELECT count(*) FROM policy_events WHERE run_id=" + r + ") || ' ' || "
                      "(SELECT count(*) FROM policy_changes WHERE run_id=" + r + ") || ' ' || "
                      "(SELECT count(*) FROM runs WHERE id=" + r + ")");
}

class PruneTest : public ::testing::Test {
 protected:
  // One run with a row in every table, starting at `start`; `finish`: it
  // ends (else it is left open, as when warden died or still records).
  void Record(int64_t start, int64_t last_event, bool finish = true) {
    auto store = Store::Open(db_);
    ASSERT_TRUE(store.ok()) << store.status();
    Store& s = **store;
    ASSERT_TRUE(s.BeginRun(RunInfo{.argv = {"sh"}, .cwd = "/", .host = "h",
                                   .warden_version = "0", .start_ns = start})
                    .ok());
    s.Submit(PolicyChange{.ts_ns = start, .source = "p.yaml", .name = "p"});
    s.Submit(ProcessStart{.ts_ns = start, .pid = 10, .ppid = 1, .tgid = 10, .exe = "/bin/sh"});
    s.Submit(SyscallEvent{.ts_ns = start + 1, .pid = 10, .abi = "x86_64", .nr = 257,
                          .name = "openat", .args = "", .result = 3, .action = "allow"});
    s.Submit(FileEvent{.ts_ns = start + 1, .pid = 10, .syscall = "openat", .path = "/etc/hosts",
                       .op = "read", .result = 3});
    s.Submit(ExecEvent{.ts_ns = start + 2, .pid = 10, .path = "/bin/ls", .argv = {"ls"},
                       .result = 0});
    s.Submit(NetEvent{.ts_ns = start + 3, .pid = 10, .syscall = "connect", .op = "connect",
                      .family = "AF_INET", .address = "10.0.0.1", .port = 80, .fd = 3,
                      .result = 0});
    s.Submit(PolicyEvent{.ts_ns = last_event, .pid = 10, .abi = "x86_64", .nr = 42,
                         .syscall = "connect", .args = "", .action = "deny", .rule = "r",
                         .mode = "active", .category = "network-outbound"});
    if (finish) {
      ASSERT_TRUE(s.FinishRun({.end_ns = last_event + 1, .exit_code = 0}).ok());
    }
  }

  absl::StatusOr<PruneReport> Prune(int64_t older_than, bool dry_run = false, bool vacuum = false) {
    return forensics::Prune(db_, PruneOptions{kNow - older_than, dry_run, vacuum});
  }

  TempDir dir_;
  std::string db_ = dir_.File("w.db");
};

TEST_F(PruneTest, RemovesOldRunsWithAllTheirRowsAndKeepsTheOthers) {
  Record(kNow - 100 * kHour, kNow - 99 * kHour);  // run 1: old
  Record(kNow - 2 * kHour, kNow - kHour);          // run 2: recent
  Record(kNow - 80 * kHour, kNow - 79 * kHour);    // run 3: old
  Record(kNow - 10, kNow - 5);                     // run 4: just now
  const std::string full = "1 1 1 1 1 1 1 1";
  for (int run = 1; run <= 4; ++run) ASSERT_EQ(Counts(db_, run), full) << run;

  auto report = Prune(72 * kHour);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->removed.size(), 2u);
  EXPECT_EQ(report->removed[0].run.id, 1);
  EXPECT_EQ(report->removed[1].run.id, 3);
  EXPECT_EQ(report->removed[0].rows, 7u);  // every table's row, the run's own not counted
  EXPECT_EQ(report->rows, 14u);
  EXPECT_EQ(report->runs_kept, 2u);
  EXPECT_TRUE(report->kept_recording.empty());
  EXPECT_FALSE(report->bytes_before.has_value());

  EXPECT_EQ(Counts(db_, 1), "0 0 0 0 0 0 0 0");
  EXPECT_EQ(Counts(db_, 3), "0 0 0 0 0 0 0 0");
  EXPECT_EQ(Counts(db_, 2), full);
  EXPECT_EQ(Counts(db_, 4), full);
  // Nothing else is left behind under the removed ids, and a new run
  // still gets a fresh id.
  EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM events WHERE run_id IN (1, 3)"), "0");
  Record(kNow, kNow + 1);
  EXPECT_EQ(QueryOne(db_, "SELECT max(id) FROM runs"), "5");
}

TEST_F(PruneTest, DryRunChangesNothing) {
  Record(kNow - 100 * kHour, kNow - 99 * kHour);
  Record(kNow - kHour, kNow - kHour + 5);
  auto report = Prune(72 * kHour, /*dry_run=*/true, /*vacuum=*/true);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->removed.size(), 1u);
  EXPECT_EQ(report->removed[0].run.id, 1);
  EXPECT_EQ(report->rows, 7u);
  EXPECT_FALSE(report->bytes_after.has_value());  // no VACUUM either
  EXPECT_EQ(Counts(db_, 1), "1 1 1 1 1 1 1 1");
}

TEST_F(PruneTest, KeepsAnUnfinishedRunThatStillRecords) {
  // Started long ago, no end, but recorded an event an hour ago: kept.
  Record(kNow - 200 * kHour, kNow - kHour, /*finish=*/false);
  // Started long ago, no end, nothing since: warden died; removed.
  Record(kNow - 150 * kHour, kNow - 149 * kHour, /*finish=*/false);
  ASSERT_EQ(QueryOne(db_, "SELECT count(*) FROM runs WHERE end_ns IS NULL"), "2");
  auto report = Prune(72 * kHour);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->kept_recording.size(), 1u);
  EXPECT_EQ(report->kept_recording[0].run.id, 1);
  EXPECT_EQ(report->kept_recording[0].last_activity_ns, kNow - kHour);
  ASSERT_EQ(report->removed.size(), 1u);
  EXPECT_EQ(report->removed[0].run.id, 2);
  EXPECT_EQ(Counts(db_, 1), "1 1 1 1 1 1 1 1");
  EXPECT_EQ(Counts(db_, 2), "0 0 0 0 0 0 0 0");
}

TEST_F(PruneTest, VacuumShrinksTheFile) {
  // Enough rows that their pages count.
  {
    auto store = Store::Open(db_);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->BeginRun(RunInfo{.argv = {"big"}, .start_ns = kNow - 100 * kHour}).ok());
    for (int i = 0; i < 5000; ++i)
      (*store)->Submit(FileEvent{.ts_ns = kNow - 100 * kHour + i, .pid = 1, .syscall = "openat",
                                 .path = "/some/rather/long/path/number/" + std::to_string(i),
                                 .op = "read", .result = 3});
    ASSERT_TRUE((*store)->FinishRun({.end_ns = kNow - 99 * kHour}).ok());
  }
  Record(kNow - kHour, kNow - kHour + 5);
  auto report = Prune(72 * kHour, false, /*vacuum=*/true);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_TRUE(report->bytes_before && report->bytes_after);
  EXPECT_LT(*report->bytes_after, *report->bytes_before / 2)
      << *report->bytes_before << " -> " << *report->bytes_after;
  EXPECT_EQ(Counts(db_, 2), "1 1 1 1 1 1 1 1");
}

TEST_F(PruneTest, OlderFileWithoutPolicyTables) {
  store::testing::CreateV1Database(db_);
  auto report = Prune(0);  // everything that started before now
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_FALSE(report->removed.empty());
  EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM runs"), "0");
  EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM file_events"), "0");
  EXPECT_EQ(QueryOne(db_, "PRAGMA user_version"), "1");  // not upgraded by prune
}

TEST_F(PruneTest, BadInputLeavesTheFileAlone) {
  auto missing = Prune(kHour);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(db_));  // not created

  const std::string text = dir_.File("notes.txt");
  {
    FILE* f = fopen(text.c_str(), "w");
    fputs("not a database at all, just some text that is long enough for a header\n", f);
    fclose(f);
  }
  auto r = forensics::Prune(text, PruneOptions{kNow, false, true});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("not a warden database"));

  // Another program's SQLite file: refused, untouched.
  const std::string other = dir_.File("app.db");
  ASSERT_EQ(Exec(other, "CREATE TABLE users(name TEXT); INSERT INTO users VALUES('ann');"), "");
  r = forensics::Prune(other, PruneOptions{kNow, false, true});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(QueryOne(other, "SELECT name FROM users"), "ann");
}

}  // namespace
}  // namespace warden::forensics
