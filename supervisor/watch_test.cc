#include "supervisor/watch.h"

#include <fcntl.h>

#include <algorithm>

#include "gtest/gtest.h"

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
  EXPECT_FALSE(NeedsExitStop(syscalls::ByName(Abi::kX86_64, "exit_group")));
  EXPECT_FALSE(NeedsExitStop(syscalls::ByName(Abi::kX86_64, "exit")));
  EXPECT_TRUE(NeedsExitStop(syscalls::ByName(Abi::kX86_64, "openat")));
  EXPECT_TRUE(NeedsExitStop(nullptr));
}

}  // namespace
}  // namespace warden::supervisor
