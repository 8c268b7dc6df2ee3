// `warden policy test` (warden(1)): a run recorded without a policy, judged
// offline, predicts exactly the denials that enforcing the policy on the
// same program records -- file-read (an O_RDWR open is a read too),
// file-write, exec, network outbound and inbound, deny rules and a
// default-deny policy with allow rules -- and the exit codes say so.
#include <algorithm>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/policy_test_support.h"

namespace warden::itest {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

// (syscall, target, rule) of one denial, as policy_events names them.
using Denial = std::vector<std::string>;

class PolicyTestCliTest : public PolicyTest {
 protected:
  // `warden policy test POLICY --db db() --run RUN [extra...]`.
  ExitInfo DryRun(const std::string& run, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {WardenBin(), "policy", "test", PolicyFile(),
                                     "--db",      db(),     "--run", run};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return Run(argv);
  }

  // The denials (and kills) the dry run of `run` predicts, sorted.
  std::vector<Denial> Predicted(const std::string& run, int* exit_code) {
    ExitInfo r = DryRun(run, {"--format", "ndjson"});
    *exit_code = r.exit_code;
    std::vector<Denial> out;
    for (const std::string& line : Lines(r.out)) {
      auto obj = ParseJsonObject(line);
      EXPECT_TRUE(obj.has_value()) << line;
      if (!obj || (*obj)["kind"] != "call") continue;
      if ((*obj)["action"] == "deny" || (*obj)["action"] == "kill")
        out.push_back({(*obj)["syscall"], (*obj)["target"], (*obj)["rule"]});
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // The denials the latest run recorded, sorted.
  std::vector<Denial> Recorded() {
    std::vector<Denial> out;
    for (const Row& row : Query("SELECT syscall, target, rule FROM policy_events WHERE run_id=" +
                                RunId() + " AND action IN ('deny', 'kill')"))
      out.push_back(row);
    std::sort(out.begin(), out.end());
    return out;
  }

  // The shell workload: a file read, a read of /etc/passwd, an O_RDWR open,
  // a write, a connect to a loopback port, an exec, each by its own
  // process so that a denial does not change what the others do; last, a
  // write by the shell itself (exe /usr/bin/dash, executed as /bin/sh).
  std::vector<std::string> Workload(int port) {
    const std::string h = H(), dir = this->dir();
    return {"/bin/sh", "-c",
            "/usr/bin/cat /etc/hostname; /usr/bin/cat /etc/passwd; " + h + " rdwr " + dir +
                "/data; " + h + " write " + dir + "/out; " + h + " connect 127.0.0.1 " +
                std::to_string(port) + "; /usr/bin/id; echo x > " + dir + "/shout; exit 0"};
  }

  std::string LatestRun() { return QueryOne("SELECT max(id) FROM runs"); }

  // Records `cmd` without a policy, dry-runs `yaml` on that run, then runs
  // `cmd` under `yaml` (active) and expects the same denials; returns them.
  std::vector<Denial> ExpectPredictionMatchesEnforcement(std::string_view yaml,
                                                         const std::vector<std::string>& cmd,
                                                         int port = -1) {
    ExitInfo rec = RunWarden(cmd);
    EXPECT_FALSE(rec.timed_out) << rec.err;
    const std::string recorded_run = LatestRun();
    WritePolicy(yaml, port);
    int exit_code = -1;
    std::vector<Denial> predicted = Predicted(recorded_run, &exit_code);
    ExitInfo live = RunWarden(cmd, {"--policy", PolicyFile()});
    EXPECT_FALSE(live.timed_out) << live.err;
    std::vector<Denial> enforced = Recorded();
    EXPECT_EQ(predicted, enforced) << "dry run:\n" << DryRun(recorded_run).out << PolicyDump();
    EXPECT_EQ(exit_code, predicted.empty() ? 0 : 1);
    return predicted;
  }
};

TEST_F(PolicyTestCliTest, DenyRulesPredictTheLiveDenials) {
  WriteFile(Path("data"), "data\n");
  const int port = NextPort();
  constexpr std::string_view kPolicy = R"(
rules:
  - name: no-passwd
    type: file-read
    paths: /etc/passwd
    action: deny
  - name: no-read-data
    type: file-read
    paths: $DIR/data
    action: deny
  - name: no-write-out
    type: file-write
    paths: $DIR/out
    action: deny
  - name: no-id
    type: exec
    paths: /usr/bin/id
    action: deny
  - name: no-port
    type: network-outbound
    addresses: 127.0.0.1
    ports: $PORT
    action: deny
  - name: no-sh-out
    type: file-write
    program: sh
    paths: $DIR/shout
    action: deny
)";
  std::vector<Denial> d = ExpectPredictionMatchesEnforcement(kPolicy, Workload(port), port);
  // Every rule denied something: the O_RDWR open by the file-read rule, the
  // shell's write by a rule for `sh` although its exe is dash.
  EXPECT_EQ(d, (std::vector<Denial>{
                   {"connect", "127.0.0.1:" + std::to_string(port), "no-port"},
                   {"execve", "/usr/bin/id", "no-id"},
                   {"openat", "/etc/passwd", "no-passwd"},
                   {"openat", Path("data"), "no-read-data"},
                   {"openat", Path("out"), "no-write-out"},
                   {"openat", Path("shout"), "no-sh-out"},  // `sh` matched by the exec path
               }));
}

TEST_F(PolicyTestCliTest, DefaultDenyWithAllowRulesPredictsTheLiveDenials) {
  WriteFile(Path("data"), "data\n");
  const int port = NextPort();
  const std::string policy = ReplaceAll(R"(
defaults:
  file: deny
  exec: deny
  network: deny
rules:
  - name: libraries
    type: file-read
    paths: [/etc/ld.so.cache, /lib/**, /usr/lib/**, /lib64/**, /usr/share/locale/**, /etc/hostname]
    action: allow
  # A sanitizer build's runtime reads these at start, and reads them again
  # when refused: not the calls under test.
  - name: runtime
    type: file-read
    paths: [/proc/self/**]
    action: allow
  - name: programs
    type: exec
    paths: [/bin/sh, /usr/bin/cat, HELPER]
    action: allow
  - name: other-port
    type: network-outbound
    addresses: 127.0.0.1
    ports: 1
    action: allow
)", "HELPER", Helper("policy_helper"));
  std::vector<Denial> d = ExpectPredictionMatchesEnforcement(policy, Workload(port), port);
  EXPECT_THAT(d, ::testing::Contains(Denial{"openat", "/etc/passwd", "default:file"}));
  EXPECT_THAT(d, ::testing::Contains(Denial{"openat", Path("data"), "default:file"}));
  EXPECT_THAT(d, ::testing::Contains(Denial{"execve", "/usr/bin/id", "default:exec"}));
  EXPECT_THAT(d, ::testing::Contains(
                     Denial{"connect", "127.0.0.1:" + std::to_string(port), "default:network"}));
}

// accept is judged by the peer and the listening socket's local port: the
// helper binds port 0, so the dry run must take the port the kernel picked
// from the socket's listen event (the prediction names the recorded run's
// port, enforcement the live run's).
TEST_F(PolicyTestCliTest, AcceptJudgedByPeerAndListeningPort) {
  const std::vector<std::string> cmd = {Helper("connect_helper"), "tcp"};
  ExitInfo rec = RunWarden(cmd);
  ASSERT_EQ(rec.exit_code, 0) << rec.err;
  const std::string recorded_run = LatestRun();
  WritePolicy(R"(
rules:
  - name: no-loopback-peers
    type: network-inbound
    addresses: 127.0.0.1
    protocol: tcp
    action: deny
)");
  int exit_code = -1;
  EXPECT_EQ(Predicted(recorded_run, &exit_code),
            (std::vector<Denial>{{"accept", "127.0.0.1:" + Field(rec.out, "port"),
                                  "no-loopback-peers"}}))
      << DryRun(recorded_run).out;
  EXPECT_EQ(exit_code, 1);
  ExitInfo live = RunWarden(cmd, {"--policy", PolicyFile()});
  EXPECT_EQ(live.exit_code, 5) << live.err;  // its accept failed
  const std::string live_port = QueryOne("SELECT port FROM net_events WHERE run_id=" + RunId() +
                                         " AND syscall='listen'");
  EXPECT_EQ(Recorded(),
            (std::vector<Denial>{{"accept", "127.0.0.1:" + live_port, "no-loopback-peers"}}))
      << PolicyDump();
}

TEST_F(PolicyTestCliTest, NothingDeniedIsExitZeroAndMonitorIsListed) {
  ASSERT_EQ(RunWarden({"/usr/bin/cat", "/etc/hostname"}).exit_code, 0);
  WritePolicy(R"(
rules:
  - name: watch-hostname
    type: file-read
    paths: /etc/hostname
    action: monitor
)");
  ExitInfo r = DryRun(LatestRun());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"/etc/hostname\", O_RDONLY) = 3 <monitored by watch-hostname>"));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("watch-hostname +monitor +1 +0"));
}

// A syscall rule whose matchers test registers the recording does not hold
// (execve's envp pointer) is counted as not judged; a glob on the recorded
// path and a matcher on open's flags are judged.
TEST_F(PolicyTestCliTest, ArgumentMatchers) {
  ASSERT_EQ(RunWarden({"/usr/bin/cat", "/etc/hostname"}).exit_code, 0);
  WritePolicy(R"(
rules:
  - name: hostname-by-glob
    type: syscall
    syscall: openat
    args: [{index: 1, glob: /etc/host*}]
    action: monitor
  - name: reads-by-flags
    type: syscall
    syscall: openat
    args: [{index: 2, mask: O_ACCMODE, value: O_RDONLY}]
    action: monitor
  - name: null-envp
    type: syscall
    syscall: execve
    args: [{index: 2, eq: 0}]
    action: deny
)");
  ExitInfo r = DryRun(LatestRun());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;  // not judged is no denial
  EXPECT_THAT(r.out, HasSubstr("<monitored by hostname-by-glob>"));
  EXPECT_THAT(r.out, HasSubstr("<monitored by reads-by-flags>"));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("null-envp +deny +0 +1"));
  EXPECT_THAT(r.out, HasSubstr("not judged: "));
}

TEST_F(PolicyTestCliTest, BadInputIsExitTwo) {
  ASSERT_EQ(RunWarden({"/bin/true"}).exit_code, 0);
  WriteFile(PolicyFile(), "version: 1\nname: x\nrules:\n  - name: r\n    type: file-reed\n");
  ExitInfo r = DryRun("1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(PolicyFile() + ":5:11: "));
  WritePolicy("rules: []\n");
  r = DryRun("7");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no run 7"));
  r = Run({WardenBin(), "policy", "test", PolicyFile(), "--db", Path("missing.db")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(Exists(Path("missing.db")));
  r = Run({WardenBin(), "policy", "test", PolicyFile(), "--format", "xml"});
  EXPECT_EQ(r.exit_code, 2);
  r = Run({WardenBin(), "policy", "test"});
  EXPECT_EQ(r.exit_code, 2);
}

TEST_F(PolicyTestCliTest, InactivePolicyJudgesNothing) {
  ASSERT_EQ(RunWarden({"/usr/bin/cat", "/etc/hostname"}).exit_code, 0);
  WritePolicy("mode: inactive\ndefaults: {file: deny}\n");
  ExitInfo r = DryRun(LatestRun());
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("inactive, so nothing is judged"));
  WritePolicy("mode: permissive\ndefaults: {file: deny}\n");
  r = DryRun(LatestRun());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("judged as if active"));
}

}  // namespace
}  // namespace warden::itest
