#include <fcntl.h>

#include <gtest/gtest.h>

#include "syscalls/decode.h"
#include "syscalls/fake_memory.h"

namespace warden::syscalls {
namespace {

constexpr uint64_t kPathAddr = 0x7ffd0000;

// A row built here, so that the tests do not depend on which rows the
// tables hold.
SyscallDef Row(std::string_view name, std::initializer_list<Arg> args) {
  SyscallDef d;
  d.name = name;
  d.nargs = static_cast<uint8_t>(args.size());
  size_t i = 0;
  for (const Arg& a : args) d.args[i++] = a;
  return d;
}
Arg A(ArgType t, int8_t len_arg = -1) { return Arg{t, len_arg}; }

std::string Call(const SyscallDef& def, std::initializer_list<uint64_t> regs, MemoryReader& mem,
                 Abi abi = Abi::kX86_64, size_t cap = 32) {
  uint64_t args[6] = {};
  size_t i = 0;
  for (uint64_t r : regs) args[i++] = r;
  return FormatCall(def, DecodeArgs(def, args, mem, abi, cap));
}

// 0x200 is AT_EACCESS for faccessat2 and AT_REMOVEDIR for unlinkat.
TEST(DecodeArgsTest, AtFlag0x200DependsOnTheCall) {
  FakeMemory mem;
  mem.PutString(kPathAddr, "/usr");
  const SyscallDef* access = ByName(Abi::kX86_64, "faccessat2");
  const SyscallDef* unlink = ByName(Abi::kX86_64, "unlinkat");
  ASSERT_TRUE(access && unlink);
  EXPECT_EQ(Call(*access, {0xffffff9c, kPathAddr, F_OK, 0x200}, mem),
            "faccessat2(AT_FDCWD, \"/usr\", F_OK, AT_EACCESS)");
  EXPECT_EQ(Call(*unlink, {0xffffff9c, kPathAddr, 0x200}, mem),
            "unlinkat(AT_FDCWD, \"/usr\", AT_REMOVEDIR)");
}

TEST(DecodeArgsTest, OpenatX86_64) {
  const SyscallDef* def = ByNumber(Abi::kX86_64, 257);
  ASSERT_NE(def, nullptr);
  ASSERT_EQ(def->name, "openat");
  FakeMemory mem;
  mem.PutString(kPathAddr, "/etc/passwd");
  EXPECT_EQ(Call(*def, {0xffffffffffffff9c, kPathAddr, O_RDONLY | O_CLOEXEC, 0}, mem),
            "openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC)");
  EXPECT_EQ(Call(*def, {0xffffff9c, kPathAddr, O_WRONLY | O_CREAT | O_TRUNC, 0644}, mem),
            "openat(AT_FDCWD, \"/etc/passwd\", O_WRONLY|O_CREAT|O_TRUNC, 0644)");
  EXPECT_EQ(Call(*def, {3, kPathAddr, O_RDWR | O_TMPFILE, 0600}, mem),
            "openat(3, \"/etc/passwd\", O_RDWR|O_TMPFILE, 0600)");
}

TEST(DecodeArgsTest, OpenatKeepsHiddenModeInArgs) {
  const SyscallDef* def = ByNumber(Abi::kX86_64, 257);
  ASSERT_NE(def, nullptr);
  FakeMemory mem;
  mem.PutString(kPathAddr, "x");
  uint64_t regs[6] = {0xffffffffffffff9c, kPathAddr, O_RDONLY, 0777, 0, 0};
  auto args = DecodeArgs(*def, regs, mem, Abi::kX86_64);
  ASSERT_EQ(args.size(), 4u);
  EXPECT_EQ(args[0].type, ArgType::kDirFd);
  EXPECT_EQ(args[1].text, "\"x\"");
  EXPECT_TRUE(args[3].hidden);
  EXPECT_EQ(args[3].text, "0777");
}

TEST(DecodeArgsTest, OpenI386TruncatesRegisters) {
  const SyscallDef* def = ByNumber(Abi::kI386, 5);
  ASSERT_NE(def, nullptr);
  ASSERT_EQ(def->name, "open");
  FakeMemory mem;
  mem.PutString(0x0804a000, "/tmp/f");
  // Upper halves are junk the 32-bit tracee never set.
  EXPECT_EQ(Call(*def, {0xdead00000804a000, 0xdead000000008241, 0xdead0000000001a4}, mem, Abi::kI386),
            "open(\"/tmp/f\", O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE, 0644)");
}

TEST(DecodeArgsTest, I386SignExtendsSignedTypes) {
  SyscallDef def = Row("kill", {A(ArgType::kPid), A(ArgType::kSignal)});
  FakeMemory mem;
  uint64_t regs[6] = {0xffffffff, 9};
  auto args = DecodeArgs(def, regs, mem, Abi::kI386);
  EXPECT_EQ(args[0].raw, 0xffffffffffffffffu);
  EXPECT_EQ(FormatCall(def, args), "kill(-1, SIGKILL)");
  SyscallDef lseek = Row("lseek", {A(ArgType::kFd), A(ArgType::kOffset), A(ArgType::kWhence)});
  EXPECT_EQ(Call(lseek, {0x100000003, 0xfffffff6, 1}, mem, Abi::kI386), "lseek(3, -10, SEEK_CUR)");
  // Unsigned types are only truncated.
  SyscallDef alarm = Row("alarm", {A(ArgType::kUnsigned)});
  EXPECT_EQ(Call(alarm, {0x1fffffffe}, mem, Abi::kI386), "alarm(4294967294)");
}

TEST(DecodeArgsTest, WriteBufferIn) {
  const SyscallDef* def = ByNumber(Abi::kX86_64, 1);
  ASSERT_NE(def, nullptr);
  FakeMemory mem;
  mem.PutBytes(0x60000, "hello\n");
  EXPECT_EQ(Call(*def, {1, 0x60000, 6}, mem), "write(1, \"hello\\n\", 6)");
  EXPECT_EQ(Call(*def, {1, 0x60000, 6}, mem, Abi::kX86_64, 3), "write(1, \"hel\"..., 6)");
  EXPECT_EQ(Call(*def, {1, 0, 6}, mem), "write(1, NULL, 6)");
  EXPECT_EQ(Call(*def, {1, 0x9000, 6}, mem), "write(1, <unreadable 0x9000>, 6)");
}

TEST(DecodeArgsTest, ReadBufferOutIsAnAddress) {
  const SyscallDef* def = ByNumber(Abi::kX86_64, 0);
  ASSERT_NE(def, nullptr);
  FakeMemory mem;
  EXPECT_EQ(Call(*def, {0, 0x7ffc1000, 4096}, mem), "read(0, 0x7ffc1000, 4096)");
}

TEST(DecodeArgsTest, SockaddrUsesLengthArgument) {
  SyscallDef def = Row("connect", {A(ArgType::kFd), A(ArgType::kSockaddr, 2), A(ArgType::kUnsigned)});
  FakeMemory mem;
  unsigned char sun[2 + 6] = {1, 0, 0, 'x', '1', 0, 'z', 'z'};  // AF_UNIX, abstract "x1\0"
  mem.PutBytes(0x70000, std::string(reinterpret_cast<char*>(sun), sizeof sun));
  EXPECT_EQ(Call(def, {3, 0x70000, 5}, mem),
            "connect(3, {sa_family=AF_UNIX, sun_path=@\"x1\"}, 5)");
  SyscallDef accept = Row("accept", {A(ArgType::kFd), A(ArgType::kSockaddrOut, 2), A(ArgType::kPointer)});
  EXPECT_EQ(Call(accept, {3, 0x70000, 0}, mem), "accept(3, 0x70000, NULL)");
}

TEST(DecodeArgsTest, SocketDecodesProtocolWithDomain) {
  SyscallDef def = Row("socket", {A(ArgType::kSocketDomain), A(ArgType::kSocketType),
                                  A(ArgType::kSocketProtocol)});
  FakeMemory mem;
  EXPECT_EQ(Call(def, {2, 1 | 02000000, 6}, mem),
            "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP)");
  EXPECT_EQ(Call(def, {16, 3, 0}, mem), "socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)");
}

TEST(DecodeArgsTest, ExecveArgvAndEnvp) {
  SyscallDef def = Row("execve", {A(ArgType::kPath), A(ArgType::kArgv), A(ArgType::kEnvp)});
  FakeMemory mem;
  mem.PutString(0x10000, "/bin/ls");
  mem.PutStringArray(0x20000, 0x30000, {"ls", "-l"});
  mem.PutStringArray(0x40000, 0x50000, {"A=1", "B=2", "C=3"});
  EXPECT_EQ(Call(def, {0x10000, 0x20000, 0x40000}, mem),
            "execve(\"/bin/ls\", [\"ls\", \"-l\"], 0x40000 /* 3 vars */)");
  EXPECT_EQ(Call(def, {0x10000, 0, 0}, mem), "execve(\"/bin/ls\", NULL, NULL)");
  EXPECT_EQ(Call(def, {0x10000, 0x9000, 0x9000}, mem),
            "execve(\"/bin/ls\", <unreadable 0x9000>, <unreadable 0x9000>)");
}

TEST(DecodeArgsTest, ExecveI386UsesFourBytePointers) {
  SyscallDef def = Row("execve", {A(ArgType::kPath), A(ArgType::kArgv), A(ArgType::kEnvp)});
  FakeMemory mem;
  mem.PutString(0x10000, "/bin/true");
  mem.PutStringArray(0x20000, 0x30000, {"true", "x"}, 4);
  mem.PutStringArray(0x40000, 0x50000, {"A=1"}, 4);
  EXPECT_EQ(Call(def, {0x10000, 0x20000, 0x40000}, mem, Abi::kI386),
            "execve(\"/bin/true\", [\"true\", \"x\"], 0x40000 /* 1 var */)");
}

TEST(DecodeArgsTest, ArgvCapAndUnreadableElement) {
  SyscallDef def = Row("execve", {A(ArgType::kPath), A(ArgType::kArgv), A(ArgType::kEnvp)});
  FakeMemory mem;
  mem.PutString(0x10000, "/bin/echo");
  std::vector<uint64_t> many(100, 0x30000);
  many.push_back(0);
  mem.PutString(0x30000, "y");
  mem.PutPointers(0x20000, many);
  std::string call = Call(def, {0x10000, 0x20000, 0}, mem);
  EXPECT_NE(call.find("\"y\", ...], NULL)"), std::string::npos) << call;
  mem.PutPointers(0x60000, {0x30000, 0x9000, 0});
  EXPECT_EQ(Call(def, {0x10000, 0x60000, 0}, mem),
            "execve(\"/bin/echo\", [\"y\", <unreadable>], NULL)");
}

TEST(DecodeArgsTest, FlagTypesDispatch) {
  SyscallDef mmap = Row("mmap", {A(ArgType::kPointer), A(ArgType::kSize), A(ArgType::kMmapProt),
                                 A(ArgType::kMmapFlags), A(ArgType::kFd), A(ArgType::kOffset)});
  FakeMemory mem;
  EXPECT_EQ(Call(mmap, {0, 8192, 3, 0x22, 0xffffffff, 0}, mem),
            "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)");
  SyscallDef clone = Row("clone", {A(ArgType::kCloneFlags), A(ArgType::kPointer)});
  EXPECT_EQ(Call(clone, {0x01200011, 0}, mem),
            "clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, NULL)");
  SyscallDef setuid = Row("setresuid", {A(ArgType::kUid), A(ArgType::kUid), A(ArgType::kGid)});
  EXPECT_EQ(Call(setuid, {1000, 0xffffffff, 0}, mem), "setresuid(1000, -1, 0)");
  SyscallDef futex = Row("futex", {A(ArgType::kPointer), A(ArgType::kFutexOp), A(ArgType::kInt),
                                   A(ArgType::kTimespec)});
  mem.PutBytes(0x80000, std::string("\x01\0\0\0\0\0\0\0\xe8\x03\0\0\0\0\0\0", 16));
  EXPECT_EQ(Call(futex, {0x1000, 0x80, 2, 0x80000}, mem),
            "futex(0x1000, FUTEX_WAIT_PRIVATE, 2, {tv_sec=1, tv_nsec=1000})");
}

TEST(FormatResultTest, ValuesAndErrors) {
  EXPECT_EQ(FormatResult(3), "3");
  EXPECT_EQ(FormatResult(0), "0");
  EXPECT_EQ(FormatResult(-2), "-1 ENOENT (No such file or directory)");
  EXPECT_EQ(FormatResult(-13), "-1 EACCES (Permission denied)");
  EXPECT_EQ(FormatResult(-512), "-1 ERESTARTSYS (To be restarted if SA_RESTART is set)");
  EXPECT_EQ(FormatResult(-4095), "-1 4095 (Unknown error 4095)");
  EXPECT_EQ(FormatResult(-4096), "-4096");
}

}  // namespace
}  // namespace warden::syscalls
