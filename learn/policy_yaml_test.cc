#include "learn/policy_yaml.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "policy/parser.h"
#include "yaml-cpp/yaml.h"

namespace warden::learn {
namespace {

using ::testing::ElementsAre;

// What a YAML reader makes of the scalar.
std::string ReadBack(const std::string& scalar) { return YAML::Load("k: " + scalar)["k"].Scalar(); }

TEST(YamlScalarTest, PlainOnlyWhenItReadsBackTheSame) {
  EXPECT_EQ(YamlScalar("/etc/passwd"), "/etc/passwd");
  EXPECT_EQ(YamlScalar("cat-read-2"), "cat-read-2");
  EXPECT_EQ(YamlScalar("/srv/with space"), "/srv/with space");
  EXPECT_EQ(YamlScalar("/usr/lib/**"), "\"/usr/lib/**\"");
  EXPECT_EQ(YamlScalar("off"), "\"off\"");
  EXPECT_EQ(YamlScalar("NULL"), "\"NULL\"");
  EXPECT_EQ(YamlScalar("::1"), "\"::1\"");
  EXPECT_EQ(YamlScalar(""), "\"\"");
  for (std::string s : {"/a b", "a: b", "a #b", "#x", "- x", "x ", " x", "\"q\"", "'q'", "a\\b", "tab\tx",
                        "nl\nx", "caf\xc3\xa9", "\xe2\x80\xa8", "\xc2\x85", "\x7f", "[x]", "{x}", "&a",
                        "*a", "!a", "|", ">", "%a", "@a", "`a`", "yes", "~", "1.5", "0x10"})
    EXPECT_EQ(ReadBack(YamlScalar(s)), s) << YamlScalar(s);
}

TEST(CommentTextTest, OneLineOfUtf8) {
  EXPECT_EQ(CommentText("/usr/bin/cat"), "/usr/bin/cat");
  EXPECT_EQ(CommentText("a\nb\tc"), "a\\x0ab\\x09c");
  EXPECT_EQ(CommentText("caf\xe9"), "caf\\xe9");
  EXPECT_EQ(CommentText("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(CommentText("x\xe2\x80\xa8y"), "x\\Ly");
}

constexpr std::string_view kPolicy = R"(# header
version: 1
name: p
rules:
  # one
  # two
  - name: a
    type: exec
    paths: /bin/x
    action: allow
  - name: b
    type: exec
    paths: /bin/y
    action: allow

  # three
  - name: c
    type: network-outbound
    addresses: [10.0.0.0/8, "::1", 192.0.2.1]
    ports: [53, "8000-8100"]
    protocol: udp
    action: deny
    errno: ECONNREFUSED
  - {name: d, type: exec, paths: /e, action: allow}
)";

TEST(RulesWithCommentsTest, TheCommentsRightAboveEachRule) {
  auto p = policy::ParsePolicyText(kPolicy, "p.yaml");
  ASSERT_TRUE(p.ok()) << p.status().message();
  std::vector<CommentedRule> rules = RulesWithComments(*p, kPolicy);
  ASSERT_EQ(rules.size(), 4u);
  EXPECT_THAT(rules[0].comments, ElementsAre("# one", "# two"));
  EXPECT_FALSE(rules[0].blank_before);
  EXPECT_TRUE(rules[1].comments.empty());
  EXPECT_THAT(rules[2].comments, ElementsAre("# three"));
  EXPECT_TRUE(rules[2].blank_before);
  EXPECT_TRUE(rules[3].comments.empty());
}

TEST(WritePolicyYamlTest, ARuleWrittenAndReadAgainIsTheSame) {
  auto p = policy::ParsePolicyText(kPolicy, "p.yaml");
  ASSERT_TRUE(p.ok());
  PolicyDocument doc{{"# h"}, *p, RulesWithComments(*p, kPolicy)};
  std::string text = WritePolicyYaml(doc);
  auto again = policy::ParsePolicyText(text, "again.yaml");
  ASSERT_TRUE(again.ok()) << again.status().message() << "\n" << text;
  ASSERT_EQ(again->rules.size(), 4u);
  const policy::Rule& c = again->rules[2];
  EXPECT_EQ(c.addresses.size(), 3u);
  EXPECT_EQ(c.ports.size(), 2u);
  EXPECT_EQ(c.ports[1].hi, 8100);
  EXPECT_EQ(c.protocol, policy::Protocol::kUdp);
  EXPECT_EQ(c.err, 111);
  EXPECT_THAT(text, ::testing::HasSubstr("    addresses: [10.0.0.0/8, \"::1\", 192.0.2.1]\n"));
  // And written again from what was read: the same text.
  EXPECT_EQ(WritePolicyYaml({{"# h"}, *again, RulesWithComments(*again, text)}), text);
}

}  // namespace
}  // namespace warden::learn
