// `warden export` formats, compression, filters and output file on real
// runs; and what every reading command does with bad input.
#include <sys/stat.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

using ::testing::Each;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class ExportCliTest : public IntegrationTest {
 protected:
  ExitInfo Export(const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {WardenBin(), "export", "--db", db()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return Run(argv);
  }
  void TwoRuns() {
    ASSERT_EQ(RunWarden({"/bin/sh", "-c", "cat /etc/hostname > out"}).exit_code, 0);
    ASSERT_EQ(RunWarden({Helper("connect_helper"), "tcp"}).exit_code, 0);
  }
};

TEST_F(ExportCliTest, JsonIsOneArrayOfTheNdjsonObjects) {
  TwoRuns();
  ExitInfo nd = Export({});
  ExitInfo js = Export({"--format", "json"});
  ASSERT_EQ(js.exit_code, 0) << js.err;
  std::vector<std::string> lines = Lines(js.out);
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines.front(), "[");
  EXPECT_EQ(lines.back(), "]");
  std::vector<std::string> objects(lines.begin() + 1, lines.end() - 1);
  for (auto& o : objects)
    if (!o.empty() && o.back() == ',') o.pop_back();
  EXPECT_EQ(objects, Lines(nd.out));
}

TEST_F(ExportCliTest, CsvHasAHeaderAndOneRowPerEvent) {
  TwoRuns();
  ExitInfo nd = Export({"--run", "1"});
  ExitInfo csv = Export({"--run", "1", "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  // CRLF rows (RFC 4180); no field of these runs holds a line break.
  std::vector<std::string> rows = Lines(csv.out);
  ASSERT_EQ(rows.size(), Lines(nd.out).size() + 1);
  EXPECT_THAT(rows, Each(testing::EndsWith("\r")));
  EXPECT_THAT(rows[0], StartsWith("run,ts,time,pid,exe,kind,op,syscall,"));
  EXPECT_THAT(csv.out, HasSubstr(",file,create,openat,"));
  EXPECT_THAT(csv.out, HasSubstr(Path("out")));
  // argv is a JSON array in one quoted field.
  EXPECT_THAT(csv.out, HasSubstr(R"("[""/bin/sh"",""-c"",""cat /etc/hostname > out""]")"));
}

TEST_F(ExportCliTest, KindAndTimeFilters) {
  TwoRuns();
  ExitInfo r = Export({"--kind", "net,exec"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> kinds;
  for (const auto& l : Lines(r.out)) kinds.insert(ParseJsonObject(l)->at("kind"));
  EXPECT_EQ(kinds, (std::set<std::string>{"net", "exec"}));

  // Between run 1's start and run 2's start: run 1's events only.
  const std::string start2 = QueryOne("SELECT start_ns FROM runs WHERE id=2");
  r = Export({"--to", start2});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_FALSE(r.out.empty());
  for (const auto& l : Lines(r.out)) EXPECT_EQ(ParseJsonObject(l)->at("run"), "1") << l;
  r = Export({"--from", start2, "--kind", "file"});
  for (const auto& l : Lines(r.out)) EXPECT_EQ(ParseJsonObject(l)->at("run"), "2") << l;
  // Relative and RFC 3339 times.
  EXPECT_EQ(Export({"--from", "1h ago"}).out, Export({}).out);
  EXPECT_EQ(Export({"--to", "2000-01-01T00:00:00Z"}).out, "");
  r = Export({"--from", "yesterday-ish"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--from"));
  r = Export({"--kind", "files"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown kind 'files'"));
}

TEST_F(ExportCliTest, GzipAndOutputFile) {
  TwoRuns();
  ExitInfo plain = Export({"--format", "csv"});
  ExitInfo gz = Export({"--format", "csv", "--gzip", "-o", Path("e.csv.gz")});
  ASSERT_EQ(gz.exit_code, 0) << gz.err;
  EXPECT_EQ(gz.out, "");
  std::string bytes = ReadFile(Path("e.csv.gz"));
  ASSERT_GE(bytes.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(bytes[0]), 0x1f);  // gzip magic
  EXPECT_EQ(static_cast<unsigned char>(bytes[1]), 0x8b);
  EXPECT_LT(bytes.size(), plain.out.size() / 2);
  ExitInfo back = Run({"/bin/gzip", "-dc", Path("e.csv.gz")});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(back.out, plain.out);
  // With no gzip program anywhere (a slim image): zlib in warden does it.
  ExitInfo slim = Run({"/usr/bin/env", "PATH=/nonexistent", WardenBin(), "export", "--db", db(), "--format",
                       "csv", "--gzip", "-o", Path("slim.csv.gz")});
  ASSERT_EQ(slim.exit_code, 0) << slim.err;
  EXPECT_EQ(Run({"/bin/gzip", "-dc", Path("slim.csv.gz")}).out, plain.out);
  // To stdout.
  ExitInfo piped = Export({"--gzip"});
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  WriteFile(Path("e.gz"), piped.out);
  EXPECT_EQ(Run({"/bin/gzip", "-dc", Path("e.gz")}).out, Export({}).out);
  // -o: the file holds the export; a failed export leaves an existing one alone.
  ASSERT_EQ(Export({"-o", Path("e.ndjson")}).exit_code, 0);
  EXPECT_EQ(ReadFile(Path("e.ndjson")), Export({}).out);
  ExitInfo bad = Export({"--run", "9", "-o", Path("e.ndjson")});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(ReadFile(Path("e.ndjson")), Export({}).out);
  for (const auto& name : std::vector<std::string>{"e.ndjson", "e.csv.gz", "slim.csv.gz", "e.gz", "w.db"})
    EXPECT_TRUE(std::filesystem::exists(Path(name))) << name;
  // No partial file is left behind.
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir()))
    files += entry.path().filename().string().find("partial") != std::string::npos;
  EXPECT_EQ(files, 0);
}

// Missing file, not a warden database, unknown run: a message naming the
// problem, exit 2, the file as it was.
TEST_F(ExportCliTest, BadInputForEveryReadingCommand) {
  ASSERT_EQ(RunWarden({"/bin/true"}).exit_code, 0);
  WriteFile(Path("notes.txt"), "shopping list\nmilk\n");
  std::string foreign = Path("app.db");
  ExitInfo made = Run({"/usr/bin/sqlite3", foreign, "CREATE TABLE users(name TEXT);"});
  const bool have_sqlite3 = made.exit_code == 0;
  const std::string db_before = ReadFile(db()), notes_before = ReadFile(Path("notes.txt"));
  const std::string foreign_before = have_sqlite3 ? ReadFile(foreign) : "";

  const std::vector<std::vector<std::string>> commands = {
      {"export"}, {"replay"}, {"events"}, {"events", "--follow"}, {"prune", "--older-than", "1h"}};
  for (const auto& cmd : commands) {
    auto run = [&](const std::string& file, std::vector<std::string> extra = {}) {
      std::vector<std::string> argv = {WardenBin()};
      argv.insert(argv.end(), cmd.begin(), cmd.end());
      argv.push_back("--db");
      argv.push_back(file);
      argv.insert(argv.end(), extra.begin(), extra.end());
      return Run(argv);
    };
    const std::string name = cmd[0] + (cmd.size() > 1 ? " " + cmd[1] : "");
    ExitInfo r = run(Path("missing.db"));
    EXPECT_EQ(r.exit_code, 2) << name << r.err;
    EXPECT_THAT(r.err, HasSubstr("no database at " + Path("missing.db"))) << name;
    EXPECT_FALSE(std::filesystem::exists(Path("missing.db"))) << name;

    r = run(Path("notes.txt"));
    EXPECT_EQ(r.exit_code, 2) << name << r.err;
    EXPECT_THAT(r.err, HasSubstr("is not a warden database")) << name;
    EXPECT_EQ(r.out, "") << name;

    if (have_sqlite3) {
      r = run(foreign);
      EXPECT_EQ(r.exit_code, 2) << name << r.err;
      EXPECT_THAT(r.err, HasSubstr("is not a warden database")) << name;
    }
    if (cmd[0] != "prune") {
      r = run(db(), {"--run", "42"});
      EXPECT_EQ(r.exit_code, 2) << name << r.err;
      EXPECT_THAT(r.err, HasSubstr("no run 42 in " + db() + "; available runs: 1")) << name;
      EXPECT_EQ(r.out, "") << name;
    }
  }
  EXPECT_EQ(ReadFile(db()), db_before);
  EXPECT_EQ(ReadFile(Path("notes.txt")), notes_before);
  if (have_sqlite3) {
    EXPECT_EQ(ReadFile(foreign), foreign_before);
  }
}

}  // namespace
}  // namespace warden::itest
