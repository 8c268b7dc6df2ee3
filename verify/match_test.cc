#include "verify/match.h"

#include "gtest/gtest.h"
#include "verify/test_items.h"

namespace warden::verify {
namespace {

using learn::Kind;
using testing::MakeItem;

TEST(MatchTest, Peers) {
  auto p = ParsePeer("[fe80::1]:*");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->address, "fe80::1");
  EXPECT_FALSE(p->port);
  EXPECT_EQ(ParsePeer("10.0.0.1:443")->port, 443);
  for (std::string_view bad : {"10.0.0.1", ":80", "::1:80", "[]:80", "[::1]80", "1.2.3.4:x", "1.2.3.4:-1",
                               "1.2.3.4:65536", "1.2.3.4:"})
    EXPECT_FALSE(ParsePeer(bad)) << bad;
  EXPECT_TRUE(PeerMatch(*ParsePeer("10.0.0.*:443"), "10.0.0.9:443"));
  EXPECT_FALSE(PeerMatch(*ParsePeer("10.0.0.*:443"), "10.0.1.9:443"));
  EXPECT_FALSE(PeerMatch(*ParsePeer("10.0.0.1:443"), "10.0.0.1:*"));  // any port is more than one
  EXPECT_TRUE(PeerMatch(*ParsePeer("10.0.0.1:*"), "10.0.0.1:*"));
}

TEST(MatchTest, Programs) {
  ExpectedItem e{Kind::kExec, "sh", "/usr/bin/*", false, ""};
  EXPECT_TRUE(Matches(e, MakeItem(Kind::kExec, "/bin/sh", "/usr/bin/id")));
  EXPECT_FALSE(Matches(e, MakeItem(Kind::kExec, "/bin/bash", "/usr/bin/id")));
  EXPECT_FALSE(Matches(e, MakeItem(Kind::kExec, "/bin/sh", "/usr/bin/x/id")));
  e.program = "/usr/bin/python3*";
  EXPECT_TRUE(Matches(e, MakeItem(Kind::kExec, "/usr/bin/python3.11", "/usr/bin/id")));
  e.program = "/usr/bin/a\\*b";  // a literal '*' in a program's name, escaped
  EXPECT_TRUE(Matches(e, MakeItem(Kind::kExec, "/usr/bin/a*b", "/usr/bin/id")));
  EXPECT_FALSE(Matches(e, MakeItem(Kind::kExec, "/usr/bin/axb", "/usr/bin/id")));
}

TEST(MatchTest, LiteralItemsAreTheOnesOnlyEqualTextMatches) {
  EXPECT_TRUE(IsLiteral({Kind::kFileRead, "/bin/cat", "/etc/hosts", false, ""}));
  EXPECT_TRUE(IsLiteral({Kind::kConnect, "/bin/nc", "[::1]:80", false, ""}));
  EXPECT_FALSE(IsLiteral({Kind::kFileRead, "cat", "/etc/hosts", false, ""}));  // a base name
  EXPECT_FALSE(IsLiteral({Kind::kFileRead, "/bin/cat", "/etc/*", false, ""}));
  EXPECT_FALSE(IsLiteral({Kind::kFileRead, "/bin/cat", "/tmp/a\\*", false, ""}));
  EXPECT_FALSE(IsLiteral({Kind::kConnect, "/bin/nc", "[::1]:*", false, ""}));
  EXPECT_FALSE(IsLiteral({Kind::kConnect, "/bin/nc", "10.*:80", false, ""}));
}

// The Matcher (hash lookup + patterns) says what Matches says, item by item.
TEST(MatchTest, MatcherAgreesWithMatches) {
  std::vector<ExpectedItem> expected = {{Kind::kFileRead, "/bin/cat", "/etc/hosts", false, ""},
                                        {Kind::kFileRead, "cat", "/etc/*", false, ""},
                                        {Kind::kFileRead, "/bin/cat", "/etc/hosts", true, "dup"},
                                        {Kind::kFileWrite, "*", "/tmp/**", false, ""},
                                        {Kind::kConnect, "/bin/nc", "127.0.0.1:*", false, ""},
                                        {Kind::kConnect, "/bin/nc", "[::1]:80", false, ""}};
  std::vector<learn::Item> observed = {
      MakeItem(Kind::kFileRead, "/bin/cat", "/etc/hosts"),   MakeItem(Kind::kFileRead, "/usr/bin/cat", "/etc/passwd"),
      MakeItem(Kind::kFileRead, "/bin/cat", "/etc/x/y"),     MakeItem(Kind::kFileWrite, "/bin/cat", "/etc/hosts"),
      MakeItem(Kind::kFileWrite, "/bin/sh", "/tmp/a/b"),     MakeItem(Kind::kConnect, "/bin/nc", "127.0.0.1:9"),
      MakeItem(Kind::kConnect, "/bin/nc", "[::1]:80"),       MakeItem(Kind::kConnect, "/bin/nc", "[::1]:81"),
      MakeItem(Kind::kListen, "/bin/nc", "127.0.0.1:9")};
  Matcher matcher(expected);
  for (const auto& o : observed) {
    std::vector<bool> seen(expected.size());
    bool any = matcher.Observe(o, seen);
    bool want_any = false;
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(seen[i], Matches(expected[i], o)) << o.target << " vs item " << i;
      want_any = want_any || Matches(expected[i], o);
    }
    EXPECT_EQ(any, want_any) << o.target;
  }
}

}  // namespace
}  // namespace warden::verify
