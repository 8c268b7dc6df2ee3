// `warden profile` over several databases: three real runs of one workload
// (a shell that reads files, lists a directory and runs a loopback client
// and server), each into its own file; the profile of the three equals the
// union of their single-run profiles, computed here from those, and one
// count is checked against SQL over the files. One run's output keeps its
// shape (no "runs", the run's own head).
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/test_util.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using store::testing::Json;
using store::testing::JsonParser;

// One entry of a profile list, as the union combines it.
struct Entry {
  int64_t count = 0, outbound = 0, inbound = 0;
  std::string first, last;  // RFC 3339 with milliseconds: text order is time order
  std::set<std::string> programs;
  bool operator==(const Entry&) const = default;
};
using Entries = std::map<std::string, Entry>;

std::string KeyOf(const Json& item) {
  if (!item.Has("port")) return item.Str(item.Has("path") ? "path" : "address");  // files, programs, addresses
  const Json* port = item.Get("port");
  return item.Str("address") + "|" + (port->type == Json::kNull ? "-" : port->text) + "|" +
         item.Str("family") + "|" + item.Str("type");
}

// Adds a list of one profile to `into`: counts summed, first the earliest,
// last the latest, programs merged.
void AddList(const Json* list, Entries& into) {
  ASSERT_TRUE(list && list->type == Json::kArray);
  for (const Json& item : list->items) {
    auto [it, fresh] = into.try_emplace(KeyOf(item));
    Entry& e = it->second;
    if (item.Has("count")) e.count += item.Int("count");
    if (item.Has("outbound")) e.outbound += item.Int("outbound"), e.inbound += item.Int("inbound");
    e.first = fresh ? item.Str("first_seen") : std::min(e.first, item.Str("first_seen"));
    e.last = fresh ? item.Str("last_seen") : std::max(e.last, item.Str("last_seen"));
    if (const Json* programs = item.Get("programs"))
      for (const Json& p : programs->items) e.programs.insert(p.text);
  }
}

// The lists of a profile object, by name.
const Json* ListOf(const Json& p, std::string_view name) {
  if (name == "read" || name == "written" || name == "executed") return p.Get("files")->Get(name);
  if (name == "listening" || name == "accessed") return p.Get("ports")->Get(name);
  return p.Get(name);  // programs, addresses
}
constexpr std::string_view kLists[] = {"read",      "written",  "executed", "programs",
                                       "listening", "accessed", "addresses"};

// The lists' keys in their order in the output.
std::vector<std::string> Order(const Json* list) {
  std::vector<std::string> out;
  for (const Json& item : list->items) out.push_back(KeyOf(item));
  return out;
}

class ProfileUnionTest : public IntegrationTest {
 protected:
  ExitInfo Warden(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {WardenBin()};
    argv.insert(argv.end(), args.begin(), args.end());
    return Run(argv);
  }
  // The workload, recorded into `db`; `extra` is a file only this run reads.
  void Record(const std::string& db, const std::string& extra) {
    WriteFile(Path(extra), "x\n");
    const std::string script = "cat in.txt " + extra + "; ls sub; " + Helper("connect_helper") + " tcp";
    ExitInfo r = Warden({"run", "--db", db, "--", "/bin/sh", "-c", script});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  Json Profile(const std::vector<std::string>& args) {
    std::vector<std::string> a = {"profile"};
    a.insert(a.end(), args.begin(), args.end());
    a.insert(a.end(), {"--format", "json"});
    ExitInfo r = Warden(a);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string error;
    auto v = JsonParser::Parse(r.out, &error);
    EXPECT_TRUE(v) << error << "\n" << r.out;
    return v ? *v : Json{};
  }
};

TEST_F(ProfileUnionTest, ThreeDatabasesGiveTheUnionOfTheirProfiles) {
  WriteFile(Path("in.txt"), "hello\n");
  ASSERT_EQ(mkdir(Path("sub").c_str(), 0755), 0);
  WriteFile(Path("sub/a"), "");
  const std::vector<std::string> dbs = {Path("a.db"), Path("b.db"), Path("c.db")};
  Record(dbs[0], "one.txt");
  Record(dbs[1], "two.txt");
  Record(dbs[1], "two.txt");  // b.db: the latest run, 2, is the one profiled
  Record(dbs[2], "three.txt");
  if (HasFailure()) return;

  std::vector<Json> singles;
  for (const auto& db : dbs) singles.push_back(Profile({"--db", db}));
  Json merged = Profile({"--db", dbs[0], "--db", dbs[1], "--db", dbs[2]});
  if (HasFailure()) return;

  // The head: each run, and the combined figures.
  const Json* runs = merged.Get("runs");
  ASSERT_TRUE(runs && runs->items.size() == 3) << "no runs array of 3";
  int64_t processes = 0;
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(runs->items[i].Str("db"), dbs[i]);
    EXPECT_EQ(runs->items[i].Int("run"), singles[i].Int("run"));
    EXPECT_EQ(runs->items[i].Int("processes"), singles[i].Int("processes"));
    EXPECT_EQ(runs->items[i].Str("status"), "finished");
    processes += singles[i].Int("processes");
  }
  EXPECT_EQ(runs->items[1].Int("run"), 2);
  EXPECT_EQ(merged.Get("run")->type, Json::kNull);
  EXPECT_EQ(merged.Str("status"), "finished");
  EXPECT_EQ(merged.Int("processes"), processes);
  EXPECT_EQ(merged.Str("start"), std::min({singles[0].Str("start"), singles[1].Str("start"), singles[2].Str("start")}));
  EXPECT_EQ(merged.Str("end"), std::max({singles[0].Str("end"), singles[1].Str("end"), singles[2].Str("end")}));

