// Interactive use: Ctrl-C at a terminal reaches the traced program once.
// The terminal sends SIGINT to its whole foreground process group, warden
// and the program alike; warden must not forward its copy on top.
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

class TtyTest : public IntegrationTest {
 protected:
  // Reads from the pty master until `text` appears or `ms` pass.
  static bool ReadUntil(int fd, std::string& out, const std::string& text, int ms) {
    auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (out.find(text) == std::string::npos) {
      if (std::chrono::steady_clock::now() > end) return false;
      fd_set set;
      FD_ZERO(&set);
      FD_SET(fd, &set);
      timeval tv{0, 20000};
      if (select(fd + 1, &set, nullptr, nullptr, &tv) <= 0) continue;
      char buf[512];
      ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) return false;
      out.append(buf, static_cast<size_t>(n));
    }
    return true;
  }
};

TEST_F(TtyTest, CtrlCReachesTheProgramOnce) {
  int master = -1;
  const std::string bin = WardenBin(), db_path = db(), helper = Helper("tty_int");
  pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // --no-progress: the status line would share the terminal with the
    // helper's output that the test parses (progress_test.cc tests it).
    execl(bin.c_str(), bin.c_str(), "run", "--db", db_path.c_str(), "--no-progress", "--",
          helper.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  std::string out;
  ASSERT_TRUE(ReadUntil(master, out, "ready", 5000)) << out;
  ASSERT_EQ(write(master, "\x03", 1), 1);  // Ctrl-C
  EXPECT_TRUE(ReadUntil(master, out, "count", 5000)) << out;
  int status = 0;
  waitpid(pid, &status, 0);
  close(master);
  EXPECT_NE(out.find("count 1"), std::string::npos) << out;
  // Job control stays the shell's: warden and the program share the
  // terminal's foreground group, so Ctrl-Z stops both.
  std::string pid_text = Field(out, "pid", 1);
  ASSERT_FALSE(pid_text.empty()) << out;
  EXPECT_EQ(Field(out, "pid", 3), Field(out, "pid", 5)) << out;  // pgrp == fg
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
}

}  // namespace
}  // namespace warden::itest
