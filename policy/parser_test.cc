// Policy file parsing: every field, every error with its exact position,
// and no exception ever escaping whatever the input.
#include "policy/parser.h"

#include <dirent.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace warden::policy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// Rules written after kHead start on line 4.
const std::string kHead = "version: 1\nname: t\nrules:\n";

Policy Ok(const std::string& text) {
  absl::StatusOr<Policy> p = ParsePolicyText(text, "p.yaml");
  EXPECT_TRUE(p.ok()) << p.status().message();
  return p.ok() ? *p : Policy{};
}

// The error message ("" when the text parses).
std::string Err(const std::string& text) {
  absl::StatusOr<Policy> p = ParsePolicyText(text, "p.yaml");
  if (p.ok()) return "";
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(p.status().message());
}

int Lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')) + 1; }

// ---- what parses ----

TEST(ParserTest, FullPolicyParsesEveryField) {
  Policy p = Ok(R"(version: 1
name: web-readonly
description: free text
mode: permissive
log_mode: PolicyMonitorDeny
defaults:
  network: deny
  file: monitor
  exec: kill
  errno: EACCES
ignored_syscalls: [futex, getpid]
rules:
  - name: site-read-only
    type: file-write
    enabled: false
    program: "/usr/sbin/*"
    action: deny
    errno: EROFS
    paths: ["/var/www/**", "**/secret"]
  - name: block-metadata
    type: network-outbound
    addresses: ["169.254.169.254", "10.0.0.0/8", "fd00::/8"]
    ports: [80, "8000-8100"]
    protocol: tcp
    action: monitor
  - name: in
    type: network-inbound
    port: 443
    protocol: udp
    action: allow
  - name: no-writes
    type: syscall
    syscall: openat
    args:
      - {index: 2, mask: O_ACCMODE, value: O_WRONLY}
    action: kill
)");
  EXPECT_EQ(p.version, 1);
  EXPECT_EQ(p.name, "web-readonly");
  EXPECT_EQ(p.description, "free text");
  EXPECT_EQ(p.source, "p.yaml");
  EXPECT_EQ(p.mode, Mode::kPermissive);
  EXPECT_EQ(p.log_mode, LogMode::kPolicyMonitorDeny);
  EXPECT_EQ(p.defaults.network, Action::kDeny);
  EXPECT_EQ(p.defaults.file, Action::kMonitor);
  EXPECT_EQ(p.defaults.exec, Action::kKill);
  EXPECT_EQ(p.defaults.err, 13);
  EXPECT_THAT(p.ignored_syscalls, ElementsAre("futex", "getpid"));
  ASSERT_EQ(p.rules.size(), 4u);

  const Rule& w = p.rules[0];
  EXPECT_EQ(w.name, "site-read-only");
  EXPECT_EQ(w.type, RuleType::kFileWrite);
  EXPECT_FALSE(w.enabled);
  EXPECT_EQ(w.program, "/usr/sbin/*");
  EXPECT_EQ(w.action, Action::kDeny);
  EXPECT_EQ(w.err, 30);  // EROFS
  EXPECT_THAT(w.paths, ElementsAre("/var/www/**", "**/secret"));
  EXPECT_EQ(w.where.line, 13);
  EXPECT_EQ(w.where.column, 5);

  const Rule& n = p.rules[1];
  EXPECT_EQ(n.type, RuleType::kNetworkOutbound);
  EXPECT_TRUE(n.enabled);
  EXPECT_EQ(n.program, "*");
  EXPECT_EQ(n.action, Action::kMonitor);
  ASSERT_EQ(n.addresses.size(), 3u);
  EXPECT_EQ(n.addresses[0].family, AF_INET);
  EXPECT_EQ(n.addresses[0].prefix, 32);
  EXPECT_EQ(n.addresses[1].prefix, 8);
  EXPECT_EQ(n.addresses[2].family, AF_INET6);
  ASSERT_EQ(n.ports.size(), 2u);
  EXPECT_EQ(n.ports[0].lo, 80);
  EXPECT_EQ(n.ports[0].hi, 80);
  EXPECT_EQ(n.ports[1].lo, 8000);
  EXPECT_EQ(n.ports[1].hi, 8100);
  EXPECT_EQ(n.protocol, Protocol::kTcp);

  const Rule& in = p.rules[2];
  EXPECT_EQ(in.type, RuleType::kNetworkInbound);
  ASSERT_EQ(in.ports.size(), 1u);
  EXPECT_EQ(in.ports[0].lo, 443);
  EXPECT_EQ(in.protocol, Protocol::kUdp);
  EXPECT_TRUE(in.addresses.empty());

  const Rule& s = p.rules[3];
  EXPECT_EQ(s.type, RuleType::kSyscall);
  EXPECT_EQ(s.action, Action::kKill);
  EXPECT_THAT(s.syscalls, ElementsAre("openat"));
  ASSERT_EQ(s.args.size(), 1u);
  EXPECT_EQ(s.args[0].index, 2);
  EXPECT_EQ(s.args[0].op, MatchOp::kMask);
  EXPECT_EQ(s.args[0].mask, 3u);
  EXPECT_EQ(s.args[0].value, 1u);
  EXPECT_FALSE(s.args[0].mask_any);
  EXPECT_EQ(s.args[0].where.line, 35);
  EXPECT_EQ(s.args[0].where.column, 9);
}

TEST(ParserTest, DefaultsWhenOmitted) {
  Policy p = Ok("version: 1\nname: t\n");
  EXPECT_EQ(p.mode, Mode::kActive);
  EXPECT_EQ(p.log_mode, LogMode::kAll);
  EXPECT_EQ(p.defaults.network, Action::kAllow);
  EXPECT_EQ(p.defaults.file, Action::kAllow);
  EXPECT_EQ(p.defaults.exec, Action::kAllow);
  EXPECT_EQ(p.defaults.err, 1);
  EXPECT_TRUE(p.rules.empty());
  EXPECT_TRUE(p.description.empty());

  Policy r = Ok(kHead + "  - {name: a, type: exec, paths: /bin/sh, action: deny}\n");
  ASSERT_EQ(r.rules.size(), 1u);
  EXPECT_EQ(r.rules[0].err, 1);
  EXPECT_EQ(r.rules[0].program, "*");
  EXPECT_TRUE(r.rules[0].enabled);
}

