// Policy enforcement on real programs (warden-policy(5)): each rule type
// denies, kills or monitors what it names and nothing else, a denied call
// leaves no trace in the world, first match wins, defaults, modes, and
// register-argument verdicts.
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/policy_test_support.h"

namespace warden::itest {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class PolicyEnforceTest : public PolicyTest {
 protected:
  void UdpScenario(const std::string& op);
};

// 1. A file-read deny with its errno; the verdict is recorded on the
// behaviour row and as a policy hit. The same rule for another program
// does not touch policy_helper.
TEST_F(PolicyEnforceTest, FileReadDenyAndProgramGlob) {
  WriteFile(Path("secret"), "top secret\n");
  constexpr std::string_view kPolicy = R"(
rules:
  - name: no-secret
    type: file-read
    program: PROGRAM
    paths: $DIR/secret
    action: deny
    errno: EACCES
)";
  ExitInfo r = RunHelper(ReplaceAll(std::string(kPolicy), "PROGRAM", "\"*\""), {"read", Path("secret")});
  EXPECT_EQ(r.out, "read err EACCES\n") << r.err;
  EXPECT_EQ(r.exit_code, 1) << r.err;
  std::string dump = PolicyDump();
  EXPECT_THAT(Query("SELECT action, rule, errno FROM file_events WHERE run_id=" + RunId() +
                    " AND path=" + Sql(Path("secret"))),
              ElementsAre(ElementsAre("deny", "no-secret", "13")))
      << dump;
  EXPECT_THAT(Query("SELECT action, rule, category, target, enforced, mode, errno FROM policy_events "
                    "WHERE run_id=" + RunId()),
              ElementsAre(ElementsAre("deny", "no-secret", "file-read", Path("secret"), "1", "active",
                                      "13")))
      << dump;
  EXPECT_EQ(QueryOne("SELECT policy || '/' || policy_mode FROM runs WHERE id=" + RunId()),
            "test-policy/active")
      << dump;

  // A relative path is judged as the absolute path it names.
  r = RunHelper(ReplaceAll(std::string(kPolicy), "PROGRAM", "\"*\""), {"read", "secret"});
  EXPECT_EQ(r.out, "read err EACCES\n") << r.err << PolicyDump();

  // program: cat -- policy_helper is not cat.
  r = RunHelper(ReplaceAll(std::string(kPolicy), "PROGRAM", "cat"), {"read", Path("secret")});
  EXPECT_EQ(r.out, "read ok 3\n") << r.err << PolicyDump();
  EXPECT_EQ(QueryInt("SELECT count(*) FROM policy_events WHERE run_id=" + RunId()), 0) << PolicyDump();
  // ... but cat is.
  r = RunPolicy(ReplaceAll(std::string(kPolicy), "PROGRAM", "cat"), {"/bin/cat", Path("secret")});
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("top secret")));
  EXPECT_THAT(r.err, HasSubstr("Permission denied"));
  EXPECT_EQ(QueryOne("SELECT rule FROM policy_events WHERE run_id=" + RunId() + " AND exe LIKE '%/cat'"),
            "no-secret")
      << PolicyDump();
}

