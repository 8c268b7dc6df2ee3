// `warden report`: pages of real runs recorded by the real binary (a shell
// pipeline, a `make -j2` build, a run with policy denials, a file in the
// previous schema), rendered in headless Chromium with JavaScript on. The
// rendered DOM must show what the database holds, with no script error;
// screenshots go to <build>/tests/report-screenshots/ for a person to look
// at. Without a Chromium the browser tests say so and skip.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr auto kBrowserTimeout = std::chrono::milliseconds(25000);

// The browser: $WARDEN_CHROMIUM, else Debian's chromium (or another
// Chrome) on PATH; "" when there is none.
std::string FindBrowser() {
  if (const char* env = std::getenv("WARDEN_CHROMIUM"); env && *env) return env;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    size_t start = 0;
    while (start <= dirs.size()) {
      size_t end = dirs.find(':', start);
      if (end == std::string::npos) end = dirs.size();
      const std::string candidate = dirs.substr(start, end - start) + "/" + name;
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
      start = end + 1;
    }
  }
  return "";
}

// The count of `needle` in `hay`.
size_t Occurrences(const std::string& hay, std::string_view needle) {
  size_t n = 0;
  for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

// data-value of the element with `id` in the page, or -1.
int64_t ShownValue(const std::string& html, const std::string& id) {
  std::smatch m;
  if (!std::regex_search(html, m, std::regex("id=\"" + id + "\" data-value=\"(-?[0-9]+)\""))) return -1;
  return std::stoll(m[1]);
}

class ReportTest : public IntegrationTest {
 protected:
  // `warden report` of `run` (0: the latest) into `out`.
  ExitInfo Report(const std::string& out, int64_t run = 0, const std::string& database = "") {
    std::vector<std::string> argv = {WardenBin(), "report", "--db", database.empty() ? db() : database, "-o", out};
    if (run) argv.insert(argv.end(), {"--run", std::to_string(run)});
    return Run(argv);
  }

  int64_t LatestRun() { return QueryInt("SELECT max(id) FROM runs"); }
  int64_t Processes(int64_t run) {
    return QueryInt(Sub("SELECT count(*) FROM processes WHERE run_id = {} AND is_thread = 0", run));
  }
  int64_t Denials(int64_t run) {
    return QueryInt(Sub("SELECT count(*) FROM policy_events WHERE run_id = {} AND action IN ('deny', 'kill')", run));
  }
  static std::string Sub(std::string_view f, int64_t run) {
    std::string s(f);
    s.replace(s.find("{}"), 2, std::to_string(run));
    return s;
  }

  // Where the screenshots go: under the build tree, kept after the test.
  static std::string ShotDir() {
    const std::string dir = Helper("report-screenshots");
    mkdir(dir.c_str(), 0755);
    return dir;
  }

  struct Rendered {
    std::string dom;  // after the page's scripts ran
    std::string log;  // the browser's stderr (console messages included)
  };

  // The page in headless Chromium, JavaScript on: the DOM it ends with, and
  // a screenshot `shot` (a full page of 1280 x `height`) when given.
  Rendered Render(const std::string& page, const std::string& shot = "", int height = 2400) {
    std::vector<std::string> common = {browser_, "--headless", "--no-sandbox", "--disable-gpu",
                                       "--no-first-run", "--disable-extensions", "--hide-scrollbars",
                                       "--enable-logging=stderr", "--v=0", "--user-data-dir=" + Path("chrome-profile"),
                                       "--window-size=1280," + std::to_string(height)};
    std::vector<std::string> dump = common;
    dump.insert(dump.end(), {"--dump-dom", "file://" + page});
    ExitInfo r = Run(dump, kBrowserTimeout);
    EXPECT_FALSE(r.timed_out) << browser_ << " did not finish in " << kBrowserTimeout.count() << " ms";
    EXPECT_EQ(r.exit_code, 0) << r.err;
    Rendered out{r.out, r.err};
    if (!shot.empty()) {
      std::vector<std::string> s = common;
      s.insert(s.end(), {"--screenshot=" + shot, "file://" + page});
      ExitInfo sr = Run(s, kBrowserTimeout);
      EXPECT_EQ(sr.exit_code, 0) << sr.err;
      struct stat st;
      EXPECT_TRUE(stat(shot.c_str(), &st) == 0 && st.st_size > 1000) << "no screenshot at " << shot << ": " << sr.err;
    }
    return out;
  }

  // What every rendered report must show: the scripts ran to the end with
  // no error, and the counts are the database's.
  void ExpectRendered(const Rendered& r, int64_t run) {
    std::smatch errors;
    std::regex_search(r.dom, errors, std::regex("<pre id=\"js-errors\"[^>]*>([^<]*)</pre>"));
    EXPECT_THAT(r.dom, HasSubstr("data-rendered=\"ok\"")) << "script errors: " << errors[1] << "\n" << r.log;
    EXPECT_THAT(r.dom, HasSubstr("<pre id=\"js-errors\" hidden=\"\"></pre>"));
    EXPECT_THAT(r.log, Not(HasSubstr("CONSOLE"))) << "the page wrote to the console";
    EXPECT_THAT(r.log, Not(HasSubstr("Uncaught")));
    EXPECT_EQ(ShownValue(r.dom, "process-count"), Processes(run));
    EXPECT_EQ(ShownValue(r.dom, "denial-count"), Denials(run));
    EXPECT_GT(Occurrences(r.dom, "class=\"tl-row\""), 0u) << "no timeline drawn";
    EXPECT_THAT(r.dom, HasSubstr("id=\"activity-chart\" class=\"chart\"><svg"));
    EXPECT_THAT(r.dom, HasSubstr("<button type=\"button\" class=\"on\">"));  // the profile's tabs
  }

  // The pids the timeline drew, as drawn.
  static std::multiset<std::string> DrawnPids(const std::string& dom) {
    std::multiset<std::string> pids;
    static const std::regex row("class=\"tl-row\" data-pid=\"([0-9]+)\"");
    for (auto it = std::sregex_iterator(dom.begin(), dom.end(), row); it != std::sregex_iterator(); ++it)
      pids.insert((*it)[1]);
    return pids;
  }
  std::multiset<std::string> RecordedPids(int64_t run) {
    std::multiset<std::string> pids;
    for (const auto& row : Query(Sub("SELECT pid FROM processes WHERE run_id = {} AND is_thread = 0", run)))
      pids.insert(row[0]);
    return pids;
  }

  void SetUp() override {
    IntegrationTest::SetUp();
    browser_ = FindBrowser();
  }
  bool NoBrowser() { return browser_.empty(); }
  std::string browser_;
};

#define SKIP_WITHOUT_BROWSER()                                                                          \
  if (NoBrowser())                                                                                      \
  GTEST_SKIP() << "no Chromium to render the report in (apt-get install chromium, or set "            \
                  "WARDEN_CHROMIUM); packaging/test.sh installs it"

TEST_F(ReportTest, ShellPipelineInTheBrowser) {
  SKIP_WITHOUT_BROWSER();
  ExitInfo w = RunWarden({"/bin/sh", "-c", "cat /etc/passwd | grep -c root | wc -l; ls / > /dev/null"});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  const int64_t run = LatestRun();
  const std::string page = Path("pipeline.html");
  ExitInfo r = Report(page);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Rendered shown = Render(page, ShotDir() + "/pipeline.png");
  ExpectRendered(shown, run);
  ASSERT_GE(Processes(run), 4);
  // One timeline row per process, each process once.
  EXPECT_EQ(DrawnPids(shown.dom), RecordedPids(run));
  EXPECT_EQ(ShownValue(shown.dom, "denial-count"), 0);
  std::filesystem::copy_file(page, ShotDir() + "/pipeline.html", std::filesystem::copy_options::overwrite_existing);
}

TEST_F(ReportTest, MakeBuildInTheBrowser) {
  SKIP_WITHOUT_BROWSER();
  if (access("/usr/bin/make", X_OK) != 0 || access("/usr/bin/cc", X_OK) != 0)
    GTEST_SKIP() << "no make or cc (build-essential) to build with";
  std::string makefile = "OBJS =";
  for (int i = 0; i < 6; ++i) {
    WriteFile(Path("f" + std::to_string(i) + ".c"), "int f" + std::to_string(i) + "(void) { return " +
                                                         std::to_string(i) + "; }\n");
    makefile += " f" + std::to_string(i) + ".o";
  }
  WriteFile(Path("main.c"), "int f0(void);\nint main(void) { return f0(); }\n");
  WriteFile(Path("Makefile"), makefile + "\nprog: main.o $(OBJS)\n\tcc -o $@ $^\n%.o: %.c\n\tcc -O0 -c $<\n");
  ExitInfo w = RunWarden({"/usr/bin/make", "-j2", "prog"}, {}, std::chrono::milliseconds(50000));
  ASSERT_EQ(w.exit_code, 0) << w.err;
  const int64_t run = LatestRun();
  ASSERT_GE(Processes(run), 20) << "a build of 7 files runs a few dozen processes";
  const std::string page = Path("build.html");
  ASSERT_EQ(Report(page).exit_code, 0);
  Rendered shown = Render(page, ShotDir() + "/build.png");
  ExpectRendered(shown, run);
  EXPECT_EQ(DrawnPids(shown.dom), RecordedPids(run));
  // The build's compilers are in the profile's programs.
  EXPECT_THAT(shown.dom, HasSubstr("/usr/bin/make"));
  std::filesystem::copy_file(page, ShotDir() + "/build.html", std::filesystem::copy_options::overwrite_existing);
}

TEST_F(ReportTest, PolicyDenialsInTheBrowser) {
  SKIP_WITHOUT_BROWSER();
  WriteFile(Path("deny.yaml"), R"(version: 1
name: no-passwd
rules:
  - name: cat-no-passwd
    type: file-read
    program: cat
    paths: /etc/passwd
    action: deny
    errno: EACCES
)");
  ExitInfo w = RunWarden({"/bin/sh", "-c", "cat /etc/passwd; cat /etc/passwd; cat /etc/hostname; exit 0"},
                         {"--policy", Path("deny.yaml")});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  const int64_t run = LatestRun();
  ASSERT_EQ(Denials(run), 2) << Dump();
  const std::string page = Path("denials.html");
  ASSERT_EQ(Report(page).exit_code, 0);
  Rendered shown = Render(page, ShotDir() + "/denials.png");
  ExpectRendered(shown, run);
  EXPECT_EQ(DrawnPids(shown.dom), RecordedPids(run));
  // Marked on the activity chart, listed by rule and one by one.
  EXPECT_GE(Occurrences(shown.dom, "class=\"denial-mark\""), 1u);
  EXPECT_THAT(shown.dom, HasSubstr("cat-no-passwd"));
  EXPECT_EQ(Occurrences(shown.dom, "<td class=\"path\">/etc/passwd</td>"), 2u);
  std::filesystem::copy_file(page, ShotDir() + "/denials.html", std::filesystem::copy_options::overwrite_existing);
}

// A file in the previous schema (version 5: no `named` column on calls and
// file_events) is read in its own shape: the report renders.
TEST_F(ReportTest, PreviousSchemaVersionRenders) {
  ExitInfo w = RunWarden({"/bin/sh", "-c", "cat /etc/hostname | wc -c"});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  const int64_t run = LatestRun();
  std::string view = QueryOne("SELECT sql FROM sqlite_master WHERE name = 'file_events'");
  const size_t rule = view.find(" AS rule"), named = view.find(" AS named");
  ASSERT_NE(named, std::string::npos) << view;
  view = view.substr(0, rule + 8) + view.substr(named + 9);
  ExitInfo down = Run({"/usr/bin/sqlite3", db(),
                       "DROP VIEW events; DROP VIEW file_events; ALTER TABLE calls DROP COLUMN named; " + view +
                           "; PRAGMA user_version = 5;"});
  if (down.exit_code != 0 && access("/usr/bin/sqlite3", X_OK) != 0) GTEST_SKIP() << "no sqlite3 CLI";
  ASSERT_EQ(down.exit_code, 0) << down.err;
  ASSERT_EQ(QueryOne("PRAGMA user_version"), "5");
  const std::string page = Path("v5.html");
  ExitInfo r = Report(page);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = ReadFile(page);
  EXPECT_THAT(html, HasSubstr("(schema 5)"));
  EXPECT_EQ(ShownValue(html, "process-count"), Processes(run));
  EXPECT_EQ(QueryOne("PRAGMA user_version"), "5") << "the report must not upgrade the file";
  if (NoBrowser()) return;
  Rendered shown = Render(page);
  ExpectRendered(shown, run);
  EXPECT_EQ(DrawnPids(shown.dom), RecordedPids(run));
}

TEST_F(ReportTest, SameDatabaseSameBytes) {
  ASSERT_EQ(RunWarden({"/bin/sh", "-c", "ls / | wc -l"}).exit_code, 0);
  ASSERT_EQ(Report(Path("a.html")).exit_code, 0);
  ASSERT_EQ(Report(Path("b.html"), LatestRun()).exit_code, 0);
  const std::string a = ReadFile(Path("a.html"));
  EXPECT_GT(a.size(), 10000u);
  EXPECT_EQ(a, ReadFile(Path("b.html")));
  // Self-contained: nothing is loaded from anywhere.
  EXPECT_THAT(a, Not(HasSubstr("<link")));
  EXPECT_THAT(a, Not(HasSubstr(" src=")));
  // No temporary file left next to it.
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir()))
    if (e.path().filename().string().find("partial") != std::string::npos) ++files;
  EXPECT_EQ(files, 0u);
}