TEST(ParserTest, EveryModeAndLogModeName) {
  for (auto m : ModeNames())
    EXPECT_EQ(ModeName(Ok(fmt::format("version: 1\nname: t\nmode: {}\n", m)).mode), m);
  for (auto m : LogModeNames())
    EXPECT_EQ(LogModeName(Ok(fmt::format("version: 1\nname: t\nlog_mode: {}\n", m)).log_mode), m);
}

TEST(ParserTest, EmptyValuesMeanTheDefault) {
  Policy p = Ok("version: 1\nname: t\ndescription:\ndefaults:\nignored_syscalls:\nrules:\n");
  EXPECT_TRUE(p.rules.empty());
  Policy n = Ok(kHead + "  - {name: a, type: network-outbound, addresses:, ports:, action: deny}\n"
                        "  - {name: b, type: network-outbound, addresses: any, ports: '', action: deny}\n"
                        "  - {name: c, type: network-outbound, addresses: [any, 10.0.0.0/8], action: deny}\n");
  for (const Rule& r : n.rules) {
    EXPECT_TRUE(r.addresses.empty()) << r.name;
    EXPECT_TRUE(r.ports.empty()) << r.name;
  }
}

TEST(ParserTest, SyscallAndSyscallsBothWork) {
  Policy p = Ok(kHead +
                "  - {name: a, type: syscall, syscall: ptrace, action: deny}\n"
                "  - {name: b, type: syscall, syscalls: [openat, open], action: deny}\n"
                "  - {name: c, type: syscall, syscalls: mkdir, action: deny}\n"
                "  - {name: d, type: syscall, syscall: [socketcall], action: deny}\n");
  ASSERT_EQ(p.rules.size(), 4u);
  EXPECT_THAT(p.rules[0].syscalls, ElementsAre("ptrace"));
  EXPECT_THAT(p.rules[1].syscalls, ElementsAre("openat", "open"));
  EXPECT_THAT(p.rules[2].syscalls, ElementsAre("mkdir"));
  EXPECT_THAT(p.rules[3].syscalls, ElementsAre("socketcall"));  // i386 only
}

// One syscall rule on `call` with the given args (a YAML flow list).
ArgMatcher OneMatcher(const std::string& call, const std::string& arg) {
  Policy p = Ok(kHead + "  - name: r\n    type: syscall\n    syscall: " + call +
                "\n    action: deny\n    args: [" + arg + "]\n");
  if (p.rules.size() != 1 || p.rules[0].args.size() != 1) return {};
  return p.rules[0].args[0];
}

TEST(ParserTest, SymbolicValues) {
  ArgMatcher m = OneMatcher("openat", "{index: 2, mask: \"O_CREAT|O_TRUNC\"}");
  EXPECT_EQ(m.op, MatchOp::kMask);
  EXPECT_EQ(m.mask, 0x240u);
  EXPECT_TRUE(m.mask_any);
  m = OneMatcher("openat", "{index: 0, eq: AT_FDCWD}");
  EXPECT_EQ(m.op, MatchOp::kEq);
  EXPECT_EQ(m.value, static_cast<uint64_t>(int64_t{-100}));
  m = OneMatcher("openat", "{index: 2, eq: O_WRONLY | O_CREAT | O_CLOEXEC}");
  EXPECT_EQ(m.value, 0x80041u);
  m = OneMatcher("socket", "{index: 0, in: [AF_INET, AF_INET6]}");
  EXPECT_THAT(m.values, ElementsAre(2u, 10u));
  m = OneMatcher("clone", "{index: 0, mask: CLONE_UNTRACED, value: CLONE_UNTRACED}");
  EXPECT_EQ(m.mask, 0x800000u);
  EXPECT_EQ(m.value, 0x800000u);
  EXPECT_FALSE(m.mask_any);
}

TEST(ParserTest, NumericValues) {
  EXPECT_EQ(OneMatcher("close", "{index: 0, eq: 42}").value, 42u);
  EXPECT_EQ(OneMatcher("close", "{index: 0, eq: 0x2a}").value, 42u);
  EXPECT_EQ(OneMatcher("close", "{index: 0, eq: 0X2A}").value, 42u);
  EXPECT_EQ(OneMatcher("close", "{index: 0, eq: 0o52}").value, 42u);
  EXPECT_EQ(OneMatcher("close", "{index: 0, eq: 052}").value, 42u);
  EXPECT_EQ(OneMatcher("close", "{index: 0, eq: \"0x10\"}").value, 16u);
  EXPECT_EQ(OneMatcher("close", "{index: 0, eq: 0}").value, 0u);
  EXPECT_EQ(OneMatcher("close", "{index: 0, eq: 18446744073709551615}").value, ~0ull);
  EXPECT_EQ(OneMatcher("close", "{index: 0, ne: 3}").op, MatchOp::kNe);
  ArgMatcher in = OneMatcher("close", "{index: 0, in: [1, 2, \"0x10\"]}");
  EXPECT_EQ(in.op, MatchOp::kIn);
  EXPECT_THAT(in.values, ElementsAre(1u, 2u, 16u));
  ArgMatcher range = OneMatcher("close", "{index: 0, range: [0, 100]}");
  EXPECT_EQ(range.op, MatchOp::kRange);
  EXPECT_EQ(range.lo, 0u);
  EXPECT_EQ(range.hi, 100u);
  ArgMatcher same = OneMatcher("close", "{index: 0, range: [7, 7]}");
  EXPECT_EQ(same.lo, 7u);
  EXPECT_EQ(same.hi, 7u);
}

TEST(ParserTest, NegativeValuesAreTwosComplement) {
  EXPECT_EQ(OneMatcher("close", "{index: 0, eq: -1}").value, ~0ull);
  EXPECT_EQ(OneMatcher("openat", "{index: 0, eq: -100}").value,
            OneMatcher("openat", "{index: 0, eq: AT_FDCWD}").value);
  EXPECT_EQ(OneMatcher("close", "{index: 0, eq: -0x10}").value, static_cast<uint64_t>(-16));
  EXPECT_EQ(OneMatcher("close", "{index: 0, eq: -9223372036854775808}").value, 1ull << 63);
  ArgMatcher r = OneMatcher("close", "{index: 0, range: [-5, 5]}");
  EXPECT_EQ(r.lo, static_cast<uint64_t>(-5));
  EXPECT_EQ(r.hi, 5u);
}