// 2. file-write deny: every kind of write call fails and the filesystem is
// as it was.
TEST_F(PolicyEnforceTest, FileWriteDenyLeavesEverythingInPlace) {
  const std::string prot = Path("prot"), out = Path("out");
  ASSERT_EQ(mkdir(prot.c_str(), 0755), 0);
  ASSERT_EQ(mkdir(out.c_str(), 0755), 0);
  ASSERT_EQ(mkdir((prot + "/sub").c_str(), 0755), 0);
  WriteFile(prot + "/f", "keep");
  WriteFile(out + "/o", "outside");
  const std::string policy = R"(
rules:
  - name: prot-read-only
    type: file-write
    paths: ["$DIR/prot", "$DIR/prot/**"]
    action: deny
    errno: EROFS
)";
  struct Case {
    std::vector<std::string> args;
  };
  const std::vector<Case> cases = {
      {{"unlink", prot + "/f"}},
      {{"rmdir", prot + "/sub"}},
      {{"rename", out + "/o", prot + "/o"}},      // into
      {{"rename", prot + "/f", out + "/f"}},      // out of
      {{"renameat2", prot + "/f", prot + "/g"}},  // within
      {{"linkat", prot + "/f", out + "/l"}},      // existing name protected
      {{"linkat", out + "/o", prot + "/l"}},      // new name protected
      {{"symlinkat", out + "/o", prot + "/s"}},   // new link protected
      {{"openat2", prot + "/new"}},
      {{"write", prot + "/new2"}},
      {{"write", prot + "/f"}},
      {{"rdwr", prot + "/f"}},
      {{"mkdir", prot + "/d"}},
      {{"truncate", prot + "/f"}},
      {{"chmod", prot + "/f"}},
  };
  for (const Case& c : cases) {
    ExitInfo r = RunHelper(policy, c.args);
    std::string what = ::testing::PrintToString(c.args);
    EXPECT_EQ(r.out, c.args[0] + " err EROFS\n") << what << "\n" << r.err << PolicyDump();
    EXPECT_EQ(QueryInt("SELECT count(*) FROM policy_events WHERE run_id=" + RunId() +
                       " AND action='deny' AND rule='prot-read-only' AND category='file-write'"),
              1)
        << what << "\n" << PolicyDump();
  }
  // Nothing moved, appeared, vanished or changed.
  EXPECT_EQ(ReadFile(prot + "/f"), "keep");
  EXPECT_EQ(ModeOf(prot + "/f"), 0644);
  EXPECT_TRUE(Exists(prot + "/sub"));
  EXPECT_EQ(ReadFile(out + "/o"), "outside");
  for (const char* absent : {"/o", "/g", "/l", "/s", "/new", "/new2", "/d"})
    EXPECT_FALSE(Exists(prot + absent)) << absent;
  EXPECT_FALSE(Exists(out + "/f"));
  EXPECT_FALSE(Exists(out + "/l"));
  struct stat st;
  ASSERT_EQ(stat((prot + "/f").c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, 1u);

  // Writes elsewhere, and reads of the protected files, still work.
  ExitInfo r = RunHelper(policy, {"write", out + "/fine"});
  EXPECT_EQ(r.out, "write ok 3\n") << r.err << PolicyDump();
  EXPECT_TRUE(Exists(out + "/fine"));
  r = RunHelper(policy, {"read", prot + "/f"});
  EXPECT_EQ(r.out, "read ok 3\n") << r.err << PolicyDump();
}

// 3. A denied connect never reaches the listener.
TEST_F(PolicyEnforceTest, DeniedConnectNeverReachesListener) {
  int port = 0;
  Spawned listener = StartListener(&port);
  ASSERT_GT(listener.pid, 0);
  ExitInfo r = RunHelper(R"(
rules:
  - name: no-loopback
    type: network-outbound
    addresses: 127.0.0.1
    action: deny
    errno: ECONNREFUSED
)",
                         {"connect", "127.0.0.1", std::to_string(port)});
  EXPECT_EQ(r.out, "connect err ECONNREFUSED\n") << r.err;
  std::string dump = PolicyDump();
  EXPECT_THAT(Query("SELECT action, rule, address, port FROM net_events WHERE run_id=" + RunId() +
                    " AND syscall='connect'"),
              ElementsAre(ElementsAre("deny", "no-loopback", "127.0.0.1", std::to_string(port))))
      << dump;
  EXPECT_THAT(Query("SELECT category, target, enforced FROM policy_events WHERE run_id=" + RunId()),
              ElementsAre(ElementsAre("network-outbound", "127.0.0.1:" + std::to_string(port), "1")))
      << dump;
  // The same address as an IPv4-mapped IPv6 address (dual-stack socket).
  ExitInfo r6 = RunHelper(R"(
rules:
  - name: no-loopback
    type: network-outbound
    addresses: 127.0.0.1
    action: deny
    errno: ECONNREFUSED
)",
                          {"connect", "::ffff:127.0.0.1", std::to_string(port)});
  EXPECT_EQ(r6.out, "connect err ECONNREFUSED\n") << r6.err << PolicyDump();
  // Nothing arrived (a negative: give a connection time to show up).
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_THAT(ReadFile(listener.out_path), Not(HasSubstr("accept"))) << dump;
  // The listener did work: a connection from outside warden gets through.
  ExitInfo s = Run({H(), "send", std::to_string(port), "x"});
  EXPECT_EQ(s.out, "send ok 1\n") << s.err;
  EXPECT_TRUE(WaitForOutput(listener, "read 1 x")) << ReadFile(listener.out_path);
  ExitInfo l = Wait(listener);
  EXPECT_EQ(l.out, "listening\naccept ok 4\nread 1 x\n");
}

