#include <sys/wait.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include "syscalls/decode.h"

namespace warden::syscalls {
namespace {

TEST(DecodeOpenFlagsTest, AccessModeComesFirst) {
  EXPECT_EQ(DecodeOpenFlags(O_WRONLY | O_CREAT | O_TRUNC), "O_WRONLY|O_CREAT|O_TRUNC");
  EXPECT_EQ(DecodeOpenFlags(O_RDONLY | O_CLOEXEC), "O_RDONLY|O_CLOEXEC");
  EXPECT_EQ(DecodeOpenFlags(O_RDONLY), "O_RDONLY");
  EXPECT_EQ(DecodeOpenFlags(O_RDWR | O_APPEND | O_NONBLOCK), "O_RDWR|O_APPEND|O_NONBLOCK");
  EXPECT_EQ(DecodeOpenFlags(3), "O_ACCMODE");
}

TEST(DecodeOpenFlagsTest, CompositesPrintAsThemselves) {
  EXPECT_EQ(DecodeOpenFlags(O_RDWR | O_TMPFILE), "O_RDWR|O_TMPFILE");
  EXPECT_EQ(DecodeOpenFlags(O_WRONLY | O_SYNC), "O_WRONLY|O_SYNC");
  EXPECT_EQ(DecodeOpenFlags(O_WRONLY | O_DSYNC), "O_WRONLY|O_DSYNC");
  EXPECT_EQ(DecodeOpenFlags(O_RDONLY | O_DIRECTORY), "O_RDONLY|O_DIRECTORY");
}

TEST(DecodeOpenFlagsTest, KernelValuesAndUnknownBits) {
  // glibc's x86_64 O_LARGEFILE is 0; the kernel's is 0100000.
  EXPECT_EQ(DecodeOpenFlags(0100000), "O_RDONLY|O_LARGEFILE");
  EXPECT_EQ(DecodeOpenFlags(O_PATH | O_NOFOLLOW), "O_RDONLY|O_NOFOLLOW|O_PATH");
  EXPECT_EQ(DecodeOpenFlags(0x40000000), "O_RDONLY|0x40000000");
  EXPECT_EQ(DecodeOpenFlags(O_WRONLY | O_CREAT | 0x40000000), "O_WRONLY|O_CREAT|0x40000000");
}

TEST(DecodeWaitOptionsTest, Flags) {
  EXPECT_EQ(DecodeWaitOptions(0), "0");
  EXPECT_EQ(DecodeWaitOptions(WNOHANG | __WALL), "WNOHANG|__WALL");
  EXPECT_EQ(DecodeWaitOptions(WEXITED | WNOWAIT), "WEXITED|WNOWAIT");
  EXPECT_EQ(DecodeWaitOptions(0x100), "0x100");
}

TEST(DecodeAtFlagsTest, Flags) {
  EXPECT_EQ(DecodeAtFlags(0), "0");
  EXPECT_EQ(DecodeAtFlags(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH), "AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH");
  EXPECT_EQ(DecodeAtFlags(AT_REMOVEDIR), "AT_REMOVEDIR");
  EXPECT_EQ(DecodeAtFlags(0x4000 | 0x8000), "AT_STATX_DONT_SYNC|AT_RECURSIVE");
  EXPECT_EQ(DecodeAtFlags(0x1), "0x1");
}

TEST(DecodeDirFdTest, AtFdcwdAsInt32) {
  EXPECT_EQ(DecodeDirFd(0xffffff9c), "AT_FDCWD");          // zero-extended int
  EXPECT_EQ(DecodeDirFd(0xffffffffffffff9c), "AT_FDCWD");  // sign-extended
  EXPECT_EQ(DecodeDirFd(3), "3");
  EXPECT_EQ(DecodeDirFd(0xffffffff), "-1");
}

TEST(DecodeModeTest, OctalAndFileType) {
  EXPECT_EQ(DecodeMode(0644), "0644");
  EXPECT_EQ(DecodeMode(0), "000");
  EXPECT_EQ(DecodeMode(07), "007");
  EXPECT_EQ(DecodeMode(04755), "04755");
  EXPECT_EQ(DecodeMode(01777), "01777");
  EXPECT_EQ(DecodeMode(S_IFREG | 0644), "S_IFREG|0644");
  EXPECT_EQ(DecodeMode(S_IFDIR | 0755), "S_IFDIR|0755");
  EXPECT_EQ(DecodeMode(S_IFIFO | 0600), "S_IFIFO|0600");
  EXPECT_EQ(DecodeMode(S_IFSOCK), "S_IFSOCK|000");
}

TEST(DecodeAccessModeTest, Modes) {
  EXPECT_EQ(DecodeAccessMode(F_OK), "F_OK");
  EXPECT_EQ(DecodeAccessMode(R_OK | W_OK), "R_OK|W_OK");
  EXPECT_EQ(DecodeAccessMode(R_OK | W_OK | X_OK), "R_OK|W_OK|X_OK");
  EXPECT_EQ(DecodeAccessMode(X_OK | 8), "X_OK|0x8");
}

TEST(DecodeFcntlCmdTest, Commands) {
  EXPECT_EQ(DecodeFcntlCmd(F_DUPFD), "F_DUPFD");
  EXPECT_EQ(DecodeFcntlCmd(F_SETFL), "F_SETFL");
  EXPECT_EQ(DecodeFcntlCmd(F_DUPFD_CLOEXEC), "F_DUPFD_CLOEXEC");
  EXPECT_EQ(DecodeFcntlCmd(F_SETPIPE_SZ), "F_SETPIPE_SZ");
  EXPECT_EQ(DecodeFcntlCmd(F_ADD_SEALS), "F_ADD_SEALS");
  EXPECT_EQ(DecodeFcntlCmd(F_OFD_SETLKW), "F_OFD_SETLKW");
  EXPECT_EQ(DecodeFcntlCmd(12), "F_GETLK64");
  EXPECT_EQ(DecodeFcntlCmd(999), "0x3e7");
}

TEST(DecodeCloneFlagsTest, FlagsThenExitSignal) {
  EXPECT_EQ(DecodeCloneFlags(CLONE_VM | CLONE_VFORK | SIGCHLD), "CLONE_VM|CLONE_VFORK|SIGCHLD");
  EXPECT_EQ(DecodeCloneFlags(CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | SIGCHLD),
            "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
  EXPECT_EQ(DecodeCloneFlags(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
                             CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
                             CLONE_CHILD_CLEARTID),
            "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|"
            "CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID");
  EXPECT_EQ(DecodeCloneFlags(SIGCHLD), "SIGCHLD");
  EXPECT_EQ(DecodeCloneFlags(0), "0");
  EXPECT_EQ(DecodeCloneFlags(CLONE_NEWUSER | CLONE_NEWPID | 0), "CLONE_NEWUSER|CLONE_NEWPID");
  // 0x80 in clone's low byte is signal 128, not CLONE_NEWTIME.
  EXPECT_EQ(DecodeCloneFlags(CLONE_VM | 0x80), "CLONE_VM|128");
}

TEST(DecodeCloneFlagsTest, Clone3Has64BitFlagsAndNewtime) {
  EXPECT_EQ(DecodeClone3Flags(0x80 | CLONE_NEWNS), "CLONE_NEWTIME|CLONE_NEWNS");
  EXPECT_EQ(DecodeClone3Flags(CLONE_PIDFD | 0x100000000ULL | 0x200000000ULL),
            "CLONE_PIDFD|CLONE_CLEAR_SIGHAND|CLONE_INTO_CGROUP");
  EXPECT_EQ(DecodeClone3Flags(0x400000000ULL), "0x400000000");
}

TEST(DecodeMmapTest, Prot) {
  EXPECT_EQ(DecodeMmapProt(PROT_NONE), "PROT_NONE");
  EXPECT_EQ(DecodeMmapProt(PROT_READ | PROT_WRITE), "PROT_READ|PROT_WRITE");
  EXPECT_EQ(DecodeMmapProt(PROT_READ | PROT_EXEC), "PROT_READ|PROT_EXEC");
  EXPECT_EQ(DecodeMmapProt(PROT_READ | 0x10), "PROT_READ|0x10");
}

TEST(DecodeMmapTest, Flags) {
  EXPECT_EQ(DecodeMmapFlags(MAP_PRIVATE | MAP_ANONYMOUS), "MAP_PRIVATE|MAP_ANONYMOUS");
  EXPECT_EQ(DecodeMmapFlags(MAP_PRIVATE | MAP_FIXED | MAP_DENYWRITE),
            "MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE");
  EXPECT_EQ(DecodeMmapFlags(MAP_SHARED_VALIDATE | MAP_SYNC), "MAP_SHARED_VALIDATE|MAP_SYNC");
  EXPECT_EQ(DecodeMmapFlags(MAP_PRIVATE | MAP_FIXED_NOREPLACE), "MAP_PRIVATE|MAP_FIXED_NOREPLACE");
  EXPECT_EQ(DecodeMmapFlags(MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_GROWSDOWN),
            "MAP_PRIVATE|MAP_ANONYMOUS|MAP_GROWSDOWN|MAP_STACK");
}

TEST(DecodeMmapTest, HugetlbPageSize) {
  EXPECT_EQ(DecodeMmapFlags(MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB),
            "MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB");
  // 21 << MAP_HUGE_SHIFT is MAP_HUGE_2MB.
  EXPECT_EQ(DecodeMmapFlags(MAP_PRIVATE | MAP_HUGETLB | (21u << 26)),
            "MAP_PRIVATE|MAP_HUGETLB|21<<MAP_HUGE_SHIFT");
  // Without MAP_HUGETLB bit 26 is MAP_UNINITIALIZED.
  EXPECT_EQ(DecodeMmapFlags(MAP_PRIVATE | 0x4000000), "MAP_PRIVATE|MAP_UNINITIALIZED");
}

TEST(DecodeSocketTest, Domains) {
  EXPECT_EQ(DecodeSocketDomain(AF_UNIX), "AF_UNIX");
  EXPECT_EQ(DecodeSocketDomain(AF_INET), "AF_INET");
  EXPECT_EQ(DecodeSocketDomain(AF_INET6), "AF_INET6");
  EXPECT_EQ(DecodeSocketDomain(AF_NETLINK), "AF_NETLINK");
  EXPECT_EQ(DecodeSocketDomain(AF_VSOCK), "AF_VSOCK");
  EXPECT_EQ(DecodeSocketDomain(45), "AF_MCTP");
  EXPECT_EQ(DecodeSocketDomain(46), "46");
}

TEST(DecodeSocketTest, TypesWithFlags) {
  EXPECT_EQ(DecodeSocketType(SOCK_STREAM), "SOCK_STREAM");
  EXPECT_EQ(DecodeSocketType(SOCK_STREAM | SOCK_CLOEXEC), "SOCK_STREAM|SOCK_CLOEXEC");
  EXPECT_EQ(DecodeSocketType(SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC),
            "SOCK_DGRAM|SOCK_NONBLOCK|SOCK_CLOEXEC");
  EXPECT_EQ(DecodeSocketType(SOCK_RAW | 0x100), "SOCK_RAW|0x100");
}

TEST(DecodeSocketTest, ProtocolsDependOnDomain) {
  EXPECT_EQ(DecodeSocketProtocol(AF_INET, 6), "IPPROTO_TCP");
  EXPECT_EQ(DecodeSocketProtocol(AF_INET6, 17), "IPPROTO_UDP");
  EXPECT_EQ(DecodeSocketProtocol(AF_INET, 0), "IPPROTO_IP");
  EXPECT_EQ(DecodeSocketProtocol(AF_INET6, 58), "IPPROTO_ICMPV6");
  EXPECT_EQ(DecodeSocketProtocol(AF_NETLINK, 0), "NETLINK_ROUTE");
  EXPECT_EQ(DecodeSocketProtocol(AF_NETLINK, 9), "NETLINK_AUDIT");
  EXPECT_EQ(DecodeSocketProtocol(AF_UNIX, 0), "0");
  EXPECT_EQ(DecodeSocketProtocol(AF_INET, 200), "200");
}

TEST(DecodeMiscTest, WhenceRenameMsg) {
  EXPECT_EQ(DecodeWhence(SEEK_SET), "SEEK_SET");
  EXPECT_EQ(DecodeWhence(SEEK_END), "SEEK_END");
  EXPECT_EQ(DecodeWhence(4), "SEEK_HOLE");
  EXPECT_EQ(DecodeWhence(9), "9");
  EXPECT_EQ(DecodeRenameFlags(0), "0");
  EXPECT_EQ(DecodeRenameFlags(1 | 4), "RENAME_NOREPLACE|RENAME_WHITEOUT");
  EXPECT_EQ(DecodeMsgFlags(0), "0");
  EXPECT_EQ(DecodeMsgFlags(MSG_DONTWAIT | MSG_NOSIGNAL), "MSG_DONTWAIT|MSG_NOSIGNAL");
  EXPECT_EQ(DecodeMsgFlags(MSG_CMSG_CLOEXEC), "MSG_CMSG_CLOEXEC");
}

TEST(DecodeMiscTest, IoctlPrctlPtraceFutexClock) {
  EXPECT_EQ(DecodeIoctlCmd(0x5401), "TCGETS");
  EXPECT_EQ(DecodeIoctlCmd(0xc0184800), "0xc0184800");
  EXPECT_EQ(DecodePrctlOption(38), "PR_SET_NO_NEW_PRIVS");
  EXPECT_EQ(DecodePrctlOption(0x59616d61), "PR_SET_PTRACER");
  EXPECT_EQ(DecodePtraceRequest(0x4206), "PTRACE_SEIZE");
  EXPECT_EQ(DecodePtraceRequest(0), "PTRACE_TRACEME");
  EXPECT_EQ(DecodeFutexOp(0), "FUTEX_WAIT");
  EXPECT_EQ(DecodeFutexOp(0x80 | 1), "FUTEX_WAKE_PRIVATE");
  EXPECT_EQ(DecodeFutexOp(0x100 | 0x80 | 9), "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME");
  EXPECT_EQ(DecodeClockId(1), "CLOCK_MONOTONIC");
  EXPECT_EQ(DecodeClockId(11), "CLOCK_TAI");
  EXPECT_EQ(DecodeClockId(0xfffffffe), "-2");
}

// The tables hold literal kernel values; where the installed headers agree
// with the kernel, check them against the headers.
TEST(DecodeFlagsTablesTest, MatchSystemHeaders) {
  EXPECT_EQ(DecodeOpenFlags(O_NOATIME), "O_RDONLY|O_NOATIME");
  EXPECT_EQ(DecodeOpenFlags(O_DIRECT), "O_RDONLY|O_DIRECT");
  EXPECT_EQ(DecodeOpenFlags(O_ASYNC), "O_RDONLY|O_ASYNC");
  EXPECT_EQ(DecodeOpenFlags(O_NOCTTY | O_EXCL), "O_RDONLY|O_EXCL|O_NOCTTY");
  EXPECT_EQ(DecodeAtFlags(AT_SYMLINK_FOLLOW | AT_NO_AUTOMOUNT), "AT_SYMLINK_FOLLOW|AT_NO_AUTOMOUNT");
  EXPECT_EQ(DecodeAtFlags(AT_EACCESS), "AT_REMOVEDIR");  // same value: unlinkat's meaning
  EXPECT_EQ(DecodeAccessAtFlags(AT_EACCESS | AT_SYMLINK_NOFOLLOW),
            "AT_SYMLINK_NOFOLLOW|AT_EACCESS");
  EXPECT_EQ(DecodeCloneFlags(CLONE_IO | CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_UNTRACED),
            "CLONE_UNTRACED|CLONE_NEWCGROUP|CLONE_NEWNET|CLONE_IO");
  EXPECT_EQ(DecodeMmapFlags(MAP_SHARED | MAP_POPULATE | MAP_NORESERVE | MAP_LOCKED),
            "MAP_SHARED|MAP_LOCKED|MAP_NORESERVE|MAP_POPULATE");
  EXPECT_EQ(DecodeFcntlCmd(F_GET_SEALS), "F_GET_SEALS");
  EXPECT_EQ(DecodeFcntlCmd(F_OFD_GETLK), "F_OFD_GETLK");
  EXPECT_EQ(DecodeSocketDomain(AF_PACKET), "AF_PACKET");
  EXPECT_EQ(DecodeSocketDomain(AF_XDP), "AF_XDP");
  EXPECT_EQ(DecodeSocketType(SOCK_SEQPACKET), "SOCK_SEQPACKET");
}

}  // namespace
}  // namespace warden::syscalls