TEST(ParserTest, GlobOnPathAndStringArguments) {
  ArgMatcher m = OneMatcher("openat", "{index: 1, glob: \"/etc/**\"}");
  EXPECT_EQ(m.op, MatchOp::kGlob);
  EXPECT_EQ(m.glob, "/etc/**");
  EXPECT_EQ(m.index, 1);
  EXPECT_EQ(OneMatcher("setxattr", "{index: 1, glob: \"user.*\"}").glob, "user.*");
}

TEST(ParserTest, AllMatchersOfTheSpecExample) {
  Policy p = Ok(kHead + R"(  - name: no-ptrace-writes
    type: syscall
    syscall: openat
    args:
      - {index: 2, mask: O_ACCMODE, value: O_WRONLY}
      - {index: 2, mask: "O_CREAT|O_TRUNC"}
      - {index: 0, eq: AT_FDCWD}
      - {index: 0, ne: 3}
      - {index: 3, in: [1, 2, "0x10"]}
      - {index: 3, range: [0, 100]}
      - {index: 1, glob: "/etc/**"}
    action: kill
)");
  ASSERT_EQ(p.rules.size(), 1u);
  const auto& a = p.rules[0].args;
  ASSERT_EQ(a.size(), 7u);
  std::vector<MatchOp> ops;
  for (const auto& m : a) ops.push_back(m.op);
  EXPECT_THAT(ops, ElementsAre(MatchOp::kMask, MatchOp::kMask, MatchOp::kEq, MatchOp::kNe,
                               MatchOp::kIn, MatchOp::kRange, MatchOp::kGlob));
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].where.line, 8 + static_cast<int>(i));
    EXPECT_EQ(a[i].where.column, 9);
  }
}

TEST(ParserTest, ErrnoByNameOrNumber) {
  auto err = [](const std::string& e) {
    Policy p = Ok(kHead + "  - {name: a, type: exec, paths: /x, action: deny, errno: " + e + "}\n");
    return p.rules.empty() ? -1 : p.rules[0].err;
  };
  EXPECT_EQ(err("EPERM"), 1);
  EXPECT_EQ(err("ENOENT"), 2);
  EXPECT_EQ(err("ECONNREFUSED"), 111);
  EXPECT_EQ(err("13"), 13);
  EXPECT_EQ(err("4095"), 4095);
  EXPECT_EQ(Ok("version: 1\nname: t\ndefaults: {errno: 5}\n").defaults.err, 5);
}

TEST(ParserTest, BooleanSpellings) {
  for (std::string t : {"true", "True", "yes", "on"})
    EXPECT_TRUE(Ok(kHead + "  - {name: a, type: exec, paths: /x, action: deny, enabled: " + t + "}\n")
                    .rules.at(0).enabled) << t;
  for (std::string f : {"false", "no", "off"})
    EXPECT_FALSE(Ok(kHead + "  - {name: a, type: exec, paths: /x, action: deny, enabled: " + f + "}\n")
                     .rules.at(0).enabled) << f;
}

TEST(ParserTest, WhereIsTheRulesMapping) {
  Policy p = Ok("# comment\nversion: 1\nname: t\nrules:\n\n  - name: a\n    type: exec\n"
                "    paths: /x\n    action: deny\n  -   name: b\n      type: exec\n"
                "      paths: /y\n      action: allow\n");
  ASSERT_EQ(p.rules.size(), 2u);
  EXPECT_EQ(p.rules[0].where.line, 6);
  EXPECT_EQ(p.rules[0].where.column, 5);
  EXPECT_EQ(p.rules[1].where.line, 10);
  EXPECT_EQ(p.rules[1].where.column, 7);
}

// ---- errors: position and text ----

TEST(ParserErrorTest, SyntaxError) {
  EXPECT_THAT(Err("version: 1\nname: t\nrules: [a, b\n"),
              HasSubstr("p.yaml:4:1: YAML syntax error: end of sequence flow not found"));
  EXPECT_THAT(Err("version: 1\nname: {a: 1\n"), HasSubstr("p.yaml:3:1: YAML syntax error"));
  EXPECT_THAT(Err("version: 1\n  name: t\n"), HasSubstr("p.yaml:2:7: YAML syntax error"));
  EXPECT_THAT(Err("a: *nowhere\n"), HasSubstr("YAML syntax error"));
}

TEST(ParserErrorTest, EmptyAndNotAMapping) {
  EXPECT_EQ(Err(""), "p.yaml:1:1: empty policy: expected a mapping with version, name and rules");
  EXPECT_EQ(Err("# only a comment\n"),
            "p.yaml:1:1: empty policy: expected a mapping with version, name and rules");
  EXPECT_EQ(Err("- a\n- b\n"), "p.yaml:1:1: a policy file must be a mapping, not a list");
  EXPECT_EQ(Err("just text\n"), "p.yaml:1:1: a policy file must be a mapping, not a string");
  EXPECT_THAT(Err("version: 1\nname: t\n---\nversion: 1\nname: u\n"),
              HasSubstr("p.yaml:4:1: a policy file holds one YAML document"));
}

TEST(ParserErrorTest, MissingAndBadVersion) {
  EXPECT_EQ(Err("name: t\n"), "p.yaml:1:1: missing 'version': write 'version: 1'");
  EXPECT_EQ(Err("version: 2\nname: t\n"),
            "p.yaml:1:10: unsupported version '2': this warden reads version 1");
  EXPECT_EQ(Err("version: one\nname: t\n"),
            "p.yaml:1:10: unsupported version 'one': this warden reads version 1");
  EXPECT_EQ(Err("version: [1]\nname: t\n"), "p.yaml:1:10: 'version' must be a string, not a list");
  EXPECT_TRUE(Err("version: '1'\nname: t\n").empty());
}

TEST(ParserErrorTest, MissingOrEmptyName) {
  EXPECT_EQ(Err("version: 1\n"), "p.yaml:1:1: missing 'name': every policy needs a name");
  EXPECT_EQ(Err("version: 1\nname: ''\n"), "p.yaml:2:7: 'name' must not be empty");
  EXPECT_EQ(Err("version: 1\nname:\n"), "p.yaml:2:1: 'name' must be a string, not an empty value");
  EXPECT_EQ(Err("version: 1\nname: {a: b}\n"), "p.yaml:2:7: 'name' must be a string, not a mapping");
}

