#include "policy/compile.h"

#include <algorithm>

#include "gtest/gtest.h"

namespace warden::policy {
namespace {

Rule Sys(std::string name, std::string syscall, Action a, std::vector<ArgMatcher> args = {}) {
  Rule r;
  r.name = std::move(name);
  r.type = RuleType::kSyscall;
  r.syscalls = {std::move(syscall)};
  r.action = a;
  r.args = std::move(args);
  return r;
}

bool Has(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(CompileTest, RegisterOnlyDeniesGoToBpf) {
  Policy p;
  p.rules.push_back(Sys("no-mkdir", "mkdir", Action::kDeny));  // kFile class, no category: BPF
  p.rules.push_back(Sys("no-personality", "personality", Action::kKill));
  ArgMatcher bits{0, MatchOp::kMask};
  bits.mask = 0x3;
  bits.mask_any = true;
  p.rules.push_back(Sys("masked", "umask", Action::kDeny, {bits}));
  CompiledPolicy c = Compile(p, true);
  EXPECT_TRUE(Has(c.bpf_rules, "no-mkdir"));
  EXPECT_TRUE(Has(c.bpf_rules, "masked"));
  // mkdir + one rule per bit of the mask.
  EXPECT_EQ(c.bpf.size(), 3u);
  // kill is the supervisor's: BPF's KILL_PROCESS would be SIGSYS, unrecorded.
  EXPECT_FALSE(Has(c.bpf_rules, "no-personality"));
  EXPECT_EQ(c.syscalls, std::vector<std::string>{"personality"});
}

TEST(CompileTest, CallsWithBuiltInProtectionsStayInTheSupervisor) {
  Policy p;
  ArgMatcher untraced{0, MatchOp::kMask, 0x00800000, 0x00800000};
  p.rules.push_back(Sys("my-clone", "clone", Action::kDeny, {untraced}));
  p.rules.back().err = 13;
  CompiledPolicy c = Compile(p, true);
  EXPECT_TRUE(c.bpf.empty());
  EXPECT_TRUE(Has(c.syscalls, "clone"));
}

TEST(CompileTest, WhatBpfCannotDecideIsTraced) {
  Policy p;
  ArgMatcher glob{0, MatchOp::kGlob};
  glob.glob = "/tmp/**";
  p.rules.push_back(Sys("glob", "mkdir", Action::kDeny, {glob}));
  p.rules.push_back(Sys("monitor", "getpid", Action::kMonitor));
  Rule prog = Sys("prog", "umask", Action::kDeny);
  prog.program = "cat";
  p.rules.push_back(prog);
  ArgMatcher range{0, MatchOp::kRange};
  range.lo = 1;
  range.hi = 5;
  p.rules.push_back(Sys("range", "setuid", Action::kDeny, {range}));
  CompiledPolicy c = Compile(p, true);
  EXPECT_TRUE(c.bpf.empty());
  for (auto name : {"mkdir", "getpid", "umask", "setuid"}) EXPECT_TRUE(Has(c.syscalls, name)) << name;
}

TEST(CompileTest, MixedActionsOnOneSyscallStayInTheSupervisor) {
  Policy p;
  ArgMatcher eq{0, MatchOp::kEq, 0};
  p.rules.push_back(Sys("a", "setuid", Action::kDeny, {eq}));
  p.rules.push_back(Sys("b", "setuid", Action::kKill));
  CompiledPolicy c = Compile(p, true);
  EXPECT_TRUE(c.bpf.empty());
  EXPECT_TRUE(Has(c.syscalls, "setuid"));
}

TEST(CompileTest, CategoryCallsAreNeverDecidedInBpfWhenCategoriesApply) {
  Policy p;
  p.rules.push_back(Sys("no-mkdir", "mkdir", Action::kDeny));
  Rule fr;
  fr.name = "fr";
  fr.type = RuleType::kFileWrite;
  fr.paths = {"/srv/**"};
  fr.action = Action::kAllow;
  p.rules.push_back(fr);
  CompiledPolicy c = Compile(p, true);
  EXPECT_TRUE(c.bpf.empty());
  EXPECT_TRUE(c.categories & kFileWrite);
}

TEST(CompileTest, NoBpfWithoutPermissionAndNothingWhenInactive) {
  Policy p;
  p.rules.push_back(Sys("no-mkdir", "mkdir", Action::kDeny));
  EXPECT_TRUE(Compile(p, false).bpf.empty());
  EXPECT_TRUE(Has(Compile(p, false).syscalls, "mkdir"));
  p.mode = Mode::kInactive;
  p.defaults.network = Action::kDeny;
  CompiledPolicy c = Compile(p, true);
  EXPECT_TRUE(c.syscalls.empty());
  EXPECT_EQ(c.categories, 0u);
}

TEST(CompileTest, ImplicitIoUringRuleOnlyWhenSomethingCanBeDenied) {
  Policy p;
  p.rules.push_back(Sys("m", "getpid", Action::kMonitor));
  AddImplicitRules(p);
  EXPECT_EQ(p.rules.size(), 1u);
  p.defaults.file = Action::kDeny;
  AddImplicitRules(p);
  ASSERT_EQ(p.rules.size(), 2u);
  EXPECT_EQ(p.rules.back().name, "warden:no-io-uring");
  EXPECT_EQ(p.rules.back().err, 38);
  // Never compiled into BPF: its attempts are recorded.
  EXPECT_TRUE(Has(Compile(p, true).syscalls, "io_uring_setup"));
}

}  // namespace
}  // namespace warden::policy
