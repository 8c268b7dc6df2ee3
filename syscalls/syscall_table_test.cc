// Checks the syscall tables against the installed kernel headers: every
// __NR_* constant of asm/unistd_64.h (x86_64) and asm/unistd_32.h (i386) must
// be in the table with the same name and number, and every row the headers
// lack must be marked as newer than them (`since`), so nothing is invented.
#include "syscalls/syscall_table.h"

#include <linux/version.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace warden::syscalls {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

struct HeaderSyscalls {
  std::string path;                 // empty when no header was found
  std::map<std::string, int> by_name;
  std::map<int, std::string> by_number;
};

// Parses every `#define __NR_name number` line of the ABI's unistd header.
HeaderSyscalls ParseHeader(Abi abi) {
  const char* file = abi == Abi::kX86_64 ? "unistd_64.h" : "unistd_32.h";
  HeaderSyscalls out;
  for (const char* dir : {"/usr/include/x86_64-linux-gnu/asm/", "/usr/include/asm/"}) {
    std::ifstream in(std::string(dir) + file);
    if (!in) continue;
    out.path = std::string(dir) + file;
    static const std::regex kDefine(R"(^\s*#\s*define\s+__NR_(\w+)\s+(\d+)\s*$)");
    std::string line;
    std::smatch m;
    while (std::getline(in, line)) {
      if (!std::regex_match(line, m, kDefine)) continue;
      int nr = std::stoi(m[2].str());
      out.by_name[m[1].str()] = nr;
      out.by_number[nr] = m[1].str();
    }
    break;
  }
  return out;
}

bool IsLengthType(ArgType t) {
  return t == ArgType::kSize || t == ArgType::kUnsigned || t == ArgType::kInt ||
         t == ArgType::kPointer;
}

bool TakesLength(ArgType t) {
  return t == ArgType::kBufferIn || t == ArgType::kBufferOut ||
         t == ArgType::kSockaddr || t == ArgType::kSockaddrOut;
}

class SyscallTableTest : public ::testing::TestWithParam<Abi> {};

TEST_P(SyscallTableTest, HeaderSyscallsArePresentWithSameNumberAndName) {
  const Abi abi = GetParam();
  HeaderSyscalls header = ParseHeader(abi);
  ASSERT_FALSE(header.path.empty()) << "no unistd header for " << AbiName(abi);
  // Sanity: the parser found the header's constants (6.1: 362 and 440).
  ASSERT_GT(header.by_name.size(), 300u) << header.path;

  for (const auto& [name, nr] : header.by_name) {
    const SyscallDef* d = ByName(abi, name);
    EXPECT_NE(d, nullptr) << AbiName(abi) << ": " << name << " (" << nr
                          << ") from " << header.path << " is missing";
    if (d != nullptr) {
      EXPECT_EQ(d->nr, nr) << AbiName(abi) << ": " << name;
      EXPECT_EQ(d->since, 0u)
          << AbiName(abi) << ": " << name
          << " is in the installed headers, so `since` must be 0";
    }
    const SyscallDef* n = ByNumber(abi, nr);
    EXPECT_NE(n, nullptr) << AbiName(abi) << ": number " << nr << " missing";
    if (n != nullptr) {
      EXPECT_EQ(n->name, name) << AbiName(abi) << ": number " << nr;
    }
  }
}

TEST_P(SyscallTableTest, EntriesMissingFromHeadersAreNewerThanThem) {
  const Abi abi = GetParam();
  HeaderSyscalls header = ParseHeader(abi);
  ASSERT_FALSE(header.path.empty());
  for (const SyscallDef& d : Table(abi)) {
    if (header.by_name.count(std::string(d.name))) continue;
    EXPECT_GT(d.since, static_cast<uint32_t>(LINUX_VERSION_CODE))
        << AbiName(abi) << ": " << d.name << " (" << d.nr
        << ") is not in " << header.path
        << " and is not marked as added by a newer kernel";
    EXPECT_EQ(header.by_number.count(d.nr), 0u)
        << AbiName(abi) << ": " << d.name << " reuses number " << d.nr
        << " of " << header.by_number[d.nr];
  }
}

