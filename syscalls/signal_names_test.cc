#include <signal.h>

#include <gtest/gtest.h>

#include "syscalls/decode.h"

namespace warden::syscalls {
namespace {

TEST(SignalNameTest, ClassicSignals) {
  EXPECT_EQ(SignalName(SIGHUP), "SIGHUP");
  EXPECT_EQ(SignalName(SIGKILL), "SIGKILL");
  EXPECT_EQ(SignalName(SIGTERM), "SIGTERM");
  EXPECT_EQ(SignalName(SIGCHLD), "SIGCHLD");
  EXPECT_EQ(SignalName(SIGSTKFLT), "SIGSTKFLT");
  EXPECT_EQ(SignalName(SIGSYS), "SIGSYS");
}

TEST(SignalNameTest, EveryClassicSignalMatchesStrsignalAbbrev) {
  for (int sig = 1; sig <= 31; ++sig) {
    const char* abbrev = sigabbrev_np(sig);  // glibc: "HUP", "INT", ...
    ASSERT_NE(abbrev, nullptr) << sig;
    std::string expected = std::string("SIG") + abbrev;
    if (expected == "SIGIOT") expected = "SIGABRT";
    if (expected == "SIGPOLL") expected = "SIGIO";
    if (expected == "SIGCLD") expected = "SIGCHLD";
    EXPECT_EQ(SignalName(sig), expected) << sig;
  }
}

TEST(SignalNameTest, RealTimeCountFromKernelSigrtmin) {
  EXPECT_EQ(SignalName(32), "SIGRT_0");
  EXPECT_EQ(SignalName(35), "SIGRT_3");
  EXPECT_EQ(SignalName(64), "SIGRT_32");
}

TEST(SignalNameTest, UnknownAsDecimal) {
  EXPECT_EQ(SignalName(0), "0");
  EXPECT_EQ(SignalName(65), "65");
  EXPECT_EQ(SignalName(-1), "-1");
}

}  // namespace
}  // namespace warden::syscalls
