// Argument decoders: raw register values (+ tracee memory through a
// MemoryReader) to structured values and strace-like text. Pure functions;
// an unreadable pointer decodes to a marker, never a crash.
#ifndef WARDEN_SYSCALLS_DECODE_H_
#define WARDEN_SYSCALLS_DECODE_H_

#include <cstdint>
#include <array>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "syscalls/memory_reader.h"
#include "syscalls/syscall_table.h"

namespace warden::syscalls {

// ---- integer and flag decoders (flag tables, after strace's xlat) ----
std::string DecodeOpenFlags(uint64_t flags);    // "O_WRONLY|O_CREAT|O_TRUNC"
std::string DecodeAtFlags(uint64_t flags);      // "AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH", "0"
std::string DecodeAccessAtFlags(uint64_t flags); // faccessat2: 0x200 is AT_EACCESS
std::string DecodeWaitOptions(uint64_t options);  // "WNOHANG|__WALL", "0"
std::string DecodeMode(uint64_t mode);          // "0644"; with S_IFREG etc when type bits set: "S_IFREG|0644"
std::string DecodeAccessMode(uint64_t mode);    // "R_OK|W_OK", "F_OK"
std::string DecodeFcntlCmd(uint64_t cmd);       // "F_DUPFD_CLOEXEC"
std::string DecodeCloneFlags(uint64_t flags);   // "CLONE_VM|CLONE_FS|...|SIGCHLD"
// clone3's clone_args.flags and unshare's flags: 64 bits, no exit signal in
// the low byte, so CLONE_NEWTIME (0x80) can be named.
std::string DecodeClone3Flags(uint64_t flags);  // "CLONE_NEWTIME|CLONE_INTO_CGROUP"
std::string DecodeMmapProt(uint64_t prot);      // "PROT_READ|PROT_WRITE", "PROT_NONE"
std::string DecodeMmapFlags(uint64_t flags);    // "MAP_PRIVATE|MAP_ANONYMOUS"
std::string DecodeSocketDomain(uint64_t domain);  // "AF_INET"
std::string DecodeSocketType(uint64_t type);    // "SOCK_STREAM|SOCK_CLOEXEC"
std::string DecodeSocketProtocol(uint64_t domain, uint64_t protocol);  // "IPPROTO_TCP"
std::string DecodeWhence(uint64_t whence);
std::string DecodeRenameFlags(uint64_t flags);
std::string DecodeMsgFlags(uint64_t flags);
std::string DecodeIoctlCmd(uint64_t cmd);       // "TCGETS"; hex when unknown
std::string DecodePrctlOption(uint64_t option); // "PR_SET_NO_NEW_PRIVS"
std::string DecodePtraceRequest(uint64_t req);  // "PTRACE_SEIZE"
std::string DecodeFutexOp(uint64_t op);         // "FUTEX_WAIT_PRIVATE"
std::string DecodeClockId(uint64_t clock);      // "CLOCK_MONOTONIC"
std::string DecodeDirFd(uint64_t fd);           // "AT_FDCWD" when (int32_t)fd == AT_FDCWD, else decimal
std::string SignalName(int sig);                // "SIGTERM"; "SIGRT_3"; "34" style fallback for unknown
std::string ErrnoName(int err);                 // "ENOENT"; decimal for unknown
std::optional<int> ErrnoByName(std::string_view name);  // "ENOENT" -> 2
// The value of a constant the flag decoders know by name ("O_WRONLY",
// "CLONE_UNTRACED", "AF_INET", "AT_FDCWD" as its 64-bit register value).
std::optional<uint64_t> ConstantByName(std::string_view name);
// The inverse of the flag decoders: "O_RDWR|O_CREAT|0x40000000" -> the
// number (names by ConstantByName, the rest as hex or decimal). Exact for
// what the decoders print: they name every bit they know, the rest in hex.
uint64_t ParseFlagsText(std::string_view text);
// strerror text for real errnos ("No such file or directory"), strace's text
// for the kernel-internal ones (ERESTARTSYS, ...), "Unknown error N" else.
std::string ErrnoDescription(int err);
// Unknown bits are kept as hex: "O_RDONLY|0x40000000".

// ---- memory-backed decoders ----
struct StringValue {
  std::string value;       // raw bytes read (without the NUL)
  bool unreadable = false; // pointer could not be read at all (incl. NULL)
  bool truncated = false;  // hit the cap or an unmapped page before NUL
};
// Reads a NUL-terminated string of at most `cap` bytes, page by page.
StringValue ReadCString(MemoryReader& mem, uint64_t addr, size_t cap = 4096);

// C-style escaped, quoted text: "\"a\\nb\"" and "..." appended when truncated;
// "NULL" for a NULL pointer; "<unreadable 0x...>" for unreadable memory.
// ("abc"... is strace's way to say the string goes on.)
std::string QuoteString(const StringValue& s, uint64_t addr);
// Escapes bytes (\n, \t, \", \\, \xNN for the rest of non-printables).
std::string EscapeBytes(std::string_view bytes);

struct StringArray {
  std::vector<std::string> items;
  bool unreadable = false;  // the array itself (or an element) could not be read
  bool truncated = false;   // hit max_count or max_bytes
  size_t total_count = 0;   // elements seen (== items.size() unless truncated by count)
};
// Reads a NULL-terminated char*[] (argv/envp) with count and byte caps.
// `pointer_size` is 8 for x86_64 and 4 for i386 tracees.
StringArray ReadStringArray(MemoryReader& mem, uint64_t addr,
                            size_t max_count = 4096, size_t max_bytes = 128 * 1024,
                            int pointer_size = 8);

struct SockAddr {
  int family = -1;          // AF_*; -1 when unreadable
  std::string address;      // "127.0.0.1", "::1", "/tmp/sock", "@abstract", "pid=0,groups=0"
  int port = -1;            // for AF_INET/AF_INET6, else -1
  bool unreadable = false;
  std::string text;         // strace-like: "{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"1.2.3.4\")}"
};
// Decodes the sockaddr at `addr` of `len` bytes (AF_INET, AF_INET6, AF_UNIX
// including abstract names, AF_NETLINK; others by family name).
SockAddr ReadSockAddr(MemoryReader& mem, uint64_t addr, uint64_t len);
// Same, from bytes already copied out.
SockAddr DecodeSockAddr(const void* data, size_t len);

// ---- whole calls ----
// Arguments as data: what each argument pointed to, copied out of the
// tracee at the stop (CaptureArgs), so that the text can be made later and
// on another thread (FormatArgs) once the tracee has moved on. Register-only
// arguments carry nothing beyond their value.
struct BytesValue {        // kBufferIn: the first bytes of a buffer
  std::string bytes;
  uint64_t length = 0;     // the length the call passed
  bool unreadable = false;
};
struct TimespecValue {
  int64_t sec = 0, nsec = 0;
  bool unreadable = false;
};
using ArgData = std::variant<std::monostate, StringValue, BytesValue, SockAddr, StringArray,
                             TimespecValue>;
struct CapturedArgs {
  Abi abi = Abi::kX86_64;
  std::array<uint64_t, 6> values{};  // normalised for the ABI (see DecodedArg::raw)
  // What the memory-backed arguments pointed to, by argument index: most
  // calls have one (a path) or none, and a record waits in the store's
  // queue, so only those are kept.
  std::vector<std::pair<int, ArgData>> data;
  const ArgData& DataOf(int index) const;
};
CapturedArgs CaptureArgs(const SyscallDef& def, const uint64_t args[6], MemoryReader& mem,
                         Abi abi, size_t buffer_cap = 32);
// The argument list as strace shows it, without the parentheses:
// "AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC".
std::string FormatArgs(const SyscallDef& def, const CapturedArgs& captured);

struct DecodedArg {
  ArgType type;
  uint64_t raw;      // register value; for i386 truncated to 32 bits and
                     // sign-extended when the type is signed
  std::string text;  // strace-like text of the argument
  // Left out of FormatCall as strace does, e.g. open's mode without O_CREAT
  // or O_TMPFILE (the register then holds whatever was there).
  bool hidden = false;
};
// Decodes every argument of `def` from the six raw register values. Buffers
// are shown up to `buffer_cap` bytes (kBufferIn only: kBufferOut is not
// filled yet at syscall entry and shows as its address).
std::vector<DecodedArg> DecodeArgs(const SyscallDef& def, const uint64_t args[6],
                                   MemoryReader& mem, Abi abi, size_t buffer_cap = 32);
std::vector<DecodedArg> DecodeArgs(const SyscallDef& def, const CapturedArgs& captured);
// "openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC)"
std::string FormatCall(const SyscallDef& def, const std::vector<DecodedArg>& args);
// "3", "-1 ENOENT (No such file or directory)"
std::string FormatResult(int64_t ret);

}  // namespace warden::syscalls

#endif  // WARDEN_SYSCALLS_DECODE_H_
