#include "learn/policy_writer.h"

#include <sys/socket.h>

#include <memory>
#include <string>

#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "learn/items.h"
#include "policy/evaluate.h"
#include "policy/parser.h"

namespace warden::learn {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kT0 = 1'700'000'000'000'000'000;  // 2023-11-14T22:13:20Z

struct Obs {
  Kind kind;
  std::string program, path_or_address;
  int port = -1;
  int family = AF_INET;
  uint32_t run = 0;
  int64_t ts = kT0;
};

ItemSet Items(const std::vector<Obs>& list, int runs = 2, bool exact = false) {
  Generalization g;
  g.exact = exact;
  g.ephemeral_lo = 32768;
  g.ephemeral_hi = 60999;
  ItemCollector c(g);
  std::vector<RunRef> refs;
  for (int i = 0; i < runs; ++i) refs.push_back(RunRef{"w.db", i + 1, kT0, kT0 + 10'000'000'000, 0, ""});
  EXPECT_TRUE(c.Runs(refs).ok());
  for (const Obs& o : list) {
    Observation ob;
    ob.kind = o.kind;
    ob.program = o.program;
    bool net = o.kind == Kind::kConnect || o.kind == Kind::kListen || o.kind == Kind::kAccept;
    (net ? ob.address : ob.path) = o.path_or_address;
    ob.port = o.port;
    ob.family = o.family;
    ob.protocol = net ? policy::Protocol::kTcp : policy::Protocol::kAny;
    ob.run = o.run;
    ob.ts_ns = o.ts;
    EXPECT_TRUE(c.Add(ob).ok());
  }
  return c.Finish();
}

policy::Policy Parse(const std::string& text) {
  auto p = policy::ParsePolicyText(text, "out.yaml");
  EXPECT_TRUE(p.ok()) << p.status().message() << "\n" << text;
  return p.ok() ? *p : policy::Policy{};
}

std::string Write(const ItemSet& set, WriterOptions o = {}) {
  auto text = WritePolicy(set, o);
  EXPECT_TRUE(text.ok()) << text.status().message();
  return text.ok() ? *text : "";
}

// The live evaluator's verdict on a file, exec or network call.
class Judge {
 public:
  explicit Judge(const std::string& text) : eval_(std::make_shared<const policy::Policy>(Parse(text))) {}
  policy::Verdict File(std::string_view exe, std::string_view path, policy::FileAccess a) {
    policy::Call c;
    c.exe = exe;
    c.path = path;
    c.access = a;
    return eval_.Judge(c);
  }
  policy::Verdict Exec(std::string_view exe, std::string_view path) {
    policy::Call c;
    c.exe = exe;
    c.path = path;
    c.exec = true;
    return eval_.Judge(c);
  }
  policy::Verdict Net(std::string_view exe, policy::NetKind k, std::string_view address, int port,
                      int family = AF_INET) {
    policy::Call c;
    c.exe = exe;
    c.net = k;
    c.family = family;
    c.address = address;
    c.port = port;
    c.protocol = policy::Protocol::kTcp;
    return eval_.Judge(c);
  }

 private:
  policy::Evaluator eval_;
};

bool Allowed(const policy::Verdict& v) { return v.action == policy::Action::kAllow; }

TEST(PolicyWriterTest, RulesPerProgramWithProvenanceAndDefaults) {
  ItemSet set = Items({{Kind::kFileRead, "/usr/bin/cat", "/etc/passwd", -1, AF_INET, 0, kT0},
                       {Kind::kFileRead, "/usr/bin/cat", "/etc/passwd", -1, AF_INET, 1, kT0 + 1'500'000'000},
                       {Kind::kFileWrite, "/usr/bin/cat", "/tmp/out"},
                       {Kind::kExec, "/usr/bin/dash", "/usr/bin/cat"}});
  std::string text = Write(set);
  policy::Policy p = Parse(text);
  EXPECT_EQ(p.name, "learned");
  EXPECT_EQ(p.mode, policy::Mode::kPermissive);
  EXPECT_EQ(p.log_mode, policy::LogMode::kAll);
  EXPECT_EQ(p.defaults.file, policy::Action::kDeny);
  EXPECT_EQ(p.defaults.exec, policy::Action::kDeny);
  EXPECT_EQ(p.defaults.network, policy::Action::kAllow);  // nothing learned: unchanged
  ASSERT_EQ(p.rules.size(), 3u);
  EXPECT_EQ(p.rules[0].name, "cat-read");
  EXPECT_EQ(p.rules[0].program, "/usr/bin/cat");
  EXPECT_THAT(p.rules[0].paths, ElementsAre("/etc/passwd"));
  EXPECT_EQ(p.rules[0].action, policy::Action::kAllow);
  EXPECT_EQ(p.rules[1].name, "cat-write");
  EXPECT_EQ(p.rules[2].name, "dash-exec");
  EXPECT_EQ(p.rules[2].type, policy::RuleType::kExec);
  EXPECT_EQ(p.rules[2].program, "/usr/bin/dash");
  EXPECT_THAT(text, HasSubstr("  # /usr/bin/cat\n  # 2 events in w.db runs 1, 2; "
                              "2023-11-14T22:13:20.000Z .. 2023-11-14T22:13:21.500Z\n  - name: cat-read\n"));
  EXPECT_THAT(text, HasSubstr("#   w.db run 1: 2023-11-14T22:13:20.000Z .. 2023-11-14T22:13:30.000Z\n"));
  EXPECT_THAT(text, HasSubstr("  # 1 event in w.db run 1; at 2023-11-14T22:13:20.000Z\n  - name: dash-exec\n"));
}

TEST(PolicyWriterTest, ModeFromTheOptions) {
  WriterOptions o;
  o.mode = policy::Mode::kActive;
  EXPECT_EQ(Parse(Write(Items({{Kind::kFileRead, "/bin/a", "/x"}}), o)).mode, policy::Mode::kActive);
}

TEST(PolicyWriterTest, OddPathsAndProgramsReadBackAndMatch) {
  const std::vector<std::string> paths = {
      "/srv/with space", "/srv/quote\"d", "/srv/single'q", "/srv/colon: x", "/srv/#hash", "/srv/a # b",
      "/srv/café/ü", "/srv/star*", "/srv/q?", "/srv/[set]", "/srv/back\\slash", "/srv/tab\tx",
      "/srv/nl\nx", "/srv/caf\xe9", "/srv/- dash", "/srv/{brace}", "/srv/true", "/srv/%pct",
      "/srv/&amp", "/srv/!bang", "/srv/`tick`", "/srv/line\u2028sep", "/srv/\x7f"};
  const std::vector<std::string> programs = {"/opt/my app/bin/x*y", "/usr/bin/true", "/opt/ü/prog: 1"};
  std::vector<Obs> obs;
  for (const auto& prog : programs)
    for (const auto& p : paths) obs.push_back({Kind::kFileRead, prog, p});
  std::string text = Write(Items(obs, 2, /*exact=*/true));
  policy::Policy p = Parse(text);
  ASSERT_EQ(p.rules.size(), programs.size());
  Judge judge(text);
  for (const auto& prog : programs)
    for (const auto& path : paths) {
      policy::Verdict v = judge.File(prog, path, policy::FileAccess::kRead);
      EXPECT_TRUE(Allowed(v) && v.rule != "default:file") << prog << " " << path << ": " << v.rule;
    }
  // The escapes are escapes: nothing else matches.
  EXPECT_FALSE(Allowed(judge.File("/usr/bin/true", "/srv/starX", policy::FileAccess::kRead)));
  EXPECT_FALSE(Allowed(judge.File("/opt/my app/bin/xzy", "/srv/q?", policy::FileAccess::kRead)));
  EXPECT_FALSE(Allowed(judge.File("/usr/bin/true", "/srv/other", policy::FileAccess::kRead)));
  EXPECT_FALSE(Allowed(judge.File("/usr/bin/true", "/srv/q?", policy::FileAccess::kWrite)));
}

TEST(PolicyWriterTest, GeneralisedPathsStillMatchWhatTheyStandFor) {
  std::vector<Obs> obs = {{Kind::kFileRead, "/bin/ps", "/proc/4242/stat"},
                          {Kind::kFileWrite, "/usr/lib/gcc/cc1", "/tmp/ccQw3rTy.s"}};
  for (int i = 0; i < 12; ++i) obs.push_back({Kind::kFileRead, "/usr/bin/python3", fmt::format("/usr/lib/py/m{}.py", i)});
  Judge judge(Write(Items(obs)));
  EXPECT_TRUE(Allowed(judge.File("/bin/ps", "/proc/1/stat", policy::FileAccess::kRead)));
  EXPECT_TRUE(Allowed(judge.File("/usr/lib/gcc/cc1", "/tmp/ccAAAAAA.s", policy::FileAccess::kWrite)));
  EXPECT_FALSE(Allowed(judge.File("/usr/lib/gcc/cc1", "/tmp/ccAAAAAAA.s", policy::FileAccess::kWrite)));
  EXPECT_TRUE(Allowed(judge.File("/usr/bin/python3", "/usr/lib/py/new.py", policy::FileAccess::kRead)));
  EXPECT_FALSE(Allowed(judge.File("/usr/bin/python3", "/etc/shadow", policy::FileAccess::kRead)));
}

TEST(PolicyWriterTest, NetworkRulesFollowTheLiveSemantics) {
  ItemSet set = Items({
      {Kind::kListen, "/srv/server", "127.0.0.1", 8080},
      {Kind::kAccept, "/srv/server", "127.0.0.1", 8080},
      {Kind::kAccept, "/srv/inherited", "10.1.2.3", 9000},  // accepted only: peers named
      {Kind::kConnect, "/srv/client", "127.0.0.1", 8080},
      {Kind::kConnect, "/srv/client", "127.0.0.1", 45000},  // loopback ephemeral: any port
      {Kind::kConnect, "/srv/client", "192.0.2.7", 443},
      {Kind::kConnect, "/srv/client", "::1", 8443, AF_INET6},
      {Kind::kListen, "/srv/eph", "127.0.0.1", 0},
  });
  std::string text = Write(set);
  policy::Policy p = Parse(text);
  EXPECT_EQ(p.defaults.network, policy::Action::kDeny);
  Judge judge(text);
  using policy::NetKind;
  EXPECT_TRUE(Allowed(judge.Net("/srv/server", NetKind::kBind, "127.0.0.1", 8080)));
  EXPECT_TRUE(Allowed(judge.Net("/srv/server", NetKind::kAccept, "127.0.0.1", 8080)));
  EXPECT_FALSE(Allowed(judge.Net("/srv/server", NetKind::kBind, "127.0.0.1", 8081)));
  EXPECT_TRUE(Allowed(judge.Net("/srv/inherited", NetKind::kAccept, "10.1.2.3", 9000)));
  EXPECT_FALSE(Allowed(judge.Net("/srv/inherited", NetKind::kAccept, "10.1.2.4", 9000)));
  EXPECT_TRUE(Allowed(judge.Net("/srv/client", NetKind::kOutbound, "127.0.0.1", 8080)));
  EXPECT_TRUE(Allowed(judge.Net("/srv/client", NetKind::kOutbound, "127.0.0.1", 51234)));
  EXPECT_TRUE(Allowed(judge.Net("/srv/client", NetKind::kOutbound, "192.0.2.7", 443)));
  EXPECT_FALSE(Allowed(judge.Net("/srv/client", NetKind::kOutbound, "192.0.2.7", 444)));
  EXPECT_FALSE(Allowed(judge.Net("/srv/client", NetKind::kOutbound, "192.0.2.8", 443)));
  EXPECT_TRUE(Allowed(judge.Net("/srv/client", NetKind::kOutbound, "::1", 8443, AF_INET6)));
  EXPECT_TRUE(Allowed(judge.Net("/srv/eph", NetKind::kBind, "127.0.0.1", 0)));
  EXPECT_FALSE(Allowed(judge.Net("/srv/server", NetKind::kOutbound, "127.0.0.1", 8080)));
  EXPECT_THAT(text, HasSubstr("# bound 127.0.0.1:8080; accepted from 127.0.0.1\n"));
}

TEST(PolicyWriterTest, LearningAgainWithMergeGivesTheSameBytes) {
  std::vector<Obs> obs = {{Kind::kFileRead, "/usr/bin/cat", "/etc/passwd"},
                          {Kind::kFileRead, "/usr/bin/cat", "/srv/odd \"name\" #1"},
                          {Kind::kExec, "/bin/sh", "/usr/bin/cat"},
                          {Kind::kConnect, "/usr/bin/curl", "192.0.2.7", 443},
                          {Kind::kListen, "/srv/s", "0.0.0.0", 80},
                          {Kind::kFileRead, "/bin/ps", "/proc/77/stat"},
                          {Kind::kFileRead, "/bin/x", "relative"}};
  ItemSet set = Items(obs);
  std::string first = Write(set);
  WriterOptions o;
  o.merge_name = "first.yaml";
  o.merge_text = first;
  std::string second = Write(set, o);
  EXPECT_EQ(second, first);
  o.merge_text = second;
  EXPECT_EQ(Write(set, o), first);
  EXPECT_THAT(first, HasSubstr("# Not learned: /bin/x file-read relative: not an absolute path"));
}

TEST(PolicyWriterTest, MergeKeepsTheFileAndAddsWhatItDoesNotCover) {
  const std::string existing = R"(# my policy
version: 1
name: mine
description: hand written
mode: active
log_mode: PolicyDeny
defaults:
  file: deny
  errno: EACCES
ignored_syscalls: [futex]
rules:
  # no shadow for anyone
  - name: no-shadow
    type: file-read
    paths: /etc/shadow
    action: deny
    errno: EACCES

  - name: cat-read
    type: file-read
    program: cat
    paths: ["/etc/*"]
    action: allow
  - name: off
    type: exec
    enabled: false
    program: /bin/sh
    paths: "/usr/bin/**"
    action: allow
  - {name: mmap-exec, type: syscall, syscall: mmap, args: [{index: 2, mask: PROT_EXEC}], action: monitor}
  - name: fd
    type: syscall
    syscalls: [openat, openat2]
    args:
      - {index: 0, eq: AT_FDCWD}
      - {index: 2, range: [-5, 5]}
    action: kill
)";
  ItemSet set = Items({{Kind::kFileRead, "/usr/bin/cat", "/etc/hosts"},    // covered by cat-read
                       {Kind::kFileRead, "/usr/bin/cat", "/srv/data"},     // new
                       {Kind::kExec, "/bin/sh", "/usr/bin/ls"},            // covered by a disabled rule
                       {Kind::kFileRead, "/usr/bin/tac", "/etc/shadow"}}); // covered by no-shadow
  WriterOptions o;
  o.merge_name = "mine.yaml";
  o.merge_text = existing;
  std::string text = Write(set, o);
  policy::Policy p = Parse(text);
  EXPECT_EQ(p.name, "mine");
  EXPECT_EQ(p.description, "hand written");
  EXPECT_EQ(p.mode, policy::Mode::kActive);
  EXPECT_EQ(p.log_mode, policy::LogMode::kPolicyDeny);
  EXPECT_EQ(p.defaults.file, policy::Action::kDeny);
  EXPECT_EQ(p.defaults.exec, policy::Action::kAllow);
  EXPECT_EQ(p.defaults.err, 13);
  EXPECT_THAT(p.ignored_syscalls, ElementsAre("futex"));
  std::vector<std::string> names;
  for (const auto& r : p.rules) names.push_back(r.name);
  EXPECT_THAT(names, ElementsAre("no-shadow", "cat-read", "off", "mmap-exec", "fd", "cat-read-2"));
  EXPECT_EQ(p.rules[0].err, 13);
  EXPECT_FALSE(p.rules[2].enabled);
  EXPECT_EQ(p.rules[3].action, policy::Action::kMonitor);
  ASSERT_EQ(p.rules[4].args.size(), 2u);
  EXPECT_EQ(static_cast<int64_t>(p.rules[4].args[0].value), -100);
  EXPECT_EQ(static_cast<int64_t>(p.rules[4].args[1].lo), -5);
  EXPECT_THAT(p.rules[4].syscalls, ElementsAre("openat", "openat2"));
  EXPECT_THAT(p.rules[5].paths, ElementsAre("/srv/data"));
  EXPECT_THAT(text, HasSubstr("  # no shadow for anyone\n  - name: no-shadow\n"));
  EXPECT_THAT(text, Not(HasSubstr("# my policy")));
  // Again with the output: the same bytes; --mode overrides the file's mode.
  o.merge_text = text;
  EXPECT_EQ(Write(set, o), text);
  o.mode = policy::Mode::kPermissive;
  EXPECT_EQ(Parse(Write(set, o)).mode, policy::Mode::kPermissive);
}

TEST(PolicyWriterTest, AMergeFileWithErrorsIsRefusedWithItsPositions) {
  WriterOptions o;
  o.merge_name = "bad.yaml";
  o.merge_text = "version: 1\nname: x\nrules:\n  - name: r\n    type: file-read\n    pahts: /x\n    action: allow\n";
  auto text = WritePolicy(Items({{Kind::kFileRead, "/bin/a", "/x"}}), o);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(text.status().message()), HasSubstr("bad.yaml:6:5: "));
  EXPECT_THAT(std::string(text.status().message()), HasSubstr("warden policy check bad.yaml"));
}

TEST(PolicyWriterTest, NamesStayUniqueAcrossProgramsOfOneBaseName) {
  ItemSet set = Items({{Kind::kFileRead, "/usr/bin/python3", "/a"},
                       {Kind::kFileRead, "/opt/python3", "/b"},
                       {Kind::kFileRead, "", "/c"}});
  policy::Policy p = Parse(Write(set));
  std::vector<std::string> names;
  for (const auto& r : p.rules) names.push_back(r.name);
  EXPECT_THAT(names, ElementsAre("any-read", "python3-read", "python3-read-2"));
  EXPECT_EQ(p.rules[0].program, "*");
}

TEST(PolicyWriterTest, CoversFollowsTheRuleTypeProgramAndMatchers) {
  policy::Policy p = Parse(R"(version: 1
name: t
rules:
  - {name: a, type: network-inbound, ports: 80, action: allow}
  - {name: b, type: network-inbound, addresses: 10.0.0.0/8, action: allow}
  - {name: c, type: network-outbound, program: curl, addresses: 192.0.2.0/24, protocol: udp, action: allow}
)");
  Item listen{Kind::kListen, "/srv", "0.0.0.0:80", AF_INET, "0.0.0.0", 80, {{80, 80}}};
  EXPECT_TRUE(Covers(p.rules[0], listen));
  EXPECT_FALSE(Covers(p.rules[1], listen));  // a rule with addresses never judges a bind
  Item accept{Kind::kAccept, "/srv", "10.1.1.1:*", AF_INET, "10.1.1.1", std::nullopt};
  EXPECT_FALSE(Covers(p.rules[0], accept));  // any port is not port 80
  EXPECT_TRUE(Covers(p.rules[1], accept));
  Item connect{Kind::kConnect, "/usr/bin/curl", "192.0.2.1:53", AF_INET, "192.0.2.1", 53,
               {{53, 53}}, policy::Protocol::kUdp};
  EXPECT_TRUE(Covers(p.rules[2], connect));
  connect.protocol = policy::Protocol::kTcp;
  EXPECT_FALSE(Covers(p.rules[2], connect));
  connect.protocol = policy::Protocol::kUdp;
  connect.program = "/usr/bin/wget";
  EXPECT_FALSE(Covers(p.rules[2], connect));
  // A port that varies is the ephemeral range: covered only by a rule
  // whose ports hold all of it (or by one without ports).
  Item ephemeral{Kind::kConnect, "/cli", "127.0.0.1:*", AF_INET, "127.0.0.1", std::nullopt,
                 {{32768, 60999}}};
  policy::Policy q = Parse(R"(version: 1
name: t
rules:
  - {name: a, type: network-outbound, addresses: 127.0.0.1, ports: 9, action: allow}
  - {name: b, type: network-outbound, addresses: 127.0.0.1, ports: 32768-60999, action: allow}
)");
  EXPECT_FALSE(Covers(q.rules[0], ephemeral));
  EXPECT_TRUE(Covers(q.rules[1], ephemeral));
}

}  // namespace
}  // namespace warden::learn
