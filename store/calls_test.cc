// Tests of the compact storage of file and syscall events (schema version
// 4, store/calls.h): SplitArgs, and round trips through Store into the
// `calls` and `strings` tables and back out of the file_events and
// syscall_events views, which must show exactly what was submitted.
#include "store/calls.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <variant>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/schema.h"
#include "store/store.h"
#include "store/test_util.h"

namespace warden::store {
namespace {

using testing::AppendFileEvents;
using testing::AppendEvents;
using testing::Query;
using testing::QueryOne;
using testing::Row;
using testing::TempDir;

using Opt = std::optional<std::string>;

// A realistic run start (2023), far from 0: offsets are stored, not times.
constexpr int64_t kStart = 1'700'000'000'000'000'000;

// ---------------------------------------------------------------------------
// SplitArgs.

// Args without a quoted string stay whole: nothing to cut out.
TEST(SplitArgsTest, NoQuotesIsNotSplit) {
  ArgsTemplate t = SplitArgs("3, 0x7ffd1000, 4096");
  EXPECT_EQ(t.tmpl, "3, 0x7ffd1000, 4096");
  EXPECT_FALSE(t.token.has_value());
  t = SplitArgs("");
  EXPECT_EQ(t.tmpl, "");
  EXPECT_FALSE(t.token.has_value());
}

// One quoted string: its text (without the quotes) is the token, and the
// template keeps the quotes around a single \x01.
TEST(SplitArgsTest, OneStringIsCutOut) {
  ArgsTemplate t = SplitArgs("AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC");
  ASSERT_TRUE(t.token.has_value());
  EXPECT_EQ(*t.token, "/etc/passwd");
  EXPECT_EQ(t.tmpl, std::string("AT_FDCWD, \"\x01\", O_RDONLY|O_CLOEXEC"));
  // At the very start and the very end.
  t = SplitArgs("\"/x\"");
  ASSERT_TRUE(t.token.has_value());
  EXPECT_EQ(*t.token, "/x");
  EXPECT_EQ(t.tmpl, std::string("\"\x01\""));
  // The empty string is a string too.
  t = SplitArgs("AT_FDCWD, \"\", AT_EMPTY_PATH");
  ASSERT_TRUE(t.token.has_value());
  EXPECT_EQ(*t.token, "");
  EXPECT_EQ(t.tmpl, std::string("AT_FDCWD, \"\x01\", AT_EMPTY_PATH"));
}

// Escaped quotes and backslashes belong to the string: the token keeps the
// escapes as the decoder wrote them, and the string ends at the real quote.
TEST(SplitArgsTest, EscapedQuotesAndBackslashesStayInTheToken) {
  ArgsTemplate t = SplitArgs(R"(AT_FDCWD, "a\"b", 0)");
  ASSERT_TRUE(t.token.has_value());
  EXPECT_EQ(*t.token, R"(a\"b)");
  EXPECT_EQ(t.tmpl, std::string("AT_FDCWD, \"\x01\", 0"));

  // An escaped backslash just before the closing quote does not escape it.
  t = SplitArgs(R"("a\\", 1)");
  ASSERT_TRUE(t.token.has_value());
  EXPECT_EQ(*t.token, R"(a\\)");
  EXPECT_EQ(t.tmpl, std::string("\"\x01\", 1"));

  // Both, and a quote that is escaped right after an escaped backslash.
  t = SplitArgs(R"(1, "x\\\"y\\", 2)");
  ASSERT_TRUE(t.token.has_value());
  EXPECT_EQ(*t.token, R"(x\\\"y\\)");
  EXPECT_EQ(t.tmpl, std::string("1, \"\x01\", 2"));
}

// Two strings (rename, link, symlink, execve-like args): no split, the
// args are stored as they are.
TEST(SplitArgsTest, TwoStringsAreNotSplit) {
  const std::string args = "AT_FDCWD, \"a\", AT_FDCWD, \"b\", 0";
  ArgsTemplate t = SplitArgs(args);
  EXPECT_EQ(t.tmpl, args);
  EXPECT_FALSE(t.token.has_value());
  // A second string that is unterminated still counts as a second quote.
  t = SplitArgs("\"a\", \"b");
  EXPECT_EQ(t.tmpl, "\"a\", \"b");
  EXPECT_FALSE(t.token.has_value());
}

// Args that already contain the marker byte are never split: the view
// would replace the program's own \x01 too.
TEST(SplitArgsTest, ArgsWithTheMarkerByteAreNotSplit) {
  for (const std::string& args : {std::string("1, \"a\x01z\", 2"), std::string("\x01, \"a\", 2"),
                                 std::string("\"a\", \x01")}) {
    ArgsTemplate t = SplitArgs(args);
    EXPECT_EQ(t.tmpl, args);
    EXPECT_FALSE(t.token.has_value());
  }
}

// A string the decoder truncated ("abc"...) is still one string: the dots
// stay in the template.
TEST(SplitArgsTest, TruncatedStringIsSplit) {
  ArgsTemplate t = SplitArgs("1, \"abc\"..., 4096");
  ASSERT_TRUE(t.token.has_value());
  EXPECT_EQ(*t.token, "abc");
  EXPECT_EQ(t.tmpl, std::string("1, \"\x01\"..., 4096"));
}

// A quote that never closes (or closes only with an escaped quote) is no
// string: no split.
TEST(SplitArgsTest, UnterminatedQuoteIsNotSplit) {
  for (const std::string& args :
       {std::string("1, \"abc"), std::string(R"(1, "abc\")"), std::string(R"("abc\)"),
        std::string("\"")}) {
    ArgsTemplate t = SplitArgs(args);
    EXPECT_EQ(t.tmpl, args);
    EXPECT_FALSE(t.token.has_value()) << args;
  }
}

// StoredText: the text of a path's own strings row.
TEST(StringTableTest, StoredTextIsTheLastComponentOfAnAbsolutePath) {
  EXPECT_EQ(StringTable::StoredText("/etc/passwd"), "passwd");
  EXPECT_EQ(StringTable::StoredText("/x"), "x");
  EXPECT_EQ(StringTable::StoredText("/a/b/"), "");
  EXPECT_EQ(StringTable::StoredText("/"), "/");
  EXPECT_EQ(StringTable::StoredText(""), "");
  EXPECT_EQ(StringTable::StoredText("rel/path"), "rel/path");
  EXPECT_EQ(StringTable::StoredText("pipe:[3]"), "pipe:[3]");
}

// ---------------------------------------------------------------------------
// Round trips through Store.

constexpr char kFileColumns[] =
    "run_id, ts_ns, pid, exe, syscall, path, op, flags, result, errno, path2, action, rule";
constexpr char kSyscallColumns[] =
    "run_id, ts_ns, pid, exe, abi, nr, name, args, result, errno, action, rule";

Opt OrNull(const std::string& s) { return s.empty() ? Opt() : Opt(s); }
Opt IntOrNull(std::optional<int64_t> v) { return v ? Opt(std::to_string(*v)) : Opt(); }
std::string ActionText(const std::string& a) { return a.empty() ? "allow" : a; }

// What the views must show for an event (kFileColumns / kSyscallColumns).
// An empty flags, path2 or rule reads back as NULL, an empty action as
// allow; everything else exactly as submitted (an empty exe stays "", as
// version 3 wrote it).
Row FileRow(int64_t run, const FileEvent& e) {
  return {std::to_string(run), std::to_string(e.ts_ns), std::to_string(e.pid), e.exe,
          e.syscall, e.path, e.op, OrNull(e.flags), IntOrNull(e.result), std::to_string(e.err),
          OrNull(e.path2), ActionText(e.action), OrNull(e.rule)};
}
Row SyscallRow(int64_t run, const SyscallEvent& e) {
  return {std::to_string(run), std::to_string(e.ts_ns), std::to_string(e.pid), e.exe,
          e.abi, std::to_string(e.nr), e.name, e.args, IntOrNull(e.result),
          std::to_string(e.err), ActionText(e.action), OrNull(e.rule)};
}

constexpr const char* kNetColumns =
    "run_id, ts_ns, pid, exe, syscall, op, family, sock_type, direction, address, port, fd, "
    "result, errno, action, rule";

Row NetRow(int64_t run, const NetEvent& e) {
  auto opt_int = [](int v) { return v >= 0 ? Opt(std::to_string(v)) : std::nullopt; };
  return {std::to_string(run), std::to_string(e.ts_ns), std::to_string(e.pid), e.exe, e.syscall,
          OrNull(e.op), OrNull(e.family), OrNull(e.sock_type), OrNull(e.direction),
          OrNull(e.address), opt_int(e.port), opt_int(e.fd), IntOrNull(e.result),
          std::to_string(e.err), ActionText(e.action), OrNull(e.rule)};
}

// A connect: its network part and its syscall part.
NetEvent Connect(int pid, int64_t ts, std::string address, int port) {
  return NetEvent{.ts_ns = ts, .pid = pid, .exe = "/usr/bin/curl", .syscall = "connect",
                  .op = "connect", .family = "AF_INET", .sock_type = "SOCK_STREAM",
                  .direction = "outbound", .address = std::move(address), .port = port, .fd = 3,
                  .result = 0};
}
SyscallEvent SyscallOf(const NetEvent& n) {
  return SyscallEvent{.ts_ns = n.ts_ns, .pid = n.pid, .exe = n.exe, .abi = "x86_64", .nr = 42,
                      .name = n.syscall,
                      .args = "3, {sa_family=AF_INET, sin_port=htons(" + std::to_string(n.port) +
                              "), sin_addr=inet_addr(\"" + n.address + "\")}, 16",
                      .result = n.result, .err = n.err, .action = n.action, .rule = n.rule};
}

FileEvent OpenFile(int pid, int64_t ts, std::string path) {
  FileEvent e;
  e.ts_ns = ts;
  e.pid = pid;
  e.exe = "/usr/bin/cat";
  e.syscall = "openat";
  e.path = std::move(path);
  e.op = "read";
  e.flags = "O_RDONLY|O_CLOEXEC";
  e.result = 3;
  return e;
}

// The syscall part of the same call as `f`, with `args`.
SyscallEvent SyscallOf(const FileEvent& f, std::string args) {
  SyscallEvent s;
  s.ts_ns = f.ts_ns;
  s.pid = f.pid;
  s.exe = f.exe;
  s.abi = "x86_64";
  s.nr = 257;
  s.name = f.syscall;
  s.args = std::move(args);
  s.result = f.result;
  s.err = f.err;
  s.action = f.action;
  s.rule = f.rule;
  return s;
}

std::string Quoted(const std::string& s) { return "AT_FDCWD, \"" + s + "\", O_RDONLY|O_CLOEXEC"; }

// Run base arithmetic as SQL text, for id range checks.
std::string Base(int64_t run) { return std::to_string(RunBase(run)); }

class CallsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(dir_.path().empty()) << "mkdtemp failed"; }