TEST(ParserErrorTest, UnknownTopLevelKey) {
  EXPECT_EQ(Err("version: 1\nname: t\nrule: []\n"),
            "p.yaml:3:1: unknown key 'rule' in a policy file (did you mean 'rules'?)");
  EXPECT_EQ(Err("version: 1\nname: t\nfoo: 1\n"),
            "p.yaml:3:1: unknown key 'foo' in a policy file: expected one of version, name, "
            "description, mode, log_mode, defaults, ignored_syscalls, rules");
  EXPECT_EQ(Err("version: 1\nname: t\nname: u\n"), "p.yaml:3:1: duplicate key 'name' (first at 2:1)");
}

TEST(ParserErrorTest, UnknownModeLogModeAndDefaults) {
  EXPECT_EQ(Err("version: 1\nname: t\nmode: enforcing\n"),
            "p.yaml:3:7: unknown mode 'enforcing': expected one of active, permissive, inactive");
  EXPECT_EQ(Err("version: 1\nname: t\nlog_mode: all\n"),
            "p.yaml:3:11: unknown log_mode 'all': expected one of None, PolicyMonitor, PolicyDeny, "
            "PolicyMonitorDeny, PolicyAllow, PolicyAll, Behavior, All");
  EXPECT_EQ(Err("version: 1\nname: t\ndefaults:\n  network: block\n"),
            "p.yaml:4:12: unknown action 'block': expected one of allow, deny, monitor, kill");
  EXPECT_EQ(Err("version: 1\nname: t\ndefaults:\n  files: deny\n"),
            "p.yaml:4:3: unknown key 'files' in 'defaults' (did you mean 'file'?)");
  EXPECT_EQ(Err("version: 1\nname: t\ndefaults: deny\n"),
            "p.yaml:3:11: 'defaults' must be a mapping, not a string");
  EXPECT_EQ(Err("version: 1\nname: t\ndefaults: {errno: EWHAT}\n"),
            "p.yaml:3:19: unknown errno 'EWHAT'");
}

TEST(ParserErrorTest, UnknownRuleKeySuggestsTheClosest) {
  std::string e = Err(kHead +
                      "  - name: a\n"        // 4
                      "    type: exec\n"     // 5
                      "    path: /bin/sh\n"  // 6
                      "    action: deny\n");
  EXPECT_THAT(e, HasSubstr("p.yaml:6:5: rule 'a': unknown key 'path' in a rule (did you mean 'paths'?)"));
  EXPECT_THAT(Err(kHead + "  - {name: a, type: network-outbound, action: deny, prots: 80}\n"),
              HasSubstr("p.yaml:4:53: rule 'a': unknown key 'prots' in a rule (did you mean 'ports'?)"));
  EXPECT_THAT(Err(kHead + "  - {name: a, type: exec, paths: /x, action: deny, zzz: 1}\n"),
              HasSubstr("unknown key 'zzz' in a rule: expected one of name, type, enabled"));
}

TEST(ParserErrorTest, UnknownActionTypeProtocol) {
  std::string e = Err(kHead +
                      "  - name: a\n"                  // 4
                      "    type: file-writes\n"        // 5
                      "    action: block\n"            // 6
                      "  - name: b\n"                  // 7
                      "    type: network-outbound\n"   // 8
                      "    protocol: icmp\n"           // 9
                      "    action: deny\n");           // 10
  EXPECT_THAT(e, HasSubstr("p.yaml:5:11: rule 'a': unknown rule type 'file-writes': expected one of "
                           "network-outbound, network-inbound, file-read, file-write, exec, syscall"));
  EXPECT_THAT(e, HasSubstr("p.yaml:6:13: rule 'a': unknown action 'block': expected one of allow, "
                           "deny, monitor, kill"));
  EXPECT_THAT(e, HasSubstr("p.yaml:9:15: rule 'b': unknown protocol 'icmp': expected one of tcp, "
                           "udp, any"));
  EXPECT_EQ(Lines(e), 3);
}

TEST(ParserErrorTest, UnknownSyscallSuggests) {
  std::string e = Err(kHead +
                      "  - name: a\n"                     // 4
                      "    type: syscall\n"               // 5
                      "    syscalls: [openat, opnat]\n"   // 6
                      "    action: deny\n");
  EXPECT_EQ(e, "p.yaml:6:24: rule 'a': unknown syscall 'opnat' (did you mean: openat, openat2, creat?)");
  EXPECT_EQ(Err("version: 1\nname: t\nignored_syscalls: [futex, getpidd]\n"),
            "p.yaml:3:27: unknown syscall 'getpidd' (did you mean: getpid, getgid, getpgid?)");
  EXPECT_THAT(Err("version: 1\nname: t\nignored_syscalls: [qqqqqqqqqqqqqqqqqqqq]\n"),
              HasSubstr("p.yaml:3:20: unknown syscall 'qqqqqqqqqqqqqqqqqqqq'"));
}

TEST(ParserErrorTest, BadCidrAndPorts) {
  std::string e = Err(kHead +
                      "  - name: a\n"                                    // 4
                      "    type: network-outbound\n"                     // 5
                      "    addresses: [10.0.0.0/8, 10.1.2.3/8, nope]\n"  // 6
                      "    ports: [80, 70000, \"90-80\", x]\n"           // 7
                      "    action: deny\n");
  EXPECT_THAT(e, HasSubstr("p.yaml:6:29: rule 'a': '10.1.2.3/8' has host bits set"));
  EXPECT_THAT(e, HasSubstr("p.yaml:6:41: rule 'a': 'nope' is not an IPv4 or IPv6 address"));
  EXPECT_THAT(e, HasSubstr("p.yaml:7:17: rule 'a': bad port '70000'"));
  EXPECT_THAT(e, HasSubstr("p.yaml:7:24: rule 'a': bad port range '90-80': the first port is "
                           "greater than the last"));
  EXPECT_THAT(e, HasSubstr("p.yaml:7:33: rule 'a': bad port 'x'"));
  EXPECT_EQ(Lines(e), 5);
}

TEST(ParserErrorTest, PortAndPorts) {
  EXPECT_THAT(Err(kHead + "  - {name: a, type: network-inbound, port: 1, ports: 2, action: deny}\n"),
              HasSubstr("p.yaml:4:38: rule 'a': write either 'port' or 'ports', not both"));
  EXPECT_THAT(Err(kHead + "  - {name: a, type: network-inbound, port: 1-5, action: deny}\n"),
              HasSubstr("p.yaml:4:44: rule 'a': 'port' takes one port; write a range under 'ports'"));
  EXPECT_THAT(Err(kHead + "  - {name: a, type: network-inbound, port: [1, 2], action: deny}\n"),
              HasSubstr("p.yaml:4:44: rule 'a': 'port' takes one port; list several under 'ports'"));
}

