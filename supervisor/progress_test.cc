#include "supervisor/progress.h"

#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace warden::supervisor {
namespace {

using ::testing::HasSubstr;

TEST(FormatProgress, ShowsEveryCounter) {
  ProgressSnapshot s{.processes = 3, .stops = 1200, .events = 4567, .denials = 2};
  EXPECT_EQ(FormatProgress(75'400'000'000, s, 812.4, 0),
            "warden 1:15  3 processes  4567 events (812/s)  1200 stops  2 denied");
  s.processes = 1;
  EXPECT_EQ(FormatProgress(3'725'000'000'000, s, 0, 0),
            "warden 1:02:05  1 process  4567 events (0/s)  1200 stops  2 denied");
}

TEST(FormatProgress, StaysShorterThanTheTerminal) {
  ProgressSnapshot s{.processes = 3, .stops = 1200, .events = 4567, .denials = 2};
  EXPECT_EQ(FormatProgress(0, s, 0, 20), "warden 0:00  3 proc");
  EXPECT_EQ(FormatProgress(0, s, 0, 20).size(), 19u);
}

TEST(ProgressWanted, OnlyOnATerminal) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  EXPECT_FALSE(ProgressWanted(true, fds[1]));
  EXPECT_FALSE(ProgressWanted(std::nullopt, fds[1]));
  EXPECT_FALSE(ProgressWanted(false, fds[1]));
  close(fds[0]);
  close(fds[1]);
}

TEST(ProgressLine, RedrawsInPlaceAndErasesAtTheEnd) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_NONBLOCK), 0);
  std::atomic<uint64_t> events{0};
  {
    ProgressLine line(
        fds[1], [&] { return ProgressSnapshot{.processes = 1, .events = events.fetch_add(10)}; },
        std::chrono::milliseconds(0), std::chrono::milliseconds(20));
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
  }
  std::string out(65536, '\0');
  ssize_t n = read(fds[0], out.data(), out.size());
  ASSERT_GT(n, 0);
  out.resize(static_cast<size_t>(n));
  EXPECT_EQ(out.rfind("\r\033[Kwarden 0:00  1 process  ", 0), 0u) << out;
  EXPECT_THAT(out, HasSubstr("\r\033[Kwarden 0:00  1 process  10 events"));
  EXPECT_EQ(out.substr(out.size() - 4), "\r\033[K");
  EXPECT_EQ(out.find('\n'), std::string::npos);
  close(fds[0]);
  close(fds[1]);
}

TEST(ProgressLine, NothingWhenStoppedBeforeTheDelay) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_NONBLOCK), 0);
  { ProgressLine line(fds[1], [] { return ProgressSnapshot{}; }, std::chrono::seconds(10)); }
  char c;
  EXPECT_EQ(read(fds[0], &c, 1), -1);  // EAGAIN: nothing was written
  close(fds[0]);
  close(fds[1]);
}

}  // namespace
}  // namespace warden::supervisor