// 4. network-inbound: accept denied by the peer (the connection reset, the
// accepted descriptor closed in the program); bind denied by port.
TEST_F(PolicyEnforceTest, InboundAcceptAndBindDenied) {
  Spawned server;
  int port = 0;
  for (int tries = 0; tries < 5; ++tries) {
    port = NextPort();
    WritePolicy(R"(
rules:
  - name: no-loopback-in
    type: network-inbound
    addresses: 127.0.0.0/8
    port: $PORT
    action: deny
)",
                port);
    server = StartWarden({H(), "accept", std::to_string(port)}, {"--policy", PolicyFile()});
    ASSERT_TRUE(WaitUntil([&] {
      std::string out = ReadFile(server.out_path);
      return out.find("listening") != std::string::npos || out.find("bind err") != std::string::npos;
    }, std::chrono::milliseconds(5000)))
        << ReadFile(server.err_path);
    if (ReadFile(server.out_path).find("listening") != std::string::npos) break;
    Wait(server);
  }
  ExitInfo client = Run({H(), "send", std::to_string(port), "hello"});
  ExitInfo srv = Wait(server);
  std::string dump = PolicyDump();
  EXPECT_EQ(srv.exit_code, 0) << srv.err;
  // fd 3 listens, the accepted connection was fd 4: closed again, so the
  // next descriptor is 4.
  EXPECT_EQ(srv.out, "listening\naccept err EPERM\nnext-fd 4\n") << srv.err << client.out << dump;
  EXPECT_THAT(Query("SELECT action, rule, errno FROM net_events WHERE run_id=" + RunId() +
                    " AND syscall IN ('accept', 'accept4')"),
              ElementsAre(ElementsAre("deny", "no-loopback-in", "1")))
      << dump;
  EXPECT_EQ(QueryOne("SELECT category FROM policy_events WHERE run_id=" + RunId() +
                     " AND rule='no-loopback-in'"),
            "network-inbound")
      << dump;

  // bind: an inbound rule without addresses judges the local port.
  const std::string bind_policy = R"(
rules:
  - name: no-listen
    type: network-inbound
    port: $PORT
    action: deny
)";
  WritePolicy(bind_policy, port);
  ExitInfo r = RunWarden({H(), "bind", std::to_string(port)}, {"--policy", PolicyFile()});
  EXPECT_EQ(r.out, "bind err EPERM\n") << r.err << PolicyDump();
  EXPECT_EQ(QueryOne("SELECT action || ' ' || rule FROM net_events WHERE run_id=" + RunId() +
                     " AND syscall='bind'"),
            "deny no-listen")
      << PolicyDump();
  // Another port binds.
  r = RunWarden({H(), "bind", "0"}, {"--policy", PolicyFile()});
  EXPECT_EQ(r.out, "bind ok 0\n") << r.err << PolicyDump();
}

