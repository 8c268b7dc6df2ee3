// What a policy records (warden-policy(5), LOG MODES; ignored_syscalls)
// and what it costs: verdicts compiled into BPF take no stop at all.
#include <ostream>
#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/policy_test_support.h"

namespace warden::itest {
namespace {

using ::testing::ElementsAre;

struct LogCase {
  const char* mode;
  bool behavior;                    // file/exec/syscall events recorded
  std::set<std::string> hits;       // actions found in policy_events
};

void PrintTo(const LogCase& c, std::ostream* os) { *os << c.mode; }

class PolicyLogModeTest : public PolicyTest, public ::testing::WithParamInterface<LogCase> {};

// 11. The same workload under each log mode: one deny hit, one monitor
// hit, one hit of an allow rule, and calls no rule matches (the shell's
// and the loader's opens, one unmatched file).
TEST_P(PolicyLogModeTest, RecordsWhatTheModeSays) {
  const LogCase& c = GetParam();
  for (const char* f : {"secret", "watched", "public", "other"}) WriteFile(Path(f), f);
  const std::string policy = std::string("log_mode: ") + c.mode + R"(
rules:
  - name: deny-secret
    type: file-read
    paths: $DIR/secret
    action: deny
    errno: EACCES
  - name: monitor-watched
    type: file-read
    paths: $DIR/watched
    action: monitor
  - name: allow-public
    type: file-read
    paths: $DIR/public
    action: allow
)";
  std::string script;
  for (const char* f : {"secret", "watched", "public", "other"})
    script += "'" + H() + "' read " + Path(f) + "; ";
  ExitInfo r = RunPolicy(policy, {"/bin/sh", "-c", script});
  std::string dump = PolicyDump();
  // The log mode never changes what is enforced.
  EXPECT_EQ(r.out, "read err EACCES\nread ok 3\nread ok 3\nread ok 3\n") << r.err << dump;

  std::set<std::string> actions;
  for (const auto& row : Query("SELECT DISTINCT action FROM policy_events WHERE run_id=" + RunId()))
    actions.insert(row[0]);
  EXPECT_EQ(actions, c.hits) << dump;
  // Each hit once, with its rule.
  for (const auto& [action, rule] : std::vector<std::pair<std::string, std::string>>{
           {"deny", "deny-secret"}, {"monitor", "monitor-watched"}, {"allow", "allow-public"}})
    if (c.hits.contains(action)) {
      EXPECT_EQ(QueryOne("SELECT group_concat(rule) FROM policy_events WHERE run_id=" + RunId() +
                         " AND action=" + Sql(action)),
                rule)
          << dump;
    }
  // Unmatched calls are never hits.
  EXPECT_EQ(QueryInt("SELECT count(*) FROM policy_events WHERE run_id=" + RunId() +
                     " AND (rule IS NULL OR rule='')"),
            0)
      << dump;

