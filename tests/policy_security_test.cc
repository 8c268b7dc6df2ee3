// The adversarial side of policies (../shared/SECURITY.md 5-9): built-in
// protections that hold with no policy at all, the indirect ways to name a
// file or run a program, io_uring under a policy; a bad policy never
// starts anything; --reload swaps policies under a running program.
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/policy_test_support.h"

namespace warden::itest {
namespace {

using ::testing::ContainsRegex;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// A file-read rule that denies $DIR/secret with EACCES.
const std::string kNoSecret = NoSecretPolicy();

class PolicySecurityTest : public PolicyTest {
 protected:
  ExitInfo RunBare(const std::vector<std::string>& args) {
    std::vector<std::string> cmd = {H()};
    cmd.insert(cmd.end(), args.begin(), args.end());
    return RunWarden(cmd);
  }
  void ReloadScenario(const std::string& policy);
};

// 14. Without --policy: ptrace, process_vm_writev and CLONE_UNTRACED are
// refused, and so is a write open of /proc/PID/mem.
TEST_F(PolicySecurityTest, BuiltInProtectionsWithoutPolicy) {
  struct Case {
    std::string op, want;
  };
  for (const Case& c : std::vector<Case>{{"ptrace-parent", "EPERM"},
                                         {"ptrace-traceme", "EPERM"},
                                         {"ptrace-sibling", "EPERM"},
                                         {"vm-writev", "EPERM"},
                                         {"proc-mem", "EACCES"},
                                         {"clone-untraced", "EPERM"},
                                         {"clone3-untraced", "EPERM"},
                                         {"clone3-badptr", "EPERM"}}) {
    ExitInfo r = RunBare({c.op});
    EXPECT_EQ(r.out, c.op + " err " + c.want + "\n") << r.err << PolicyDump();
    EXPECT_THAT(r.out, Not(HasSubstr("child ran"))) << c.op;
    EXPECT_EQ(QueryInt("SELECT count(*) FROM runs WHERE id=" + RunId() + " AND policy_mode IS NOT NULL "
                       "AND policy_mode != ''"),
              0);
  }
  // The supervisor's verdicts are recorded as warden's own rules.
  ExitInfo r = RunBare({"proc-mem"});
  EXPECT_EQ(QueryOne("SELECT action || ' ' || rule FROM file_events WHERE run_id=" + RunId() +
                     " AND path LIKE '/proc/%/mem'"),
            "deny warden:no-proc-mem-write")
      << PolicyDump();
  // Reading /proc/self/mem is not writing it.
  r = RunBare({"read", "/proc/self/mem"});
  EXPECT_EQ(r.out, "read ok 3\n") << r.err;
}

// The protections hold whatever the policy's mode: permissive and
// inactive policies record or skip the user's rules, never warden's.
// A filter of the program's own with SECCOMP_RET_USER_NOTIF, answered by
// one of its threads, would run every watched call without a stop (the
// kernel ranks USER_NOTIF above TRACE). The listener it needs is refused,
// so the open is still judged: denied by the rule, and both recorded.
TEST_F(PolicySecurityTest, SeccompListenerIsRefusedSoCallsStillStop) {
  const std::string secret = Path("secret");
  WriteFile(secret, "s\n");
  ExitInfo r = RunPolicy(kNoSecret, {Helper("notif_helper"), "listener", secret});
  EXPECT_EQ(r.out, "seccomp err EPERM\nopen err EACCES\n") << r.err << PolicyDump();
  EXPECT_EQ(QueryOne("SELECT action || ' ' || rule || ' ' || errno FROM policy_events WHERE run_id=" +
                     RunId() + " AND syscall='seccomp'"),
            "deny warden:no-seccomp-listener 1")
      << PolicyDump();
  EXPECT_EQ(QueryOne("SELECT action || ' ' || rule FROM file_events WHERE run_id=" + RunId() +
                     " AND path=" + Sql(secret)),
            "deny no-secret")
      << PolicyDump();
}

// seccomp(2) and prctl(PR_SET_SECCOMP) are recorded whatever is watched.
TEST_F(PolicySecurityTest, SeccompAndPrctlSeccompAreAlwaysRecorded) {
  ExitInfo r = RunWarden({Helper("notif_helper"), "prctl"}, {"--watch", "exec"});
  EXPECT_EQ(r.out, "prctl ok\n") << r.err;
  EXPECT_THAT(QueryOne("SELECT args FROM syscall_events WHERE run_id=" + RunId() +
                       " AND name='prctl'"),
              HasSubstr("PR_SET_SECCOMP"))
      << PolicyDump();
  r = RunWarden({Helper("notif_helper"), "listener", "/etc/hostname"}, {"--watch", "exec"});
  EXPECT_EQ(r.out, "seccomp err EPERM\nopen ok\n") << r.err;
  EXPECT_EQ(QueryOne("SELECT count(*) FROM syscall_events WHERE run_id=" + RunId() +
                     " AND name='seccomp' AND rule='warden:no-seccomp-listener'"),
            "1")
      << PolicyDump();
}

// The /proc/*/mem protection judges the file the kernel opens, not the
// name: a symlink to /proc/self/mem, or to /proc followed by self/mem, is
// refused too (it opened the memory for writing before; issue 12, 2). The
// file is the caller's own memory, /proc/self/mem (not warden's pid).
TEST_F(PolicySecurityTest, ProcMemThroughSymlinksIsRefused) {
  for (const std::string op : {"proc-mem-link", "proc-mem-dirlink"}) {
    const std::string sub = Path(op);
    ASSERT_EQ(mkdir(sub.c_str(), 0755), 0);
    ExitInfo r = RunBare({op, sub});
    EXPECT_EQ(r.out, op + " err EACCES\n") << r.err << PolicyDump();
    EXPECT_THAT(QueryOne("SELECT action || ' ' || rule || ' ' || path FROM file_events WHERE run_id=" +
                         RunId() + " AND rule='warden:no-proc-mem-write'"),
                "deny warden:no-proc-mem-write /proc/self/mem")
        << op << PolicyDump();
  }
}

// The dynamic loader as a program runner: `ld.so [OPTIONS] PROG` runs
// PROG, so an exec rule on PROG holds for it too (issue 12, 5).
TEST_F(PolicySecurityTest, DynamicLoaderRunningADeniedProgramIsRefused) {
  const std::string loader = "/lib64/ld-linux-x86-64.so.2";
  if (access(loader.c_str(), X_OK) != 0) GTEST_SKIP() << loader << " is missing";
  ExitInfo r = RunPolicy(R"(
rules:
  - name: no-id
    type: exec
    paths: "**/id"
    action: deny
    errno: EACCES
)", {"/bin/sh", "-c", loader + " /usr/bin/id; echo rc=$?; " + loader +
                          " --argv0 x --inhibit-cache /usr/bin/id; echo rc=$?"});
  EXPECT_THAT(r.out, Not(HasSubstr("uid="))) << r.out << r.err << PolicyDump();
  EXPECT_THAT(r.out, HasSubstr("rc=126\nrc=126\n")) << r.out << r.err;
  EXPECT_EQ(QueryInt("SELECT count(*) FROM exec_events WHERE run_id=" + RunId() +
                     " AND action='deny' AND rule='no-id' AND path LIKE '%ld-linux%'"),
            2)
      << PolicyDump();
}