// 5. exec rules judge the path executed, and `program` the caller: sh may
// not run cat, env may.
TEST_F(PolicyEnforceTest, ExecDenyByCallerProgram) {
  WriteFile(Path("file"), "file content\n");
  // The rule names the shell by its real executable (/proc/PID/exe: dash
  // on Debian); 5b below names it by the path it was started as.
  char real[PATH_MAX];
  ASSERT_NE(realpath("/bin/sh", real), nullptr);
  std::string shell = real;
  shell = shell.substr(shell.rfind('/') + 1);
  const std::string policy = ReplaceAll(R"(
rules:
  - name: sh-no-cat
    type: exec
    program: SHELL
    paths: ["**/cat"]
    action: deny
)", "SHELL", shell);
  ExitInfo r = RunPolicy(policy, {"/bin/sh", "-c", "cat " + Path("file")});
  std::string dump = PolicyDump();
  EXPECT_NE(r.exit_code, 0) << r.out << r.err << dump;
  EXPECT_THAT(r.out, Not(HasSubstr("file content"))) << dump;
  EXPECT_GE(QueryInt("SELECT count(*) FROM exec_events WHERE run_id=" + RunId() +
                     " AND path LIKE '%/cat' AND action='deny' AND rule='sh-no-cat'"),
            1)
      << dump;
  EXPECT_EQ(QueryInt("SELECT count(*) FROM exec_events WHERE run_id=" + RunId() +
                     " AND path LIKE '%/cat' AND (action!='deny' OR result=0)"),
            0)
      << dump;
  EXPECT_EQ(QueryInt("SELECT count(*) FROM processes WHERE run_id=" + RunId() + " AND exe LIKE '%/cat'"),
            0)
      << dump;

  r = RunPolicy(policy, {"/bin/sh", "-c", "env cat " + Path("file")});
  EXPECT_EQ(r.exit_code, 0) << r.err << PolicyDump();
  EXPECT_EQ(r.out, "file content\n") << PolicyDump();
}

// 5b. `program: sh` applies to a shell started as /bin/sh although the file
// run is dash: program globs also match the path a program was executed by.
TEST_F(PolicyEnforceTest, ExecRuleProgramShMatchesTheShell) {
  WriteFile(Path("file"), "file content\n");
  ExitInfo r = RunPolicy(R"(
rules:
  - name: sh-no-cat
    type: exec
    program: sh
    paths: ["**/cat"]
    action: deny
)",
                         {"/bin/sh", "-c", "cat " + Path("file")});
  EXPECT_NE(r.exit_code, 0) << "program: sh did not apply to /bin/sh (a symlink to "
                            << "dash): the shell ran cat.\n" << r.out << r.err << PolicyDump();
  EXPECT_THAT(r.out, Not(HasSubstr("file content")));
  EXPECT_GE(QueryInt("SELECT count(*) FROM exec_events WHERE run_id=" + RunId() +
                     " AND path LIKE '%/cat' AND action='deny' AND rule='sh-no-cat'"),
            1)
      << PolicyDump();
}

// 6. kill: the whole program dies before the call runs.
TEST_F(PolicyEnforceTest, KillRule) {
  ExitInfo r = RunHelper(R"(
rules:
  - name: no-mkdir
    type: syscall
    program: policy_helper
    syscall: mkdir
    action: kill
)",
                         {"mkdir", Path("d")});
  std::string dump = PolicyDump();
  EXPECT_EQ(r.exit_code, 137) << r.out << r.err << dump;
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(Exists(Path("d")));
  // (The category names the call, a file write, though a syscall rule
  // decided; either is accepted here.)
  EXPECT_THAT(Query("SELECT action, rule, category FROM policy_events WHERE run_id=" + RunId()),
              ElementsAre(ElementsAre("kill", "no-mkdir", ::testing::AnyOf("syscall", "file-write"))))
      << dump;
  EXPECT_EQ(QueryInt("SELECT count(*) FROM syscall_events WHERE run_id=" + RunId() +
                     " AND name='mkdir' AND action='kill' AND rule='no-mkdir'"),
            1)
      << dump;
  EXPECT_EQ(QueryInt("SELECT count(*) FROM file_events WHERE run_id=" + RunId() +
                     " AND syscall='mkdir' AND action='kill' AND rule='no-mkdir'"),
            1)
      << dump;
  EXPECT_EQ(QueryInt("SELECT exit_signal FROM runs WHERE id=" + RunId()), 9) << dump;
}

