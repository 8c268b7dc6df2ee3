// The x86_64 and i386 syscall tables, as data.
//
// One row per syscall (see table_x86_64.inc and table_i386.inc), in the
// spirit of strace's syscallent tables and sandbox2's syscall_defs: the
// number, the name, the argument count, one typed argument per register and
// the classes the call belongs to. Decoders (decode_args.h) turn a row plus
// six raw register values into readable text; the seccomp filter builder and
// the policy use the classes to pick which calls to watch.
#ifndef WARDEN_SYSCALLS_SYSCALL_TABLE_H_
#define WARDEN_SYSCALLS_SYSCALL_TABLE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace warden::syscalls {

enum class Abi : uint8_t { kX86_64, kI386 };

std::string_view AbiName(Abi abi);
std::optional<Abi> ParseAbi(std::string_view name);

// What one syscall argument holds. Decoders are chosen by this type.
enum class ArgType : uint8_t {
  kNone = 0,
  kInt,           // signed integer, printed in decimal
  kUnsigned,      // unsigned integer (sizes, counts, ids), decimal
  kHex,           // opaque integer printed in hex (ioctl args, cookies)
  kPointer,       // address of memory not decoded here (structs, out params)
  kFd,            // file descriptor
  kDirFd,         // directory fd for *at calls; AT_FDCWD compared as int32
  kPath,          // NUL-terminated path in tracee memory
  kString,        // NUL-terminated string that is not a path (names, values)
  kBufferIn,      // bytes the tracee passes in; Arg::len_arg gives its length
  kBufferOut,     // bytes the kernel fills in; Arg::len_arg gives its length
  kSize,          // a length in bytes
  kOffset,        // file offset (loff_t)
  kOpenFlags,     // O_* flags
  kAtFlags,       // AT_* flags
  kMode,          // file mode bits (S_I*)
  kAccessMode,    // F_OK / R_OK / W_OK / X_OK
  kFcntlCmd,      // F_* command
  kCloneFlags,    // CLONE_* flags, low byte is the exit signal
  kMmapProt,      // PROT_*
  kMmapFlags,     // MAP_*
  kSocketDomain,  // AF_*
  kSocketType,    // SOCK_* plus SOCK_NONBLOCK / SOCK_CLOEXEC
  kSocketProtocol,// IPPROTO_* (decoded with the domain when known)
  kSockaddr,      // struct sockaddr * passed in; Arg::len_arg is its length
  kSockaddrOut,   // struct sockaddr * filled by the kernel; len_arg is a socklen_t *
  kPid,           // process or thread id
  kSignal,        // signal number
  kArgv,          // char *const argv[]
  kEnvp,          // char *const envp[]
  kUid,           // user id
  kGid,           // group id
  kWhence,        // SEEK_*
  kRenameFlags,   // RENAME_*
  kIoctlCmd,      // ioctl request
  kPrctlOption,   // PR_*
  kPtraceRequest, // PTRACE_*
  kFutexOp,       // FUTEX_*
  kMsgFlags,      // MSG_* for send/recv
  kTimespec,      // struct timespec * (in)
  kClockId,       // CLOCK_*
  kWaitOptions,   // WNOHANG, __WALL, ... for wait4 / waitid / waitpid
  kAccessAtFlags, // faccessat2 flags: 0x200 is AT_EACCESS, not AT_REMOVEDIR
};

// One argument: its type and, for buffers and sockaddrs, the index (0-5) of
// the argument holding its length (-1 when none).
struct Arg {
  ArgType type = ArgType::kNone;
  int8_t len_arg = -1;
};

// Classes a syscall belongs to (bit mask), after strace's %file, %desc, ...
enum Class : uint32_t {
  kFile = 1u << 0,     // takes a file name
  kDesc = 1u << 1,     // takes or returns a file descriptor
  kNetwork = 1u << 2,  // sockets
  kProcess = 1u << 3,  // process lifecycle: fork, exec, exit, wait, kill
  kSignal = 1u << 4,   // signal handling
  kMemory = 1u << 5,   // memory mapping
  kCreds = 1u << 6,    // user/group ids and capabilities
  kIpc = 1u << 7,      // SysV IPC, message queues
  kClock = 1u << 8,    // clocks and timers
  kStat = 1u << 9,     // stat family
  kSystem = 1u << 10,  // system administration (mount, reboot, modules, ...)
  kExec = 1u << 11,    // execve / execveat
};

struct ClassName {
  uint32_t bit;
  std::string_view name;
};
// All class names, in bit order ("file", "desc", ...).
std::span<const ClassName> ClassNames();
// Parses "file,network" into a mask; error names the unknown class.
absl::StatusOr<uint32_t> ParseClasses(std::string_view list);
std::string ClassesToString(uint32_t mask);

struct SyscallDef {
  int nr = -1;
  std::string_view name;
  uint8_t nargs = 0;
  std::array<Arg, 6> args{};
  uint32_t classes = 0;
  // 0 when the installed kernel headers define this syscall; otherwise the
  // kernel version (KERNEL_VERSION(a,b,c)) that added it. Lets the table know
  // calls newer than linux-libc-dev without inventing numbers.
  uint32_t since = 0;
};

std::string_view ArgTypeName(ArgType type);

// The whole table of an ABI, sorted by number.
std::span<const SyscallDef> Table(Abi abi);

// Constant-time lookup by number; nullptr when the number is unknown.
const SyscallDef* ByNumber(Abi abi, int64_t nr);

// Logarithmic lookup by name; nullptr when unknown.
const SyscallDef* ByName(Abi abi, std::string_view name);

// The known names closest to `name` (edit distance, then prefix), at most
// `limit`, for "did you mean" messages.
std::vector<std::string_view> ClosestNames(Abi abi, std::string_view name,
                                           size_t limit = 3);

}  // namespace warden::syscalls

#endif  // WARDEN_SYSCALLS_SYSCALL_TABLE_H_