// open_by_handle_at is judged before it runs (issue 12, 4): judged at its
// exit, the descriptor existed until warden closed it, and a sibling thread
// could read the denied file through it meanwhile.
TEST_F(PolicySecurityTest, OpenByHandleIsDeniedBeforeItRuns) {
  const std::string secret = Path("secret");
  WriteFile(secret, "S3cret\n");
  ExitInfo probe = Run({H(), "by-handle", secret});
  if (probe.out.find("by-handle ok") == std::string::npos)
    GTEST_SKIP() << "open_by_handle_at is not allowed here: " << probe.out;
  ExitInfo r = RunHelper(kNoSecret, {"by-handle-race", secret});
  EXPECT_EQ(r.out, "opened 0 leaked 0\n") << r.err << PolicyDump();
  EXPECT_EQ(QueryInt("SELECT count(*) FROM policy_events WHERE run_id=" + RunId() +
                     " AND syscall='open_by_handle_at' AND action='deny' AND rule='no-secret'"),
            300)
      << PolicyDump();
}

// Without a policy io_uring runs, and warden says at the end that what
// the ring did was not seen.
TEST_F(PolicySecurityTest, IoUringWithoutPolicyIsReportedAtTheEnd) {
  ExitInfo r = RunBare({"io-uring"});
  if (r.out.find("io-uring ok") == std::string::npos)
    GTEST_SKIP() << "io_uring is not available here: " << r.out;
  EXPECT_THAT(r.err, HasSubstr("the program set up io_uring (1 ring)")) << r.err;
  ExitInfo profile = Run({WardenBin(), "profile", "--db", db()});
  EXPECT_THAT(profile.out, HasSubstr("unseen:    io_uring (1 ring)")) << profile.out << profile.err;
  r = RunBare({"proc-mem"});
  EXPECT_THAT(r.err, Not(HasSubstr("io_uring"))) << r.err;
}