  // Records one run of `events` in `db` and returns its id (-1 on failure).
  // The events are built beforehand and submitted back to back right after
  // BeginRun, so that the writer takes them as one batch (it lingers 50 ms
  // for more): a call's two parts are then always in the same batch.
  int64_t Record(const std::vector<Event>& events, int64_t start_ns = kStart,
                 const std::string& db = "") {
    auto store = Store::Open(db.empty() ? db_ : db);
    EXPECT_TRUE(store.ok()) << store.status();
    if (!store.ok()) return -1;
    RunInfo info{.argv = {"sh"}, .cwd = "/", .host = "box", .warden_version = "t",
                 .start_ns = start_ns};
    auto run = (*store)->BeginRun(info);
    EXPECT_TRUE(run.ok()) << run.status();
    if (!run.ok()) return -1;
    for (const Event& e : events) (*store)->Submit(e);
    EXPECT_TRUE((*store)->FinishRun({.end_ns = start_ns + 1}).ok());
    EXPECT_EQ((*store)->lost_events(), 0u);
    return *run;
  }

  // Both views of run `run` show exactly `events` (each kind in time order;
  // at equal times in submission order).
  void ExpectViewsShow(int64_t run, const std::vector<Event>& events,
                       const std::string& db = "") {
    std::vector<FileEvent> files;
    std::vector<SyscallEvent> calls;
    std::vector<NetEvent> nets;
    for (const Event& e : events) {
      if (auto* f = std::get_if<FileEvent>(&e)) files.push_back(*f);
      if (auto* s = std::get_if<SyscallEvent>(&e)) calls.push_back(*s);
      if (auto* n = std::get_if<NetEvent>(&e)) nets.push_back(*n);
    }
    auto by_ts = [](const auto& a, const auto& b) { return a.ts_ns < b.ts_ns; };
    std::stable_sort(files.begin(), files.end(), by_ts);
    std::stable_sort(calls.begin(), calls.end(), by_ts);
    std::stable_sort(nets.begin(), nets.end(), by_ts);
    std::vector<Row> want_files, want_calls, want_nets;
    for (const auto& f : files) want_files.push_back(FileRow(run, f));
    for (const auto& s : calls) want_calls.push_back(SyscallRow(run, s));
    for (const auto& n : nets) want_nets.push_back(NetRow(run, n));
    const std::string& path = db.empty() ? db_ : db;
    const std::string where = " WHERE run_id = " + std::to_string(run) + " ORDER BY ts_ns, id";
    EXPECT_EQ(Query(path, std::string("SELECT ") + kFileColumns + " FROM file_events" + where),
              want_files);
    EXPECT_EQ(Query(path,
                    std::string("SELECT ") + kSyscallColumns + " FROM syscall_events" + where),
              want_calls);
    EXPECT_EQ(Query(path, std::string("SELECT ") + kNetColumns + " FROM net_events" + where),
              want_nets);
  }

