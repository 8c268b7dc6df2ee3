// LoadReport and RenderHtml over databases written by the store (the real
// writer), in the current schema and in older ones.
#include "report/load.h"

#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "report/html.h"
#include "store/store.h"
#include "store/test_util.h"

namespace warden::report {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using store::testing::Exec;
using store::testing::QueryOne;
using store::testing::TempDir;

constexpr int64_t kMs = 1000000;
constexpr int64_t kT0 = int64_t{1795428000} * 1000000000;

store::FileEvent File(int64_t ts, int pid, std::string exe, std::string path, std::string op) {
  return store::FileEvent{.ts_ns = ts, .pid = pid, .exe = std::move(exe), .syscall = "openat",
                          .path = std::move(path), .op = std::move(op), .result = 3};
}

class LoadTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(dir_.path().empty()); }

  // A shell runs cat twice (one denied /etc/shadow) and a thread; run 2
  // is another, empty run.
  void Record() {
    auto opened = store::Store::Open(db_);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store::Store& s = **opened;
    ASSERT_TRUE(s.BeginRun({.argv = {"sh", "-c", "cat </etc/hosts>"}, .cwd = "/w", .host = "h",
                            .warden_version = "0.1.0", .start_ns = kT0, .policy = "p", .policy_mode = "active"})
                    .ok());
    s.Submit(store::ProcessStart{.ts_ns = kT0, .pid = 10, .ppid = 1, .tgid = 10, .exe = "/bin/sh",
                                 .argv = {"sh", "-c", "cat"}});
    s.Submit(store::ProcessStart{.ts_ns = kT0 + 1 * kMs, .pid = 11, .ppid = 10, .tgid = 11,
                                 .exe = "/bin/cat", .argv = {"cat", "/etc/hosts"}});
    s.Submit(store::ProcessStart{.ts_ns = kT0 + 2 * kMs, .pid = 12, .ppid = 10, .is_thread = true,
                                 .tgid = 10, .exe = "/bin/sh", .argv = {"sh"}});
    s.Submit(File(kT0 + 2 * kMs, 11, "/bin/cat", "/etc/hosts", "read"));
    s.Submit(File(kT0 + 3 * kMs, 11, "/bin/cat", "/etc/hosts", "read"));
    s.Submit(File(kT0 + 3 * kMs, 11, "/bin/cat", "/etc/passwd", "read"));
    s.Submit(File(kT0 + 4 * kMs, 11, "/bin/cat", "/tmp/out", "create"));
    s.Submit(store::SyscallEvent{.ts_ns = kT0 + 5 * kMs, .pid = 11, .exe = "/bin/cat", .abi = "x86_64",
                                 .nr = 257, .name = "openat", .args = "AT_FDCWD, \"/etc/shadow\"",
                                 .result = -1, .err = 13, .action = "deny", .rule = "no-shadow"});
    s.Submit(store::PolicyEvent{.ts_ns = kT0 + 5 * kMs, .pid = 11, .exe = "/bin/cat", .abi = "x86_64",
                                .nr = 257, .syscall = "openat", .args = "AT_FDCWD, \"/etc/shadow\"",
                                .action = "deny", .rule = "no-shadow", .mode = "active",
                                .category = "file-read", .target = "/etc/shadow</script>", .result = -1,
                                .err = 13});
    s.Submit(store::ProcessEnd{.ts_ns = kT0 + 6 * kMs, .pid = 11, .exit_code = 1});
    s.Submit(store::ProcessEnd{.ts_ns = kT0 + 7 * kMs, .pid = 12, .exit_code = 0});
    s.Submit(store::ProcessEnd{.ts_ns = kT0 + 8 * kMs, .pid = 10, .exit_code = 1});
    ASSERT_TRUE(s.FinishRun({.end_ns = kT0 + 9 * kMs, .exit_code = 1}).ok());
    ASSERT_TRUE(s.BeginRun({.argv = {"true"}, .cwd = "/", .start_ns = kT0 + 20 * kMs}).ok());
    ASSERT_TRUE(s.FinishRun({.end_ns = kT0 + 21 * kMs, .exit_code = 0}).ok());
  }

  TempDir dir_;
  std::string db_ = dir_.File("w.db");
};

TEST_F(LoadTest, CountsTimelineActivityAndPolicy) {
  Record();
  auto d = LoadReport(db_, {.run = 1});
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->run.id, 1);
  EXPECT_EQ(d->status, "finished");
  EXPECT_EQ(d->processes, 2);
  EXPECT_EQ(d->threads, 1);
  EXPECT_EQ(d->duration_ns, 9 * kMs);
  EXPECT_EQ(d->denials, 1);
  EXPECT_EQ(d->policy_hits, 1);
  EXPECT_EQ(d->events, 4 + 1 + 1);  // file rows, the syscall, the policy hit
  EXPECT_EQ(d->cwd, "/w");
  EXPECT_EQ(d->db_name, "w.db");
  ASSERT_EQ(d->timeline.rows.size(), 2u);
  EXPECT_EQ(d->timeline.rows[1].exe, "/bin/cat");
  EXPECT_EQ(d->timeline.rows[1].status, "exit 1");
  // Bins: every event in one, denials apart.
  int64_t files = 0, denials = 0;
  for (int64_t n : d->activity.by_kind[static_cast<int>(Kind::kFile)]) files += n;
  for (int64_t n : d->activity.denials) denials += n;
  EXPECT_EQ(files, 4);
  EXPECT_EQ(denials, 1);
  EXPECT_LE(d->activity.denials.size(), static_cast<size_t>(kMaxBins));
  ASSERT_EQ(d->hits.size(), 1u);
  EXPECT_EQ(d->hits[0].rule, "no-shadow");
  ASSERT_EQ(d->denial_log.size(), 1u);
  EXPECT_EQ(d->denial_log[0].ts_ns, 5 * kMs);
  EXPECT_THAT(d->by_action.items, ElementsAre(Pair("deny", 1)));
  ASSERT_EQ(d->files.size(), 3u);
  EXPECT_EQ(d->files[0].files, 2);  // read: /etc/hosts, /etc/passwd
  EXPECT_EQ(d->files[0].calls, 3);
  ASSERT_EQ(d->files[0].dirs.size(), 1u);
  EXPECT_THAT(d->files[0].dirs[0].top, ElementsAre(Pair("hosts", 2), Pair("passwd", 1)));

  // Without --run: the latest.
  auto latest = LoadReport(db_, {});
  ASSERT_TRUE(latest.ok()) << latest.status();
  EXPECT_EQ(latest->run.id, 2);
  EXPECT_EQ(latest->processes, 0);
}