TEST_F(PolicySecurityTest, BuiltInProtectionsInEveryMode) {
  for (const char* mode : {"active", "permissive", "inactive"}) {
    SCOPED_TRACE(mode);
    const std::string policy = std::string("mode: ") + mode + R"(
rules:
  - name: unrelated
    type: file-read
    paths: $DIR/nothing
    action: deny
)";
    for (const auto& [op, want] : std::vector<std::pair<std::string, std::string>>{
             {"clone3-untraced", "EPERM"}, {"clone-untraced", "EPERM"}, {"proc-mem", "EACCES"},
             {"ptrace-parent", "EPERM"}}) {
      ExitInfo r = RunHelper(policy, {op});
      EXPECT_EQ(r.out, op + " err " + want + "\n") << r.err << PolicyDump();
    }
  }
}

// KNOWN BUG (disabled until fixed): a fast-path rule whose conditions are
// those of a built-in protection but whose action or errno differs makes
// libseccomp refuse the deny filter (EEXIST): `warden policy check` says
// OK, `warden run` exits 125 ("seccomp: deny rule for syscall 56: File
// exists") and runs nothing.
TEST_F(PolicySecurityTest, FastPathRuleOverlappingAProtectionRuns) {
  ExitInfo r = RunHelper(R"(
rules:
  - name: untraced-clone-eacces
    type: syscall
    syscall: clone
    args:
      - {index: 0, mask: CLONE_UNTRACED, value: CLONE_UNTRACED}
    action: deny
    errno: EACCES
)",
                         {"clone-untraced"});
  EXPECT_NE(r.exit_code, 125) << r.err;
  EXPECT_THAT(r.out, ::testing::StartsWith("clone-untraced err E")) << r.err << PolicyDump();
  EXPECT_THAT(r.out, Not(HasSubstr("child ran")));
}

// The same protections through the i386 ABI, which BPF does not judge.
TEST_F(PolicySecurityTest, BuiltInProtectionsForI386Calls) {
  ExitInfo probe = Run({H(), "i386", "20"});  // getpid
  if (probe.out.rfind("i386 ok", 0) != 0) GTEST_SKIP() << "no int $0x80 here: " << probe.out;
  // ptrace(PTRACE_SEIZE, parent): i386 ptrace is 26.
  ExitInfo r = RunBare({"i386", "26", "0x4206", "ppid"});
  EXPECT_EQ(r.out, "i386 err EPERM\n") << r.err << PolicyDump();
  // clone(CLONE_UNTRACED | SIGCHLD): i386 clone is 120.
  r = RunBare({"i386", "120", "0x800011"});
  EXPECT_EQ(r.out, "i386 err EPERM\n") << r.err << PolicyDump();
}

