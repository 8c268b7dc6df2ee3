// What the compact storage (schema 4 and 5, warden-db(5) STORAGE) does
// with real traced calls: the recorder's file, network and syscall events
// of one call land in one calls row, so the views share its id, and every
// view still shows each event whole. The merge depends on the order in
// which the recorder submits a call's events; if that order changed, the
// database would silently grow: these tests would fail.
#include <string>

#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

class StoreLayoutTest : public IntegrationTest {};

TEST_F(StoreLayoutTest, FileAndSyscallEventsOfACallShareOneRow) {
  ExitInfo r = RunWarden({"/bin/cat", "/etc/hostname"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The open of /etc/hostname: one file event, one syscall event, one row.
  Rows rows = Query(
      "SELECT f.op, s.name, s.args, s.result = f.result FROM file_events f "
      "JOIN syscall_events s USING (id) WHERE f.path = '/etc/hostname'");
  ASSERT_EQ(rows.size(), 1u) << Dump();
  EXPECT_EQ(rows[0][0], "read");
  EXPECT_EQ(rows[0][1], "openat");
  EXPECT_EQ(rows[0][2].rfind("AT_FDCWD, \"/etc/hostname\", O_RDONLY", 0), 0u) << rows[0][2];
  EXPECT_EQ(rows[0][3], "1");
  // Every file event of the run shares its row with its syscall event.
  EXPECT_EQ(QueryInt("SELECT count(*) FROM file_events WHERE id NOT IN "
                     "(SELECT id FROM syscall_events)"),
            0)
      << Dump();
  EXPECT_EQ(QueryInt("SELECT count(*) FROM calls"), QueryInt("SELECT count(*) FROM syscall_events"));
}

TEST_F(StoreLayoutTest, NetworkAndSyscallEventsOfACallShareOneRow) {
  ExitInfo r = RunWarden({Helper("connect_helper"), "tcp"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string port = Field(r.out, "port");
  ASSERT_FALSE(port.empty()) << r.out;
  Rows rows = Query(
      "SELECT n.address, n.port, s.name FROM net_events n JOIN syscall_events s USING (id) "
      "WHERE n.syscall = 'connect' AND n.family = 'AF_INET'");
  ASSERT_EQ(rows.size(), 1u) << Dump();
  EXPECT_EQ(rows[0][0], "127.0.0.1");
  EXPECT_EQ(rows[0][1], port);
  EXPECT_EQ(rows[0][2], "connect");
  EXPECT_EQ(QueryInt("SELECT count(*) FROM net_events WHERE id NOT IN "
                     "(SELECT id FROM syscall_events)"),
            0)
      << Dump();
}

}  // namespace
}  // namespace warden::itest