  std::string Count(const std::string& table, const std::string& db = "") {
    return QueryOne(db.empty() ? db_ : db, "SELECT count(*) FROM " + table);
  }

  TempDir dir_;
  std::string db_ = dir_.File("warden.db");
};

// The common case: a FileEvent followed by the SyscallEvent of the same
// call is one calls row, shown by both views under the same id; the args
// token (the path itself) costs no string of its own.
TEST_F(CallsTest, FileAndItsSyscallShareOneRow) {
  FileEvent f = OpenFile(42, kStart + 10, "/etc/passwd");
  SyscallEvent s = SyscallOf(f, Quoted("/etc/passwd"));
  const std::vector<Event> events = {f, s};
  int64_t run = Record(events);
  ASSERT_EQ(run, 1);
  EXPECT_EQ(Count("calls"), "1");
  ExpectViewsShow(run, events);
  EXPECT_EQ(Query(db_, "SELECT f.id = s.id, f.id = " + Base(1) +
                           " + 1 FROM file_events f, syscall_events s"),
            (std::vector<Row>{{"1", "1"}}));
  EXPECT_EQ(QueryOne(db_, "SELECT arg FROM calls"), "1");  // the full path
  EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM strings WHERE text = '/etc/passwd'"), "0");
}

// Every shape of path survives the directory + last component split, alone
// and with a syscall part whose token is the path or its last component.
TEST_F(CallsTest, PathShapesRoundTrip) {
  const std::vector<std::string> paths = {
      "/", "/x", "relative/path", "", "/a/b/", "/a//b", "//", "/a/b//", "x", "pipe:[12]",
      "/tmp/\xff\xfe name\n'; DROP TABLE runs;--", "/usr/lib/x86_64-linux-gnu/libc.so.6"};
  std::vector<Event> events;
  int64_t ts = kStart;
  int merged = 0;
  for (const std::string& p : paths) {
    FileEvent alone = OpenFile(1, ++ts, p);
    events.push_back(alone);
    FileEvent f = OpenFile(1, ++ts, p);
    events.push_back(f);
    events.push_back(SyscallOf(f, Quoted(p)));
    FileEvent g = OpenFile(1, ++ts, p);
    events.push_back(g);
    std::string last = p.size() > 1 && p[0] == '/' ? p.substr(p.rfind('/') + 1) : p;
    events.push_back(SyscallOf(g, "3, \"" + last + "\", O_RDONLY"));
    merged += 2;
  }
  int64_t run = Record(events);
  ASSERT_EQ(run, 1);
  ExpectViewsShow(run, events);
  EXPECT_EQ(Count("calls"), std::to_string(paths.size() + merged));
}

// A second path (rename, link, symlink target) reads back whole, absolute or
// relative; the two-string args of such calls are stored literally.
TEST_F(CallsTest, SecondPathRoundTrips) {
  FileEvent rename{.ts_ns = kStart + 1, .pid = 7, .exe = "/bin/mv", .syscall = "renameat2",
                   .path = "/tmp/a", .op = "rename", .result = 0, .path2 = "/tmp/dir/b"};
  SyscallEvent rename_call = SyscallOf(rename, "AT_FDCWD, \"a\", AT_FDCWD, \"dir/b\", 0");
  rename_call.nr = 316;
  FileEvent symlink{.ts_ns = kStart + 2, .pid = 7, .exe = "/bin/ln", .syscall = "symlinkat",
                    .path = "/tmp/link", .op = "create", .result = 0, .path2 = "../target"};
  FileEvent to_root{.ts_ns = kStart + 3, .pid = 7, .exe = "/bin/mv", .syscall = "rename",
                    .path = "/x", .op = "rename", .result = 0, .path2 = "/"};
  FileEvent to_dir{.ts_ns = kStart + 4, .pid = 7, .exe = "/bin/mv", .syscall = "rename",
                   .path = "/a/", .op = "rename", .result = 0, .path2 = "/a/b/"};
  const std::vector<Event> events = {rename, rename_call, symlink, to_root, to_dir};
  int64_t run = Record(events);
  ASSERT_EQ(run, 1);
  ExpectViewsShow(run, events);
  EXPECT_EQ(Count("calls"), "4");
  // The rename's args: no template, no token.
  EXPECT_EQ(Query(db_, "SELECT s.text, c.arg FROM calls c JOIN strings s ON s.id = " + Base(1) +
                           " | c.args WHERE c.nr IS NOT NULL"),
            (std::vector<Row>{{"AT_FDCWD, \"a\", AT_FDCWD, \"dir/b\", 0", std::nullopt}}));
}

