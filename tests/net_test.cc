// Network events from a real loopback conversation: TCP and UDP on
// 127.0.0.1, an abstract AF_UNIX socket, and AF_UNIX sockets named by
// relative paths (recorded absolute).
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

using ::testing::ElementsAre;

class NetTest : public IntegrationTest {
 protected:
  // family, sock_type, direction, address, port, errno of the rows for
  // `syscall`, in order.
  Rows NetRows(const std::string& syscall) {
    return Query("SELECT family, sock_type, direction, coalesce(address, ''), "
                 "coalesce(port, -1), errno FROM net_events WHERE syscall=" +
                 Sql(syscall) + " ORDER BY id");
  }
};

TEST_F(NetTest, TcpAndUdpOnLoopback) {
  ExitInfo r = RunWarden({Helper("connect_helper"), "tcp"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string port = Field(r.out, "port"), client = Field(r.out, "client");
  const std::string udp = Field(r.out, "udp"), sender = Field(r.out, "sender");
  ASSERT_FALSE(port.empty() || client.empty() || udp.empty() || sender.empty()) << r.out;
  const std::string dump = Dump();

  // Two binds, as the program asked: 127.0.0.1, port 0 (kernel's choice).
  EXPECT_THAT(NetRows("bind"),
              ElementsAre(ElementsAre("AF_INET", "SOCK_STREAM", "local", "127.0.0.1", "0", "0"),
                          ElementsAre("AF_INET", "SOCK_DGRAM", "local", "127.0.0.1", "0", "0")))
      << dump;
  // listen shows the port really listened on.
  EXPECT_THAT(NetRows("listen"),
              ElementsAre(ElementsAre("AF_INET", "SOCK_STREAM", "local", "127.0.0.1", port, "0")))
      << dump;
  EXPECT_THAT(NetRows("connect"),
              ElementsAre(ElementsAre("AF_INET", "SOCK_STREAM", "outbound", "127.0.0.1", port, "0")))
      << dump;
  // accept: the peer, i.e. the client's ephemeral port.
  EXPECT_THAT(NetRows("accept"),
              ElementsAre(ElementsAre("AF_INET", "SOCK_STREAM", "inbound", "127.0.0.1", client, "0")))
      << dump;
  EXPECT_THAT(NetRows("sendto"),
              ElementsAre(ElementsAre("AF_INET", "SOCK_DGRAM", "outbound", "127.0.0.1", udp, "0")))
      << dump;
  EXPECT_THAT(NetRows("recvfrom"),
              ElementsAre(ElementsAre("AF_INET", "SOCK_DGRAM", "inbound", "127.0.0.1", sender, "0")))
      << dump;
  // Every socket() is recorded with the fd it returned; later rows use it.
  EXPECT_EQ(QueryInt("SELECT count(*) FROM net_events WHERE syscall='socket' AND result>=0 "
                     "AND fd=result"),
            4)
      << dump;
  EXPECT_EQ(QueryOne("SELECT n.fd = s.fd FROM net_events n JOIN net_events s ON s.syscall='socket' "
                     "AND s.id=(SELECT max(id) FROM net_events WHERE syscall='socket' AND id<n.id "
                     "AND sock_type='SOCK_STREAM') WHERE n.syscall='connect'"),
            "1");
}

// accept4(fd, NULL, NULL), as Node/libuv accepts: the program asks for no
// peer address, and the peer is still recorded (asked of the kernel).
TEST_F(NetTest, AcceptWithoutAddressRecordsThePeer) {
  ExitInfo r = RunWarden({Helper("connect_helper"), "nullpeer"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string client = Field(r.out, "client");
  ASSERT_FALSE(client.empty()) << r.out;
  EXPECT_THAT(NetRows("accept4"),
              ElementsAre(ElementsAre("AF_INET", "SOCK_STREAM", "inbound", "127.0.0.1", client, "0")))
      << Dump();
}

TEST_F(NetTest, AbstractUnixSocket) {
  ExitInfo r = RunWarden({Helper("connect_helper"), "unix"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string name = Field(r.out, "name");
  ASSERT_EQ(name.rfind("@warden-itest-", 0), 0u) << r.out;
  const std::string dump = Dump();
  EXPECT_THAT(NetRows("bind"),
              ElementsAre(ElementsAre("AF_UNIX", "SOCK_STREAM", "local", name, "-1", "0")))
      << dump;
  EXPECT_THAT(NetRows("listen"),
              ElementsAre(ElementsAre("AF_UNIX", "SOCK_STREAM", "local", name, "-1", "0")))
      << dump;
  EXPECT_THAT(NetRows("connect"),
              ElementsAre(ElementsAre("AF_UNIX", "SOCK_STREAM", "outbound", name, "-1", "0")))
      << dump;
  // The connecting socket has no name: accept has no peer address.
  EXPECT_THAT(NetRows("accept"),
              ElementsAre(ElementsAre("AF_UNIX", "SOCK_STREAM", "inbound", "", "-1", "0")))
      << dump;
}

// A relative AF_UNIX path is a file relative to the caller's cwd: recorded
// absolute, resolved against the cwd at the call (after a chdir too), like
// the paths of file_events (bench/fidelity.sh found them recorded as given).
TEST_F(NetTest, RelativeUnixPathsRecordedAbsolute) {
  ExitInfo r = RunWarden({Helper("connect_helper"), "path"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_EQ(Field(r.out, "done", 0), "done") << r.out;
  const std::string dump = Dump();
  const std::string s = dir() + "/sub/s.sock", d = dir() + "/sub/d.sock";
  EXPECT_THAT(NetRows("bind"),
              ElementsAre(ElementsAre("AF_UNIX", "SOCK_STREAM", "local", s, "-1", "0"),
                          ElementsAre("AF_UNIX", "SOCK_DGRAM", "local", d, "-1", "0")))
      << dump;
  EXPECT_THAT(NetRows("listen"),
              ElementsAre(ElementsAre("AF_UNIX", "SOCK_STREAM", "local", s, "-1", "0")))
      << dump;
  EXPECT_THAT(NetRows("connect"),
              ElementsAre(ElementsAre("AF_UNIX", "SOCK_STREAM", "outbound", s, "-1", "0")))
      << dump;
  EXPECT_THAT(NetRows("sendto"),
              ElementsAre(ElementsAre("AF_UNIX", "SOCK_DGRAM", "outbound", d, "-1", "0")))
      << dump;
}

}  // namespace
}  // namespace warden::itest
