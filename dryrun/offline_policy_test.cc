#include "dryrun/offline_policy.h"

#include "gtest/gtest.h"
#include "policy/parser.h"

namespace warden::dryrun {
namespace {

policy::Policy Parse(std::string_view rules, std::string_view mode = "active") {
  auto p = policy::ParsePolicyText(
      "version: 1\nname: t\nmode: " + std::string(mode) + "\nrules:\n" + std::string(rules), "t.yaml");
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : policy::Policy{};
}

TEST(OfflinePolicyTest, RecoverableMatchers) {
  policy::Policy p = Parse(R"(
  - {name: glob-path, type: syscall, syscall: openat, args: [{index: 1, glob: /etc/*}], action: deny}
  - {name: flags, type: syscall, syscalls: [open, openat], args: [{index: 2, mask: O_CREAT}], action: deny}
  - {name: rename-target, type: syscall, syscall: rename, args: [{index: 1, glob: /x/*}], action: deny}
  - {name: size, type: syscall, syscall: read, args: [{index: 2, eq: 4}], action: deny}
  - {name: dirfd, type: syscall, syscall: openat, args: [{index: 0, eq: AT_FDCWD}], action: deny}
  - {name: open-flags-wrong-index, type: syscall, syscall: open, args: [{index: 2, eq: 0}], action: deny}
  - {name: symlink-text, type: syscall, syscall: symlink, args: [{index: 0, glob: /x}], action: deny}
)");
  ASSERT_EQ(p.rules.size(), 7u);
  EXPECT_TRUE(MatchersRecoverable(p.rules[0]));
  // open's flags are argument 1 and openat's argument 2: index 2 of open is
  // the mode, so the rule naming both is not recoverable.
  EXPECT_FALSE(MatchersRecoverable(p.rules[1]));
  EXPECT_TRUE(MatchersRecoverable(p.rules[2]));
  EXPECT_FALSE(MatchersRecoverable(p.rules[3]));
  EXPECT_FALSE(MatchersRecoverable(p.rules[4]));
  EXPECT_FALSE(MatchersRecoverable(p.rules[5]));
  EXPECT_FALSE(MatchersRecoverable(p.rules[6]));  // a symlink's text is not a recorded path
}

TEST(OfflinePolicyTest, UnrecoverableRulesBecomeMarkers) {
  policy::Policy p = Parse(R"(
  - {name: keep, type: syscall, syscall: openat, args: [{index: 1, glob: /etc/*}], action: deny}
  - {name: size, type: syscall, syscall: read, args: [{index: 2, eq: 4}], action: kill}
  - {name: plain, type: syscall, syscall: getpid, action: monitor}
)", "permissive");
  auto off = OfflinePolicy(p);
  EXPECT_EQ(off->mode, policy::Mode::kActive);  // permissive is judged as if active
  EXPECT_EQ(off->rules[0].name, "keep");
  EXPECT_EQ(off->rules[0].args.size(), 1u);
  EXPECT_TRUE(off->rules[1].args.empty());
  EXPECT_EQ(UnjudgedRule(off->rules[1].name), 1u);
  EXPECT_EQ(off->rules[1].action, policy::Action::kKill);
  EXPECT_EQ(off->rules[2].name, "plain");
  EXPECT_EQ(UnjudgedRule("plain"), std::nullopt);
  EXPECT_EQ(UnjudgedRule("default:file"), std::nullopt);
  // warden run's implicit rule for a policy that can deny.
  EXPECT_EQ(off->rules.back().name, "warden:no-io-uring");
}

}  // namespace
}  // namespace warden::dryrun