// The args token is stored as the path's own text (arg 0), as the whole
// path (arg 1) or as a string of its own (arg >= 2), and always reads back
// as the args that were submitted.
TEST_F(CallsTest, ArgsTokenKinds) {
  FileEvent last = OpenFile(1, kStart + 1, "/usr/lib/libc.so.6");
  SyscallEvent last_call = SyscallOf(last, "3, \"libc.so.6\", O_RDONLY|O_CLOEXEC");
  FileEvent whole = OpenFile(1, kStart + 2, "/etc/hosts");
  SyscallEvent whole_call = SyscallOf(whole, Quoted("/etc/hosts"));
  FileEvent other = OpenFile(1, kStart + 3, "/usr/lib/x");
  SyscallEvent other_call = SyscallOf(other, Quoted("../lib/x"));
  FileEvent rel = OpenFile(1, kStart + 4, "rel/p");
  SyscallEvent rel_call = SyscallOf(rel, Quoted("rel/p"));
  FileEvent dir = OpenFile(1, kStart + 5, "/a/b/");
  SyscallEvent dir_call = SyscallOf(dir, "AT_FDCWD, \"\", AT_EMPTY_PATH");
  FileEvent root = OpenFile(1, kStart + 6, "/");
  SyscallEvent root_call = SyscallOf(root, Quoted("/"));
  // Escapes in the token: the path has a real quote, the token its escape.
  FileEvent quote = OpenFile(1, kStart + 7, "/tmp/a\"b");
  SyscallEvent quote_call = SyscallOf(quote, Quoted(R"(/tmp/a\"b)"));
  // A syscall alone: its token is a string of its own.
  SyscallEvent write{.ts_ns = kStart + 8, .pid = 1, .exe = "/usr/bin/cat", .abi = "x86_64",
                     .nr = 1, .name = "write", .args = "1, \"hello\\n\"..., 6", .result = 6};
  const std::vector<Event> events = {last,     last_call, whole, whole_call, other,
                                     other_call, rel,     rel_call, dir, dir_call,
                                     root,     root_call, quote, quote_call, write};
  int64_t run = Record(events);
  ASSERT_EQ(run, 1);
  ExpectViewsShow(run, events);
  auto arg = [&](int64_t ts) {
    return Query(db_, "SELECT CASE WHEN arg IS NULL THEN 'null' WHEN arg < 2 THEN arg ELSE "
                      "(SELECT 'own:' || text FROM strings WHERE id = " + Base(1) +
                      " | calls.arg) END FROM calls WHERE ts = " + std::to_string(ts - kStart));
  };
  EXPECT_EQ(arg(kStart + 1), (std::vector<Row>{{"0"}}));
  EXPECT_EQ(arg(kStart + 2), (std::vector<Row>{{"1"}}));
  EXPECT_EQ(arg(kStart + 3), (std::vector<Row>{{"own:../lib/x"}}));
  EXPECT_EQ(arg(kStart + 4), (std::vector<Row>{{"0"}}));
  EXPECT_EQ(arg(kStart + 5), (std::vector<Row>{{"0"}}));
  EXPECT_EQ(arg(kStart + 6), (std::vector<Row>{{"0"}}));
  EXPECT_EQ(arg(kStart + 7), (std::vector<Row>{{R"(own:/tmp/a\"b)"}}));
  EXPECT_EQ(arg(kStart + 8), (std::vector<Row>{{"own:hello\\n"}}));
}

// Args that cannot be split (two strings, no string, the marker byte, an
// unterminated quote) are stored literally and read back unchanged.
TEST_F(CallsTest, UnsplittableArgsAreStoredLiterally) {
  const std::vector<std::string> args = {
      "AT_FDCWD, \"a\", AT_FDCWD, \"b\", 0", "3, 0x1000, 4096", "1, \"a\x01z\", 2",
      "\x01", "1, \"abc", ""};
  std::vector<Event> events;
  int64_t ts = kStart;
  for (const std::string& a : args) {
    FileEvent f = OpenFile(2, ++ts, "/a");
    events.push_back(f);
    events.push_back(SyscallOf(f, a));
  }
  int64_t run = Record(events);
  ASSERT_EQ(run, 1);
  ExpectViewsShow(run, events);
  EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM calls WHERE arg IS NULL"),
            std::to_string(args.size()));
}

// A syscall event without a file event is a row of its own, shown only by
// syscall_events.
TEST_F(CallsTest, SyscallAlone) {
  SyscallEvent s{.ts_ns = kStart + 5, .pid = 9, .exe = "/bin/sh", .abi = "x86_64", .nr = 59,
                 .name = "getpid", .args = "", .result = 9};
  SyscallEvent t{.ts_ns = kStart + 6, .pid = 9, .exe = "/bin/sh", .abi = "x86_64", .nr = 257,
                 .name = "openat", .args = Quoted("/nope"), .err = 2, .action = "deny",
                 .rule = "r"};
  const std::vector<Event> events = {s, t};
  int64_t run = Record(events);
  ASSERT_EQ(run, 1);
  ExpectViewsShow(run, events);
  EXPECT_EQ(Count("calls"), "2");
  EXPECT_EQ(Count("file_events"), "0");
  EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM calls WHERE path IS NULL"), "2");
}

// A file event whose syscall part never comes is written alone (when the
// batch ends), shown only by file_events.
TEST_F(CallsTest, FileAlone) {
  FileEvent f = OpenFile(9, kStart + 5, "/etc/hosts");
  FileEvent g = OpenFile(9, kStart + 6, "/etc/resolv.conf");
  const std::vector<Event> events = {f, g};
  int64_t run = Record(events);
  ASSERT_EQ(run, 1);
  ExpectViewsShow(run, events);
  EXPECT_EQ(Count("calls"), "2");
  EXPECT_EQ(Count("syscall_events"), "0");
  EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM calls WHERE nr IS NULL AND abi IS NULL"), "2");
}

// A syscall event of the same pid that differs from the held file event in
// any of the fields that identify a call is not merged: two rows, both
// views exact. An action left empty equals "allow" (merged).
TEST_F(CallsTest, OnlyTheSameCallIsMerged) {
  struct Case {
    const char* what;
    void (*change)(SyscallEvent&);
    int rows;
  };
  const Case cases[] = {
      {"ts", [](SyscallEvent& s) { s.ts_ns += 1; }, 2},
      {"result", [](SyscallEvent& s) { s.result = 4; }, 2},
      {"no result", [](SyscallEvent& s) { s.result = std::nullopt; }, 2},
      {"errno", [](SyscallEvent& s) { s.err = 2; }, 2},
      {"name", [](SyscallEvent& s) { s.name = "open"; }, 2},
      {"exe", [](SyscallEvent& s) { s.exe = "/usr/bin/dog"; }, 2},
      {"no exe", [](SyscallEvent& s) { s.exe = ""; }, 2},
      {"action", [](SyscallEvent& s) { s.action = "deny"; }, 2},
      {"rule", [](SyscallEvent& s) { s.rule = "some-rule"; }, 2},
      {"pid", [](SyscallEvent& s) { s.pid += 1; }, 2},
      {"empty action is allow", [](SyscallEvent& s) { s.action = ""; }, 1},
      {"nothing", [](SyscallEvent&) {}, 1},
  };
  int n = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const std::string db = dir_.File("case" + std::to_string(n++) + ".db");
    FileEvent f = OpenFile(5, kStart + 100, "/etc/hosts");
    SyscallEvent s = SyscallOf(f, Quoted("/etc/hosts"));
    c.change(s);
    const std::vector<Event> events = {f, s};
    int64_t run = Record(events, kStart, db);
    ASSERT_EQ(run, 1);
    ExpectViewsShow(run, events, db);
    EXPECT_EQ(Count("calls", db), std::to_string(c.rows));
  }
}

