#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "syscalls/decode.h"
#include "syscalls/fake_memory.h"

namespace warden::syscalls {
namespace {

template <class T>
std::string Bytes(const T& t, size_t len = sizeof(T)) {
  return std::string(reinterpret_cast<const char*>(&t), len);
}

sockaddr_in Inet(const char* ip, uint16_t port) {
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  inet_pton(AF_INET, ip, &sin.sin_addr);
  return sin;
}

TEST(DecodeSockAddrTest, Inet) {
  sockaddr_in sin = Inet("127.0.0.1", 8080);
  SockAddr sa = DecodeSockAddr(&sin, sizeof sin);
  EXPECT_EQ(sa.family, AF_INET);
  EXPECT_EQ(sa.address, "127.0.0.1");
  EXPECT_EQ(sa.port, 8080);
  EXPECT_FALSE(sa.unreadable);
  EXPECT_EQ(sa.text,
            "{sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr(\"127.0.0.1\")}");
}

TEST(DecodeSockAddrTest, Inet6WithScope) {
  sockaddr_in6 sin6{};
  sin6.sin6_family = AF_INET6;
  sin6.sin6_port = htons(443);
  sin6.sin6_scope_id = 2;
  inet_pton(AF_INET6, "::1", &sin6.sin6_addr);
  SockAddr sa = DecodeSockAddr(&sin6, sizeof sin6);
  EXPECT_EQ(sa.family, AF_INET6);
  EXPECT_EQ(sa.address, "::1");
  EXPECT_EQ(sa.port, 443);
  EXPECT_EQ(sa.text,
            "{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), "
            "inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=2}");
  // The RFC 2133 form, 24 bytes, has no scope id.
  SockAddr old = DecodeSockAddr(&sin6, 24);
  EXPECT_EQ(old.address, "::1");
  EXPECT_EQ(old.text.find("scope"), std::string::npos);
}

TEST(DecodeSockAddrTest, UnixPath) {
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  std::strcpy(sun.sun_path, "/tmp/sock");
  SockAddr sa = DecodeSockAddr(&sun, offsetof(sockaddr_un, sun_path) + 10);
  EXPECT_EQ(sa.family, AF_UNIX);
  EXPECT_EQ(sa.address, "/tmp/sock");
  EXPECT_EQ(sa.port, -1);
  EXPECT_EQ(sa.text, "{sa_family=AF_UNIX, sun_path=\"/tmp/sock\"}");
  // Callers often pass sizeof(sockaddr_un): the path still ends at its NUL.
  EXPECT_EQ(DecodeSockAddr(&sun, sizeof sun).address, "/tmp/sock");
}

TEST(DecodeSockAddrTest, UnixAbstractLengthFromAddrlen) {
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  std::memcpy(sun.sun_path, "\0abstract", 9);
  SockAddr sa = DecodeSockAddr(&sun, offsetof(sockaddr_un, sun_path) + 9);
  EXPECT_EQ(sa.address, "@abstract");
  EXPECT_EQ(sa.text, "{sa_family=AF_UNIX, sun_path=@\"abstract\"}");
  // Abstract names may hold NULs; addrlen, not a NUL, ends them.
  std::memcpy(sun.sun_path, "\0a\0b", 4);
  sa = DecodeSockAddr(&sun, offsetof(sockaddr_un, sun_path) + 4);
  EXPECT_EQ(sa.address, std::string("@a\0b", 4));
  EXPECT_EQ(sa.text, "{sa_family=AF_UNIX, sun_path=@\"a\\x00b\"}");
}

TEST(DecodeSockAddrTest, UnixUnnamed) {
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  SockAddr sa = DecodeSockAddr(&sun, sizeof(sa_family_t));
  EXPECT_EQ(sa.family, AF_UNIX);
  EXPECT_EQ(sa.address, "");
  EXPECT_EQ(sa.text, "{sa_family=AF_UNIX}");
}

TEST(DecodeSockAddrTest, Netlink) {
  sockaddr_nl nl{};
  nl.nl_family = AF_NETLINK;
  nl.nl_pid = 1234;
  nl.nl_groups = 0x10;
  SockAddr sa = DecodeSockAddr(&nl, sizeof nl);
  EXPECT_EQ(sa.family, AF_NETLINK);
  EXPECT_EQ(sa.address, "pid=1234,groups=0x10");
  EXPECT_EQ(sa.text, "{sa_family=AF_NETLINK, nl_pid=1234, nl_groups=00000010}");
}

TEST(DecodeSockAddrTest, TruncatedLengthFallsBackToRawBytes) {
  sockaddr_in sin = Inet("10.0.0.1", 80);
  SockAddr sa = DecodeSockAddr(&sin, 4);  // family + port, no address
  EXPECT_EQ(sa.family, AF_INET);
  EXPECT_EQ(sa.address, "");
  EXPECT_EQ(sa.port, -1);
  EXPECT_EQ(sa.text, "{sa_family=AF_INET, sa_data=\"\\x00P\"}");
}

TEST(DecodeSockAddrTest, TooShortForAFamily) {
  unsigned char one = AF_INET;
  SockAddr sa = DecodeSockAddr(&one, 1);
  EXPECT_EQ(sa.family, -1);
  EXPECT_TRUE(sa.unreadable);
  EXPECT_TRUE(DecodeSockAddr(nullptr, 16).unreadable);
}

TEST(DecodeSockAddrTest, OtherFamilyShowsBytes) {
  sockaddr sa_raw{};
  sa_raw.sa_family = AF_PACKET;
  std::memcpy(sa_raw.sa_data, "ab", 2);
  SockAddr sa = DecodeSockAddr(&sa_raw, 4);
  EXPECT_EQ(sa.family, AF_PACKET);
  EXPECT_EQ(sa.text, "{sa_family=AF_PACKET, sa_data=\"ab\"}");
}

TEST(ReadSockAddrTest, FromMemory) {
  FakeMemory mem;
  sockaddr_in sin = Inet("192.168.1.2", 53);
  mem.PutBytes(0x40000, Bytes(sin));
  SockAddr sa = ReadSockAddr(mem, 0x40000, sizeof sin);
  EXPECT_EQ(sa.address, "192.168.1.2");
  EXPECT_EQ(sa.port, 53);
}

TEST(ReadSockAddrTest, NullAndUnreadable) {
  FakeMemory mem;
  SockAddr sa = ReadSockAddr(mem, 0, 16);
  EXPECT_TRUE(sa.unreadable);
  EXPECT_EQ(sa.family, -1);
  EXPECT_EQ(sa.text, "NULL");
  sa = ReadSockAddr(mem, 0x1234, 16);
  EXPECT_TRUE(sa.unreadable);
  EXPECT_EQ(sa.text, "<unreadable 0x1234>");
}

TEST(ReadSockAddrTest, GarbageLengthReadsOnlyWhatExists) {
  FakeMemory mem;
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  std::strcpy(sun.sun_path, "/s");
  // Only family + "/s\0" is mapped; the tracee claims 4 GiB.
  mem.PutBytes(0x50000, Bytes(sun, 5));
  SockAddr sa = ReadSockAddr(mem, 0x50000, 0xffffffff);
  EXPECT_EQ(sa.family, AF_UNIX);
  EXPECT_EQ(sa.address, "/s");
  for (const auto& c : mem.calls()) EXPECT_LE(c.len, sizeof(sockaddr_storage));
}

}  // namespace
}  // namespace warden::syscalls