// 7. monitor: the call runs, and is a policy hit.
TEST_F(PolicyEnforceTest, MonitorAllowsAndRecords) {
  WriteFile(Path("watched"), "w");
  ExitInfo r = RunHelper(R"(
rules:
  - name: watch-it
    type: file-read
    paths: $DIR/watched
    action: monitor
)",
                         {"read", Path("watched")});
  std::string dump = PolicyDump();
  EXPECT_EQ(r.out, "read ok 3\n") << r.err << dump;
  EXPECT_THAT(Query("SELECT action, rule, target, enforced, result FROM policy_events WHERE run_id=" + RunId()),
              ElementsAre(ElementsAre("monitor", "watch-it", Path("watched"), "1", "3")))
      << dump;
  EXPECT_EQ(QueryOne("SELECT action FROM file_events WHERE run_id=" + RunId() +
                     " AND path=" + Sql(Path("watched"))),
            "monitor")
      << dump;
}

// 8. First enabled match wins; a disabled rule never applies.
TEST_F(PolicyEnforceTest, FirstMatchWinsAndDisabledRulesNeverApply) {
  ASSERT_EQ(mkdir(Path("d").c_str(), 0755), 0);
  WriteFile(Path("d/public"), "p");
  WriteFile(Path("d/private"), "q");
  WriteFile(Path("other"), "o");
  const std::string policy = R"(
rules:
  - name: off
    enabled: false
    type: file-read
    paths: $DIR/other
    action: deny
  - name: public-ok
    type: file-read
    paths: $DIR/d/public
    action: allow
  - name: dir-closed
    type: file-read
    paths: "$DIR/d/**"
    action: deny
    errno: EACCES
)";
  ExitInfo r = RunHelper(policy, {"read", Path("d/public")});
  EXPECT_EQ(r.out, "read ok 3\n") << r.err << PolicyDump();
  EXPECT_EQ(QueryOne("SELECT action || ' ' || rule FROM policy_events WHERE run_id=" + RunId()),
            "allow public-ok")
      << PolicyDump();
  r = RunHelper(policy, {"read", Path("d/private")});
  EXPECT_EQ(r.out, "read err EACCES\n") << r.err << PolicyDump();
  r = RunHelper(policy, {"read", Path("other")});
  EXPECT_EQ(r.out, "read ok 3\n") << r.err << PolicyDump();
  EXPECT_EQ(QueryInt("SELECT count(*) FROM policy_events WHERE rule='off'"), 0) << PolicyDump();
  EXPECT_EQ(QueryInt("SELECT count(*) FROM file_events WHERE rule='off'"), 0) << PolicyDump();
}