// Several pids with calls in flight: each syscall part finds its own file
// part (file 1, file 2, syscall 2, syscall 1 -> two merged rows).
TEST_F(CallsTest, InterleavedPidsMergeWithTheirOwnFilePart) {
  FileEvent f1 = OpenFile(1, kStart + 10, "/one");
  FileEvent f2 = OpenFile(2, kStart + 11, "/two");
  f2.exe = "/bin/two";
  const std::vector<Event> events = {f1, f2, SyscallOf(f2, Quoted("/two")),
                                     SyscallOf(f1, Quoted("/one"))};
  int64_t run = Record(events);
  ASSERT_EQ(run, 1);
  ExpectViewsShow(run, events);
  EXPECT_EQ(Count("calls"), "2");
  EXPECT_EQ(Query(db_, "SELECT f.pid, f.path, s.args FROM file_events f JOIN syscall_events s "
                       "ON s.id = f.id ORDER BY f.pid"),
            (std::vector<Row>{{"1", "/one", Quoted("/one")}, {"2", "/two", Quoted("/two")}}));
}

// A second file event of the same pid before any syscall part: the first is
// written alone, the second merges with the syscall that follows.
TEST_F(CallsTest, SecondFileOfAPidReleasesTheFirst) {
  FileEvent a = OpenFile(3, kStart + 10, "/a");
  FileEvent b = OpenFile(3, kStart + 11, "/b");
  const std::vector<Event> events = {a, b, SyscallOf(b, Quoted("/b"))};
  int64_t run = Record(events);
  ASSERT_EQ(run, 1);
  ExpectViewsShow(run, events);
  EXPECT_EQ(Count("calls"), "2");
  EXPECT_EQ(Query(db_, "SELECT path FROM file_events WHERE id IN (SELECT id FROM syscall_events)"),
            (std::vector<Row>{{"/b"}}));
}

// The rest of the columns: i386 abi, no result (NULL), a deny verdict with
// its rule, errno; merged and alone.
TEST_F(CallsTest, AbiResultVerdictAndErrnoRoundTrip) {
  FileEvent f{.ts_ns = kStart + 1, .pid = 11, .exe = "/lib/ld-linux.so.2", .syscall = "open",
              .path = "/etc/shadow", .op = "read", .flags = "O_RDONLY", .result = std::nullopt,
              .err = 13, .action = "deny", .rule = "no-shadow"};
  SyscallEvent s = SyscallOf(f, "\"/etc/shadow\", O_RDONLY");
  s.abi = "i386";
  s.nr = 5;
  SyscallEvent killed{.ts_ns = kStart + 2, .pid = 11, .exe = "/lib/ld-linux.so.2", .abi = "i386",
                      .nr = 1, .name = "exit", .args = "0", .result = std::nullopt,
                      .action = "kill", .rule = "no-exit"};
  SyscallEvent monitored{.ts_ns = kStart + 3, .pid = 11, .exe = "/lib/ld-linux.so.2",
                         .abi = "x86_64", .nr = 0, .name = "read", .args = "0, \"\"..., 10",
                         .result = -1, .err = 4, .action = "monitor"};
  FileEvent permitted{.ts_ns = kStart + 4, .pid = 11, .exe = "/lib/ld-linux.so.2",
                      .syscall = "unlink", .path = "/tmp/x", .op = "delete", .result = 0,
                      .action = "allow", .rule = "tmp-ok"};
  const std::vector<Event> events = {f, s, killed, monitored, permitted};
  int64_t run = Record(events);
  ASSERT_EQ(run, 1);
  ExpectViewsShow(run, events);
  EXPECT_EQ(Count("calls"), "4");
}

// An unknown program (empty exe) reads back as "" in both views, as
// version 3 stored it, and is one string like any other.
TEST_F(CallsTest, EmptyExeStaysEmpty) {
  FileEvent f = OpenFile(4, kStart + 1, "/a");
  f.exe = "";
  const std::vector<Event> events = {f, SyscallOf(f, Quoted("/a"))};
  int64_t run = Record(events);
  ASSERT_EQ(run, 1);
  ExpectViewsShow(run, events);
  EXPECT_EQ(Count("calls"), "1");
  EXPECT_EQ(Query(db_, "SELECT (SELECT exe FROM file_events), (SELECT exe FROM syscall_events), "
                       "(SELECT exe IS NULL FROM calls)"),
            (std::vector<Row>{{"", "", "0"}}));
}

// Timestamps are stored as offsets from the run's start and come back
// exactly, as integers, even far before or after the start.
TEST_F(CallsTest, TimestampsAreReconstructedExactly) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  const std::vector<int64_t> times = {kStart, kStart + 1, kStart - 1, 0, -5,
                                      kStart + 1'000'000'000'000'000'000, max, 1};
  std::vector<Event> events;
  int pid = 100;
  for (int64_t ts : times) {
    FileEvent f = OpenFile(++pid, ts, "/t");
    events.push_back(f);
    events.push_back(SyscallOf(f, Quoted("/t")));
  }
  int64_t run = Record(events);
  ASSERT_EQ(run, 1);
  ExpectViewsShow(run, events);
  EXPECT_EQ(Count("calls"), std::to_string(times.size()));
  EXPECT_EQ(Query(db_, "SELECT DISTINCT typeof(ts_ns) FROM file_events UNION "
                       "SELECT DISTINCT typeof(ts_ns) FROM syscall_events"),
            (std::vector<Row>{{"integer"}}));
  // A run that starts at 0 stores the times themselves.
  const std::string db0 = dir_.File("zero.db");
  FileEvent z = OpenFile(1, 123456789, "/z");
  const std::vector<Event> zero = {z, SyscallOf(z, Quoted("/z"))};
  ASSERT_EQ(Record(zero, 0, db0), 1);
  ExpectViewsShow(1, zero, db0);
  EXPECT_EQ(QueryOne(db0, "SELECT ts FROM calls"), "123456789");
}