TEST_P(SyscallTableTest, RowsAreWellFormed) {
  const Abi abi = GetParam();
  auto table = Table(abi);
  ASSERT_FALSE(table.empty());
  std::set<std::string_view> names;
  int prev = -1;
  for (const SyscallDef& d : table) {
    SCOPED_TRACE(testing::Message() << AbiName(abi) << " " << d.name << " (" << d.nr << ")");
    EXPECT_GT(d.nr, prev) << "not sorted by number";
    prev = d.nr;
    EXPECT_LT(d.nr, 1024);
    EXPECT_FALSE(d.name.empty());
    EXPECT_TRUE(names.insert(d.name).second) << "duplicate name";
    ASSERT_LE(d.nargs, 6);
    for (size_t i = 0; i < d.args.size(); ++i) {
      const Arg& a = d.args[i];
      if (i >= d.nargs) {
        EXPECT_EQ(a.type, ArgType::kNone) << "arg " << i << " beyond nargs";
        EXPECT_EQ(a.len_arg, -1) << "arg " << i << " beyond nargs";
        continue;
      }
      EXPECT_NE(a.type, ArgType::kNone) << "arg " << i;
      EXPECT_NE(ArgTypeName(a.type), "?") << "arg " << i;
      if (a.len_arg == -1) {
        continue;
      }
      EXPECT_TRUE(TakesLength(a.type))
          << "arg " << i << " (" << ArgTypeName(a.type) << ") has a length";
      ASSERT_GE(a.len_arg, 0) << "arg " << i;
      ASSERT_LT(a.len_arg, d.nargs) << "arg " << i;
      EXPECT_NE(a.len_arg, static_cast<int8_t>(i)) << "arg " << i;
      ArgType lt = d.args[a.len_arg].type;
      EXPECT_TRUE(IsLengthType(lt))
          << "arg " << i << " length is arg " << int{a.len_arg} << " of type "
          << ArgTypeName(lt);
      if (a.type == ArgType::kSockaddrOut) {
        EXPECT_EQ(lt, ArgType::kPointer) << "sockaddr_out length is a socklen_t *";
      }
    }
    // Only classes that exist.
    uint32_t known = 0;
    for (const auto& c : ClassNames()) known |= c.bit;
    EXPECT_EQ(d.classes & ~known, 0u);
    if (d.classes & kExec) {
      EXPECT_TRUE(d.classes & kProcess);
    }
  }
}

TEST_P(SyscallTableTest, LookupsRoundTrip) {
  const Abi abi = GetParam();
  for (const SyscallDef& d : Table(abi)) {
    EXPECT_EQ(ByNumber(abi, d.nr), &d) << d.name;
    EXPECT_EQ(ByName(abi, d.name), &d) << d.name;
  }
  EXPECT_EQ(ByName(abi, "no_such_syscall"), nullptr);
  EXPECT_EQ(ByName(abi, ""), nullptr);
  EXPECT_EQ(ByNumber(abi, -1), nullptr);
  EXPECT_EQ(ByNumber(abi, 1023), nullptr);
  EXPECT_EQ(ByNumber(abi, 1024), nullptr);
  EXPECT_EQ(ByNumber(abi, int64_t{1} << 40), nullptr);
}

INSTANTIATE_TEST_SUITE_P(Abis, SyscallTableTest,
                         ::testing::Values(Abi::kX86_64, Abi::kI386),
                         [](const auto& info) { return std::string(AbiName(info.param)); });

TEST(SyscallTable, UnknownNumbersInsideTheRange) {
  // x86_64 leaves 335..423 unused and never had 512+ outside x32.
  EXPECT_EQ(ByNumber(Abi::kX86_64, 335), nullptr);
  EXPECT_EQ(ByNumber(Abi::kX86_64, 423), nullptr);
  EXPECT_EQ(ByNumber(Abi::kX86_64, 512), nullptr);
}

TEST(SyscallTable, OpenatX86_64) {
  const SyscallDef* d = ByName(Abi::kX86_64, "openat");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->nr, 257);
  ASSERT_EQ(d->nargs, 4);
  EXPECT_EQ(d->args[0].type, ArgType::kDirFd);
  EXPECT_EQ(d->args[1].type, ArgType::kPath);
  EXPECT_EQ(d->args[2].type, ArgType::kOpenFlags);
  EXPECT_EQ(d->args[3].type, ArgType::kMode);
  EXPECT_TRUE(d->classes & kFile);
  EXPECT_TRUE(d->classes & kDesc);
  EXPECT_EQ(d->since, 0u);
}

TEST(SyscallTable, ReadX86_64BufferLength) {
  const SyscallDef* d = ByNumber(Abi::kX86_64, 0);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->name, "read");
  ASSERT_EQ(d->nargs, 3);
  EXPECT_EQ(d->args[1].type, ArgType::kBufferOut);
  EXPECT_EQ(d->args[1].len_arg, 2);
}