  const int64_t files = QueryInt("SELECT count(*) FROM file_events WHERE run_id=" + RunId());
  const int64_t execs = QueryInt("SELECT count(*) FROM exec_events WHERE run_id=" + RunId());
  const int64_t sys = QueryInt("SELECT count(*) FROM syscall_events WHERE run_id=" + RunId());
  if (c.behavior) {
    EXPECT_GT(files, 4) << dump;
    EXPECT_EQ(execs, 5) << dump;  // sh, and policy_helper four times
    // Behaviour rows carry the verdicts, whether or not hits are logged.
    EXPECT_EQ(QueryOne("SELECT action || ' ' || rule FROM file_events WHERE run_id=" + RunId() +
                       " AND path=" + Sql(Path("secret"))),
              "deny deny-secret")
        << dump;
    EXPECT_EQ(QueryOne("SELECT action || ' ' || rule FROM file_events WHERE run_id=" + RunId() +
                       " AND path=" + Sql(Path("watched"))),
              "monitor monitor-watched")
        << dump;
    // No rule matched: the file default (allow) decided, no hit.
    EXPECT_EQ(QueryOne("SELECT action || ' ' || coalesce(rule, 'NULL') FROM file_events WHERE "
                       "run_id=" + RunId() + " AND path=" + Sql(Path("other"))),
              "allow default:file")
        << dump;
  } else {
    EXPECT_EQ(files, 0) << dump;
    EXPECT_EQ(execs, 0) << dump;
    EXPECT_EQ(sys, 0) << dump;
    EXPECT_EQ(QueryInt("SELECT count(*) FROM net_events WHERE run_id=" + RunId()), 0) << dump;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Policy, PolicyLogModeTest,
    ::testing::Values(LogCase{"None", false, {}},
                      LogCase{"PolicyMonitor", false, {"monitor"}},
                      LogCase{"PolicyDeny", false, {"deny"}},
                      LogCase{"PolicyMonitorDeny", false, {"deny", "monitor"}},
                      LogCase{"PolicyAllow", false, {"allow"}},
                      LogCase{"PolicyAll", false, {"allow", "deny", "monitor"}},
                      LogCase{"Behavior", true, {}},
                      LogCase{"All", true, {"allow", "deny", "monitor"}}),
    [](const ::testing::TestParamInfo<LogCase>& info) { return std::string(info.param.mode); });

class PolicyRecordingTest : public PolicyTest {};

// 12. ignored_syscalls: no events at all for the call, the verdict still
// holds.
TEST_F(PolicyRecordingTest, IgnoredSyscallsStillEnforced) {
  WriteFile(Path("secret"), "s");
  ExitInfo r = RunHelper(R"(
ignored_syscalls: [openat]
rules:
  - name: no-secret
    type: file-read
    paths: $DIR/secret
    action: deny
    errno: EACCES
)",
                         {"read", Path("secret")});
  std::string dump = PolicyDump();
  EXPECT_EQ(r.out, "read err EACCES\n") << r.err << dump;
  EXPECT_EQ(QueryInt("SELECT count(*) FROM file_events WHERE run_id=" + RunId() + " AND syscall='openat'"), 0)
      << dump;
  EXPECT_EQ(QueryInt("SELECT count(*) FROM syscall_events WHERE run_id=" + RunId() + " AND name='openat'"), 0)
      << dump;
  EXPECT_EQ(QueryInt("SELECT count(*) FROM policy_events WHERE run_id=" + RunId() + " AND syscall='openat'"), 0)
      << dump;
  // Recording itself is on: the exec is there.
  EXPECT_EQ(QueryInt("SELECT count(*) FROM exec_events WHERE run_id=" + RunId()), 1) << dump;
}

// 13. A register-only syscall rule for every program is compiled into the
// filter: the call fails without a stop and without an event. Named for
// one program, the supervisor judges it: a stop per call.
TEST_F(PolicyRecordingTest, BpfVerdictsTakeNoStops) {
  const std::string rule = R"(
rules:
  - name: no-umask
    type: syscall
    program: PROGRAM
    syscall: umask
    action: deny
)";
  auto stops_for = [&](const std::string& program, const std::string& n) -> int64_t {
    ExitInfo r = RunHelper(ReplaceAll(rule, "PROGRAM", program), {"loop", n});
    EXPECT_EQ(r.out, "loop err EPERM\n") << program << " loop " << n << "\n" << r.err << PolicyDump();
    return QueryInt("SELECT stops FROM runs WHERE id=" + RunId());
  };
  const int64_t bpf0 = stops_for("\"*\"", "0");
  const int64_t bpf200 = stops_for("\"*\"", "200");
  std::string dump = PolicyDump();
  EXPECT_GT(bpf0, 0) << dump;
  EXPECT_NEAR(bpf200, bpf0, 2) << dump;
  EXPECT_EQ(QueryInt("SELECT count(*) FROM syscall_events WHERE name='umask'"), 0) << dump;
  EXPECT_EQ(QueryInt("SELECT count(*) FROM policy_events WHERE syscall='umask'"), 0) << dump;

  const int64_t sup0 = stops_for("policy_helper", "0");
  const int64_t sup200 = stops_for("policy_helper", "200");
  dump = PolicyDump();
  EXPECT_GE(sup200 - sup0, 200) << dump;
  EXPECT_EQ(QueryInt("SELECT count(*) FROM syscall_events WHERE run_id=" + RunId() +
                     " AND name='umask' AND action='deny' AND rule='no-umask'"),
            201)
      << dump;
  EXPECT_EQ(QueryInt("SELECT count(*) FROM policy_events WHERE run_id=" + RunId() +
                     " AND syscall='umask' AND action='deny'"),
            201)
      << dump;
}

// 13b. BPF only sees x86_64 calls: the same call through the i386 ABI
// (int $0x80, umask = 60) must meet the same verdict in the supervisor.
TEST_F(PolicyRecordingTest, BpfVerdictAlsoHoldsForI386Calls) {
  ExitInfo probe = Run({H(), "i386", "60", "18"});
  if (probe.out.rfind("i386 ok", 0) != 0) GTEST_SKIP() << "no int $0x80 here: " << probe.out;
  ExitInfo r = RunHelper(R"(
rules:
  - name: no-umask
    type: syscall
    syscall: umask
    action: deny
    errno: EACCES
)",
                         {"i386", "60", "18"});
  EXPECT_EQ(r.out, "i386 err EACCES\n") << r.err << PolicyDump();
}

}  // namespace
}  // namespace warden::itest