  // Every list: the union of the three, in the single runs' order.
  for (std::string_view name : kLists) {
    Entries expected, got;
    for (const Json& s : singles) AddList(ListOf(s, name), expected);
    AddList(ListOf(merged, name), got);
    EXPECT_EQ(got.size(), expected.size()) << name;
    for (const auto& [key, e] : expected) {
      auto it = got.find(key);
      if (it == got.end()) {
        ADD_FAILURE() << name << ": " << key << " is missing from the merged profile";
        continue;
      }
      EXPECT_EQ(it->second.count, e.count) << name << " " << key;
      EXPECT_EQ(it->second.outbound, e.outbound) << name << " " << key;
      EXPECT_EQ(it->second.inbound, e.inbound) << name << " " << key;
      EXPECT_EQ(it->second.first, e.first) << name << " " << key;
      EXPECT_EQ(it->second.last, e.last) << name << " " << key;
      EXPECT_EQ(it->second.programs, e.programs) << name << " " << key;
    }
  }
  // Files by path; three listening ports (one per run), by port.
  std::vector<std::string> read = Order(ListOf(merged, "read"));
  EXPECT_TRUE(std::is_sorted(read.begin(), read.end()));
  EXPECT_THAT(read, testing::IsSupersetOf({Path("in.txt"), Path("one.txt"), Path("two.txt"), Path("three.txt")}));
  const Json* listening = ListOf(merged, "listening");
  ASSERT_EQ(listening->items.size(), 3u) << "one server port per run";
  EXPECT_LE(listening->items[0].Int("port"), listening->items[1].Int("port"));
  EXPECT_LE(listening->items[1].Int("port"), listening->items[2].Int("port"));

  // SQL over the three files: the successful reads of in.txt in the runs.
  int64_t sql_count = 0;
  const char* runs_sql[] = {"1", "2", "1"};
  for (size_t i = 0; i < 3; ++i)
    sql_count += std::stoll(store::testing::QueryOne(
        dbs[i], "SELECT count(*) FROM file_events WHERE run_id = " + std::string(runs_sql[i]) +
                    " AND op = 'read' AND path = " + Sql(Path("in.txt")) +
                    " AND errno = 0 AND (result IS NULL OR result >= 0)"));
  Entries in;
  AddList(ListOf(merged, "read"), in);
  EXPECT_EQ(in[Path("in.txt")].count, sql_count);
  EXPECT_GE(sql_count, 3);
}

TEST_F(ProfileUnionTest, TextHeadListsTheRunsAndOneRunKeepsItsShape) {
  WriteFile(Path("in.txt"), "hello\n");
  ASSERT_EQ(mkdir(Path("sub").c_str(), 0755), 0);
  Record(Path("a.db"), "one.txt");
  Record(Path("b.db"), "two.txt");
  if (HasFailure()) return;
  ExitInfo text = Warden({"profile", "--db", Path("a.db"), "--db", Path("b.db")});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, StartsWith("runs:      2\n"));
  EXPECT_THAT(text.out, HasSubstr("  " + Path("a.db") + " run 1: finished (exit 0): /bin/sh -c"));
  EXPECT_THAT(text.out, HasSubstr("  " + Path("b.db") + " run 1: finished (exit 0): /bin/sh -c"));
  EXPECT_THAT(text.out, HasSubstr("\nstatus:    finished\n"));

  // One run: the head of before, and no runs array.
  ExitInfo one = Warden({"profile", "--db", Path("a.db")});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_THAT(one.out, StartsWith("run 1: /bin/sh -c"));
  EXPECT_THAT(one.out, HasSubstr("\nstatus:    finished (exit 0)\n"));
  ExitInfo same = Warden({"profile", "--db", Path("a.db"), "--run", "1"});
  EXPECT_EQ(same.out, one.out);
  Json p = Profile({"--db", Path("a.db")});
  EXPECT_FALSE(p.Has("runs"));
  EXPECT_EQ(p.Int("run"), 1);
  EXPECT_EQ(p.members.front().first, "run");

  // A window with no events in any run: a message, exit 2.
  ExitInfo empty = Warden({"profile", "--db", Path("a.db"), "--from", "2000-01-01T00:00:00Z", "--to",
                           "2000-01-02T00:00:00Z"});
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_THAT(empty.err, HasSubstr("--from/--to"));
}

}  // namespace
}  // namespace warden::itest