// Each distinct text is stored once per run: a thousand calls of one
// program on two files of one directory need ten strings rows, numbered 2..11.
TEST_F(CallsTest, StringsAreInterned) {
  std::vector<Event> events;
  for (int i = 0; i < 500; ++i) {
    FileEvent f = OpenFile(10 + i % 3, kStart + i, i % 2 ? "/etc/a" : "/etc/b");
    f.flags = "O_RDONLY";
    f.result = 3;
    events.push_back(f);
    events.push_back(SyscallOf(f, "AT_FDCWD, \"" + f.path + "\", O_RDONLY"));
  }
  int64_t run = Record(events);
  ASSERT_EQ(run, 1);
  ExpectViewsShow(run, events);
  EXPECT_EQ(Count("calls"), "500");
  // x86_64, the args template, /etc, a, b, read, O_RDONLY, /usr/bin/cat,
  // openat, allow.
  EXPECT_EQ(Count("strings"), "10");
  EXPECT_EQ(Query(db_, "SELECT min(id) - " + Base(1) + ", max(id) - " + Base(1) + " FROM strings"),
            (std::vector<Row>{{"2", "11"}}));
  EXPECT_EQ(Query(db_, "SELECT text FROM strings WHERE dir IS NULL ORDER BY text"),
            (std::vector<Row>{{"/etc"},
                              {"/usr/bin/cat"},
                              {std::string("AT_FDCWD, \"\x01\", O_RDONLY")},
                              {"O_RDONLY"},
                              {"allow"},
                              {"openat"},
                              {"read"},
                              {"x86_64"}}));
  // The two files are rows of the one directory string.
  EXPECT_EQ(Query(db_, "SELECT p.text, d.text FROM strings p JOIN strings d ON d.id = " + Base(1) +
                           " | p.dir ORDER BY p.text"),
            (std::vector<Row>{{"a", "/etc"}, {"b", "/etc"}}));
  // Sibling directories share nothing but are each stored once.
  const std::string db2 = dir_.File("dirs.db");
  std::vector<Event> more;
  for (int i = 0; i < 40; ++i)
    more.push_back(OpenFile(1, kStart + i, "/d" + std::to_string(i % 4) + "/f"));
  ASSERT_EQ(Record(more, kStart, db2), 1);
  ExpectViewsShow(1, more, db2);
  // /d0../d3, 4 rows of "f" (one per directory), /usr/bin/cat, openat,
  // read, O_RDONLY|O_CLOEXEC, allow.
  EXPECT_EQ(Count("strings", db2), "13");
  EXPECT_EQ(Query(db2, "SELECT text FROM strings GROUP BY text, dir HAVING count(*) > 1"),
            std::vector<Row>{});
}

// Two runs in one file: each run's calls and strings are one id range of
// its own, each run interns its strings afresh, and the views filtered by
// run_id show that run's rows only.
TEST_F(CallsTest, TwoRunsKeepTheirRowsApart) {
  FileEvent a = OpenFile(1, kStart + 1, "/etc/hosts");
  const std::vector<Event> first = {a, SyscallOf(a, Quoted("/etc/hosts")),
                                    OpenFile(1, kStart + 2, "/only/in/one")};
  FileEvent b = OpenFile(2, kStart + 1001, "/etc/hosts");
  b.exe = "/bin/other";
  const std::vector<Event> second = {b, SyscallOf(b, Quoted("/etc/hosts")),
                                     OpenFile(2, kStart + 1002, "/only/in/two")};
  ASSERT_EQ(Record(first, kStart), 1);
  ASSERT_EQ(Record(second, kStart + 1000), 2);
  ExpectViewsShow(1, first);
  ExpectViewsShow(2, second);
  for (int64_t run : {1, 2}) {
    SCOPED_TRACE(run);
    const std::string in_range =
        " WHERE id >= " + Base(run) + " AND id < " + Base(run + 1);
    EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM calls" + in_range), "2");
    EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM file_events" + in_range), "2");
    EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM syscall_events" + in_range), "1");
    EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM file_events WHERE run_id = " +
                                std::to_string(run) + " AND (id < " + Base(run) +
                                " OR id >= " + Base(run + 1) + ")"),
              "0");
    // Strings of the run, numbered from 2 again.
    EXPECT_EQ(QueryOne(db_, "SELECT min(id) - " + Base(run) + " FROM strings" + in_range), "2");
    EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM strings" + in_range + " AND text = '/etc'"), "1");
  }
  EXPECT_EQ(Query(db_, "SELECT DISTINCT run_id FROM file_events ORDER BY 1"),
            (std::vector<Row>{{"1"}, {"2"}}));
  EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM strings WHERE id >= " + Base(1) + " AND id < " +
                              Base(2) + " AND text IN ('/bin/other', 'two')"),
            "0");
  EXPECT_EQ(Count("calls"), "4");
}

// ContinueRun: appending to a run that has rows numbers calls and strings
// after the last ones (no PRIMARY KEY conflict), and the new rows show in
// the views next to the old ones, merged where they are one call.
TEST_F(CallsTest, ContinueRunAppendsAfterTheLastRows) {
  FileEvent a = OpenFile(1, kStart + 10, "/etc/hosts");
  std::vector<Event> all = {a, SyscallOf(a, Quoted("/etc/hosts")),
                            OpenFile(1, kStart + 20, "/etc/passwd")};
  ASSERT_EQ(Record(all), 1);
  const std::string last_call = QueryOne(db_, "SELECT max(id) - " + Base(1) + " FROM calls");
  const std::string last_string = QueryOne(db_, "SELECT max(id) - " + Base(1) + " FROM strings");
  ASSERT_EQ(last_call, "2");

  // Through the test helper (file events only), then with syscall parts.
  const std::vector<FileEvent> appended = {OpenFile(1, kStart + 30, "/etc/hosts"),
                                           OpenFile(2, kStart + 25, "/new/dir/file")};
  ASSERT_EQ(AppendFileEvents(db_, 1, appended), "");
  for (const FileEvent& f : appended) all.push_back(f);
  FileEvent b = OpenFile(3, kStart + 40, "/new/dir/other");
  std::vector<Event> more = {b, SyscallOf(b, Quoted("other")),
                             SyscallEvent{.ts_ns = kStart + 41, .pid = 3, .abi = "x86_64",
                                          .nr = 39, .name = "getpid", .args = "", .result = 3}};
  ASSERT_EQ(AppendEvents(db_, 1, more), "");
  all.insert(all.end(), more.begin(), more.end());

  ExpectViewsShow(1, all);
  EXPECT_EQ(Count("calls"), "6");
  // Numbering went on: calls 3..6, strings after the last one, no gaps.
  EXPECT_EQ(Query(db_, "SELECT id - " + Base(1) + " FROM calls ORDER BY id"),
            (std::vector<Row>{{"1"}, {"2"}, {"3"}, {"4"}, {"5"}, {"6"}}));
  EXPECT_EQ(QueryOne(db_, "SELECT min(id) - " + Base(1) + " FROM strings WHERE id > " + Base(1) +
                              " + " + last_string),
            std::to_string(std::stoll(last_string) + 1));
  EXPECT_EQ(QueryOne(db_, "SELECT max(id) - min(id) + 1 = count(*) FROM strings"), "1");
}