// 9a. Default-deny network with an allowlist; AF_UNIX is never judged.
TEST_F(PolicyEnforceTest, DefaultDenyNetworkWithAllowlist) {
  const std::string policy = R"(
defaults:
  network: deny
  errno: EHOSTUNREACH
rules:
  - name: localhost
    type: network-outbound
    addresses: 127.0.0.1/32
    action: allow
)";
  int port = 0;
  Spawned listener = StartListener(&port);
  ASSERT_GT(listener.pid, 0);
  // 127.0.0.2 is not allowed: the default decides (the kernel would have
  // said ECONNREFUSED, nothing listens there).
  ExitInfo r = RunHelper(policy, {"connect", "127.0.0.2", std::to_string(port)});
  EXPECT_EQ(r.out, "connect err EHOSTUNREACH\n") << r.err << PolicyDump();
  EXPECT_EQ(QueryOne("SELECT action || ' ' || rule FROM net_events WHERE run_id=" + RunId() +
                     " AND syscall='connect'"),
            "deny default:network")
      << PolicyDump();
  EXPECT_EQ(QueryOne("SELECT rule FROM policy_events WHERE run_id=" + RunId() + " AND action='deny'"),
            "default:network")
      << PolicyDump();
  // IPv6 is network too.
  r = RunHelper(policy, {"connect", "::1", std::to_string(port)});
  EXPECT_EQ(r.out, "connect err EHOSTUNREACH\n") << r.err << PolicyDump();

  r = RunHelper(policy, {"connect", "127.0.0.1", std::to_string(port)});
  EXPECT_EQ(r.out, "connect ok 0\n") << r.err << PolicyDump();
  EXPECT_EQ(QueryOne("SELECT action || ' ' || rule FROM net_events WHERE run_id=" + RunId() +
                     " AND syscall='connect'"),
            "allow localhost")
      << PolicyDump();
  EXPECT_TRUE(WaitForOutput(listener, "accept ok")) << ReadFile(listener.out_path);
  Wait(listener);

  // AF_UNIX: bind, connect, accept on an abstract socket all work.
  r = RunPolicy(policy, {Helper("connect_helper"), "unix"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err << PolicyDump();
  EXPECT_EQ(QueryInt("SELECT count(*) FROM net_events WHERE run_id=" + RunId() + " AND action!='allow'"), 0)
      << PolicyDump();
}

// 9b. Default-deny files with allow rules for what the loader needs.
TEST_F(PolicyEnforceTest, DefaultDenyFiles) {
  WriteFile(Path("ok"), "1");
  WriteFile(Path("no"), "2");
  const std::string policy = R"(
defaults:
  file: deny
  errno: EACCES
rules:
  - name: system
    type: file-read
    paths: ["/usr/**", "/lib/**", "/lib64/**", "/etc/**"]
    action: allow
  - name: ok-file
    type: file-read
    paths: $DIR/ok
    action: allow
)";
  ExitInfo r = RunHelper(policy, {"read", Path("ok")});
  EXPECT_EQ(r.out, "read ok 3\n") << r.err << PolicyDump();
  r = RunHelper(policy, {"read", Path("no")});
  EXPECT_EQ(r.out, "read err EACCES\n") << r.err << PolicyDump();
  // By target: a sanitizer runtime in the helper also opens /proc files at
  // start, which this policy denies too.
  EXPECT_EQ(QueryOne("SELECT action || ' ' || rule || ' ' || target FROM policy_events WHERE run_id=" +
                     RunId() + " AND action='deny' AND target=" + Sql(Path("no"))),
            "deny default:file " + Path("no"))
      << PolicyDump();
  // Writes are files too.
  r = RunHelper(policy, {"write", Path("new")});
  EXPECT_EQ(r.out, "write err EACCES\n") << r.err << PolicyDump();
  EXPECT_FALSE(Exists(Path("new")));
}

// 10. permissive: judged and recorded, not enforced; inactive: nothing.
TEST_F(PolicyEnforceTest, PermissiveAndInactiveModes) {
  WriteFile(Path("secret"), "s");
  const std::string rules = R"(
rules:
  - name: no-secret
    type: file-read
    paths: $DIR/secret
    action: deny
)";
  ExitInfo r = RunHelper("mode: permissive\n" + rules, {"read", Path("secret")});
  EXPECT_EQ(r.out, "read ok 3\n") << r.err << PolicyDump();
  EXPECT_THAT(Query("SELECT action, rule, mode, enforced, result FROM policy_events WHERE run_id=" + RunId()),
              ElementsAre(ElementsAre("deny", "no-secret", "permissive", "0", "3")))
      << PolicyDump();
  EXPECT_EQ(QueryOne("SELECT policy_mode FROM runs WHERE id=" + RunId()), "permissive");

  r = RunHelper("mode: inactive\n" + rules, {"read", Path("secret")});
  EXPECT_EQ(r.out, "read ok 3\n") << r.err << PolicyDump();
  EXPECT_EQ(QueryInt("SELECT count(*) FROM policy_events WHERE run_id=" + RunId()), 0) << PolicyDump();
  EXPECT_THAT(Query("SELECT action, rule FROM file_events WHERE run_id=" + RunId() +
                    " AND path=" + Sql(Path("secret"))),
              ElementsAre(ElementsAre("allow", "NULL")))
      << PolicyDump();
  EXPECT_EQ(QueryOne("SELECT policy_mode FROM runs WHERE id=" + RunId()), "inactive");
}

