#include "policy/cidr.h"

#include <sys/socket.h>

#include "gtest/gtest.h"

namespace warden::policy {
namespace {

Cidr Net(std::string_view s) {
  auto n = ParseCidr(s);
  EXPECT_TRUE(n.ok()) << s << ": " << n.status();
  return n.ok() ? *n : Cidr{};
}

TEST(CidrTest, Ipv4Networks) {
  EXPECT_TRUE(CidrContains(Net("10.0.0.0/8"), "10.1.2.3"));
  EXPECT_FALSE(CidrContains(Net("10.0.0.0/8"), "11.0.0.1"));
  EXPECT_TRUE(CidrContains(Net("192.168.1.7"), "192.168.1.7"));
  EXPECT_FALSE(CidrContains(Net("192.168.1.7"), "192.168.1.8"));
  EXPECT_TRUE(CidrContains(Net("0.0.0.0/0"), "8.8.8.8"));
  EXPECT_TRUE(CidrContains(Net("172.16.0.0/12"), "172.31.255.255"));
  EXPECT_FALSE(CidrContains(Net("172.16.0.0/12"), "172.32.0.0"));
}

TEST(CidrTest, Ipv6AndMappedAddresses) {
  EXPECT_TRUE(CidrContains(Net("::1"), "::1"));
  EXPECT_TRUE(CidrContains(Net("fd00::/8"), "fd12:3456::1"));
  EXPECT_FALSE(CidrContains(Net("fd00::/8"), "fe80::1"));
  // A dual-stack socket's IPv4 peer.
  EXPECT_TRUE(CidrContains(Net("127.0.0.0/8"), "::ffff:127.0.0.1"));
  EXPECT_FALSE(CidrContains(Net("10.0.0.0/8"), "::ffff:127.0.0.1"));
  EXPECT_FALSE(CidrContains(Net("10.0.0.0/8"), "/tmp/sock"));
  EXPECT_FALSE(CidrContains(Net("::/0"), "10.0.0.1"));
}

TEST(CidrTest, BadNetworksSayWhatIsWrong) {
  auto bad = ParseCidr("10.0.0.300");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("not an IPv4 or IPv6 address"), std::string::npos);
  bad = ParseCidr("10.0.0.0/33");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("0-32"), std::string::npos);
  bad = ParseCidr("10.1.2.3/8");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("did you mean 10.0.0.0/8"), std::string::npos);
  EXPECT_FALSE(ParseCidr("fd00::/129").ok());
  EXPECT_EQ(FormatCidr(Net("fd00::/8")), "fd00::/8");
}

TEST(CidrTest, Ports) {
  auto p = ParsePortRange("80");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->lo, 80);
  EXPECT_EQ(p->hi, 80);
  p = ParsePortRange("8000-8100");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->lo, 8000);
  EXPECT_EQ(p->hi, 8100);
  EXPECT_FALSE(ParsePortRange("70000").ok());
  EXPECT_FALSE(ParsePortRange("90-80").ok());
  EXPECT_FALSE(ParsePortRange("http").ok());
  EXPECT_FALSE(ParsePortRange("").ok());
}

}  // namespace
}  // namespace warden::policy