// ContinueRun on a run that exists but has no calls yet starts at 1 (and
// strings at 2); on a run that does not exist it fails with NotFound.
TEST_F(CallsTest, ContinueRunOnAnEmptyOrMissingRun) {
  ASSERT_EQ(Record({ProcessStart{.ts_ns = kStart, .pid = 1, .exe = "/bin/sh"}}), 1);
  FileEvent f = OpenFile(1, kStart + 5, "/x/y");
  const std::vector<Event> events = {f, SyscallOf(f, Quoted("y"))};
  ASSERT_EQ(AppendEvents(db_, 1, events), "");
  ExpectViewsShow(1, events);
  EXPECT_EQ(QueryOne(db_, "SELECT id - " + Base(1) + " FROM calls"), "1");
  EXPECT_EQ(QueryOne(db_, "SELECT min(id) - " + Base(1) + " FROM strings"), "2");

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
  {
    auto writer = CallWriter::Prepare(db);
    ASSERT_TRUE(writer.ok()) << writer.status();
    EXPECT_EQ((*writer)->ContinueRun(7).code(), absl::StatusCode::kNotFound);
  }
  sqlite3_close(db);
}

// A new run after an append by another writer does not collide with it,
// and the store's next run interns afresh.
TEST_F(CallsTest, NewRunAfterAnAppend) {
  FileEvent a = OpenFile(1, kStart + 1, "/a/b");
  const std::vector<Event> first = {a, SyscallOf(a, Quoted("/a/b"))};
  ASSERT_EQ(Record(first), 1);
  const std::vector<FileEvent> appended = {OpenFile(1, kStart + 2, "/a/c")};
  ASSERT_EQ(AppendFileEvents(db_, 1, appended), "");
  FileEvent c = OpenFile(1, kStart + 101, "/a/b");
  const std::vector<Event> second = {c, SyscallOf(c, Quoted("b"))};
  ASSERT_EQ(Record(second, kStart + 100), 2);
  std::vector<Event> all_first = first;
  all_first.push_back(appended[0]);
  ExpectViewsShow(1, all_first);
  ExpectViewsShow(2, second);
}

// A batch whose transaction SQLite rolls back (as disk full or an I/O
// error may; here a trigger that raises ROLLBACK on an exec event) loses the
// rows written in it, strings rows included. Rows written afterwards must
// still read back exactly: they must not refer to strings of the
// rolled-back transaction. Every event is either shown exactly or counted
// as lost.
TEST_F(CallsTest, RowsAfterARolledBackBatchKeepTheirStrings) {
  { ASSERT_TRUE(Store::Open(db_).ok()); }
  ASSERT_EQ(testing::Exec(db_, "CREATE TRIGGER no_exec BEFORE INSERT ON exec_events "
                               "BEGIN SELECT RAISE(ROLLBACK, 'rolled back'); END"),
            "");
  FileEvent a = OpenFile(1, kStart + 1, "/dir/a");
  FileEvent b = OpenFile(1, kStart + 3, "/dir/b");
  SyscallEvent b_call = SyscallOf(b, Quoted("/dir/b"));
  const std::vector<Event> events = {
      a, SyscallOf(a, Quoted("/dir/a")),
      ExecEvent{.ts_ns = kStart + 2, .pid = 1, .path = "/bin/true", .argv = {"true"}}, b, b_call};
  auto store = Store::Open(db_);
  ASSERT_TRUE(store.ok()) << store.status();
  auto run = (*store)->BeginRun(RunInfo{.argv = {"sh"}, .cwd = "/", .host = "box",
                                        .warden_version = "t", .start_ns = kStart});
  ASSERT_TRUE(run.ok()) << run.status();
  for (const Event& e : events) (*store)->Submit(e);
  ASSERT_TRUE((*store)->FinishRun({.end_ns = kStart + 9}).ok());
  const uint64_t lost = (*store)->lost_events();
  store->reset();

  // Every string number a calls row holds names a strings row.
  const std::string base = "((c.id >> 40) << 40)";
  auto dangling = [&](const std::string& col) {
    return "(c." + col + " >= 2 AND NOT EXISTS (SELECT 1 FROM strings WHERE id = " + base +
           " | c." + col + "))";
  };
  EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM calls c WHERE " + dangling("exe") + " OR " +
                              dangling("name") + " OR " + dangling("abi") + " OR " +
                              dangling("args") + " OR " + dangling("arg") + " OR " +
                              dangling("action") + " OR " + dangling("path") + " OR " +
                              dangling("op") + " OR " + dangling("flags")),
            "0");
  // What is shown is exact; what is not shown is counted. The exec event
  // and the call written before it in its transaction are lost (unless
  // the writer happened to commit that call in an earlier batch); the call
  // after it is stored.
  const auto files =
      Query(db_, std::string("SELECT ") + kFileColumns + " FROM file_events ORDER BY ts_ns");
  const auto calls =
      Query(db_, std::string("SELECT ") + kSyscallColumns + " FROM syscall_events ORDER BY ts_ns");
  ASSERT_FALSE(files.empty());
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(files.back(), FileRow(1, b));
  EXPECT_EQ(calls.back(), SyscallRow(1, b_call));
  if (files.size() == 2) {
    EXPECT_EQ(files.front(), FileRow(1, a));
  }
  if (calls.size() == 2) {
    EXPECT_EQ(calls.front(), SyscallRow(1, SyscallOf(a, Quoted("/dir/a"))));
  }
  EXPECT_EQ(Count("exec_events"), "0");
  EXPECT_EQ(files.size() + calls.size() + lost, events.size());
  EXPECT_EQ(QueryOne(db_, "SELECT lost_events FROM runs"), std::to_string(lost));
}