// 17. Register-argument verdicts are exact: a mask on openat's flags
// tells a write open from a read open of the same path, judged by the
// supervisor (program named) and in BPF (program "*").
TEST_F(PolicyEnforceTest, RegisterArgumentMatchersAreExact) {
  WriteFile(Path("f"), "data");
  for (const std::string program : {"policy_helper", "\"*\""}) {
    SCOPED_TRACE("program: " + program);
    const std::string policy = ReplaceAll(R"(
rules:
  - name: no-write-open
    type: syscall
    program: PROGRAM
    syscall: openat
    args:
      - {index: 2, mask: O_ACCMODE, value: O_WRONLY}
    action: deny
)", "PROGRAM", program);
    ExitInfo r = RunHelper(policy, {"write", Path("f")});
    EXPECT_EQ(r.out, "write err EPERM\n") << r.err << PolicyDump();
    r = RunHelper(policy, {"read", Path("f")});
    EXPECT_EQ(r.out, "read ok 3\n") << r.err << PolicyDump();
    r = RunHelper(policy, {"rdwr", Path("f")});
    EXPECT_EQ(r.out, "rdwr ok 3\n") << r.err << PolicyDump();
    EXPECT_EQ(ReadFile(Path("f")), "data");
  }
  // An int-sized argument compares as a C int: dirfd AT_FDCWD is -100
  // whatever the register's upper half holds.
  for (const std::string program : {"policy_helper", "\"*\""}) {
    SCOPED_TRACE("program: " + program);
    const std::string policy = ReplaceAll(R"(
rules:
  - name: no-cwd-relative
    type: syscall
    program: PROGRAM
    syscall: openat
    args:
      - {index: 0, eq: -100}
      - {index: 2, mask: O_ACCMODE, value: O_WRONLY}
    action: deny
    errno: EROFS
)", "PROGRAM", program);
    ExitInfo r = RunHelper(policy, {"write", Path("f")});
    EXPECT_EQ(r.out, "write err EROFS\n") << r.err << PolicyDump();
  }
}

// UDP: a datagram to a denied address is not sent. The receiver runs
// outside warden; a control datagram sent from outside afterwards proves it
// listened, and is the first (only) thing it got.
void PolicyEnforceTest::UdpScenario(const std::string& op) {
  const int port = PolicyTest::NextPort();
  Spawned rx = Start({PolicyTest::H(), "udp-recv", std::to_string(port)});
  ASSERT_TRUE(WaitForOutput(rx, "listening")) << ReadFile(rx.out_path);
  ExitInfo r = RunHelper(R"(
rules:
  - name: no-loopback-udp
    type: network-outbound
    protocol: udp
    addresses: 127.0.0.1
    action: deny
)",
                            {op, "127.0.0.1", std::to_string(port), "sent-under-warden"});
  EXPECT_EQ(r.out, op + " err EPERM\n") << r.err << PolicyDump();
  ExitInfo ctl = Run({PolicyTest::H(), "udp-sendto", "127.0.0.1", std::to_string(port), "control"});
  EXPECT_EQ(ctl.out, "udp-sendto ok 7\n");
  ExitInfo got = Wait(rx);
  EXPECT_EQ(got.out, "listening\nrecv ok 7\ngot control\n") << PolicyDump();
}

