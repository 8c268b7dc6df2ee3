#include "policy/evaluate.h"

#include <fcntl.h>
#include <sys/socket.h>

#include "gtest/gtest.h"
#include "policy/cidr.h"
#include "policy/protections.h"

namespace warden::policy {
namespace {

using syscalls::Abi;

Rule FileRule(std::string name, RuleType type, std::vector<std::string> paths, Action a,
              std::string program = "*") {
  Rule r;
  r.name = std::move(name);
  r.type = type;
  r.paths = std::move(paths);
  r.action = a;
  r.program = std::move(program);
  return r;
}

Rule NetRule(std::string name, RuleType type, std::vector<std::string> nets,
             std::vector<PortRange> ports, Action a) {
  Rule r;
  r.name = std::move(name);
  r.type = type;
  for (const auto& n : nets) r.addresses.push_back(*ParseCidr(n));
  r.ports = std::move(ports);
  r.action = a;
  return r;
}

Call Open(std::string_view path, FileAccess access, std::string_view exe = "/usr/bin/cat") {
  Call c;
  c.def = syscalls::ByName(Abi::kX86_64, "openat");
  c.exe = exe;
  c.access = access;
  c.path = path;
  return c;
}

Call Connect(std::string_view addr, int port, Protocol proto = Protocol::kTcp) {
  Call c;
  c.def = syscalls::ByName(Abi::kX86_64, "connect");
  c.exe = "/usr/bin/curl";
  c.net = NetKind::kOutbound;
  c.family = std::string_view(addr).find(':') == std::string_view::npos ? AF_INET : AF_INET6;
  c.address = addr;
  c.port = port;
  c.protocol = proto;
  return c;
}

Evaluator Make(Policy p) { return Evaluator(std::make_shared<const Policy>(std::move(p))); }

TEST(EvaluateTest, FirstEnabledMatchingRuleWinsInFileOrder) {
  Policy p;
  p.rules.push_back(FileRule("off", RuleType::kFileRead, {"/etc/**"}, Action::kKill));
  p.rules.back().enabled = false;
  p.rules.push_back(FileRule("allow-hosts", RuleType::kFileRead, {"/etc/hosts"}, Action::kAllow));
  p.rules.push_back(FileRule("deny-etc", RuleType::kFileRead, {"/etc/**"}, Action::kDeny));
  p.rules.back().err = EACCES;
  Evaluator e = Make(p);
  Verdict v = e.Judge(Open("/etc/hosts", FileAccess::kRead));
  EXPECT_EQ(v.action, Action::kAllow);
  EXPECT_EQ(v.rule, "allow-hosts");
  EXPECT_TRUE(v.hit);
  v = e.Judge(Open("/etc/passwd", FileAccess::kRead));
  EXPECT_EQ(v.action, Action::kDeny);
  EXPECT_EQ(v.err, EACCES);
  EXPECT_EQ(v.rule, "deny-etc");
  v = e.Judge(Open("/tmp/x", FileAccess::kRead));
  EXPECT_EQ(v.action, Action::kAllow);
  EXPECT_FALSE(v.hit);  // an allowing default decides, but is not a hit
  EXPECT_EQ(v.rule, "default:file");
}

TEST(EvaluateTest, ReadAndWriteRulesByAccess) {
  Policy p;
  p.rules.push_back(FileRule("ro", RuleType::kFileWrite, {"/var/www/**"}, Action::kDeny));
  p.rules.push_back(FileRule("watch", RuleType::kFileRead, {"/var/www/**"}, Action::kMonitor));
  Evaluator e = Make(p);
  EXPECT_EQ(e.Judge(Open("/var/www/a.html", FileAccess::kRead)).action, Action::kMonitor);
  EXPECT_EQ(e.Judge(Open("/var/www/a.html", FileAccess::kWrite)).action, Action::kDeny);
  // O_RDWR: both types apply, file order decides.
  EXPECT_EQ(e.Judge(Open("/var/www/a.html", FileAccess::kReadWrite)).rule, "ro");
  EXPECT_EQ(e.Judge(Open("/var/www/a.html", FileAccess::kNone)).action, Action::kAllow);
}

TEST(EvaluateTest, SecondPathOfRenameIsJudged) {
  Policy p;
  p.rules.push_back(FileRule("ro", RuleType::kFileWrite, {"/srv/**"}, Action::kDeny));
  Evaluator e = Make(p);
  Call c = Open("/tmp/new", FileAccess::kWrite);
  c.path2 = "/srv/index.html";
  EXPECT_EQ(e.Judge(c).action, Action::kDeny);
}

TEST(EvaluateTest, ProgramGlobSelectsTheCaller) {
  Policy p;
  p.rules.push_back(FileRule("cat-passwd", RuleType::kFileRead, {"/etc/passwd"}, Action::kDeny, "cat"));
  Evaluator e = Make(p);
  EXPECT_EQ(e.Judge(Open("/etc/passwd", FileAccess::kRead, "/usr/bin/cat")).action, Action::kDeny);
  EXPECT_EQ(e.Judge(Open("/etc/passwd", FileAccess::kRead, "/usr/bin/head")).action, Action::kAllow);
}

TEST(EvaluateTest, ProgramMatchesTheExecutedPathToo) {
  Policy p;
  p.rules.push_back(FileRule("sh-no-secret", RuleType::kFileRead, {"/secret"}, Action::kDeny, "sh"));
  Evaluator e = Make(p);
  Call c = Open("/secret", FileAccess::kRead, "/usr/bin/dash");
  EXPECT_EQ(e.Judge(c).action, Action::kAllow);
  c.exe_alias = "/bin/sh";  // dash, executed as /bin/sh
  EXPECT_EQ(e.Judge(c).action, Action::kDeny);
}

TEST(EvaluateTest, ExecRulesJudgeThePathExecuted) {
  Policy p;
  p.rules.push_back(FileRule("no-curl", RuleType::kExec, {"/usr/bin/curl"}, Action::kDeny, "sh"));
  Evaluator e = Make(p);
  Call c;
  c.def = syscalls::ByName(Abi::kX86_64, "execve");
  c.exec = true;
  c.path = "/usr/bin/curl";
  c.exe = "/usr/bin/sh";
  EXPECT_EQ(e.Judge(c).action, Action::kDeny);
  c.exe = "/usr/bin/env";  // a child that exec'd something else: not the program named
  EXPECT_EQ(e.Judge(c).action, Action::kAllow);
  // An exec is not a file read.
  p.rules = {FileRule("r", RuleType::kFileRead, {"/usr/bin/curl"}, Action::kDeny)};
  Evaluator e2 = Make(p);
  EXPECT_EQ(e2.Judge(c).action, Action::kAllow);
}

TEST(EvaluateTest, OutboundByAddressPortAndProtocol) {
  Policy p;
  p.rules.push_back(NetRule("block-host", RuleType::kNetworkOutbound, {"203.0.113.7"}, {}, Action::kDeny));
  p.rules.push_back(NetRule("dns", RuleType::kNetworkOutbound, {"10.0.0.53"}, {{53, 53}}, Action::kAllow));
  p.rules.back().protocol = Protocol::kUdp;
  p.rules.push_back(NetRule("range", RuleType::kNetworkOutbound, {}, {{8000, 8100}}, Action::kMonitor));
  p.defaults.network = Action::kDeny;
  Evaluator e = Make(p);
  EXPECT_EQ(e.Judge(Connect("203.0.113.7", 443)).rule, "block-host");
  EXPECT_EQ(e.Judge(Connect("10.0.0.53", 53, Protocol::kUdp)).action, Action::kAllow);
  Verdict v = e.Judge(Connect("10.0.0.53", 53, Protocol::kTcp));
  EXPECT_EQ(v.action, Action::kDeny);
  EXPECT_EQ(v.rule, "default:network");
  EXPECT_TRUE(v.hit);
  EXPECT_EQ(e.Judge(Connect("192.0.2.1", 8050)).action, Action::kMonitor);
  EXPECT_EQ(e.Judge(Connect("::1", 8050)).action, Action::kMonitor);
  // AF_UNIX is local IPC: no network rule and no network default applies.
  Call unix_call = Connect("/run/x.sock", -1);
  unix_call.family = AF_UNIX;
  EXPECT_EQ(e.Judge(unix_call).action, Action::kAllow);
}

TEST(EvaluateTest, InboundAcceptByPeerBindByPortOnly) {
  Policy p;
  p.rules.push_back(NetRule("no-lan-ssh", RuleType::kNetworkInbound, {"10.0.0.0/8"}, {{22, 22}}, Action::kDeny));
  p.rules.push_back(NetRule("no-bind-25", RuleType::kNetworkInbound, {}, {{25, 25}}, Action::kDeny));
  Evaluator e = Make(p);
  Call accept = Connect("10.1.1.1", 22);
  accept.net = NetKind::kAccept;
  EXPECT_EQ(e.Judge(accept).rule, "no-lan-ssh");
  accept.address = "192.0.2.9";
  EXPECT_EQ(e.Judge(accept).action, Action::kAllow);
  Call bind = Connect("0.0.0.0", 22);
  bind.net = NetKind::kBind;
  EXPECT_EQ(e.Judge(bind).action, Action::kAllow);  // the peer rule cannot judge a bind
  bind.port = 25;
  EXPECT_EQ(e.Judge(bind).rule, "no-bind-25");
}

TEST(EvaluateTest, SyscallRulesMatchRegistersAndStrings) {
  Policy p;
  Rule r;
  r.name = "no-write-open-etc";
  r.type = RuleType::kSyscall;
  r.syscalls = {"openat"};
  r.action = Action::kKill;
  ArgMatcher dirfd{0, MatchOp::kEq, static_cast<uint64_t>(-100)};  // AT_FDCWD as a 64-bit literal
  ArgMatcher mode{2, MatchOp::kMask, O_WRONLY, O_ACCMODE};
  ArgMatcher path{1, MatchOp::kGlob};
  path.glob = "/etc/**";
  r.args = {dirfd, mode, path};
  p.rules.push_back(r);
  Evaluator e = Make(p);
  Call c;
  c.def = syscalls::ByName(Abi::kX86_64, "openat");
  c.args[0] = 0xffffff9c;  // AT_FDCWD with a zero upper half: compared as an int
  c.args[2] = O_WRONLY | O_CREAT;
  c.read_string = [](int i) -> std::optional<std::string> {
    return i == 1 ? std::optional<std::string>("/etc/shadow") : std::nullopt;
  };
  EXPECT_EQ(e.Judge(c).action, Action::kKill);
  c.args[2] = O_RDONLY;
  EXPECT_EQ(e.Judge(c).action, Action::kAllow);
  c.args[2] = O_WRONLY;
  c.read_string = [](int) -> std::optional<std::string> { return std::nullopt; };
  EXPECT_EQ(e.Judge(c).action, Action::kAllow);  // unreadable string: no glob match
}

TEST(EvaluateTest, InAndRangeAndNe) {
  Policy p;
  Rule r;
  r.name = "sig";
  r.type = RuleType::kSyscall;
  r.syscalls = {"kill"};
  ArgMatcher in{1, MatchOp::kIn};
  in.values = {9, 15};
  ArgMatcher range{0, MatchOp::kRange};
  range.lo = static_cast<uint64_t>(-5);
  range.hi = 1;  // signed for pid arguments: -5..1
  r.args = {in, range};
  p.rules.push_back(r);
  Evaluator e = Make(p);
  Call c;
  c.def = syscalls::ByName(Abi::kX86_64, "kill");
  c.args[0] = static_cast<uint64_t>(-1);
  c.args[1] = 9;
  EXPECT_EQ(e.Judge(c).action, Action::kDeny);
  c.args[1] = 2;
  EXPECT_EQ(e.Judge(c).action, Action::kAllow);
  c.args[1] = 15;
  c.args[0] = 1234;
  EXPECT_EQ(e.Judge(c).action, Action::kAllow);
}

TEST(EvaluateTest, UnreadableValueIsDeniedWhenAnythingCouldDeny) {
  Policy p;
  p.rules.push_back(FileRule("ro", RuleType::kFileWrite, {"/srv/**"}, Action::kDeny));
  Evaluator e = Make(p);
  Call c = Open("<unreadable 0x0>", FileAccess::kWrite);
  c.unreadable = true;
  Verdict v = e.Judge(c);
  EXPECT_EQ(v.action, Action::kDeny);
  EXPECT_EQ(v.rule, "warden:unreadable");
  // Nothing of this kind can be denied: no reason to refuse.
  c.access = FileAccess::kRead;
  EXPECT_EQ(e.Judge(c).action, Action::kAllow);
}

TEST(EvaluateTest, DefaultsPerCategory) {
  Policy p;
  p.defaults.file = Action::kMonitor;
  p.defaults.exec = Action::kDeny;
  p.defaults.err = EACCES;
  Evaluator e = Make(p);
  Verdict v = e.Judge(Open("/x", FileAccess::kRead));
  EXPECT_EQ(v.action, Action::kMonitor);
  EXPECT_EQ(v.rule, "default:file");
  Call exec;
  exec.def = syscalls::ByName(Abi::kX86_64, "execve");
  exec.exec = true;
  exec.path = "/bin/true";
  v = e.Judge(exec);
  EXPECT_EQ(v.action, Action::kDeny);
  EXPECT_EQ(v.err, EACCES);
  EXPECT_EQ(v.rule, "default:exec");
  Call other;
  other.def = syscalls::ByName(Abi::kX86_64, "getpid");
  EXPECT_FALSE(e.Judge(other).hit);
}

TEST(EvaluateTest, IgnoredSyscalls) {
  Policy p;
  p.ignored_syscalls = {"futex", "openat"};
  Evaluator e = Make(p);
  EXPECT_TRUE(e.Ignored("openat"));
  EXPECT_FALSE(e.Ignored("open"));
}

TEST(ProtectionsTest, BuiltInsDenyEscapes) {
  Call c;
  c.def = syscalls::ByName(Abi::kI386, "ptrace");
  auto v = JudgeProtections(c, std::nullopt);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->rule, "warden:no-ptrace");
  c.def = syscalls::ByName(Abi::kX86_64, "clone");
  c.args[0] = 0x00800000 | 0x11;  // CLONE_UNTRACED|SIGCHLD
  EXPECT_TRUE(JudgeProtections(c, std::nullopt).has_value());
  c.args[0] = 0x11;
  EXPECT_FALSE(JudgeProtections(c, std::nullopt).has_value());
  c.def = syscalls::ByName(Abi::kX86_64, "clone3");
  EXPECT_TRUE(JudgeProtections(c, std::nullopt).has_value());  // unreadable clone_args
  EXPECT_TRUE(JudgeProtections(c, 0x00800000).has_value());
  EXPECT_FALSE(JudgeProtections(c, 0x100).has_value());
  c = Open("/proc/self/mem", FileAccess::kReadWrite);
  EXPECT_EQ(JudgeProtections(c, std::nullopt)->rule, "warden:no-proc-mem-write");
  c = Open("/proc/self/mem", FileAccess::kRead);
  EXPECT_FALSE(JudgeProtections(c, std::nullopt).has_value());
}

}  // namespace
}  // namespace warden::policy