// CallWriter on its own (no batching in the way): what Add and Flush
// return, and when rows are written.
TEST_F(CallsTest, CallWriterHoldsTheFilePartUntilItsSyscall) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &raw), SQLITE_OK);
  DbPtr db(raw);
  ASSERT_TRUE(ApplySchema(db.get()).ok());
  ASSERT_TRUE(ExecSql(db.get(), "INSERT INTO runs(id, argv, cwd, host, warden_version, start_ns) "
                                "VALUES(3, '[]', '/', 'h', 'v', 1000)")
                  .ok());
  auto writer = CallWriter::Prepare(db.get());
  ASSERT_TRUE(writer.ok()) << writer.status();
  CallWriter& w = **writer;
  w.BeginRun(3, 1000);
  auto rows = [&] { return QueryOne(db_, "SELECT count(*) FROM calls"); };

  FileEvent f = OpenFile(1, 1010, "/p");
  EXPECT_EQ(w.Add(f), 0);
  EXPECT_EQ(rows(), "0");  // held
  EXPECT_EQ(w.Add(SyscallOf(f, Quoted("/p"))), 0);
  EXPECT_EQ(rows(), "1");  // merged
  FileEvent g = OpenFile(1, 1020, "/q");
  EXPECT_EQ(w.Add(g), 0);
  SyscallEvent other = SyscallOf(g, Quoted("/q"));
  other.result = 9;
  EXPECT_EQ(w.Add(other), 0);
  EXPECT_EQ(rows(), "3");  // not the same call: both written
  FileEvent h = OpenFile(2, 1030, "/r");
  EXPECT_EQ(w.Add(h), 0);
  EXPECT_EQ(rows(), "3");
  EXPECT_EQ(w.Flush(), 0);
  EXPECT_EQ(rows(), "4");
  EXPECT_EQ(w.Flush(), 0);
  EXPECT_EQ(rows(), "4");
  EXPECT_EQ(Query(db_, "SELECT id - " + Base(3) + ", ts FROM calls ORDER BY id"),
            (std::vector<Row>{{"1", "10"}, {"2", "20"}, {"3", "20"}, {"4", "30"}}));
  EXPECT_EQ(Query(db_, "SELECT run_id, ts_ns, path FROM file_events ORDER BY id"),
            (std::vector<Row>{{"3", "1010", "/p"}, {"3", "1020", "/q"}, {"3", "1030", "/r"}}));
  EXPECT_EQ(Query(db_, "SELECT run_id, ts_ns, result FROM syscall_events ORDER BY id"),
            (std::vector<Row>{{"3", "1010", "3"}, {"3", "1020", "9"}}));
}

}  // namespace
}  // namespace warden::store

namespace warden::store {
namespace {

// Schema 5: a network event and the syscall event of the same call share
// one calls row (plus its nets row); the three views show each exactly.
TEST_F(CallsTest, NetworkPartSharesTheCallsRow) {
  NetEvent n = Connect(7, kStart + 10, "10.0.0.1", 443);
  NetEvent refused = Connect(7, kStart + 20, "10.0.0.2", 80);
  refused.result = std::nullopt;
  refused.err = 111;
  refused.action = "deny";
  refused.rule = "offline";
  const std::vector<Event> events = {n, SyscallOf(n), refused, SyscallOf(refused)};
  int64_t run = Record(events);
  ASSERT_EQ(run, 1);
  ExpectViewsShow(run, events);
  EXPECT_EQ(Count("calls"), "2");
  EXPECT_EQ(Count("nets"), "2");
  EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM net_events JOIN syscall_events USING (id)"), "2");
}

// Parts that are not one call stay apart: a network event alone (no
// syscall event), one whose syscall event differs, and the socket call
// (op "socket", no address) keep their own rows and read back exactly.
TEST_F(CallsTest, NetworkPartsOfDifferentCallsStayApart) {
  NetEvent alone = Connect(8, kStart + 1, "10.0.0.3", 22);
  NetEvent other = Connect(8, kStart + 2, "10.0.0.4", 22);
  SyscallEvent later = SyscallOf(other);
  later.ts_ns += 1;  // not the same call
  NetEvent socket{.ts_ns = kStart + 5, .pid = 9, .exe = "/usr/bin/curl", .syscall = "socket",
                  .op = "socket", .family = "AF_INET6", .sock_type = "SOCK_DGRAM", .result = 4};
  SyscallEvent socket_call{.ts_ns = kStart + 5, .pid = 9, .exe = "/usr/bin/curl", .abi = "x86_64",
                           .nr = 41, .name = "socket", .args = "AF_INET6, SOCK_DGRAM, 0",
                           .result = 4, .action = "allow"};
  const std::vector<Event> events = {alone, other, later, socket, socket_call};
  int64_t run = Record(events);
  ASSERT_EQ(run, 1);
  ExpectViewsShow(run, events);
  // alone, other, later each a row; socket with its call one row.
  EXPECT_EQ(Count("calls"), "4");
  EXPECT_EQ(Count("nets"), "3");
  EXPECT_EQ(QueryOne(db_, "SELECT address IS NULL AND port IS NULL AND fd IS NULL FROM net_events "
                          "WHERE op = 'socket'"),
            "1");
}

// A call with a file part and a network part (and its syscall part) is one
// row shown by all three views; network events of other pids interleave.
TEST_F(CallsTest, FileNetworkAndSyscallPartsOfOneCall) {
  FileEvent f = OpenFile(11, kStart + 30, "/run/app.sock");
  f.syscall = "connect";
  f.op = "connect";
  f.flags = "";
  f.result = 0;
  NetEvent n{.ts_ns = f.ts_ns, .pid = 11, .exe = f.exe, .syscall = "connect", .op = "connect",
             .family = "AF_UNIX", .sock_type = "SOCK_STREAM", .direction = "outbound",
             .address = "/run/app.sock", .fd = 5, .result = 0};
  SyscallEvent s = SyscallOf(f, "5, {sa_family=AF_UNIX, sun_path=\"/run/app.sock\"}, 110");
  s.nr = 42;
  NetEvent other = Connect(12, kStart + 31, "10.0.0.9", 8080);
  const std::vector<Event> events = {f, n, other, s, SyscallOf(other)};
  int64_t run = Record(events);
  ASSERT_EQ(run, 1);
  ExpectViewsShow(run, events);
  EXPECT_EQ(Count("calls"), "2");
  EXPECT_EQ(QueryOne(db_, "SELECT count(*) FROM file_events JOIN net_events USING (id) "
                          "JOIN syscall_events USING (id)"),
            "1");
}

}  // namespace
}  // namespace warden::store