TEST_F(LoadTest, PageIsDeterministicAndItsTextEscaped) {
  Record();
  auto d = LoadReport(db_, {.run = 1});
  ASSERT_TRUE(d.ok()) << d.status();
  const std::string html = RenderHtml(*d);
  EXPECT_EQ(html, RenderHtml(*LoadReport(db_, {.run = 1})));
  // The only "</script>" are the page's own three (error capture, data, script).
  size_t closes = 0;
  for (size_t at = html.find("</script>"); at != std::string::npos; at = html.find("</script>", at + 1)) ++closes;
  EXPECT_EQ(closes, 3u);
  EXPECT_THAT(html, HasSubstr("/etc/shadow&lt;/script&gt;"));
  EXPECT_THAT(html, HasSubstr("cat &lt;/etc/hosts&gt;"));
  EXPECT_THAT(html, HasSubstr("id=\"process-count\" data-value=\"2\""));
  EXPECT_THAT(html, HasSubstr("id=\"denial-count\" data-value=\"1\""));
  // Nothing to fetch: the one URL is the SVG namespace's name.
  EXPECT_EQ(html.find("http"), html.find("http://www.w3.org/2000/svg"));
  EXPECT_EQ(html.find("http", html.find("http") + 1), std::string::npos);
  EXPECT_THAT(html, Not(HasSubstr(" src=")));
}

TEST_F(LoadTest, BadInput) {
  Record();
  auto none = LoadReport(db_, {.run = 7});
  EXPECT_EQ(none.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(none.status().message()), HasSubstr("no run 7"));
  const std::string text = dir_.File("notes.txt");
  std::ofstream(text) << "not a database\n";
  EXPECT_EQ(LoadReport(text, {}).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(LoadReport(dir_.File("missing.db"), {}).status().code(), absl::StatusCode::kNotFound);
}

// The readers read an older file in its own shape (they cannot upgrade
// it): a version 5 file (no `named` column) and a version 1 file.
TEST_F(LoadTest, OlderSchemasRender) {
  Record();
  std::string view = QueryOne(db_, "SELECT sql FROM sqlite_master WHERE name = 'file_events'");
  const size_t rule = view.find(" AS rule"), named = view.find(" AS named");
  ASSERT_NE(named, std::string::npos) << view;
  view = view.substr(0, rule + 8) + view.substr(named + 9);
  ASSERT_EQ(Exec(db_, "DROP VIEW events; DROP VIEW file_events; ALTER TABLE calls DROP COLUMN named; " + view +
                          "; PRAGMA user_version = 5;"),
            "");
  auto v5 = LoadReport(db_, {.run = 1});
  ASSERT_TRUE(v5.ok()) << v5.status();
  EXPECT_EQ(v5->schema_version, 5);
  EXPECT_EQ(v5->processes, 2);
  EXPECT_EQ(v5->denials, 1);
  EXPECT_EQ(v5->files[0].calls, 3);
  EXPECT_THAT(RenderHtml(*v5), HasSubstr("(schema 5)"));

  const std::string v1_db = dir_.File("v1.db");
  ASSERT_EQ(store::testing::CreateV1Database(v1_db), "");
  auto v1 = LoadReport(v1_db, {});
  ASSERT_TRUE(v1.ok()) << v1.status();
  EXPECT_EQ(v1->schema_version, 1);
  EXPECT_GT(v1->events, 0);
  EXPECT_THAT(RenderHtml(*v1), HasSubstr("(schema 1)"));
}

TEST(GroupByDirectoryTest, MostUsedFirstAndCapped) {
  std::vector<profile::FileUse> files;
  files.push_back({"/a/x", 1, 0, 0, {}});
  files.push_back({"/b/y", 5, 0, 0, {}});
  files.push_back({"/b/z", 5, 0, 0, {}});
  files.push_back({"/top", 2, 0, 0, {}});
  for (int i = 0; i < 30; ++i) files.push_back({"/c/f" + std::to_string(100 + i), 1, 0, 0, {}});
  FileClass c = GroupByDirectory("read", files);
  EXPECT_EQ(c.files, 34);
  EXPECT_EQ(c.calls, 1 + 5 + 5 + 2 + 30);
  ASSERT_EQ(c.dirs.size(), 4u);
  EXPECT_EQ(c.dirs[0].dir, "/c");
  EXPECT_EQ(c.dirs[0].top.size(), kMaxFilesPerDir);
  EXPECT_EQ(c.dirs[1].dir, "/b");
  EXPECT_THAT(c.dirs[1].top, ElementsAre(Pair("y", 5), Pair("z", 5)));
  EXPECT_EQ(c.dirs[2].dir, "/");
  EXPECT_EQ(c.dirs[3].dir, "/a");
  EXPECT_EQ(c.more_dirs, 0);
}

}  // namespace
}  // namespace warden::report