TEST(SyscallTable, ExecveX86_64) {
  const SyscallDef* d = ByNumber(Abi::kX86_64, 59);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->name, "execve");
  ASSERT_EQ(d->nargs, 3);
  EXPECT_EQ(d->args[0].type, ArgType::kPath);
  EXPECT_EQ(d->args[1].type, ArgType::kArgv);
  EXPECT_EQ(d->args[2].type, ArgType::kEnvp);
  EXPECT_TRUE(d->classes & kExec);
  EXPECT_TRUE(d->classes & kProcess);
  EXPECT_TRUE(d->classes & kFile);

  const SyscallDef* at = ByName(Abi::kX86_64, "execveat");
  ASSERT_NE(at, nullptr);
  EXPECT_EQ(at->nr, 322);
  EXPECT_TRUE(at->classes & kExec);
}

TEST(SyscallTable, ConnectAndAcceptX86_64) {
  const SyscallDef* c = ByName(Abi::kX86_64, "connect");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->nr, 42);
  EXPECT_EQ(c->args[1].type, ArgType::kSockaddr);
  EXPECT_EQ(c->args[1].len_arg, 2);
  EXPECT_TRUE(c->classes & kNetwork);

  const SyscallDef* a = ByName(Abi::kX86_64, "accept4");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->nr, 288);
  EXPECT_EQ(a->args[1].type, ArgType::kSockaddrOut);
  EXPECT_EQ(a->args[1].len_arg, 2);
}

TEST(SyscallTable, NewerThanHeadersX86_64) {
  const SyscallDef* d = ByName(Abi::kX86_64, "fchmodat2");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->nr, 452);
  EXPECT_EQ(d->since, static_cast<uint32_t>(KERNEL_VERSION(6, 6, 0)));
  const SyscallDef* last = ByNumber(Abi::kX86_64, 469);
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(last->name, "file_setattr");
  EXPECT_EQ(last->since, static_cast<uint32_t>(KERNEL_VERSION(6, 17, 0)));
}

TEST(SyscallTable, I386SpotChecks) {
  const SyscallDef* open = ByNumber(Abi::kI386, 5);
  ASSERT_NE(open, nullptr);
  EXPECT_EQ(open->name, "open");
  const SyscallDef* execve = ByNumber(Abi::kI386, 11);
  ASSERT_NE(execve, nullptr);
  EXPECT_EQ(execve->name, "execve");
  EXPECT_TRUE(execve->classes & kExec);
}

TEST(SyscallTable, ClosestNames) {
  EXPECT_THAT(ClosestNames(Abi::kX86_64, "opneat"), Contains("openat"));
  EXPECT_THAT(ClosestNames(Abi::kX86_64, "exceve"), Contains("execve"));
  EXPECT_LE(ClosestNames(Abi::kX86_64, "opneat", 2).size(), 2u);
  EXPECT_TRUE(ClosestNames(Abi::kX86_64, "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz").empty());
}

TEST(SyscallTable, AbiNames) {
  EXPECT_EQ(ParseAbi("x86_64"), Abi::kX86_64);
  EXPECT_EQ(ParseAbi("i386"), Abi::kI386);
  EXPECT_EQ(ParseAbi(AbiName(Abi::kX86_64)), Abi::kX86_64);
  EXPECT_EQ(ParseAbi(AbiName(Abi::kI386)), Abi::kI386);
  EXPECT_EQ(ParseAbi("arm64"), std::nullopt);
}

TEST(SyscallTable, ParseClasses) {
  auto mask = ParseClasses("file,network");
  ASSERT_TRUE(mask.ok()) << mask.status();
  EXPECT_EQ(*mask, static_cast<uint32_t>(kFile | kNetwork));
  EXPECT_EQ(ClassesToString(*mask), "file,network");

  auto spaced = ParseClasses(" desc , exec ");
  ASSERT_TRUE(spaced.ok()) << spaced.status();
  EXPECT_EQ(*spaced, static_cast<uint32_t>(kDesc | kExec));

  auto all = ParseClasses("all");
  ASSERT_TRUE(all.ok());
  for (const auto& c : ClassNames()) {
    EXPECT_TRUE(*all & c.bit) << c.name;
  }

  auto bad = ParseClasses("file,bogus");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("bogus"));

  // Every class name parses back to its own bit.
  for (const auto& c : ClassNames()) {
    auto one = ParseClasses(c.name);
    ASSERT_TRUE(one.ok()) << c.name;
    EXPECT_EQ(*one, c.bit) << c.name;
  }
}

TEST(SyscallTable, ArgTypeNames) {
  EXPECT_EQ(ArgTypeName(ArgType::kNone), "none");
  EXPECT_EQ(ArgTypeName(ArgType::kPath), "path");
  EXPECT_EQ(ArgTypeName(ArgType::kClockId), "clock_id");
  EXPECT_EQ(ArgTypeName(static_cast<ArgType>(200)), "?");
}

}  // namespace
}  // namespace warden::syscalls
