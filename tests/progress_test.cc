// `warden run --progress`: a live status line on a terminal, erased at the
// end; nothing at all when stderr is not a terminal.
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// About 1.2 s of a shell that starts a program now and then.
const std::vector<std::string> kSlowLoop = {
    "/bin/sh", "-c", "for i in 1 2 3 4 5 6; do cat /etc/hostname >/dev/null; sleep 0.2; done"};

class ProgressTest : public IntegrationTest {
 protected:
  // Runs `warden run OPTS -- kSlowLoop` on a pty; returns all it printed.
  std::string RunOnPty(const std::vector<std::string>& opts, int* status) {
    std::vector<std::string> argv = {WardenBin(), "run", "--db", db()};
    argv.insert(argv.end(), opts.begin(), opts.end());
    argv.push_back("--");
    argv.insert(argv.end(), kSlowLoop.begin(), kSlowLoop.end());
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    int master = -1;
    winsize ws{};
    ws.ws_col = 200;
    ws.ws_row = 40;
    pid_t pid = forkpty(&master, nullptr, nullptr, &ws);
    if (pid == 0) {
      execv(cargv[0], cargv.data());
      _exit(127);
    }
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (;;) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid, SIGKILL);
        break;
      }
      fd_set set;
      FD_ZERO(&set);
      FD_SET(master, &set);
      timeval tv{0, 50000};
      if (select(master + 1, &set, nullptr, nullptr, &tv) <= 0) continue;
      char buf[4096];
      ssize_t n = read(master, buf, sizeof buf);
      if (n <= 0) break;  // EIO: the last process on the pty is gone
      out.append(buf, static_cast<size_t>(n));
    }
    waitpid(pid, status, 0);
    close(master);
    return out;
  }
};

TEST_F(ProgressTest, TerminalShowsALineAndErasesIt) {
  int status = 0;
  std::string out = RunOnPty({"--progress"}, &status);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
  const std::string erase = "\r\033[K";
  // Drawn in place: erase, then the status (no newline of its own).
  size_t first = out.find(erase + "warden ");
  ASSERT_NE(first, std::string::npos) << out;
  size_t draws = 0;
  for (size_t p = out.find(erase + "warden "); p != std::string::npos;
       p = out.find(erase + "warden ", p + 1))
    ++draws;
  // 1.2 s: the first line after 0.5 s, then at most 4 a second.
  EXPECT_GE(draws, 1u) << out;
  EXPECT_LE(draws, 8u) << out;
  std::string line = out.substr(first + erase.size());
  line = line.substr(0, line.find('\r'));
  EXPECT_THAT(line, testing::ContainsRegex("^warden 0:0[0-9]  [0-9]+ process(es)?  [0-9]+ events "
                                            "\\([0-9]+/s\\)  [0-9]+ stops  0 denied$"))
      << out;
  EXPECT_THAT(out, Not(HasSubstr("\n"))) << "the status line never ends a line";
  // Erased at the end: the output ends with the erase sequence.
  ASSERT_GE(out.size(), erase.size());
  EXPECT_EQ(out.substr(out.size() - erase.size()), erase) << out;
}

TEST_F(ProgressTest, ShownByDefaultOnATerminalUnlessTurnedOff) {
  int status = 0;
  std::string out = RunOnPty({}, &status);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
  EXPECT_THAT(out, HasSubstr("\r\033[Kwarden "));
  out = RunOnPty({"--no-progress"}, &status);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
  EXPECT_EQ(out, "");
}

TEST_F(ProgressTest, DeniedCallsAreCounted) {
  WriteFile(Path("p.yaml"),
            "version: 1\nname: no-hostname\nrules:\n"
            "  - name: hide-hostname\n    type: file-read\n    paths: /etc/hostname\n"
            "    action: deny\n");
  int status = 0;
  std::string out = RunOnPty({"--policy", Path("p.yaml")}, &status);
  ASSERT_TRUE(WIFEXITED(status)) << out;
  EXPECT_THAT(out, testing::ContainsRegex("[1-6] denied")) << out;
}

TEST_F(ProgressTest, NothingWhenStderrIsNotATerminal) {
  for (const auto& opts : std::vector<std::vector<std::string>>{{"--progress"}, {}}) {
    ExitInfo r = RunWarden(kSlowLoop, opts);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(r.out, "");
  }
}

}  // namespace
}  // namespace warden::itest