// io_uring: refused with ENOSYS under a policy that can deny anything,
// unless the policy allows it explicitly.
TEST_F(PolicySecurityTest, IoUringUnderPolicy) {
  ExitInfo probe = Run({H(), "io-uring"});
  if (probe.out.rfind("io-uring ok", 0) != 0) GTEST_SKIP() << "io_uring unavailable: " << probe.out;
  const std::string deny = R"(
  - name: something-denied
    type: file-read
    paths: $DIR/nothing
    action: deny
)";
  ExitInfo r = RunHelper("rules:" + deny, {"io-uring"});
  EXPECT_EQ(r.out, "io-uring err ENOSYS\n") << r.err << PolicyDump();
  EXPECT_EQ(QueryOne("SELECT action || ' ' || rule FROM policy_events WHERE run_id=" + RunId() +
                     " AND syscall='io_uring_setup'"),
            "deny warden:no-io-uring")
      << PolicyDump();
  r = RunHelper(R"(
rules:
  - name: uring-ok
    type: syscall
    syscall: io_uring_setup
    action: allow
)" + deny,
                {"io-uring"});
  EXPECT_THAT(r.out, ContainsRegex("^io-uring ok [0-9]+\n$")) << r.err << PolicyDump();
  // A policy that denies nothing leaves io_uring alone.
  r = RunHelper(R"(
rules:
  - name: just-watching
    type: file-read
    paths: $DIR/nothing
    action: monitor
)",
                {"io-uring"});
  EXPECT_THAT(r.out, ContainsRegex("^io-uring ok [0-9]+\n$")) << r.err << PolicyDump();
}

// /proc/self/fd/N/NAME, /proc/self/root/PATH and open_by_handle_at name the
// real file: a file-read rule on its path applies.
TEST_F(PolicySecurityTest, IndirectPathsJudgedByRealPath) {
  ASSERT_EQ(mkdir(Path("sub").c_str(), 0755), 0);
  const std::string secret = Path("sub/secret");
  WriteFile(secret, "s");
  const std::string policy = NoSecretPolicy("sub/secret");
  ExitInfo r = RunHelper(policy, {"procfd", Path("sub"), "secret"});
  EXPECT_EQ(r.out, "procfd err EACCES\n") << r.err << PolicyDump();
  EXPECT_EQ(QueryOne("SELECT target FROM policy_events WHERE run_id=" + RunId() + " AND rule='no-secret'"),
            secret)
      << PolicyDump();
  r = RunHelper(policy, {"procroot", secret});
  EXPECT_EQ(r.out, "procroot err EACCES\n") << r.err << PolicyDump();
  // Control: a sibling through the same routes opens.
  WriteFile(Path("sub/other"), "o");
  r = RunHelper(policy, {"procfd", Path("sub"), "other"});
  EXPECT_EQ(r.out, "procfd ok 4\n") << r.err << PolicyDump();

  ExitInfo probe = Run({H(), "by-handle", secret});
  if (probe.out.find("by-handle ok") == std::string::npos)
    GTEST_SKIP() << "open_by_handle_at unavailable (needs CAP_DAC_READ_SEARCH): " << probe.out;
  r = RunHelper(policy, {"by-handle", secret});
  // fd 3 is "/", the handle's descriptor was 4: closed again.
  EXPECT_EQ(r.out, "by-handle err EACCES\nnext-fd 4\n") << r.err << PolicyDump();
  EXPECT_EQ(QueryOne("SELECT target FROM policy_events WHERE run_id=" + RunId() +
                     " AND syscall='open_by_handle_at'"),
            secret)
      << PolicyDump();
}