TEST_F(ReportTest, BadInputIsExit2WithAClearMessage) {
  ASSERT_EQ(RunWarden({"/bin/true"}).exit_code, 0);
  ExitInfo r = Report(Path("r.html"), 42);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no run 42"));
  EXPECT_THAT(r.err, HasSubstr("available runs: 1"));

  WriteFile(Path("notes.txt"), "these are notes, not a database\n");
  r = Report(Path("r.html"), 0, Path("notes.txt"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("notes.txt"));
  EXPECT_THAT(r.err, HasSubstr("not"));

  r = Report(Path("r.html"), 0, Path("missing.db"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("does not exist"));

  r = Report(Path("no/such/dir/r.html"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("the directory " + Path("no/such/dir") + " does not exist"));

  r = Run({WardenBin(), "report", "--db", db()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("-o FILE is required"));

  r = Report(dir());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("is a directory"));
  struct stat st;
  EXPECT_NE(stat(Path("r.html").c_str(), &st), 0) << "nothing written on bad input";

  // Standard output that cannot be written: 1, as every reading command.
  r = Run({"/bin/sh", "-c", WardenBin() + " report --db " + db() + " -o - >/dev/full"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
}

TEST_F(ReportTest, ExpectedProfileIsCheckedNextToTheProfile) {
  ASSERT_EQ(RunWarden({"/bin/cat", "/etc/hostname"}).exit_code, 0);
  ExitInfo e = Run({WardenBin(), "expect", "--db", db(), "--service", "cat", "-o", Path("cat.expect.json")});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  ASSERT_EQ(RunWarden({"/bin/cat", "/etc/hosts"}).exit_code, 0);
  ExitInfo r = Run({WardenBin(), "report", "--db", db(), "--expect", Path("cat.expect.json"), "-o", Path("v.html")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = ReadFile(Path("v.html"));
  EXPECT_THAT(html, HasSubstr("id=\"verify-status\""));
  // /etc/hostname was expected and not read this time; /etc/hosts was not expected.
  EXPECT_THAT(html, HasSubstr("/etc/hostname"));
  EXPECT_THAT(html, HasSubstr("id=\"verify-unexpected\">1<"));
  r = Run({WardenBin(), "report", "--db", db(), "--expect", Path("nope.json"), "-o", Path("v.html")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("nope.json"));
}

}  // namespace
}  // namespace warden::itest