TEST_F(PolicyEnforceTest, UdpSendtoDenied) { UdpScenario("udp-sendto"); }

// KNOWN BUG (disabled until fixed): sendmmsg is not judged at all (no row
// in supervisor/effects.cc): its msg_name addresses go out past every
// network-outbound rule and the network default, and it is not recorded.
TEST_F(PolicyEnforceTest, SendmmsgDenied) { UdpScenario("sendmmsg"); }

// KNOWN GAP (disabled until decided): fchmod (and fchown, fsetxattr,
// fremovexattr) on a descriptor opened read-only changes a file that a
// file-write rule protects. warden-policy(5) says descriptor calls are
// judged through "the open that returned the descriptor", but these need
// no write access to the descriptor: the read open is allowed, and the
// mode changes anyway.
TEST_F(PolicyEnforceTest, FchmodOfProtectedFileDenied) {
  ASSERT_EQ(mkdir(Path("prot").c_str(), 0755), 0);
  WriteFile(Path("prot/f"), "keep", 0644);
  ExitInfo r = RunHelper(R"(
rules:
  - name: prot-read-only
    type: file-write
    paths: ["$DIR/prot", "$DIR/prot/**"]
    action: deny
)",
                         {"fchmod", Path("prot/f")});
  EXPECT_EQ(r.out, "fchmod err EPERM\n") << r.err << PolicyDump();
  EXPECT_EQ(ModeOf(Path("prot/f")), 0644);
}

// KNOWN BUG (disabled until fixed): a kill rule compiled into BPF
// (program "*", register matchers only) ends the program with SIGSYS
// (SECCOMP_RET_KILL_PROCESS): warden exits 159, not 137 as a kill judged
// by the supervisor does and warden-policy(5) says.
TEST_F(PolicyEnforceTest, BpfKillExitsLikeSupervisorKill) {
  ExitInfo r = RunHelper(R"(
rules:
  - name: no-umask
    type: syscall
    syscall: umask
    action: kill
)",
                         {"loop", "0"});
  EXPECT_EQ(r.exit_code, 137) << r.out << r.err << PolicyDump();
}

// A glob matcher on a path argument of a syscall rule.
constexpr std::string_view kGlobOnOpenat = R"(
rules:
  - name: no-victim
    type: syscall
    program: policy_helper
    syscall: openat
    args:
      - {index: 1, glob: "$DIR/victim"}
    action: deny
)";

TEST_F(PolicyEnforceTest, SyscallGlobMatcherOnPathArgument) {
  WriteFile(Path("victim"), "v");
  WriteFile(Path("bystander"), "b");
  ExitInfo r = RunHelper(kGlobOnOpenat, {"read", Path("victim")});
  EXPECT_EQ(r.out, "read err EPERM\n") << r.err << PolicyDump();
  r = RunHelper(kGlobOnOpenat, {"read", Path("bystander")});
  EXPECT_EQ(r.out, "read ok 3\n") << r.err << PolicyDump();
}

// KNOWN BUG (disabled until fixed): warden-policy(5) says a glob matcher's
// path "is made absolute first", but PolicyGate's read_string hands the
// evaluator the raw string: "victim", "./victim" or "sub/../victim" from
// the test directory slip past a glob on the absolute path.
TEST_F(PolicyEnforceTest, SyscallGlobMatcherSeesTheAbsolutePath) {
  WriteFile(Path("victim"), "v");
  ASSERT_EQ(mkdir(Path("sub").c_str(), 0755), 0);
  for (const std::string& path :
       std::vector<std::string>{"victim", "./victim", "sub/../victim", Path("sub/../victim")}) {
    ExitInfo r = RunHelper(kGlobOnOpenat, {"read", path});
    EXPECT_EQ(r.out, "read err EPERM\n") << path << "\n" << r.err << PolicyDump();
  }
}

}  // namespace
}  // namespace warden::itest