// execveat is an exec like execve.
TEST_F(PolicySecurityTest, ExecveatJudgedByExecRules) {
  ExitInfo r = RunBare({"execveat", "/usr/bin/true"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;  // without a policy, true runs
  EXPECT_EQ(r.out, "");
  r = RunHelper(R"(
rules:
  - name: no-true
    type: exec
    paths: ["**/true"]
    action: deny
)",
                {"execveat", "/usr/bin/true"});
  EXPECT_EQ(r.out, "execveat err EPERM\n") << r.err << PolicyDump();
  EXPECT_EQ(QueryOne("SELECT action || ' ' || rule FROM exec_events WHERE run_id=" + RunId() +
                     " AND path='/usr/bin/true'"),
            "deny no-true")
      << PolicyDump();
}

// Fail closed: when warden cannot read the path or address a verdict
// needs, and a rule or default of that category could deny, the call is
// denied (warden:unreadable) instead of reaching the kernel (EFAULT).
TEST_F(PolicySecurityTest, UnreadableArgumentsFailClosed) {
  ExitInfo r = RunBare({"open-badptr"});
  EXPECT_EQ(r.out, "open-badptr err EFAULT\n") << r.err;
  r = RunBare({"connect-badptr"});
  EXPECT_EQ(r.out, "connect-badptr err EFAULT\n") << r.err;
  r = RunHelper(R"(
rules:
  - name: some-file
    type: file-read
    paths: /nothing
    action: deny
)",
                {"open-badptr"});
  EXPECT_EQ(r.out, "open-badptr err EPERM\n") << r.err << PolicyDump();
  EXPECT_EQ(QueryOne("SELECT rule FROM policy_events WHERE run_id=" + RunId() + " AND syscall='openat' "
                     "AND action='deny'"),
            "warden:unreadable")
      << PolicyDump();
}

// KNOWN BUG (disabled until fixed): permissive mode enforces the
// fail-closed verdict: PolicyGate::Apply treats every "warden:" rule as a
// built-in protection, "warden:unreadable" included, so the call is denied
// (EPERM, recorded mode 'active') although permissive mode promises that
// every call runs.
TEST_F(PolicySecurityTest, PermissiveModeDoesNotEnforceUnreadableDenials) {
  ExitInfo r = RunHelper(R"(
mode: permissive
rules:
  - name: some-file
    type: file-read
    paths: /nothing
    action: deny
)",
                         {"open-badptr"});
  EXPECT_EQ(r.out, "open-badptr err EFAULT\n") << r.err << PolicyDump();
  EXPECT_EQ(QueryOne("SELECT mode || ' ' || enforced FROM policy_events WHERE run_id=" + RunId()),
            "permissive 0")
      << PolicyDump();
}

// KNOWN BUG (disabled until fixed): an unreadable sockaddr is not failed
// closed. Network rules and the network default only apply to AF_INET/6
// calls (policy/evaluate.cc Applies, DefaultFor), and an address warden
// could not read has no family, so CanDeny() is false and the call goes to
// the kernel, even under `defaults: network: deny`.
TEST_F(PolicySecurityTest, UnreadableSockaddrFailsClosed) {
  ExitInfo r = RunHelper(R"(
rules:
  - name: some-address
    type: network-outbound
    addresses: 192.0.2.1
    action: deny
)",
                         {"connect-badptr"});
  EXPECT_EQ(r.out, "connect-badptr err EPERM\n") << r.err << PolicyDump();
  r = RunHelper("defaults:\n  network: deny\n", {"connect-badptr"});
  EXPECT_EQ(r.out, "connect-badptr err EPERM\n") << r.err << PolicyDump();
}

// Deny = no side effect: a denied O_CREAT open creates nothing.
TEST_F(PolicySecurityTest, DeniedCreateLeavesNoFile) {
  ExitInfo r = RunHelper(R"(
rules:
  - name: no-new
    type: file-write
    paths: $DIR/newfile
    action: deny
)",
                         {"write", Path("newfile")});
  EXPECT_EQ(r.out, "write err EPERM\n") << r.err << PolicyDump();
  EXPECT_FALSE(Exists(Path("newfile")));
}

