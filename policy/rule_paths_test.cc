#include "policy/rule_paths.h"

#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace warden::policy {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// A filesystem of a merged-/usr system: /bin -> usr/bin, /lib -> usr/lib,
// /usr/bin/sh -> dash, /etc/localtime -> ../usr/share/zoneinfo/Etc/UTC.
std::optional<std::string> Fake(const std::string& path) {
  static const std::map<std::string, std::string> real = {
      {"/bin", "/usr/bin"},
      {"/bin/sh", "/usr/bin/dash"},
      {"/usr/bin", "/usr/bin"},
      {"/lib", "/usr/lib"},
      {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu"},
      {"/etc", "/etc"},
      {"/etc/passwd", "/etc/passwd"},
      {"/etc/localtime", "/usr/share/zoneinfo/Etc/UTC"},
      {"/var/www", "/srv/www"},
  };
  auto it = real.find(path);
  if (it == real.end()) return std::nullopt;
  return it->second;
}

TEST(RulePathsTest, LiteralPathGainsTheFileAndTheNameInItsRealDirectory) {
  // /bin/sh: the file (dash) and the link itself in /usr/bin.
  EXPECT_THAT(ResolvedForms("/bin/sh", Fake), ElementsAre("/usr/bin/dash", "/usr/bin/sh"));
  EXPECT_THAT(ResolvedForms("/etc/localtime", Fake), ElementsAre("/usr/share/zoneinfo/Etc/UTC"));
  EXPECT_THAT(ResolvedForms("/etc/passwd", Fake), IsEmpty());
  // Not there (yet): its directory resolved.
  EXPECT_THAT(ResolvedForms("/lib/x86_64-linux-gnu/libnew.so", Fake),
              ElementsAre("/usr/lib/x86_64-linux-gnu/libnew.so"));
}

TEST(RulePathsTest, GlobsResolveTheirLiteralHead) {
  EXPECT_THAT(ResolvedForms("/lib/**", Fake), ElementsAre("/usr/lib/**"));
  EXPECT_THAT(ResolvedForms("/lib/x86_64-linux-gnu/*.so*", Fake),
              ElementsAre("/usr/lib/x86_64-linux-gnu/*.so*"));
  EXPECT_THAT(ResolvedForms("/var/www/**/*.php", Fake), ElementsAre("/srv/www/**/*.php"));
  // Nothing to resolve before the wildcard, or an unknown head.
  EXPECT_THAT(ResolvedForms("/**/id_rsa", Fake), IsEmpty());
  EXPECT_THAT(ResolvedForms("/etc/*.conf", Fake), IsEmpty());
  EXPECT_THAT(ResolvedForms("/nowhere/**", Fake), IsEmpty());
}

TEST(RulePathsTest, ProcIsLeftAlone) {
  // The loader's /proc/self is not the program's.
  auto proc = [](const std::string& p) -> std::optional<std::string> {
    return p.starts_with("/proc/self") ? "/proc/4242" + p.substr(10) : p;
  };
  EXPECT_THAT(ResolvedForms("/proc/self/mem", proc), IsEmpty());
  EXPECT_THAT(ResolvedForms("/proc/*/mem", proc), IsEmpty());
}

TEST(RulePathsTest, OnlyFileAndExecRulesGainForms) {
  Policy p;
  Rule exec;
  exec.type = RuleType::kExec;
  exec.paths = {"/bin/sh", "/usr/bin/dash"};
  Rule net;
  net.type = RuleType::kNetworkOutbound;
  p.rules = {exec, net};
  AddResolvedPaths(p, Fake);
  // /usr/bin/dash is already a path of the rule: not repeated.
  EXPECT_THAT(p.rules[0].resolved, ElementsAre("/usr/bin/sh"));
  EXPECT_THAT(p.rules[1].resolved, IsEmpty());
}

}  // namespace
}  // namespace warden::policy