TEST(ParserErrorTest, DuplicateRuleName) {
  std::string e = Err(kHead +
                      "  - {name: a, type: exec, paths: /x, action: deny}\n"    // 4
                      "  - {name: b, type: exec, paths: /x, action: deny}\n"    // 5
                      "  - {name: a, type: exec, paths: /y, action: allow}\n");  // 6
  EXPECT_EQ(e, "p.yaml:6:12: duplicate rule name 'a' (first defined at 4:12)");
}

TEST(ParserErrorTest, MatchersOfAnotherRuleType) {
  std::string e = Err(kHead +
                      "  - name: x\n"                 // 4
                      "    type: file-read\n"         // 5
                      "    paths: /etc/passwd\n"      // 6
                      "    addresses: 10.0.0.1\n"     // 7
                      "    action: deny\n"            // 8
                      "  - name: y\n"                 // 9
                      "    type: syscall\n"           // 10
                      "    syscall: open\n"           // 11
                      "    paths: /etc\n"             // 12
                      "    action: deny\n"            // 13
                      "  - name: z\n"                 // 14
                      "    type: network-inbound\n"   // 15
                      "    args: []\n"                // 16
                      "    action: deny\n");          // 17
  EXPECT_THAT(e, HasSubstr("p.yaml:7:5: rule 'x': 'addresses' is for "
                           "network-outbound/network-inbound rules; file-read rules match on 'paths'"));
  EXPECT_THAT(e, HasSubstr("p.yaml:12:5: rule 'y': 'paths' is for file-read/file-write/exec rules; "
                           "syscall rules match on 'syscall' (or 'syscalls') and 'args'"));
  EXPECT_THAT(e, HasSubstr("p.yaml:16:5: rule 'z': 'args' is for syscall rules; network-inbound "
                           "rules match on 'addresses', 'ports' and 'protocol'"));
  EXPECT_EQ(Lines(e), 3);
  EXPECT_THAT(Err(kHead + "  - {name: e, type: exec, paths: /x, syscall: execve, action: deny}\n"),
              HasSubstr("p.yaml:4:38: rule 'e': 'syscall' is for syscall rules; exec rules match on 'paths'"));
}

TEST(ParserErrorTest, ErrnoOnlyWithDeny) {
  EXPECT_EQ(Err(kHead + "  - name: a\n    type: exec\n    paths: /x\n    action: kill\n"
                        "    errno: EPERM\n"),
            "p.yaml:8:5: rule 'a': 'errno' only applies to action deny, not kill");
  EXPECT_EQ(Err(kHead + "  - {name: a, type: exec, paths: /x, action: deny, errno: EPREM}\n"),
            "p.yaml:4:59: rule 'a': unknown errno 'EPREM' (did you mean EPERM?)");
  EXPECT_EQ(Err(kHead + "  - {name: a, type: exec, paths: /x, action: deny, errno: 0}\n"),
            "p.yaml:4:59: rule 'a': errno '0' is out of range: write a name like EPERM or a number "
            "1-4095 (not the kernel-internal 512-529)");
  EXPECT_THAT(Err(kHead + "  - {name: a, type: exec, paths: /x, action: deny, errno: 4096}\n"),
              HasSubstr("errno '4096' is out of range"));
  EXPECT_THAT(Err(kHead + "  - {name: a, type: exec, paths: /x, action: deny, errno: -1}\n"),
              HasSubstr("errno '-1' is out of range"));
  EXPECT_THAT(Err(kHead + "  - {name: a, type: exec, paths: /x, action: deny, errno: 512}\n"),
              HasSubstr("errno '512' is out of range"));
  EXPECT_THAT(Err(kHead + "  - {name: a, type: exec, paths: /x, action: deny, errno: ERESTARTSYS}\n"),
              HasSubstr("errno 'ERESTARTSYS' is kernel-internal"));
}

TEST(ParserErrorTest, MissingRequiredFields) {
  std::string e = Err(kHead +
                      "  - name: a\n"            // 4
                      "    type: file-read\n"    // 5
                      "  - name: b\n"            // 6
                      "    type: syscall\n"      // 7
                      "    action: deny\n"       // 8
                      "  - type: exec\n"         // 9
                      "    paths: /x\n"          // 10
                      "    action: deny\n"       // 11
                      "  - name: d\n"            // 12
                      "    action: deny\n");     // 13
  EXPECT_THAT(e, HasSubstr("p.yaml:4:5: rule 'a': missing 'action': one of allow, deny, monitor, kill"));
  EXPECT_THAT(e, HasSubstr("p.yaml:4:5: rule 'a': missing 'paths': file-read rules need at least one "
                           "path glob"));
  EXPECT_THAT(e, HasSubstr("p.yaml:6:5: rule 'b': missing 'syscall' (or 'syscalls')"));
  EXPECT_THAT(e, HasSubstr("p.yaml:9:5: rule #3: missing 'name': every rule needs a unique name"));
  EXPECT_THAT(e, HasSubstr("p.yaml:12:5: rule 'd': missing 'type': one of network-outbound"));
  EXPECT_EQ(Lines(e), 5);
}

TEST(ParserErrorTest, BadPaths) {
  std::string e = Err(kHead +
                      "  - name: a\n"                                           // 4
                      "    type: file-write\n"                                  // 5
                      "    paths: [/ok, relative/x, \"\", \"**/fine\", \"/bad[\"]\n"  // 6
                      "    action: deny\n");
  EXPECT_THAT(e, HasSubstr("p.yaml:6:18: rule 'a': path 'relative/x' must be absolute or start with '*'"));
  EXPECT_THAT(e, HasSubstr("p.yaml:6:30: rule 'a': path '' must be absolute"));
  EXPECT_THAT(e, HasSubstr("p.yaml:6:45: rule 'a': path '/bad[': "));
  EXPECT_EQ(Lines(e), 3);
  EXPECT_EQ(Err(kHead + "  - {name: a, type: exec, paths: [], action: deny}\n"),
            "p.yaml:4:34: rule 'a': 'paths' is empty: exec rules need at least one path glob");
  EXPECT_EQ(Err(kHead + "  - {name: a, type: exec, paths: {a: b}, action: deny}\n"),
            "p.yaml:4:34: rule 'a': 'paths' must be a string or a list of strings, not a mapping");
  EXPECT_EQ(Err(kHead + "  - {name: a, type: exec, paths: [[/x]], action: deny}\n"),
            "p.yaml:4:35: rule 'a': each item of 'paths' must be a string, not a list");
}