// 15. A policy that does not parse: exit 2 before anything runs, the
// message points at the line and column, no run is recorded.
TEST_F(PolicySecurityTest, BadPolicyStartsNothing) {
  struct Case {
    std::string text, where;
  };
  const std::vector<Case> cases = {
      // An unknown action, at line 7 column 13.
      {"version: 1\nname: bad\nrules:\n  - name: r\n    type: file-read\n    paths: /x\n"
       "    action: denny\n",
       "bad.yaml:7:13"},
      // A YAML syntax error.
      {"version: 1\nname: bad\nrules: [\n  {name: r,\n", "bad.yaml:"},
      // A rule that names no path.
      {"version: 1\nname: bad\nrules:\n  - name: r\n    type: file-read\n    action: deny\n",
       "bad.yaml:4:5"},
  };
  for (const Case& c : cases) {
    WriteFile(Path("bad.yaml"), c.text);
    ExitInfo r = RunWarden({"/usr/bin/touch", Path("MARKER")}, {"--policy", Path("bad.yaml")});
    EXPECT_EQ(r.exit_code, 125) << c.text << r.err;  // warden run's own error
    EXPECT_THAT(r.err, HasSubstr(c.where)) << c.text;
    EXPECT_THAT(r.err, ContainsRegex("bad\\.yaml:[0-9]+:[0-9]+")) << c.text;
    EXPECT_FALSE(Exists(Path("MARKER"))) << c.text;
    if (Exists(db())) {
      EXPECT_EQ(QueryInt("SELECT count(*) FROM runs"), 0) << c.text;
    }
  }
  ExitInfo r = RunWarden({"/usr/bin/touch", Path("MARKER")}, {"--policy", Path("missing.yaml")});
  EXPECT_EQ(r.exit_code, 125) << r.err;
  EXPECT_FALSE(Exists(Path("MARKER")));
}

// 16. --reload: a new version of the file applies to the running program;
// an invalid one is refused and the previous version stays. `policy` is
// where the policy file lives.
void PolicySecurityTest::ReloadScenario(const std::string& policy) {
  WriteFile(Path("secret"), "secret content\n");
  auto replace_policy = [&](const std::string& text) {
    // As editors do: a new file renamed over the old one.
    WriteFile(policy + ".new", Expand(text));
    ASSERT_EQ(rename((policy + ".new").c_str(), policy.c_str()), 0);
  };
  WriteFile(policy, Expand(R"(
name: v1
rules:
  - name: watch-secret
    type: file-read
    paths: $DIR/secret
    action: monitor
)"));
  const std::string script =
      "cat secret && echo CAT0 ok || echo CAT0 failed; echo started; "
      "while [ ! -e go1 ]; do sleep 0.02; done; cat secret && echo CAT1 ok || echo CAT1 failed; "
      "while [ ! -e go2 ]; do sleep 0.02; done; cat secret && echo CAT2 ok || echo CAT2 failed";
  Spawned w = StartWarden({"/bin/sh", "-c", script}, {"--policy", policy, "--reload"});
  ASSERT_TRUE(WaitForOutput(w, "started", std::chrono::milliseconds(5000))) << ReadFile(w.err_path);
  EXPECT_THAT(ReadFile(w.out_path), HasSubstr("secret content\nCAT0 ok\n"));

  replace_policy(R"(
name: v2
rules:
  - name: deny-secret
    type: file-read
    paths: $DIR/secret
    action: deny
    errno: EACCES
)");
  ASSERT_TRUE(WaitUntil([&] { return ReadFile(w.err_path).find("policy reloaded") != std::string::npos; },
                        std::chrono::milliseconds(3000)))
      << "no reload 3 s after the policy file was replaced; stderr:\n" << ReadFile(w.err_path);
  WriteFile(Path("go1"), "");
  ASSERT_TRUE(WaitForOutput(w, "CAT1", std::chrono::milliseconds(5000))) << ReadFile(w.err_path);
  EXPECT_THAT(ReadFile(w.out_path), HasSubstr("CAT1 failed")) << ReadFile(w.err_path);

  replace_policy("name: v3\nrules:\n  - name: broken\n    type: file-raed\n    paths: /x\n    action: deny\n");
  ASSERT_TRUE(WaitUntil([&] { return ReadFile(w.err_path).find("refused") != std::string::npos; },
                        std::chrono::milliseconds(3000)))
      << ReadFile(w.err_path);
  WriteFile(Path("go2"), "");
  ExitInfo r = Wait(w);
  std::string dump = PolicyDump();
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("CAT1 failed")) << r.err;
  EXPECT_THAT(r.out, HasSubstr("CAT2 failed")) << r.err << dump;
  EXPECT_EQ(r.out.find("secret content"), r.out.rfind("secret content")) << r.out;  // read once

  Rows changes = Query("SELECT name, accepted, message FROM policy_changes WHERE run_id=" + RunId() +
                       " ORDER BY id");
  ASSERT_EQ(changes.size(), 3u) << dump;
  EXPECT_THAT(changes[0], ElementsAre("v1", "1", ::testing::AnyOf("", "NULL"))) << dump;
  EXPECT_THAT(changes[1], ElementsAre("v2", "1", ::testing::AnyOf("", "NULL"))) << dump;
  EXPECT_EQ(changes[2][1], "0") << dump;
  EXPECT_THAT(changes[2][2], HasSubstr("file-raed")) << dump;
  // "version: 1" is line 1 (Expand adds it): the bad type is at 5:11.
  EXPECT_THAT(changes[2][2], HasSubstr("policy.yaml:5:11")) << dump;
  // The verdicts: monitored once under v1, denied twice under v2.
  EXPECT_THAT(Query("SELECT action, rule FROM policy_events WHERE run_id=" + RunId() +
                    " AND target=" + Sql(Path("secret")) + " ORDER BY id"),
              ElementsAre(ElementsAre("monitor", "watch-secret"), ElementsAre("deny", "deny-secret"),
                          ElementsAre("deny", "deny-secret")))
      << dump;
}

