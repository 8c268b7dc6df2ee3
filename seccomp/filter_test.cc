#include "seccomp/filter.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace warden::seccomp {
namespace {

// Runs `body` in a forked child with `filter` loaded and no tracer attached;
// returns the child's exit code (body's return value).
template <typename F>
int InChild(const Filter& filter, F body) {
  pid_t pid = fork();
  if (pid == 0) {
    if (filter.Load() != 0) _exit(100);
    _exit(body());
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 200 + WTERMSIG(status);
}

FilterSpec OpenatOnly() {
  FilterSpec spec;
  spec.trace.push_back({SYS_openat, {}});
  return spec;
}

TEST(FilterTest, BuildsAndNamesTracedSyscall) {
  auto f = Filter::Build(OpenatOnly());
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_GT(f->size(), 4u);
  EXPECT_NE(f->Pfc().find("openat"), std::string::npos) << f->Pfc();
}

// SECURITY.md 3: a watched syscall with no tracer attached fails with ENOSYS
// instead of running, so a filter without warden is no way around warden.
TEST(FilterTest, WatchedSyscallWithoutTracerFailsWithEnosys) {
  auto f = Filter::Build(OpenatOnly());
  ASSERT_TRUE(f.ok());
  int rc = InChild(*f, [] {
    long r = syscall(SYS_openat, AT_FDCWD, "/etc/hostname", O_RDONLY);
    return (r == -1 && errno == ENOSYS) ? 0 : 1;
  });
  EXPECT_EQ(rc, 0);
}

TEST(FilterTest, UnwatchedSyscallRunsNatively) {
  auto f = Filter::Build(OpenatOnly());
  ASSERT_TRUE(f.ok());
  int rc = InChild(*f, [] { return syscall(SYS_getppid) > 0 ? 0 : 1; });
  EXPECT_EQ(rc, 0);
}

// The i386 ABI (int $0x80) from a 64-bit process never runs unseen: it takes
// the bad-arch trace action, which without a tracer is ENOSYS.
TEST(FilterTest, I386SyscallIsNeverAllowedUnseen) {
  auto f = Filter::Build(OpenatOnly());
  ASSERT_TRUE(f.ok());
  int rc = InChild(*f, [] {
    long ret;
    // i386 getpid (20): harmless, and unwatched on x86_64.
    asm volatile("int $0x80" : "=a"(ret) : "a"(20) : "memory");
    return ret == -ENOSYS ? 0 : 1;
  });
  EXPECT_EQ(rc, 0);
}

TEST(FilterTest, X32SyscallIsNeverAllowedUnseen) {
  auto f = Filter::Build(OpenatOnly());
  ASSERT_TRUE(f.ok());
  int rc = InChild(*f, [] {
    long r = syscall(0x40000000 | SYS_getpid);
    return (r == -1 && errno == ENOSYS) ? 0 : 1;
  });
  EXPECT_EQ(rc, 0);
}

TEST(FilterTest, ArgConditionLimitsTracing) {
  FilterSpec spec;
  // Trace fcntl only for F_DUPFD (0).
  spec.trace.push_back({SYS_fcntl, {{1, ~0ull, F_DUPFD}}});
  auto f = Filter::Build(spec);
  ASSERT_TRUE(f.ok()) << f.status();
  int rc = InChild(*f, [] {
    bool getfd_runs = syscall(SYS_fcntl, 0, F_GETFD) >= 0;
    long r = syscall(SYS_fcntl, 0, F_DUPFD, 10);
    bool dupfd_traced = r == -1 && errno == ENOSYS;
    return getfd_runs && dupfd_traced ? 0 : 1;
  });
  EXPECT_EQ(rc, 0);
}

TEST(FilterTest, DenyRuleReturnsErrno) {
  FilterSpec spec;
  spec.deny.push_back({SYS_ptrace, EPERM});
  auto f = Filter::Build(spec);
  ASSERT_TRUE(f.ok());
  int rc = InChild(*f, [] {
    long r = syscall(SYS_ptrace, 0 /*TRACEME*/, 0, 0, 0);
    return (r == -1 && errno == EPERM) ? 0 : 1;
  });
  EXPECT_EQ(rc, 0);
}

}  // namespace
}  // namespace warden::seccomp