TEST(ParserErrorTest, BadProgram) {
  EXPECT_THAT(Err(kHead + "  - {name: a, type: exec, paths: /x, action: deny, program: \"[x\"}\n"),
              HasSubstr("p.yaml:4:61: rule 'a': program '[x': "));
  EXPECT_EQ(Err(kHead + "  - {name: a, type: exec, paths: /x, action: deny, program: ''}\n"),
            "p.yaml:4:61: rule 'a': 'program' must not be empty (\"*\" is any program)");
  EXPECT_EQ(Err(kHead + "  - {name: a, type: exec, paths: /x, action: deny, enabled: maybe}\n"),
            "p.yaml:4:61: rule 'a': 'enabled' must be true or false, not 'maybe'");
}

TEST(ParserErrorTest, TypeMismatchesAreLocatedErrors) {
  EXPECT_EQ(Err("version: 1\nname: t\nrules: {a: b}\n"),
            "p.yaml:3:8: 'rules' must be a list of rules, not a mapping");
  EXPECT_EQ(Err(kHead + "  - just a string\n"), "p.yaml:4:5: rule #1: a rule must be a mapping, not a string");
  EXPECT_EQ(Err(kHead + "  - {name: [a], type: exec, paths: /x, action: deny}\n"),
            "p.yaml:4:12: rule #1: 'name' must be a string, not a list");
  EXPECT_EQ(Err(kHead + "  - {name: a, type: {x: y}, paths: /x, action: deny}\n"),
            "p.yaml:4:21: rule 'a': 'type' must be a string, not a mapping");
  EXPECT_EQ(Err(kHead + "  - {name: a, type: syscall, syscall: close, action: deny, args: {index: 0}}\n"),
            "p.yaml:4:66: rule 'a': 'args' must be a list of matchers, not a mapping");
  EXPECT_EQ(Err(kHead + "  - {name: a, type: syscall, syscall: close, action: deny, args: [3]}\n"),
            "p.yaml:4:67: rule 'a': an argument matcher must be a mapping, not a string");
  EXPECT_EQ(Err("version: 1\nname: t\nignored_syscalls: {a: b}\n"),
            "p.yaml:3:19: 'ignored_syscalls' must be a string or a list of strings, not a mapping");
  EXPECT_EQ(Err("version: 1\nname: t\n[a]: 1\n"),
            "p.yaml:3:1: a key in a policy file must be a string, not a list");
}

// A syscall rule on `call` with matcher `arg`, on line 4; the error text.
std::string MatcherErr(const std::string& call, const std::string& arg) {
  return Err(kHead + "  - {name: r, type: syscall, syscall: " + call + ", action: deny, args: [" +
             arg + "]}\n");
}

// With openat, matchers start at column 68, after "... action: deny, args: [".
TEST(ParserErrorTest, ArgIndexOutOfRange) {
  EXPECT_EQ(MatcherErr("openat", "{index: 4, eq: 1}"),
            "p.yaml:4:76: rule 'r': arg 4 of openat is out of range: openat takes 4 (index 0-3)");
  EXPECT_EQ(MatcherErr("getpid", "{index: 0, eq: 1}"), "p.yaml:4:76: rule 'r': getpid takes no arguments");
  EXPECT_EQ(MatcherErr("openat", "{index: 6, eq: 1}"), "p.yaml:4:76: rule 'r': 'index' must be 0-5");
  EXPECT_EQ(MatcherErr("openat", "{index: -1, eq: 1}"), "p.yaml:4:76: rule 'r': 'index' must be 0-5");
  EXPECT_EQ(MatcherErr("openat", "{eq: 1}"),
            "p.yaml:4:68: rule 'r': argument matcher needs 'index': the argument's position, 0-5");
  // Checked against every named call: open has 3 arguments, openat 4.
  EXPECT_EQ(Err(kHead + "  - {name: r, type: syscall, syscalls: [openat, open], action: deny, "
                        "args: [{index: 3, eq: 1}]}\n"),
            "p.yaml:4:85: rule 'r': arg 3 of open is out of range: open takes 3 (index 0-2)");
  // i386-only calls are checked against the i386 table.
  EXPECT_EQ(MatcherErr("socketcall", "{index: 2, eq: 1}"),
            "p.yaml:4:80: rule 'r': arg 2 of socketcall is out of range: socketcall takes 2 (index 0-1)");
}

TEST(ParserErrorTest, GlobAndIntegerOpsMustFitTheArgType) {
  EXPECT_EQ(MatcherErr("openat", "{index: 1, eq: 0}"),
            "p.yaml:4:79: rule 'r': arg 1 of openat is a path: match it with glob");
  EXPECT_EQ(MatcherErr("setxattr", "{index: 1, in: [1]}"),
            "p.yaml:4:81: rule 'r': arg 1 of setxattr is a string: match it with glob");
  EXPECT_EQ(MatcherErr("openat", "{index: 2, glob: '*'}"),
            "p.yaml:4:79: rule 'r': arg 2 of openat is open_flags, not a path or string: glob "
            "matches only path and string arguments");
  EXPECT_THAT(MatcherErr("openat", "{index: 1, glob: '/a[b'}"), HasSubstr("p.yaml:4:85: rule 'r': glob '/a[b': "));
}

TEST(ParserErrorTest, OneOperationPerMatcher) {
  EXPECT_EQ(MatcherErr("close", "{index: 0, eq: 1, ne: 2}"),
            "p.yaml:4:85: rule 'r': argument matcher has more than one operation (eq, ne): write one "
            "matcher per operation");
  EXPECT_EQ(MatcherErr("close", "{index: 0}"),
            "p.yaml:4:67: rule 'r': argument matcher needs one of eq, ne, mask, in, range, glob");
  EXPECT_EQ(MatcherErr("close", "{index: 0, eq: 1, value: 2}"),
            "p.yaml:4:85: rule 'r': 'value' goes with 'mask': (arg & mask) == value");
  EXPECT_EQ(MatcherErr("close", "{index: 0, mask: 1, value: 2}"),
            "p.yaml:4:94: rule 'r': value 0x2 has bits outside mask 0x1: the matcher could never hold");
  EXPECT_EQ(MatcherErr("close", "{index: 0, eqq: 1}"),
            "p.yaml:4:78: rule 'r': unknown key 'eqq' in an argument matcher (did you mean 'eq'?)");
}

