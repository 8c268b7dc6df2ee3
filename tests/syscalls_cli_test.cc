// `warden syscalls`: output and exit codes of the real binary.
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <fstream>
#include <regex>
#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace {

using ::testing::HasSubstr;

struct Result {
  int code = -1;
  std::string out;  // stdout and stderr, merged
};

Result Warden(const std::string& args) {
  const char* bin = getenv("WARDEN_BIN");
  std::string cmd = std::string(bin ? bin : "warden") + " " + args + " 2>&1";
  Result r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

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

TEST(SyscallsCliTest, OpenatShowsNumberAndTypedArguments) {
  Result r = Warden("syscalls openat");
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("number:    257"));
  EXPECT_THAT(r.out, HasSubstr("arguments: 4"));
  EXPECT_THAT(r.out, HasSubstr("arg0  dirfd"));
  EXPECT_THAT(r.out, HasSubstr("arg1  path"));
  EXPECT_THAT(r.out, HasSubstr("arg2  open_flags"));
  EXPECT_THAT(r.out, HasSubstr("arg3  mode"));
}

TEST(SyscallsCliTest, LookupByNumberInI386) {
  Result r = Warden("syscalls --abi i386 5");
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("open\n"));
  EXPECT_THAT(r.out, HasSubstr("abi:       i386"));
  EXPECT_THAT(r.out, HasSubstr("number:    5"));
}

TEST(SyscallsCliTest, JsonListsEveryHeaderSyscall) {
  Result r = Warden("syscalls --json");
  ASSERT_EQ(r.code, 0);
  std::set<std::string> names = HeaderNames("unistd_64.h");
  ASSERT_GT(names.size(), 300u);
  for (const auto& n : names)
    EXPECT_THAT(r.out, HasSubstr("\"name\":\"" + n + "\"")) << n;
  EXPECT_THAT(r.out, HasSubstr(R"("nr":257,"name":"openat","nargs":4)"));
}

TEST(SyscallsCliTest, I386JsonListsEveryHeaderSyscall) {
  Result r = Warden("syscalls --abi i386 --json");
  ASSERT_EQ(r.code, 0);
  std::set<std::string> names = HeaderNames("unistd_32.h");
  ASSERT_GT(names.size(), 300u);
  for (const auto& n : names)
    EXPECT_THAT(r.out, HasSubstr("\"name\":\"" + n + "\"")) << n;
}

TEST(SyscallsCliTest, UnknownNameSuggestsClosestAndExits2) {
  Result r = Warden("syscalls opnat");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.out, HasSubstr("did you mean"));
  EXPECT_THAT(r.out, HasSubstr("openat"));
}

TEST(SyscallsCliTest, UnknownNumberAndBadAbiExit2) {
  EXPECT_EQ(Warden("syscalls 99999").code, 2);
  Result r = Warden("syscalls --abi sparc open");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.out, HasSubstr("unknown ABI 'sparc'"));
}

TEST(SyscallsCliTest, TableHasHeaderAndRows) {
  Result r = Warden("syscalls");
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("NAME"));
  EXPECT_THAT(r.out, HasSubstr("execve"));
  EXPECT_THAT(r.out, HasSubstr("path, argv, envp"));
}

TEST(SyscallsCliTest, UnknownCommandExits2) {
  Result r = Warden("frobnicate");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.out, HasSubstr("unknown command 'frobnicate'"));
}

}  // namespace
