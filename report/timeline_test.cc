#include "report/timeline.h"

#include <numeric>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace warden::report {
namespace {

using ::testing::ElementsAre;

ProcessSpan Proc(int64_t id, int pid, int ppid, std::string exe, int64_t start, std::optional<int64_t> end,
                 std::optional<int64_t> code = 0) {
  ProcessSpan p;
  p.id = id;
  p.pid = pid;
  p.ppid = ppid;
  p.tgid = pid;
  p.exe = std::move(exe);
  p.argv_json = "[\"" + p.exe + "\"]";
  p.start_ns = start;
  p.end_ns = end;
  if (end) p.exit_code = code;
  return p;
}

std::vector<int> Pids(const Timeline& t) {
  std::vector<int> pids;
  for (const auto& r : t.rows) pids.push_back(r.pid);
  return pids;
}

std::vector<int> Depths(const Timeline& t) {
  std::vector<int> d;
  for (const auto& r : t.rows) d.push_back(r.depth);
  return d;
}

// A shell (10) runs 11, which runs 12; then 13 with a thread (14) that
// forks 15: rows in tree order, threads not rows, the thread's child under
// its process.
TEST(TimelineTest, OneRowPerProcessNestedByParent) {
  std::vector<ProcessSpan> procs = {Proc(1, 10, 1, "/bin/sh", 0, 100), Proc(2, 11, 10, "/bin/make", 5, 50),
                                    Proc(3, 12, 11, "/usr/bin/cc", 6, 40, 1), Proc(4, 13, 10, "/bin/curl", 60, 90)};
  ProcessSpan thread = Proc(5, 14, 10, "/bin/curl", 61, 80);
  thread.thread = true;
  thread.tgid = 13;
  procs.push_back(thread);
  ProcessSpan killed = Proc(6, 15, 14, "/bin/curl", 62, 70);
  killed.exit_code.reset();
  killed.signal = 9;
  procs.push_back(killed);
  procs.push_back(Proc(7, 16, 10, "/bin/sleep", 95, std::nullopt));

  Timeline t = BuildTimeline(procs, 100, true, 10, 11);
  EXPECT_FALSE(t.grouped);
  EXPECT_THAT(Pids(t), ElementsAre(10, 11, 12, 13, 15, 16));
  EXPECT_THAT(Depths(t), ElementsAre(0, 1, 2, 1, 2, 1));
  EXPECT_EQ(t.rows[2].status, "exit 1");
  EXPECT_EQ(t.rows[2].outcome, Outcome::kFailed);
  EXPECT_EQ(t.rows[4].status, "killed by SIGKILL");
  EXPECT_EQ(t.rows[4].outcome, Outcome::kKilled);
  // Never ended: drawn to the run's end, "unknown" once the run is over.
  EXPECT_EQ(t.rows[5].end_ns, 100);
  EXPECT_FALSE(t.rows[5].ended);
  EXPECT_EQ(t.rows[5].status, "unknown");
  EXPECT_EQ(BuildTimeline(procs, 100, false, 10, 11).rows[5].status, "running");
  EXPECT_EQ(t.omitted, 0);
}

// make runs 400 shells that each run a compiler: past the row limit the
// rows are programs under their parent row, and every process is counted
// in exactly one row.
TEST(TimelineTest, ManyProcessesAreGroupedByProgram) {
  std::vector<ProcessSpan> procs = {Proc(1, 100, 1, "/usr/bin/make", 0, 4000)};
  int64_t id = 2;
  for (int i = 0; i < 400; ++i) {
    const int sh = 1000 + 2 * i;
    procs.push_back(Proc(id++, sh, 100, "/bin/sh", 10 * i, 10 * i + 20));
    procs.push_back(Proc(id++, sh + 1, sh, "/usr/bin/cc", 10 * i + 1, 10 * i + 19, i == 7 ? 1 : 0));
  }
  std::sort(procs.begin(), procs.end(), [](const auto& a, const auto& b) {
    return std::tie(*a.start_ns, a.id) < std::tie(*b.start_ns, b.id);
  });
  Timeline t = BuildTimeline(procs, 4000, true, 100, 41);
  ASSERT_TRUE(t.grouped);
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0].count, 1);
  EXPECT_EQ(t.rows[0].exe, "/usr/bin/make");
  EXPECT_EQ(t.rows[1].count, 400);
  EXPECT_EQ(t.rows[1].exe, "/bin/sh");
  EXPECT_EQ(t.rows[1].depth, 1);
  EXPECT_EQ(t.rows[2].count, 400);
  EXPECT_EQ(t.rows[2].depth, 2);
  EXPECT_EQ(t.rows[2].failed, 1);
  EXPECT_EQ(t.rows[2].status, "1 of 400 failed");
  EXPECT_EQ(t.rows[1].status, "all exit 0");
  // Busy: shells overlap pairwise (each lives 20 ns, one starts every 10).
  ASSERT_EQ(t.rows[1].busy.size(), 41u);
  EXPECT_GT(*std::max_element(t.rows[1].busy.begin(), t.rows[1].busy.end()), 0);
  EXPECT_EQ(t.rows[1].start_ns, 0);
  EXPECT_EQ(t.rows[1].end_ns, 3990 + 20);

  // A row limit: what is left out is counted.
  Timeline capped = BuildTimeline(procs, 4000, true, 100, 41, 2);
  EXPECT_EQ(capped.rows.size(), 2u);
  EXPECT_EQ(capped.omitted, 400);
}

TEST(TimelineTest, EmptyRun) {
  Timeline t = BuildTimeline({}, 0, true, 1000, 1);
  EXPECT_TRUE(t.rows.empty());
  EXPECT_FALSE(t.grouped);
}

TEST(TimelineTest, BinWidthIsRoundAndBounded) {
  EXPECT_EQ(ChooseBinNs(0), 1000);
  EXPECT_EQ(ChooseBinNs(100000), 1000);  // 100 us: 1 us bins
  for (int64_t d : {int64_t{12345678}, int64_t{3000000000}, int64_t{86400} * 1000000000}) {
    const int64_t w = ChooseBinNs(d);
    EXPECT_LE(d / w + 1, kMaxBins) << d;
    EXPECT_GT(d / (w / 2 > 0 ? w / 2 : 1) + 1, kMaxBins / 2) << d;  // not needlessly coarse
  }
  EXPECT_EQ(ChooseBinNs(int64_t{60} * 1000000000), 500000000);  // a minute: 500 ms bins
  EXPECT_EQ(ChooseBinNs(int64_t{10} * 1000000), 100000);  // 10 ms: 100 us bins
  EXPECT_EQ(ChooseBinNs(int64_t{200} * 1000000000 - 1), 1000000000);  // under 200 s: per second
}

}  // namespace
}  // namespace warden::report