TEST(ParserErrorTest, RangeAndInShapes) {
  EXPECT_EQ(MatcherErr("close", "{index: 0, range: [100, 0]}"),
            "p.yaml:4:85: rule 'r': 'range' is reversed: write [lo, hi] with lo <= hi");
  EXPECT_EQ(MatcherErr("close", "{index: 0, range: [5, -5]}"),
            "p.yaml:4:85: rule 'r': 'range' is reversed: write [lo, hi] with lo <= hi");
  EXPECT_EQ(MatcherErr("close", "{index: 0, range: [1, 2, 3]}"),
            "p.yaml:4:85: rule 'r': 'range' takes a list of two values, like [0, 100]");
  EXPECT_EQ(MatcherErr("close", "{index: 0, range: 5}"),
            "p.yaml:4:85: rule 'r': 'range' takes a list of two values, like [0, 100]");
  EXPECT_EQ(MatcherErr("close", "{index: 0, in: []}"),
            "p.yaml:4:82: rule 'r': 'in' takes a non-empty list of values, like [1, 2]");
}

TEST(ParserErrorTest, BadValues) {
  EXPECT_EQ(MatcherErr("openat", "{index: 2, eq: O_WRONGLY}"),
            "p.yaml:4:83: rule 'r': unknown constant 'O_WRONGLY'");
  EXPECT_EQ(MatcherErr("openat", "{index: 2, eq: 'O_CREAT|O_NOPE'}"),
            "p.yaml:4:83: rule 'r': unknown constant 'O_NOPE'");
  EXPECT_EQ(MatcherErr("openat", "{index: 2, eq: 'O_CREAT||O_EXCL'}"),
            "p.yaml:4:83: rule 'r': empty value: write a number or constant names like O_WRONLY|O_CREAT");
  EXPECT_EQ(MatcherErr("close", "{index: 0, eq: 0x1z}"),
            "p.yaml:4:82: rule 'r': bad number '0x1z': write decimal, 0x hex or 0o octal within 64 bits");
  EXPECT_EQ(MatcherErr("close", "{index: 0, eq: 18446744073709551616}"),
            "p.yaml:4:82: rule 'r': bad number '18446744073709551616': write decimal, 0x hex or 0o octal "
            "within 64 bits");
  EXPECT_EQ(MatcherErr("close", "{index: 0, eq: 09}"),
            "p.yaml:4:82: rule 'r': bad number '09': write decimal, 0x hex or 0o octal within 64 bits");
  EXPECT_EQ(MatcherErr("close", "{index: 0, eq: [1]}"),
            "p.yaml:4:82: rule 'r': expected a number or constant names like O_WRONLY|O_CREAT, not a list");
  EXPECT_EQ(MatcherErr("close", "{index: 0, in: [1, BOGUS, 3]}"),
            "p.yaml:4:86: rule 'r': unknown constant 'BOGUS'");
}

TEST(ParserErrorTest, SyscallAndSyscallsTogether) {
  EXPECT_EQ(Err(kHead + "  - {name: r, type: syscall, syscall: close, syscalls: [open], action: deny}\n"),
            "p.yaml:4:46: rule 'r': write either 'syscall' or 'syscalls', not both");
  EXPECT_EQ(Err(kHead + "  - {name: r, type: syscall, syscalls: [], action: deny}\n"),
            "p.yaml:4:40: rule 'r': 'syscalls' is empty: name at least one syscall");
}

TEST(ParserErrorTest, AllErrorsInOnePass) {
  std::string e = Err(R"(version: 3
name: t
mode: loud
rules:
  - name: a
    type: exec
    action: deny
  - name: b
    type: syscall
    syscall: opnat
    action: deny
  - name: a
    type: file-read
    paths: /x
    action: allow
    errno: EPERM
)");
  EXPECT_THAT(e, HasSubstr("p.yaml:1:10: unsupported version"));
  EXPECT_THAT(e, HasSubstr("p.yaml:3:7: unknown mode 'loud'"));
  EXPECT_THAT(e, HasSubstr("p.yaml:5:5: rule 'a': missing 'paths'"));
  EXPECT_THAT(e, HasSubstr("p.yaml:10:14: rule 'b': unknown syscall 'opnat'"));
  EXPECT_THAT(e, HasSubstr("p.yaml:12:11: duplicate rule name 'a' (first defined at 5:11)"));
  EXPECT_THAT(e, HasSubstr("p.yaml:16:5: rule 'a': 'errno' only applies to action deny, not allow"));
  EXPECT_EQ(Lines(e), 6);
}

// ---- nothing escapes ----

TEST(ParserRobustnessTest, GarbageNeverThrows) {
  const std::vector<std::string> inputs = {
      std::string("\0\0\0\xff\xfe", 5),
      "\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
      "{{{{{{",
      "]]]]",
      ": : :",
      "- - - -",
      "&a [*a]",
      ",",  // yaml-cpp's LoadAll would loop on it until memory runs out
      "version: 1\nname: t\n,\n",
      "version: 1\nname: t\nrules: &r [*r]\n",
      "version: 1\nname: t\nrules:\n  - &m {name: a, type: syscall, syscall: close, action: deny, args: [*m]}\n",
      "version: !!binary aGVsbG8=\nname: t\n",
      "version: 1\nname: t\nrules: !!set {a, b}\n",
      "? [a, b]\n: c\n",
      "%YAML 1.2\n%YAML 1.2\n---\na: 1\n",
      "version: 1\nname: \"\\x00\\uffff\"\n",
      "\t\tversion: 1\n",
      "'",
      "\"",
      "|\n  x\n y",
      "name: t\nversion: 1\nrules:\n  - {name: a, type: exec, paths: \"\\xff\\xfe\", action: deny}\n",
  };
  for (const std::string& in : inputs) {
    absl::StatusOr<Policy> p;
    EXPECT_NO_THROW(p = ParsePolicyText(in, "g.yaml")) << in;
  }
  for (int seed = 0; seed < 2000; ++seed) {
    std::string s;
    uint32_t x = static_cast<uint32_t>(seed) * 2654435761u + 1;
    for (int i = 0; i < 64; ++i) {
      x = x * 1103515245u + 12345u;
      static constexpr char kAlphabet[] = "-:[]{}&*!|>'\"#? \n\tab01,%@`";
      s.push_back(kAlphabet[(x >> 16) % (sizeof kAlphabet - 1)]);
    }
    EXPECT_NO_THROW(ParsePolicyText(s, "r.yaml").ok()) << s;
  }
}

