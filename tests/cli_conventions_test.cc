// One set of conventions across the commands (warden(1), EXIT STATUS):
// -h/--help on every command and subcommand exits 0; --name=value works
// where --name value does; a mistyped command or option gets "did you
// mean"; output that cannot be written is an error, never a crash or 0.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

using ::testing::HasSubstr;

class CliConventionsTest : public IntegrationTest {
 protected:
  // The command names `warden --help` lists (its "  name ..." lines).
  std::vector<std::string> Commands() {
    ExitInfo r = Run({WardenBin(), "--help"});
    std::vector<std::string> names;
    std::istringstream in(r.out);
    bool listing = false;
    for (std::string line; std::getline(in, line);) {
      if (line == "commands:") listing = true;
      if (!listing || line.size() < 3 || line[0] != ' ' || line[1] != ' ' || line[2] == ' ') continue;
      const std::string name = line.substr(2, line.find(' ', 2) - 2);
      if (names.empty() || names.back() != name) names.push_back(name);
    }
    return names;
  }
};

TEST_F(CliConventionsTest, HelpOnEveryCommandAndSubcommandExits0) {
  std::vector<std::string> commands = Commands();
  ASSERT_GE(commands.size(), 15u);
  std::vector<std::vector<std::string>> calls;
  for (const std::string& c : commands) {
    calls.push_back({c, "--help"});
    calls.push_back({c, "-h"});
  }
  for (const char* sub : {"check", "show", "test"}) calls.push_back({"policy", sub, "--help"});
  for (const char* sub : {"tree", "timeline", "who", "net", "denied", "stats", "sql"})
    calls.push_back({"query", sub, "--help"});
  for (const auto& args : calls) {
    std::vector<std::string> cmd = {WardenBin()};
    cmd.insert(cmd.end(), args.begin(), args.end());
    ExitInfo r = Run(cmd);
    EXPECT_EQ(r.exit_code, 0) << args[0] << " " << args[1] << ": " << r.err;
    if (args[0] != "version") EXPECT_THAT(r.out, HasSubstr("usage")) << args[0] << " " << args[1];
  }
}

TEST_F(CliConventionsTest, DidYouMeanForCommandsAndOptions) {
  ExitInfo r = Run({WardenBin(), "rnus"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("did you mean 'runs'?"));
  r = Run({WardenBin(), "harden", "--form-root", "/x", "-o", Path("o")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("did you mean '--from-root'?"));
  r = Run({WardenBin(), "run", "--recrod-env", "--", "/bin/true"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.err, HasSubstr("did you mean '--record-env'?"));
}

TEST_F(CliConventionsTest, NameEqualsValueWorksWhereNameValueDoes) {
  ASSERT_EQ(RunWarden({"/bin/cat", "/etc/hostname"}).exit_code, 0);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"runs", "--db=" + db()},
        {"export", "--db=" + db(), "--format=json", "--kind=file"},
        {"profile", "--db=" + db(), "--format=json"},
        {"query", "--db=" + db(), "--format=csv", "tree"},
        {"replay", "--db=" + db(), "--path=/etc/hostname"},
        {"syscalls", "openat", "--abi=i386"},
        {"harden", "--db=" + db(), "--from-root=" + dir(), "--dry-run", "--format=json"}}) {
    std::vector<std::string> cmd = {WardenBin()};
    cmd.insert(cmd.end(), args.begin(), args.end());
    ExitInfo r = Run(cmd);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
    EXPECT_FALSE(r.out.empty()) << args[0];
  }
}

// `warden runs > /dev/full` exited 0, and `syscalls` aborted.
TEST_F(CliConventionsTest, OutputThatCannotBeWrittenIsAnError) {
  ASSERT_EQ(RunWarden({"/bin/cat", "/etc/hostname"}).exit_code, 0);
  for (const std::string& command :
       std::vector<std::string>{"runs --db " + db(), "export --db " + db(), "profile --db " + db(), "syscalls",
        "query --db " + db() + " tree", "replay --db " + db(), "events --db " + db(), "version", "--help"}) {
    ExitInfo r = Run({"/bin/sh", "-c", WardenBin() + " " + command + " >/dev/full"});
    EXPECT_EQ(r.exit_code, 1) << command << ": " << r.err;
    EXPECT_THAT(r.err, ::testing::ContainsRegex("writ(e|ing) the output")) << command;
  }
}

}  // namespace
}  // namespace warden::itest

