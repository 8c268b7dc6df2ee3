#include "dryrun/describe.h"

#include <fcntl.h>
#include <sys/socket.h>

#include "gtest/gtest.h"
#include "syscalls/decode.h"
#include "syscalls/syscall_table.h"

namespace warden::dryrun {
namespace {

using policy::FileAccess;
using policy::NetKind;
using syscalls::Abi;

RecordedCall Sys(std::string_view name, Abi abi = Abi::kX86_64) {
  RecordedCall r;
  r.ts_ns = 100;
  r.pid = 7;
  r.exe = "/usr/bin/dash";
  const auto* def = syscalls::ByName(abi, name);
  r.sys = SysPart{std::string(syscalls::AbiName(abi)), def ? def->nr : -1, std::string(name), "", 0, 0};
  return r;
}

RecordedCall Open(std::string_view name, std::string path, uint64_t flags) {
  RecordedCall r = Sys(name);
  r.file = FilePart{std::string(name), std::move(path), "read", syscalls::DecodeOpenFlags(flags), "", 3};
  return r;
}

TEST(ParseFlagsTest, GivesBackWhatTheDecoderPrinted) {
  for (uint64_t f : {uint64_t{O_RDONLY}, uint64_t{O_RDWR | O_CREAT}, uint64_t{O_WRONLY | O_TRUNC},
                     uint64_t{O_PATH | O_CLOEXEC}, uint64_t{3}, uint64_t{O_RDONLY | 0x40000000},
                     uint64_t{O_TMPFILE | O_RDWR}, uint64_t{O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW}})
    EXPECT_EQ(syscalls::ParseFlagsText(syscalls::DecodeOpenFlags(f)), f) << syscalls::DecodeOpenFlags(f);
}

// O_RDWR is judged by read and write rules, as the live gate's OpenAccess.
TEST(DescribeTest, OpenAccessFromTheRecordedFlags) {
  ProcessHistory h;
  struct Case {
    uint64_t flags;
    FileAccess access;
  } cases[] = {{O_RDONLY, FileAccess::kRead},     {O_WRONLY, FileAccess::kWrite},
               {O_RDWR, FileAccess::kReadWrite},  {O_RDONLY | O_CREAT, FileAccess::kReadWrite},
               {O_RDONLY | O_TRUNC, FileAccess::kReadWrite}, {O_PATH, FileAccess::kNone}};
  for (const Case& c : cases) {
    RecordedCall r = Open("openat", "/etc/x", c.flags);
    Described d;
    Describe(r, h, d);
    EXPECT_EQ(d.call.access, c.access) << r.file->flags;
    EXPECT_EQ(d.call.path, "/etc/x");
    EXPECT_EQ(d.call.args[2], c.flags);  // open's flags register, for argument matchers
  }
}

TEST(DescribeTest, FileUseFollowsTheEffectTable) {
  ProcessHistory h;
  RecordedCall stat = Sys("newfstatat");
  stat.file = FilePart{"newfstatat", "/etc/x", "stat", "", "", 0};
  Described d;
  Describe(stat, h, d);
  EXPECT_EQ(d.call.access, FileAccess::kNone);  // stat is not judged by file rules

  RecordedCall ren = Sys("renameat2");
  ren.file = FilePart{"renameat2", "/a", "rename", "", "/b", 0};
  Described d2;
  Describe(ren, h, d2);
  EXPECT_EQ(d2.call.access, FileAccess::kWrite);
  EXPECT_EQ(d2.call.path2, "/b");

  RecordedCall bad = Open("openat", "<unreadable 0x8>", O_RDONLY);
  Described d3;
  Describe(bad, h, d3);
  EXPECT_TRUE(d3.call.unreadable);  // fails closed, as live
}

// An exec is judged by the path executed; the caller's exec path (the
// alias program globs match) is the one its own image was executed by.
TEST(DescribeTest, ExecAndTheCallersExecPath) {
  ProcessHistory h;
  h.Start(ProcessRow{1, 7, 1, 7});
  h.Exec(7, "/bin/sh");
  RecordedCall r = Sys("execve");
  r.file = FilePart{"execve", "/usr/bin/id", "exec", "", "", 0};
  Described d;
  Describe(r, h, d);
  EXPECT_TRUE(d.call.exec);
  EXPECT_EQ(d.call.path, "/usr/bin/id");
  EXPECT_EQ(d.call.exe, "/usr/bin/dash");
  EXPECT_EQ(d.call.exe_alias, "/bin/sh");
}

TEST(DescribeTest, ConnectAndBind) {
  ProcessHistory h;
  RecordedCall c = Sys("connect");
  c.net = NetPart{"connect", "AF_INET6", "SOCK_DGRAM", "::1", 53, 3, 0};
  Described d;
  Describe(c, h, d);
  EXPECT_EQ(d.call.net, NetKind::kOutbound);
  EXPECT_EQ(d.call.family, AF_INET6);
  EXPECT_EQ(d.call.address, "::1");
  EXPECT_EQ(d.call.port, 53);
  EXPECT_EQ(d.call.protocol, policy::Protocol::kUdp);
  EXPECT_FALSE(d.protocol_unknown);

  RecordedCall s = Sys("sendto");  // on a connected socket: no destination
  s.net = NetPart{"sendto", "AF_INET", "SOCK_STREAM", "", -1, 3, 4};
  Described d2;
  Describe(s, h, d2);
  EXPECT_EQ(d2.call.net, NetKind::kNone);

  RecordedCall b = Sys("bind");
  b.net = NetPart{"bind", "AF_INET", "", "0.0.0.0", 8080, 3, 0};
  Described d3;
  Describe(b, h, d3);
  EXPECT_EQ(d3.call.net, NetKind::kBind);
  EXPECT_TRUE(d3.protocol_unknown);  // the socket was not seen
}

// accept: the peer from the event, the local port from the listening
// socket's listen in the same process, or in the parent that forked it.
TEST(DescribeTest, AcceptTakesTheListeningPort) {
  ProcessHistory h;
  h.Start(ProcessRow{1, 7, 1, 7});
  h.Bound(7, 3, 0);      // bind(port 0)
  h.Bound(7, 3, 41000);  // listen: the port the kernel picked
  h.Start(ProcessRow{2, 8, 7, 8});  // a forked worker inherits the socket
  RecordedCall a = Sys("accept4");
  a.pid = 8;
  a.net = NetPart{"accept4", "AF_INET", "SOCK_STREAM", "127.0.0.1", 50000, 3, 4};
  Described d;
  Describe(a, h, d);
  EXPECT_EQ(d.call.net, NetKind::kAccept);
  EXPECT_EQ(d.call.address, "127.0.0.1");
  EXPECT_EQ(d.call.port, 41000);
  EXPECT_FALSE(d.peer_unknown || d.port_unknown);

  a.net->address = "";  // accept(fd, NULL, NULL)
  a.net->fd = 9;        // a socket whose bind was not seen
  Described d2;
  Describe(a, h, d2);
  EXPECT_TRUE(d2.peer_unknown);
  EXPECT_TRUE(d2.port_unknown);

  a.net->result = -11;  // failed: nothing accepted, nothing judged (live: judged at exit)
  Described d3;
  Describe(a, h, d3);
  EXPECT_EQ(d3.call.net, NetKind::kNone);
}

// i386 socketcall: the network part names the inner call.
TEST(DescribeTest, SocketcallIsJudgedAsItsInnerCall) {
  ProcessHistory h;
  RecordedCall r = Sys("socketcall", Abi::kI386);
  r.net = NetPart{"connect", "AF_INET", "SOCK_STREAM", "10.0.0.1", 80, 3, 0};
  Described d;
  Describe(r, h, d);
  EXPECT_EQ(d.call.def->name, "socketcall");
  EXPECT_EQ(d.call.net, NetKind::kOutbound);
  EXPECT_EQ(d.call.protocol, policy::Protocol::kTcp);
}

}  // namespace
}  // namespace warden::dryrun