TEST(ParserRobustnessTest, BinaryIsAnErrorNotACrash) {
  std::string bin;
  for (int i = 0; i < 4096; ++i) bin.push_back(static_cast<char>((i * 7919) & 0xff));
  absl::StatusOr<Policy> p = ParsePolicyText(bin, "b.yaml");
  EXPECT_FALSE(p.ok());
  EXPECT_THAT(std::string(p.status().message()), HasSubstr("b.yaml:"));
}

TEST(ParserRobustnessTest, DeeplyNested) {
  for (int depth : {100, 5000, 100000}) {
    std::string s = "version: 1\nname: t\nrules: " + std::string(depth, '[') + std::string(depth, ']') + "\n";
    absl::StatusOr<Policy> p;
    EXPECT_NO_THROW(p = ParsePolicyText(s, "d.yaml"));
    EXPECT_FALSE(p.ok());
    std::string block = "version: 1\nname: t\nrules:\n";
    for (int i = 0; i < std::min(depth, 3000); ++i) block += std::string(2 + 2 * i, ' ') + "-\n";
    EXPECT_NO_THROW(p = ParsePolicyText(block, "d.yaml"));
  }
}

TEST(ParserRobustnessTest, HugeInput) {
  std::string s = kHead;
  for (int i = 0; i < 10000; ++i)
    s += fmt::format("  - {{name: r{}, type: exec, paths: /bin/x{}, action: deny}}\n", i, i);
  Policy p = Ok(s);
  EXPECT_EQ(p.rules.size(), 10000u);
  // A huge key or value is quoted shortened in messages.
  std::string e = Err("version: 1\nname: t\nmode: " + std::string(1 << 20, 'k') + "\n");
  EXPECT_THAT(e, HasSubstr("p.yaml:3:7: unknown mode 'kkkk"));
  EXPECT_LT(e.size(), 1000u);
  e = Err("version: 1\nname: t\n" + std::string(1000, 'k') + ": 1\n");
  EXPECT_THAT(e, HasSubstr("p.yaml:3:1: unknown key 'kkkk"));
  EXPECT_LT(e.size(), 1000u);
  // Binary in a value is escaped, never written raw to a terminal.
  e = Err("version: 1\nname: t\nmode: \"\\e[31m\\x01\"\n");
  EXPECT_THAT(e, HasSubstr("unknown mode '\\x1b[31m\\x01'"));
}

TEST(ParserRobustnessTest, ManyErrorsAllReported) {
  std::string s = kHead;
  for (int i = 0; i < 100; ++i) s += "  - {name: r" + std::to_string(i) + ", type: exec, paths: x, action: deny}\n";
  std::string e = Err(s);
  EXPECT_EQ(Lines(e), 100);
  EXPECT_THAT(e, HasSubstr("p.yaml:103:"));
}

// ---- files ----

TEST(ParserFileTest, MissingFile) {
  absl::StatusOr<Policy> p = ParsePolicyFile("/nonexistent/dir/p.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(p.status().message(), "cannot read /nonexistent/dir/p.yaml: No such file or directory");
}

TEST(ParserFileTest, DirectoryIsAnError) {
  absl::StatusOr<Policy> p = ParsePolicyFile("/");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(), "cannot read /: Is a directory");
}

TEST(ParserFileTest, EndlessFileIsCut) {
  absl::StatusOr<Policy> p = ParsePolicyFile("/dev/zero");
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(std::string(p.status().message()), HasSubstr("larger than 16 MiB"));
}

std::vector<std::string> ExampleFiles() {
  std::string dir = std::string(WARDEN_SOURCE_DIR) + "/examples";
  std::vector<std::string> files;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n.size() > 5 && n.substr(n.size() - 5) == ".yaml") files.push_back(dir + "/" + n);
    }
    closedir(d);
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(ParserFileTest, EveryExampleParses) {
  std::vector<std::string> files = ExampleFiles();
  EXPECT_GE(files.size(), 4u);
  for (const std::string& f : files) {
    absl::StatusOr<Policy> p = ParsePolicyFile(f);
    EXPECT_TRUE(p.ok()) << f << ": " << p.status().message();
    if (p.ok()) {
      EXPECT_EQ(p->source, f);
      EXPECT_FALSE(p->rules.empty()) << f;
    }
  }
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// warden-policy(5) shows every example in full: the copies must not drift.
TEST(ParserFileTest, ManPageShowsEveryExampleVerbatim) {
  std::string man = ReadAll(std::string(WARDEN_SOURCE_DIR) + "/man/warden-policy.5");
  ASSERT_FALSE(man.empty());
  for (auto [from, to] : {std::pair{"\\-", "-"}, {"\\(aq", "'"}, {"\\&", ""}, {"\\e", "\\"}})
    for (size_t at = man.find(from); at != std::string::npos; at = man.find(from, at + std::strlen(to)))
      man.replace(at, std::strlen(from), to);
  for (const std::string& f : ExampleFiles())
    EXPECT_THAT(man, HasSubstr(ReadAll(f))) << f << " differs from its copy in man/warden-policy.5";
}

TEST(ParserFileTest, ExamplesSayWhatTheManPageSays) {
  std::string dir = std::string(WARDEN_SOURCE_DIR) + "/examples/";
  absl::StatusOr<Policy> web = ParsePolicyFile(dir + "website-readonly.yaml");
  ASSERT_TRUE(web.ok());
  EXPECT_EQ(web->rules[0].type, RuleType::kFileWrite);
  EXPECT_EQ(web->rules[0].err, 30);  // EROFS
  absl::StatusOr<Policy> cat = ParsePolicyFile(dir + "cat-no-passwd.yaml");
  ASSERT_TRUE(cat.ok());
  EXPECT_EQ(cat->rules[0].program, "cat");
  EXPECT_EQ(cat->rules[0].err, 13);  // EACCES
  absl::StatusOr<Policy> block = ParsePolicyFile(dir + "block-address.yaml");
  ASSERT_TRUE(block.ok());
  EXPECT_EQ(block->rules[0].err, 111);  // ECONNREFUSED
  absl::StatusOr<Policy> net = ParsePolicyFile(dir + "default-deny-network.yaml");
  ASSERT_TRUE(net.ok());
  EXPECT_EQ(net->defaults.network, Action::kDeny);
  for (const Rule& r : net->rules) EXPECT_EQ(r.action, Action::kAllow);
}

}  // namespace
}  // namespace warden::policy
