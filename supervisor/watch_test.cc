#include "supervisor/watch.h"

#include <fcntl.h>

#include <algorithm>

#include "gtest/gtest.h"
#include "supervisor/effects.h"

namespace warden::supervisor {
namespace {

using syscalls::Abi;

std::vector<const seccomp::TraceRule*> RulesFor(const seccomp::FilterSpec& spec,
                                                std::string_view name) {
  int nr = syscalls::ByName(Abi::kX86_64, name)->nr;
  std::vector<const seccomp::TraceRule*> out;
  for (const auto& r : spec.trace)
    if (r.nr == nr) out.push_back(&r);
  return out;
}

TEST(WatchTest, DefaultWatchesFilesExecsAndNetworkNotIo) {
  auto spec = PlanWatch(kDefaultWatch);
  for (auto name : {"openat", "execve", "execveat", "connect", "accept4", "unlinkat", "clone3",
                    "chdir", "dup2", "io_uring_setup", "fchmodat2"})
    EXPECT_FALSE(RulesFor(spec, name).empty()) << name;
  for (auto name : {"read", "write", "close", "fcntl", "mmap", "getpid"})
    EXPECT_TRUE(RulesFor(spec, name).empty()) << name;
}

TEST(WatchTest, FstatStyleStatsAreFilteredInBpf) {
  auto spec = PlanWatch(kDefaultWatch);
  auto rules = RulesFor(spec, "newfstatat");
  ASSERT_EQ(rules.size(), 1u);
  ASSERT_EQ(rules[0]->conditions.size(), 1u);
  EXPECT_EQ(rules[0]->conditions[0].index, 3);
  EXPECT_EQ(rules[0]->conditions[0].mask, static_cast<uint64_t>(AT_EMPTY_PATH));
  EXPECT_EQ(rules[0]->conditions[0].value, 0u);
}

TEST(WatchTest, WatchingDescTracesDescriptorCallsWhole) {
  auto spec = PlanWatch(kDefaultWatch | syscalls::kDesc);
  EXPECT_FALSE(RulesFor(spec, "close").empty());
  auto fcntl = RulesFor(spec, "fcntl");
  ASSERT_EQ(fcntl.size(), 1u);
  EXPECT_TRUE(fcntl[0]->conditions.empty());
  EXPECT_TRUE(RulesFor(spec, "newfstatat")[0]->conditions.empty());
}

TEST(WatchTest, EveryPlanBuildsARealFilter) {
  for (uint32_t classes : {kDefaultWatch, uint32_t{syscalls::kNetwork}, ~0u}) {
    auto filter = seccomp::Filter::Build(PlanWatch(classes));
    EXPECT_TRUE(filter.ok()) << filter.status();
  }
}

TEST(WatchTest, OnlyCallsThatNeverReturnSkipTheExitStop) {
  auto stop = [](std::string_view name, bool want_results) {
    const auto* def = syscalls::ByName(Abi::kX86_64, name);
    return NeedsExitStop(def, EffectOf(Abi::kX86_64, def->nr), want_results);
  };
  EXPECT_FALSE(stop("exit_group", true));
  EXPECT_FALSE(stop("exit", true));
  EXPECT_TRUE(stop("openat", true));
  EXPECT_TRUE(stop("wait4", true));
  EXPECT_TRUE(NeedsExitStop(nullptr, nullptr, true));
}

TEST(WatchTest, NoResultsKeepsOnlyTheExitStopsBookkeepingNeeds) {
  auto stop = [](std::string_view name) {
    const auto* def = syscalls::ByName(Abi::kX86_64, name);
    return NeedsExitStop(def, EffectOf(Abi::kX86_64, def->nr), /*want_results=*/false);
  };
  for (auto name : {"openat", "newfstatat", "access", "readlink", "unlink", "rename", "symlink",
                    "wait4", "kill"})
    EXPECT_FALSE(stop(name)) << name;
  for (auto name : {"execve", "socket", "accept4", "chdir", "dup2", "recvfrom", "bind"})
    EXPECT_TRUE(stop(name)) << name;
}

TEST(WatchTest, PolicyCategoriesAddTheirCalls) {
  policy::CompiledPolicy p;
  p.categories = policy::kFileWrite | policy::kNetInbound;
  auto spec = PlanWatch(0, &p);  // no behaviour recorded: only what the policy needs
  for (auto name : {"unlinkat", "renameat2", "mkdir", "openat", "creat", "accept4", "bind", "socket"})
    EXPECT_FALSE(RulesFor(spec, name).empty()) << name;
  for (auto name : {"newfstatat", "access", "connect", "execve", "umask"})
    EXPECT_TRUE(RulesFor(spec, name).empty()) << name;
  p.syscalls = {"umask"};
  EXPECT_FALSE(RulesFor(PlanWatch(0, &p), "umask").empty());
}

TEST(WatchTest, ProtectionsAreAlwaysInTheFilter) {
  auto spec = PlanWatch(0);
  const int ptrace_nr = syscalls::ByName(Abi::kX86_64, "ptrace")->nr;
  EXPECT_TRUE(std::any_of(spec.deny.begin(), spec.deny.end(),
                          [&](const auto& d) { return d.nr == ptrace_nr && d.conditions.empty(); }));
  EXPECT_FALSE(RulesFor(spec, "clone3").empty());
  // open/openat stop only when they can write (for /proc/PID/mem).
  auto open_rules = RulesFor(spec, "openat");
  ASSERT_EQ(open_rules.size(), 2u);
  for (const auto* r : open_rules) EXPECT_EQ(r->conditions.at(0).mask, uint64_t{O_ACCMODE});
}

TEST(WatchTest, IgnoredSyscallsAreNotTracedForRecording) {
  policy::CompiledPolicy p;
  p.ignored = {"mkdir", "chdir"};
  auto spec = PlanWatch(kDefaultWatch, &p);
  EXPECT_TRUE(RulesFor(spec, "mkdir").empty());
  EXPECT_FALSE(RulesFor(spec, "chdir").empty());  // warden's own cwd tracking needs it
  p.categories = policy::kFileWrite;               // a rule needs it judged
  EXPECT_FALSE(RulesFor(PlanWatch(kDefaultWatch, &p), "mkdir").empty());
}

}  // namespace
}  // namespace warden::supervisor
