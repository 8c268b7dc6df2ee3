// Integer and flag decoders. The values are the kernel's x86 (asm-generic)
// ones, written out like strace's xlat files rather than taken from libc
// headers: glibc differs from the kernel for some (O_LARGEFILE is 0 on
// x86_64) and lacks the newest. i386 and x86_64 share every value here.
#include <cstdint>
#include <optional>
#include <span>
#include <charconv>
#include <string>
#include <string_view>

#include "fmt/format.h"
#include "syscalls/decode.h"
#include "syscalls/flags.h"

namespace warden::syscalls {
namespace {

// ---- open(2) ----
constexpr uint64_t kAccMode = 03;
constexpr FlagName kOpenAccMode[] = {
    {00, "O_RDONLY"}, {01, "O_WRONLY"}, {02, "O_RDWR"}, {03, "O_ACCMODE"},
};
constexpr FlagName kOpenFlags[] = {
    {0100, "O_CREAT"},         {0200, "O_EXCL"},          {0400, "O_NOCTTY"},
    {01000, "O_TRUNC"},        {02000, "O_APPEND"},       {04000, "O_NONBLOCK"},
    {010000, "O_DSYNC"},       {020000, "O_ASYNC"},       {040000, "O_DIRECT"},
    {0100000, "O_LARGEFILE"},  {0200000, "O_DIRECTORY"},  {0400000, "O_NOFOLLOW"},
    {01000000, "O_NOATIME"},   {02000000, "O_CLOEXEC"},
    {04010000, "O_SYNC"},      // __O_SYNC|O_DSYNC: wider, so it wins over O_DSYNC
    {010000000, "O_PATH"},
    {020200000, "O_TMPFILE"},  // __O_TMPFILE|O_DIRECTORY
};

// ---- *at(2) flags ----
// 0x200 is AT_REMOVEDIR for unlinkat but AT_EACCESS for faccessat(2):
// DecodeAccessAtFlags has the faccessat meaning.
constexpr FlagName kAtFlags[] = {
    {0x100, "AT_SYMLINK_NOFOLLOW"}, {0x200, "AT_REMOVEDIR"},
    {0x400, "AT_SYMLINK_FOLLOW"},   {0x800, "AT_NO_AUTOMOUNT"},
    {0x1000, "AT_EMPTY_PATH"},      {0x2000, "AT_STATX_FORCE_SYNC"},
    {0x4000, "AT_STATX_DONT_SYNC"}, {0x8000, "AT_RECURSIVE"},
};
constexpr FlagName kAccessAtFlags[] = {
    {0x100, "AT_SYMLINK_NOFOLLOW"}, {0x200, "AT_EACCESS"}, {0x1000, "AT_EMPTY_PATH"},
};
constexpr int32_t kAtFdCwd = -100;

// ---- file mode ----
constexpr uint64_t kIfMt = 0170000;
constexpr FlagName kFileTypes[] = {
    {0140000, "S_IFSOCK"}, {0120000, "S_IFLNK"}, {0100000, "S_IFREG"},
    {0060000, "S_IFBLK"},  {0040000, "S_IFDIR"}, {0020000, "S_IFCHR"},
    {0010000, "S_IFIFO"},
};

constexpr FlagName kAccessModes[] = {{4, "R_OK"}, {2, "W_OK"}, {1, "X_OK"}};

// ---- fcntl(2) ----
constexpr FlagName kFcntlCmds[] = {
    {0, "F_DUPFD"},         {1, "F_GETFD"},          {2, "F_SETFD"},
    {3, "F_GETFL"},         {4, "F_SETFL"},          {5, "F_GETLK"},
    {6, "F_SETLK"},         {7, "F_SETLKW"},         {8, "F_SETOWN"},
    {9, "F_GETOWN"},        {10, "F_SETSIG"},        {11, "F_GETSIG"},
    {12, "F_GETLK64"},      {13, "F_SETLK64"},       {14, "F_SETLKW64"},  // i386 only
    {15, "F_SETOWN_EX"},    {16, "F_GETOWN_EX"},     {17, "F_GETOWNER_UIDS"},
    {36, "F_OFD_GETLK"},    {37, "F_OFD_SETLK"},     {38, "F_OFD_SETLKW"},
    {1024, "F_SETLEASE"},   {1025, "F_GETLEASE"},    {1026, "F_NOTIFY"},
    {1027, "F_DUPFD_QUERY"}, {1029, "F_CANCELLK"},   {1030, "F_DUPFD_CLOEXEC"},
    {1031, "F_SETPIPE_SZ"}, {1032, "F_GETPIPE_SZ"},  {1033, "F_ADD_SEALS"},
    {1034, "F_GET_SEALS"},  {1035, "F_GET_RW_HINT"}, {1036, "F_SET_RW_HINT"},
    {1037, "F_GET_FILE_RW_HINT"}, {1038, "F_SET_FILE_RW_HINT"},
};

// ---- clone(2) ----
constexpr uint64_t kCloneSignalMask = 0xff;  // CSIGNAL
constexpr FlagName kCloneFlags[] = {
    {0x00000080, "CLONE_NEWTIME"},  // clone3/unshare only: clone's 0x80 is the signal
    {0x00000100, "CLONE_VM"},             {0x00000200, "CLONE_FS"},
    {0x00000400, "CLONE_FILES"},          {0x00000800, "CLONE_SIGHAND"},
    {0x00001000, "CLONE_PIDFD"},          {0x00002000, "CLONE_PTRACE"},
    {0x00004000, "CLONE_VFORK"},          {0x00008000, "CLONE_PARENT"},
    {0x00010000, "CLONE_THREAD"},         {0x00020000, "CLONE_NEWNS"},
    {0x00040000, "CLONE_SYSVSEM"},        {0x00080000, "CLONE_SETTLS"},
    {0x00100000, "CLONE_PARENT_SETTID"},  {0x00200000, "CLONE_CHILD_CLEARTID"},
    {0x00400000, "CLONE_DETACHED"},       {0x00800000, "CLONE_UNTRACED"},
    {0x01000000, "CLONE_CHILD_SETTID"},   {0x02000000, "CLONE_NEWCGROUP"},
    {0x04000000, "CLONE_NEWUTS"},         {0x08000000, "CLONE_NEWIPC"},
    {0x10000000, "CLONE_NEWUSER"},        {0x20000000, "CLONE_NEWPID"},
    {0x40000000, "CLONE_NEWNET"},         {0x80000000, "CLONE_IO"},
    {0x100000000, "CLONE_CLEAR_SIGHAND"}, {0x200000000, "CLONE_INTO_CGROUP"},
};

// ---- mmap(2) ----
constexpr FlagName kMmapProt[] = {
    {0x1, "PROT_READ"},  {0x2, "PROT_WRITE"}, {0x4, "PROT_EXEC"},
    {0x8, "PROT_SEM"},   {0x01000000, "PROT_GROWSDOWN"}, {0x02000000, "PROT_GROWSUP"},
};
constexpr uint64_t kMapType = 0x0f;
constexpr FlagName kMapTypes[] = {
    {0x01, "MAP_SHARED"}, {0x02, "MAP_PRIVATE"}, {0x03, "MAP_SHARED_VALIDATE"},
};
constexpr uint64_t kMapHugetlb = 0x40000;
constexpr int kMapHugeShift = 26;
constexpr uint64_t kMapHugeMask = 0x3f;
constexpr FlagName kMapFlags[] = {
    {0x10, "MAP_FIXED"},          {0x20, "MAP_ANONYMOUS"},     {0x40, "MAP_32BIT"},
    {0x100, "MAP_GROWSDOWN"},     {0x800, "MAP_DENYWRITE"},    {0x1000, "MAP_EXECUTABLE"},
    {0x2000, "MAP_LOCKED"},       {0x4000, "MAP_NORESERVE"},   {0x8000, "MAP_POPULATE"},
    {0x10000, "MAP_NONBLOCK"},    {0x20000, "MAP_STACK"},      {0x40000, "MAP_HUGETLB"},
    {0x80000, "MAP_SYNC"},        {0x100000, "MAP_FIXED_NOREPLACE"},
    {0x4000000, "MAP_UNINITIALIZED"},
};

// ---- sockets ----
constexpr FlagName kSocketDomains[] = {
    {0, "AF_UNSPEC"},     {1, "AF_UNIX"},       {2, "AF_INET"},       {3, "AF_AX25"},
    {4, "AF_IPX"},        {5, "AF_APPLETALK"},  {6, "AF_NETROM"},     {7, "AF_BRIDGE"},
    {8, "AF_ATMPVC"},     {9, "AF_X25"},        {10, "AF_INET6"},     {11, "AF_ROSE"},
    {12, "AF_DECnet"},    {13, "AF_NETBEUI"},   {14, "AF_SECURITY"},  {15, "AF_KEY"},
    {16, "AF_NETLINK"},   {17, "AF_PACKET"},    {18, "AF_ASH"},       {19, "AF_ECONET"},
    {20, "AF_ATMSVC"},    {21, "AF_RDS"},       {22, "AF_SNA"},       {23, "AF_IRDA"},
    {24, "AF_PPPOX"},     {25, "AF_WANPIPE"},   {26, "AF_LLC"},       {27, "AF_IB"},
    {28, "AF_MPLS"},      {29, "AF_CAN"},       {30, "AF_TIPC"},      {31, "AF_BLUETOOTH"},
    {32, "AF_IUCV"},      {33, "AF_RXRPC"},     {34, "AF_ISDN"},      {35, "AF_PHONET"},
    {36, "AF_IEEE802154"}, {37, "AF_CAIF"},     {38, "AF_ALG"},       {39, "AF_NFC"},
    {40, "AF_VSOCK"},     {41, "AF_KCM"},       {42, "AF_QIPCRTR"},   {43, "AF_SMC"},
    {44, "AF_XDP"},       {45, "AF_MCTP"},
};
constexpr uint64_t kAfInet = 2, kAfInet6 = 10, kAfNetlink = 16;

constexpr uint64_t kSockTypeMask = 0xf;
constexpr FlagName kSocketTypes[] = {
    {1, "SOCK_STREAM"}, {2, "SOCK_DGRAM"},     {3, "SOCK_RAW"},   {4, "SOCK_RDM"},
    {5, "SOCK_SEQPACKET"}, {6, "SOCK_DCCP"},   {10, "SOCK_PACKET"},
};
constexpr FlagName kSocketTypeFlags[] = {{04000, "SOCK_NONBLOCK"}, {02000000, "SOCK_CLOEXEC"}};

constexpr FlagName kIpProtocols[] = {
    {0, "IPPROTO_IP"},      {1, "IPPROTO_ICMP"},    {2, "IPPROTO_IGMP"},
    {4, "IPPROTO_IPIP"},    {6, "IPPROTO_TCP"},     {8, "IPPROTO_EGP"},
    {12, "IPPROTO_PUP"},    {17, "IPPROTO_UDP"},    {22, "IPPROTO_IDP"},
    {29, "IPPROTO_TP"},     {33, "IPPROTO_DCCP"},   {41, "IPPROTO_IPV6"},
    {46, "IPPROTO_RSVP"},   {47, "IPPROTO_GRE"},    {50, "IPPROTO_ESP"},
    {51, "IPPROTO_AH"},     {58, "IPPROTO_ICMPV6"}, {92, "IPPROTO_MTP"},
    {94, "IPPROTO_BEETPH"}, {98, "IPPROTO_ENCAP"},  {103, "IPPROTO_PIM"},
    {108, "IPPROTO_COMP"},  {115, "IPPROTO_L2TP"},  {132, "IPPROTO_SCTP"},
    {136, "IPPROTO_UDPLITE"}, {137, "IPPROTO_MPLS"}, {143, "IPPROTO_ETHERNET"},
    {255, "IPPROTO_RAW"},   {262, "IPPROTO_MPTCP"},
};
constexpr FlagName kNetlinkProtocols[] = {
    {0, "NETLINK_ROUTE"},       {1, "NETLINK_UNUSED"},      {2, "NETLINK_USERSOCK"},
    {3, "NETLINK_FIREWALL"},    {4, "NETLINK_SOCK_DIAG"},   {5, "NETLINK_NFLOG"},
    {6, "NETLINK_XFRM"},        {7, "NETLINK_SELINUX"},     {8, "NETLINK_ISCSI"},
    {9, "NETLINK_AUDIT"},       {10, "NETLINK_FIB_LOOKUP"}, {11, "NETLINK_CONNECTOR"},
    {12, "NETLINK_NETFILTER"},  {13, "NETLINK_IP6_FW"},     {14, "NETLINK_DNRTMSG"},
    {15, "NETLINK_KOBJECT_UEVENT"}, {16, "NETLINK_GENERIC"}, {18, "NETLINK_SCSITRANSPORT"},
    {19, "NETLINK_ECRYPTFS"},   {20, "NETLINK_RDMA"},       {21, "NETLINK_CRYPTO"},
    {22, "NETLINK_SMC"},
};

constexpr FlagName kMsgFlags[] = {
    {0x1, "MSG_OOB"},           {0x2, "MSG_PEEK"},          {0x4, "MSG_DONTROUTE"},
    {0x8, "MSG_CTRUNC"},        {0x10, "MSG_PROXY"},        {0x20, "MSG_TRUNC"},
    {0x40, "MSG_DONTWAIT"},     {0x80, "MSG_EOR"},          {0x100, "MSG_WAITALL"},
    {0x200, "MSG_FIN"},         {0x400, "MSG_SYN"},         {0x800, "MSG_CONFIRM"},
    {0x1000, "MSG_RST"},        {0x2000, "MSG_ERRQUEUE"},   {0x4000, "MSG_NOSIGNAL"},
    {0x8000, "MSG_MORE"},       {0x10000, "MSG_WAITFORONE"}, {0x40000, "MSG_BATCH"},
    {0x4000000, "MSG_ZEROCOPY"}, {0x20000000, "MSG_FASTOPEN"},
    {0x40000000, "MSG_CMSG_CLOEXEC"},
};

// ---- small enumerations ----
constexpr FlagName kWhence[] = {
    {0, "SEEK_SET"}, {1, "SEEK_CUR"}, {2, "SEEK_END"}, {3, "SEEK_DATA"}, {4, "SEEK_HOLE"},
};
constexpr FlagName kRenameFlags[] = {
    {1, "RENAME_NOREPLACE"}, {2, "RENAME_EXCHANGE"}, {4, "RENAME_WHITEOUT"},
};
constexpr FlagName kWaitOptions[] = {
    {0x1, "WNOHANG"},           {0x2, "WSTOPPED"},     {0x4, "WEXITED"},
    {0x8, "WCONTINUED"},        {0x01000000, "WNOWAIT"}, {0x20000000, "__WNOTHREAD"},
    {0x40000000, "__WALL"},     {0x80000000, "__WCLONE"},
};

constexpr FlagName kClockIds[] = {
    {0, "CLOCK_REALTIME"},         {1, "CLOCK_MONOTONIC"},
    {2, "CLOCK_PROCESS_CPUTIME_ID"}, {3, "CLOCK_THREAD_CPUTIME_ID"},
    {4, "CLOCK_MONOTONIC_RAW"},    {5, "CLOCK_REALTIME_COARSE"},
    {6, "CLOCK_MONOTONIC_COARSE"}, {7, "CLOCK_BOOTTIME"},
    {8, "CLOCK_REALTIME_ALARM"},   {9, "CLOCK_BOOTTIME_ALARM"},
    {10, "CLOCK_SGI_CYCLE"},       {11, "CLOCK_TAI"},
};

// The requests a sandboxed program is most likely to issue; the thousands
// of driver ioctls stay hex.
constexpr FlagName kIoctlCmds[] = {
    {0x5401, "TCGETS"},     {0x5402, "TCSETS"},     {0x5403, "TCSETSW"},
    {0x5404, "TCSETSF"},    {0x540b, "TCFLSH"},     {0x540e, "TIOCSCTTY"},
    {0x540f, "TIOCGPGRP"},  {0x5410, "TIOCSPGRP"},  {0x5413, "TIOCGWINSZ"},
    {0x5414, "TIOCSWINSZ"}, {0x541b, "FIONREAD"},   {0x5421, "FIONBIO"},
    {0x5422, "TIOCNOTTY"},  {0x5450, "FIONCLEX"},   {0x5451, "FIOCLEX"},
    {0x5452, "FIOASYNC"},   {0x80045430, "TIOCGPTN"}, {0x40045431, "TIOCSPTLCK"},
};

constexpr FlagName kPrctlOptions[] = {
    {1, "PR_SET_PDEATHSIG"},    {2, "PR_GET_PDEATHSIG"},     {3, "PR_GET_DUMPABLE"},
    {4, "PR_SET_DUMPABLE"},     {5, "PR_GET_UNALIGN"},       {6, "PR_SET_UNALIGN"},
    {7, "PR_GET_KEEPCAPS"},     {8, "PR_SET_KEEPCAPS"},      {9, "PR_GET_FPEMU"},
    {10, "PR_SET_FPEMU"},       {11, "PR_GET_FPEXC"},        {12, "PR_SET_FPEXC"},
    {13, "PR_GET_TIMING"},      {14, "PR_SET_TIMING"},       {15, "PR_SET_NAME"},
    {16, "PR_GET_NAME"},        {19, "PR_GET_ENDIAN"},       {20, "PR_SET_ENDIAN"},
    {21, "PR_GET_SECCOMP"},     {22, "PR_SET_SECCOMP"},      {23, "PR_CAPBSET_READ"},
    {24, "PR_CAPBSET_DROP"},    {25, "PR_GET_TSC"},          {26, "PR_SET_TSC"},
    {27, "PR_GET_SECUREBITS"},  {28, "PR_SET_SECUREBITS"},   {29, "PR_SET_TIMERSLACK"},
    {30, "PR_GET_TIMERSLACK"},  {31, "PR_TASK_PERF_EVENTS_DISABLE"},
    {32, "PR_TASK_PERF_EVENTS_ENABLE"}, {33, "PR_MCE_KILL"}, {34, "PR_MCE_KILL_GET"},
    {35, "PR_SET_MM"},          {36, "PR_SET_CHILD_SUBREAPER"},
    {37, "PR_GET_CHILD_SUBREAPER"}, {38, "PR_SET_NO_NEW_PRIVS"},
    {39, "PR_GET_NO_NEW_PRIVS"}, {40, "PR_GET_TID_ADDRESS"},  {41, "PR_SET_THP_DISABLE"},
    {42, "PR_GET_THP_DISABLE"}, {43, "PR_MPX_ENABLE_MANAGEMENT"},
    {44, "PR_MPX_DISABLE_MANAGEMENT"}, {45, "PR_SET_FP_MODE"}, {46, "PR_GET_FP_MODE"},
    {47, "PR_CAP_AMBIENT"},     {50, "PR_SVE_SET_VL"},       {51, "PR_SVE_GET_VL"},
    {52, "PR_GET_SPECULATION_CTRL"}, {53, "PR_SET_SPECULATION_CTRL"},
    {54, "PR_PAC_RESET_KEYS"},  {55, "PR_SET_TAGGED_ADDR_CTRL"},
    {56, "PR_GET_TAGGED_ADDR_CTRL"}, {57, "PR_SET_IO_FLUSHER"}, {58, "PR_GET_IO_FLUSHER"},
    {59, "PR_SET_SYSCALL_USER_DISPATCH"}, {60, "PR_PAC_SET_ENABLED_KEYS"},
    {61, "PR_PAC_GET_ENABLED_KEYS"}, {62, "PR_SCHED_CORE"}, {63, "PR_SME_SET_VL"},
    {64, "PR_SME_GET_VL"},      {65, "PR_SET_MDWE"},         {66, "PR_GET_MDWE"},
    {67, "PR_SET_MEMORY_MERGE"}, {68, "PR_GET_MEMORY_MERGE"},
    {0x53564d41, "PR_SET_VMA"}, {0x59616d61, "PR_SET_PTRACER"},
};

constexpr FlagName kPtraceRequests[] = {
    {0, "PTRACE_TRACEME"},     {1, "PTRACE_PEEKTEXT"},    {2, "PTRACE_PEEKDATA"},
    {3, "PTRACE_PEEKUSER"},    {4, "PTRACE_POKETEXT"},    {5, "PTRACE_POKEDATA"},
    {6, "PTRACE_POKEUSER"},    {7, "PTRACE_CONT"},        {8, "PTRACE_KILL"},
    {9, "PTRACE_SINGLESTEP"},  {12, "PTRACE_GETREGS"},    {13, "PTRACE_SETREGS"},
    {14, "PTRACE_GETFPREGS"},  {15, "PTRACE_SETFPREGS"},  {16, "PTRACE_ATTACH"},
    {17, "PTRACE_DETACH"},     {18, "PTRACE_GETFPXREGS"}, {19, "PTRACE_SETFPXREGS"},
    {24, "PTRACE_SYSCALL"},    {25, "PTRACE_GET_THREAD_AREA"},
    {26, "PTRACE_SET_THREAD_AREA"}, {30, "PTRACE_ARCH_PRCTL"}, {31, "PTRACE_SYSEMU"},
    {32, "PTRACE_SYSEMU_SINGLESTEP"}, {33, "PTRACE_SINGLEBLOCK"},
    {0x4200, "PTRACE_SETOPTIONS"}, {0x4201, "PTRACE_GETEVENTMSG"},
    {0x4202, "PTRACE_GETSIGINFO"}, {0x4203, "PTRACE_SETSIGINFO"},
    {0x4204, "PTRACE_GETREGSET"},  {0x4205, "PTRACE_SETREGSET"},
    {0x4206, "PTRACE_SEIZE"},      {0x4207, "PTRACE_INTERRUPT"},
    {0x4208, "PTRACE_LISTEN"},     {0x4209, "PTRACE_PEEKSIGINFO"},
    {0x420a, "PTRACE_GETSIGMASK"}, {0x420b, "PTRACE_SETSIGMASK"},
    {0x420c, "PTRACE_SECCOMP_GET_FILTER"}, {0x420d, "PTRACE_SECCOMP_GET_METADATA"},
    {0x420e, "PTRACE_GET_SYSCALL_INFO"}, {0x420f, "PTRACE_GET_RSEQ_CONFIGURATION"},
    {0x4210, "PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG"},
    {0x4211, "PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG"},
};

constexpr uint64_t kFutexCmdMask = 0x7f;
constexpr uint64_t kFutexPrivate = 0x80;
constexpr FlagName kFutexCmds[] = {
    {0, "FUTEX_WAIT"},         {1, "FUTEX_WAKE"},           {2, "FUTEX_FD"},
    {3, "FUTEX_REQUEUE"},      {4, "FUTEX_CMP_REQUEUE"},    {5, "FUTEX_WAKE_OP"},
    {6, "FUTEX_LOCK_PI"},      {7, "FUTEX_UNLOCK_PI"},      {8, "FUTEX_TRYLOCK_PI"},
    {9, "FUTEX_WAIT_BITSET"},  {10, "FUTEX_WAKE_BITSET"},   {11, "FUTEX_WAIT_REQUEUE_PI"},
    {12, "FUTEX_CMP_REQUEUE_PI"}, {13, "FUTEX_LOCK_PI2"},
};
constexpr FlagName kFutexFlags[] = {{0x100, "FUTEX_CLOCK_REALTIME"}};

}  // namespace

std::string DecodeOpenFlags(uint64_t flags) {
  // The access mode is a 2-bit number, not flags: O_RDONLY is 0 and must be
  // printed, so it is decoded apart and always comes first.
  return JoinFlags({FormatEnum(flags & kAccMode, kOpenAccMode),
                    FormatFlags(flags & ~kAccMode, kOpenFlags, "")});
}

// WSTOPPED (waitid) is WUNTRACED (wait4): same bit, strace prints WSTOPPED.
std::string DecodeWaitOptions(uint64_t options) { return FormatFlags(options, kWaitOptions); }
std::string DecodeAtFlags(uint64_t flags) { return FormatFlags(flags, kAtFlags); }
std::string DecodeAccessAtFlags(uint64_t flags) { return FormatFlags(flags, kAccessAtFlags); }

std::string DecodeMode(uint64_t mode) {
  // strace's "%#03o": 0 -> "000", 0644 -> "0644", 04755 -> "04755".
  auto octal = [](uint64_t v) { return fmt::format("0{:02o}", v); };
  auto type = FindName(mode & kIfMt, kFileTypes);
  if (!type) return octal(mode);  // no type bits, or not a valid type
  return fmt::format("{}|{}", *type, octal(mode & ~kIfMt));
}

std::string DecodeAccessMode(uint64_t mode) { return FormatFlags(mode, kAccessModes, "F_OK"); }

std::string DecodeFcntlCmd(uint64_t cmd) { return FormatEnum(cmd, kFcntlCmds, Unknown::kHex); }

std::string DecodeCloneFlags(uint64_t flags) {
  // clone(2) keeps the child's exit signal in the low byte (CSIGNAL).
  int sig = static_cast<int>(flags & kCloneSignalMask);
  std::string sig_text = sig ? SignalName(sig) : "";
  std::string rest = FormatFlags(flags & ~kCloneSignalMask, kCloneFlags, "");
  std::string out = JoinFlags({rest, sig_text});
  return out.empty() ? "0" : out;
}

std::string DecodeClone3Flags(uint64_t flags) { return FormatFlags(flags, kCloneFlags); }

std::string DecodeMmapProt(uint64_t prot) { return FormatFlags(prot, kMmapProt, "PROT_NONE"); }

std::string DecodeMmapFlags(uint64_t flags) {
  // With MAP_HUGETLB, bits 26..31 are log2 of the huge page size, not flags.
  std::string huge;
  if (flags & kMapHugetlb) {
    uint64_t shift = (flags >> kMapHugeShift) & kMapHugeMask;
    if (shift) huge = fmt::format("{}<<MAP_HUGE_SHIFT", shift);
    flags &= ~(kMapHugeMask << kMapHugeShift);
  }
  std::string type = (flags & kMapType) ? FormatEnum(flags & kMapType, kMapTypes, Unknown::kHex) : "";
  std::string out = JoinFlags({type, FormatFlags(flags & ~kMapType, kMapFlags, ""), huge});
  return out.empty() ? "0" : out;
}

std::string DecodeSocketDomain(uint64_t domain) { return FormatEnum(domain, kSocketDomains); }

std::string DecodeSocketType(uint64_t type) {
  std::string base = FormatEnum(type & kSockTypeMask, kSocketTypes);
  return JoinFlags({base, FormatFlags(type & ~kSockTypeMask, kSocketTypeFlags, "")});
}

std::string DecodeSocketProtocol(uint64_t domain, uint64_t protocol) {
  // Protocol numbers only mean something within their family.
  if (domain == kAfInet || domain == kAfInet6) return FormatEnum(protocol, kIpProtocols);
  if (domain == kAfNetlink) return FormatEnum(protocol, kNetlinkProtocols);
  return fmt::format("{}", protocol);
}

std::string DecodeWhence(uint64_t whence) { return FormatEnum(whence, kWhence); }

std::string DecodeRenameFlags(uint64_t flags) { return FormatFlags(flags, kRenameFlags); }

std::string DecodeMsgFlags(uint64_t flags) { return FormatFlags(flags, kMsgFlags); }

std::string DecodeDirFd(uint64_t fd) {
  // dirfd is an int: a 32-bit value in a 64-bit register may arrive
  // zero-extended (0xffffff9c), so only the low 32 bits count.
  int32_t v = static_cast<int32_t>(fd);
  return v == kAtFdCwd ? "AT_FDCWD" : fmt::format("{}", v);
}

std::string DecodeIoctlCmd(uint64_t cmd) {
  return FormatEnum(cmd & 0xffffffff, kIoctlCmds, Unknown::kHex);  // request is unsigned int
}

std::string DecodePrctlOption(uint64_t option) { return FormatEnum(option, kPrctlOptions); }

std::string DecodePtraceRequest(uint64_t req) { return FormatEnum(req, kPtraceRequests); }

std::string DecodeFutexOp(uint64_t op) {
  // strace folds FUTEX_PRIVATE_FLAG into the name: "FUTEX_WAIT_PRIVATE".
  std::string cmd = FormatEnum(op & kFutexCmdMask, kFutexCmds);
  if (op & kFutexPrivate) cmd += "_PRIVATE";
  return JoinFlags({cmd, FormatFlags(op & ~(kFutexCmdMask | kFutexPrivate), kFutexFlags, "")});
}

std::string DecodeClockId(uint64_t clock) {
  // Negative ids encode a process or thread CPU clock (see clock_getcpuclockid).
  int32_t v = static_cast<int32_t>(clock);
  if (v < 0) return fmt::format("{}", v);
  return FormatEnum(static_cast<uint64_t>(v), kClockIds);
}

// Every named constant of the tables above, for policy files that write
// flags by name ("O_WRONLY|O_CREAT"). Names are unique across the tables;
// AT_FDCWD is the register value of the int -100.
std::optional<uint64_t> ConstantByName(std::string_view name) {
  static constexpr std::span<const FlagName> kTables[] = {
      kOpenAccMode,
      kOpenFlags,
      kAtFlags,
      kAccessAtFlags,
      kFileTypes,
      kAccessModes,
      kFcntlCmds,
      kCloneFlags,
      kMmapProt,
      kMapTypes,
      kMapFlags,
      kSocketDomains,
      kSocketTypes,
      kSocketTypeFlags,
      kIpProtocols,
      kNetlinkProtocols,
      kMsgFlags,
      kWhence,
      kRenameFlags,
      kWaitOptions,
      kClockIds,
      kIoctlCmds,
      kPrctlOptions,
      kPtraceRequests,
      kFutexCmds,
      kFutexFlags,
  };
  if (name == "AT_FDCWD") return static_cast<uint64_t>(static_cast<int64_t>(kAtFdCwd));
  for (auto table : kTables)
    for (const FlagName& f : table)
      if (f.name == name) return f.value;
  return std::nullopt;
}

uint64_t ParseFlagsText(std::string_view text) {
  uint64_t value = 0;
  for (size_t start = 0; start < text.size();) {
    size_t bar = std::min(text.find('|', start), text.size());
    std::string_view part = text.substr(start, bar - start);
    start = bar + 1;
    if (auto c = ConstantByName(part)) {
      value |= *c;
      continue;
    }
    const bool hex = part.starts_with("0x");
    uint64_t n = 0;
    std::from_chars(part.data() + (hex ? 2 : 0), part.data() + part.size(), n, hex ? 16 : 10);
    value |= n;
  }
  return value;
}

}  // namespace warden::syscalls
