// `warden policy check` and `warden policy show`: output and exit codes of
// the real binary on good, bad and missing policy files.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class PolicyCheckTest : public IntegrationTest {
 protected:
  ExitInfo Policy(const std::string& verb, const std::string& file) {
    return Run({WardenBin(), "policy", verb, file});
  }
};

constexpr std::string_view kGood = R"(version: 1
name: web-readonly
mode: permissive
log_mode: PolicyDeny
rules:
  - name: site-read-only
    type: file-write
    paths: ["/var/www/**"]
    action: deny
    errno: EROFS
  - name: off
    enabled: false
    type: syscall
    syscall: ptrace
    action: kill
  - name: no-metadata
    type: network-outbound
    addresses: 169.254.169.254
    port: 80
    protocol: tcp
    action: deny
)";

TEST_F(PolicyCheckTest, GoodFileIsOk) {
  WriteFile(Path("good.yaml"), kGood);
  ExitInfo r = Policy("check", Path("good.yaml"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, Path("good.yaml") + ": OK: policy 'web-readonly', 3 rules (2 enabled), mode "
                                       "permissive, log_mode PolicyDeny\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(PolicyCheckTest, BadFileListsEveryErrorWithItsPosition) {
  WriteFile(Path("bad.yaml"), R"(version: 1
name: bad
rules:
  - name: a
    type: syscall
    syscall: opnat
    action: deny
  - name: b
    type: file-read
    path: /etc/passwd
    action: block
)");
  ExitInfo r = Policy("check", Path("bad.yaml"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  const std::string f = Path("bad.yaml");
  EXPECT_THAT(r.err, HasSubstr(f + ":6:14: rule 'a': unknown syscall 'opnat' (did you mean: openat"));
  EXPECT_THAT(r.err, HasSubstr(f + ":10:5: rule 'b': unknown key 'path' in a rule (did you mean 'paths'?)"));
  EXPECT_THAT(r.err, HasSubstr(f + ":11:13: rule 'b': unknown action 'block': expected one of allow, "
                                   "deny, monitor, kill"));
  EXPECT_EQ(Lines(r.err).size(), 3u) << r.err;
}

TEST_F(PolicyCheckTest, SyntaxErrorIsExitTwo) {
  WriteFile(Path("syntax.yaml"), "version: 1\nname: [oops\n");
  ExitInfo r = Policy("check", Path("syntax.yaml"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(Path("syntax.yaml") + ":3:1: YAML syntax error"));
}

TEST_F(PolicyCheckTest, MissingFile) {
  ExitInfo r = Policy("check", Path("nope.yaml"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "warden policy check: cannot read " + Path("nope.yaml") +
                       ": No such file or directory\n");
}

TEST_F(PolicyCheckTest, UsageErrors) {
  ExitInfo r = Run({WardenBin(), "policy"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("usage: warden policy check FILE"));
  r = Run({WardenBin(), "policy", "lint", Path("x.yaml")});
  EXPECT_EQ(r.exit_code, 2);
  r = Run({WardenBin(), "policy", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("warden policy show FILE"));
  r = Run({WardenBin(), "--help"});
  EXPECT_THAT(r.out, HasSubstr("policy check FILE"));
}

TEST_F(PolicyCheckTest, ShowPrintsOneLinePerRule) {
  WriteFile(Path("good.yaml"), kGood);
  ExitInfo r = Policy("show", Path("good.yaml"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("policy 'web-readonly'"));
  EXPECT_THAT(r.out, HasSubstr("mode permissive, log_mode PolicyDeny"));
  EXPECT_THAT(r.out, HasSubstr("1. site-read-only file-write program=* deny(EROFS) paths=/var/www/**"));
  EXPECT_THAT(r.out, HasSubstr("2. [disabled] off syscall program=* kill syscalls=ptrace"));
  EXPECT_THAT(r.out, HasSubstr("3. no-metadata network-outbound program=* deny(EPERM) "
                               "addresses=169.254.169.254/32 ports=80 protocol=tcp"));
  EXPECT_THAT(r.out, Not(HasSubstr("OK:")));
}

}  // namespace
}  // namespace warden::itest
