// `warden syscalls`: output and exit codes of the real binary.
#include <fstream>
#include <regex>
#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

using ::testing::HasSubstr;

std::set<std::string> HeaderNames(const std::string& header) {
  std::set<std::string> names;
  for (const char* dir : {"/usr/include/x86_64-linux-gnu/asm/", "/usr/include/asm/"}) {
    std::ifstream in(std::string(dir) + header);
    if (!in) continue;
    std::regex def(R"(^#define __NR_(\w+)\s+\d+)");
    std::string line;
    std::smatch m;
    while (std::getline(in, line))
      if (std::regex_search(line, m, def)) names.insert(m[1]);
    break;
  }
  return names;
}

class SyscallsCliTest : public IntegrationTest {
 protected:
  // `warden ARGS...`; stdout and stderr together in `out`.
  struct Result {
    int code;
    std::string out;
  };
  Result Warden(std::vector<std::string> args) {
    args.insert(args.begin(), WardenBin());
    ExitInfo r = Run(args);
    return {r.exit_code, r.out + r.err};
  }
  // Every __NR_ name of `header` appears in `warden syscalls --json` of `abi`.
  void ExpectJsonListsEveryHeaderSyscall(const std::string& header, const std::string& abi) {
    Result r = Warden({"syscalls", "--abi", abi, "--json"});
    ASSERT_EQ(r.code, 0);
    std::set<std::string> names = HeaderNames(header);
    ASSERT_GT(names.size(), 300u);
    for (const auto& n : names) EXPECT_THAT(r.out, HasSubstr("\"name\":\"" + n + "\"")) << n;
  }
};

TEST_F(SyscallsCliTest, OpenatShowsNumberAndTypedArguments) {
  Result r = Warden({"syscalls", "openat"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("number:    257"));
  EXPECT_THAT(r.out, HasSubstr("arguments: 4"));
  EXPECT_THAT(r.out, HasSubstr("arg0  dirfd"));
  EXPECT_THAT(r.out, HasSubstr("arg1  path"));
  EXPECT_THAT(r.out, HasSubstr("arg2  open_flags"));
  EXPECT_THAT(r.out, HasSubstr("arg3  mode"));
}

TEST_F(SyscallsCliTest, LookupByNumberInI386) {
  Result r = Warden({"syscalls", "--abi", "i386", "5"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("open\n"));
  EXPECT_THAT(r.out, HasSubstr("abi:       i386"));
  EXPECT_THAT(r.out, HasSubstr("number:    5"));
}

TEST_F(SyscallsCliTest, JsonListsEveryHeaderSyscall) {
  ExpectJsonListsEveryHeaderSyscall("unistd_64.h", "x86_64");
  EXPECT_THAT(Warden({"syscalls", "--json"}).out,
              HasSubstr(R"("nr":257,"name":"openat","nargs":4)"));
}

TEST_F(SyscallsCliTest, I386JsonListsEveryHeaderSyscall) {
  ExpectJsonListsEveryHeaderSyscall("unistd_32.h", "i386");
}

TEST_F(SyscallsCliTest, UnknownNameSuggestsClosestAndExits2) {
  Result r = Warden({"syscalls", "opnat"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.out, HasSubstr("did you mean"));
  EXPECT_THAT(r.out, HasSubstr("openat"));
}

TEST_F(SyscallsCliTest, UnknownNumberAndBadAbiExit2) {
  EXPECT_EQ(Warden({"syscalls", "99999"}).code, 2);
  Result r = Warden({"syscalls", "--abi", "sparc", "open"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.out, HasSubstr("unknown ABI 'sparc'"));
}

TEST_F(SyscallsCliTest, TableHasHeaderAndRows) {
  Result r = Warden({"syscalls"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("NAME"));
  EXPECT_THAT(r.out, HasSubstr("execve"));
  EXPECT_THAT(r.out, HasSubstr("path, argv, envp"));
}

TEST_F(SyscallsCliTest, UnknownCommandExits2) {
  Result r = Warden({"frobnicate"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.out, HasSubstr("unknown command 'frobnicate'"));
}

}  // namespace
}  // namespace warden::itest