namespace warden::itest {
namespace {

// A time warden prints is a time --from and --to accept: runs' START, the
// export's time field; durations alone ("1h") too.
TEST_F(CliConventionsTest, EveryPrintedTimeIsAcceptedByFrom) {
  ASSERT_EQ(RunWarden({"/bin/cat", "/etc/hostname"}).exit_code, 0);
  ExitInfo runs = Run({WardenBin(), "runs", "--db", db()});
  ASSERT_EQ(runs.exit_code, 0);
  std::istringstream lines(runs.out);
  std::string header, row, id, start;
  std::getline(lines, header);
  std::getline(lines, row);
  std::istringstream(row) >> id >> start;
  ASSERT_THAT(start, ::testing::MatchesRegex("[0-9-]+T[0-9:.]+Z")) << runs.out;
  for (const std::string& from : {start, std::string("1h"), std::string("30m ago")}) {
    ExitInfo e = Run({WardenBin(), "export", "--db", db(), "--kind", "file", "--from", from});
    EXPECT_EQ(e.exit_code, 0) << from << ": " << e.err;
    EXPECT_THAT(e.out, HasSubstr("/etc/hostname")) << from;
  }
  // The NDJSON time field, fed back: the event it came from is included.
  ExitInfo all = Run({WardenBin(), "export", "--db", db(), "--kind", "file"});
  const size_t at = all.out.find("\"time\":\"");
  ASSERT_NE(at, std::string::npos) << all.out;
  const std::string time = all.out.substr(at + 8, all.out.find('"', at + 8) - at - 8);
  ExitInfo e = Run({WardenBin(), "export", "--db", db(), "--kind", "file", "--from", time, "--to", time});
  EXPECT_EQ(e.exit_code, 0) << time << ": " << e.err;
  EXPECT_THAT(e.out, HasSubstr("\"time\":\"" + time + "\"")) << time;
}

// warden's own diagnostics go through one log: by level, to a file, by
// option or environment, for any command and before it.
TEST_F(CliConventionsTest, LogLevelsAndLogFile) {
  ExitInfo r = RunWarden({"/bin/true"}, {"--log-level", "debug"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("warden run: [debug] run 1 ended: status 0"));
  r = RunWarden({"/bin/true"});
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("[debug]")));
  const std::string log = Path("w.log");
  r = Run({WardenBin(), "--log-level=debug", "--log-file", log, "run", "--db", db(), "--", "/bin/true"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_THAT(ReadFile(log), ::testing::ContainsRegex("Z warden\\[[0-9]+\\] debug run: run 3 ended"));
  // The environment, and a level that hides the default place's notice.
  r = Run({"/usr/bin/env", "WARDEN_DB=" + Path("e.db"), "WARDEN_LOG_LEVEL=warn", WardenBin(), "run", "--",
           "/bin/true"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  r = Run({"/usr/bin/env", "WARDEN_DB=" + Path("e.db"), WardenBin(), "run", "--", "/bin/true"});
  EXPECT_THAT(r.err, HasSubstr("recorded run 2 in"));
  // Bad values: run's own error (125), another command's usage error (2).
  r = Run({WardenBin(), "run", "--log-level", "loud", "--", "/bin/true"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.err, HasSubstr("trace, debug, info, warn, error, fatal, panic"));
  r = Run({WardenBin(), "runs", "--db", db(), "--log-file", Path("no/dir/x.log")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("x.log"));
}

// The default database is never the working directory: $WARDEN_DB, else
// /var/lib/warden/warden.db for root, else the XDG state directory; run
// says where it went.
TEST_F(CliConventionsTest, DefaultDatabaseIsNotTheWorkingDirectory) {
  const std::string env_db = Path("state/env.db");
  ExitInfo r = Run({"/usr/bin/env", "WARDEN_DB=" + env_db, WardenBin(), "run", "--", "/bin/true"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("recorded run 1 in " + env_db));
  EXPECT_TRUE(std::filesystem::exists(env_db));
  EXPECT_FALSE(std::filesystem::exists(Path("warden.db")));
  r = Run({"/usr/bin/env", "WARDEN_DB=" + env_db, WardenBin(), "runs"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("[\"/bin/true\"]"));
  // A non-root user: $HOME/.local/state/warden/warden.db.
  if (geteuid() != 0 || access("/usr/bin/setpriv", X_OK) != 0) GTEST_SKIP() << "needs root and setpriv";
  const std::string home = Path("home");
  std::filesystem::create_directories(home);
  ASSERT_EQ(chown(home.c_str(), 65534, 65534), 0);
  ASSERT_EQ(chmod(dir().c_str(), 0755), 0);
  r = Run({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/env", "-u",
           "WARDEN_DB", "-u", "XDG_STATE_HOME", "HOME=" + home, WardenBin(), "run", "--", "/bin/true"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(home + "/.local/state/warden/warden.db")) << r.err;
  EXPECT_THAT(r.err, HasSubstr(home + "/.local/state/warden/warden.db"));
}

}  // namespace
}  // namespace warden::itest