// The policy in a directory of its own.
TEST_F(PolicySecurityTest, ReloadAppliesValidVersionsAndRefusesBadOnes) {
  ASSERT_EQ(mkdir(Path("conf").c_str(), 0755), 0);
  ReloadScenario(Path("conf/policy.yaml"));
}

// KNOWN BUG (disabled until fixed): the policy next to the database (or in
// any directory where something changes more often than every 100 ms) is
// never reloaded. PolicyReloader::Loop restarts its 100 ms quiet period on
// every inotify event of the directory, not only on the policy file's.
TEST_F(PolicySecurityTest, ReloadWithPolicyNextToDatabase) {
  ReloadScenario(PolicyFile());
}

// A version that needs calls judged which the running filter does not
// trace (umask here) is refused: the old version stays.
TEST_F(PolicySecurityTest, ReloadRefusesVersionNeedingUntracedCalls) {
  ASSERT_EQ(mkdir(Path("conf").c_str(), 0755), 0);
  const std::string policy = Path("conf/policy.yaml");
  WriteFile(policy, Expand("name: v1\nrules: []\n"));
  Spawned w = StartWarden({"/bin/sh", "-c", "echo started; while [ ! -e go ]; do sleep 0.02; done; '" +
                                                H() + "' loop 0"},
                          {"--policy", policy, "--reload"});
  ASSERT_TRUE(WaitForOutput(w, "started", std::chrono::milliseconds(5000))) << ReadFile(w.err_path);
  WriteFile(policy + ".new", Expand(R"(
name: v2
rules:
  - name: no-umask
    type: syscall
    syscall: umask
    action: deny
)"));
  ASSERT_EQ(rename((policy + ".new").c_str(), policy.c_str()), 0);
  ASSERT_TRUE(WaitUntil([&] { return ReadFile(w.err_path).find("refused") != std::string::npos; },
                        std::chrono::milliseconds(3000)))
      << ReadFile(w.err_path);
  WriteFile(Path("go"), "");
  ExitInfo r = Wait(w);
  EXPECT_THAT(r.out, HasSubstr("loop ok 18")) << r.err << PolicyDump();
  Rows changes = Query("SELECT accepted, message FROM policy_changes WHERE run_id=" + RunId() + " ORDER BY id");
  ASSERT_EQ(changes.size(), 2u) << PolicyDump();
  EXPECT_EQ(changes[1][0], "0");
  EXPECT_THAT(changes[1][1], HasSubstr("umask"));
}

}  // namespace
}  // namespace warden::itest
