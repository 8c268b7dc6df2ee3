#include "supervisor/progress.h"

#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

#include "fmt/format.h"

namespace warden::supervisor {
namespace {

// "\r" back to the first column, ESC[K erases to the end of the line.
constexpr std::string_view kErase = "\r\033[K";

int64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// "0:07", "12:34", "1:02:03".
std::string Elapsed(int64_t ns) {
  int64_t s = ns / 1000000000;
  if (s < 3600) return fmt::format("{}:{:02}", s / 60, s % 60);
  return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
}

// The terminal's width; 0 when unknown.
int Columns(int fd) {
  winsize ws{};
  if (ioctl(fd, TIOCGWINSZ, &ws) == 0) return ws.ws_col;
  return 0;
}

void WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a closed terminal: nothing to show anyway
    text.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

std::string FormatProgress(int64_t elapsed_ns, const ProgressSnapshot& now, double per_second,
                           int width) {
  std::string text = fmt::format(
      "warden {}  {} process{}  {} events ({:.0f}/s)  {} stops  {} denied", Elapsed(elapsed_ns),
      now.processes, now.processes == 1 ? "" : "es", now.events, per_second, now.stops,
      now.denials);
  // One column short of the width: a line that reaches the last column may
  // wrap, and a wrapped line is no longer erased by "\r".
  if (width > 1 && static_cast<int>(text.size()) >= width) text.resize(static_cast<size_t>(width - 1));
  return text;
}

bool ProgressWanted(std::optional<bool> requested, int fd) {
  if (requested.has_value() && !*requested) return false;
  return isatty(fd) == 1;
}

ProgressLine::ProgressLine(int fd, std::function<ProgressSnapshot()> read,
                           std::chrono::milliseconds delay, std::chrono::milliseconds interval)
    : fd_(fd), read_(std::move(read)), delay_(delay), interval_(interval) {
  thread_ = std::thread(&ProgressLine::Loop, this);
}

ProgressLine::~ProgressLine() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
  if (drawn_) WriteAll(fd_, kErase);
}

void ProgressLine::Loop() {
  const int64_t start = MonotonicNs();
  {
    std::unique_lock lock(mu_);
    if (wake_.wait_for(lock, delay_, [&] { return stop_; })) return;
  }
  ProgressSnapshot prev;  // the rate of the first line is over the delay
  int64_t prev_ns = start;
  double rate = 0;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      // The first line at once, then one per interval.
      if (drawn_ && wake_.wait_for(lock, interval_, [&] { return stop_; })) return;
      if (stop_) return;
    }
    ProgressSnapshot now = read_();
    int64_t t = MonotonicNs();
    if (t > prev_ns)
      rate = static_cast<double>(now.events - prev.events) * 1e9 / static_cast<double>(t - prev_ns);
    prev = now;
    prev_ns = t;
    Draw(FormatProgress(t - start, now, rate, Columns(fd_)));
  }
}

void ProgressLine::Draw(const std::string& text) {
  std::string line(kErase);
  line += text;
  // One write: the line never reaches the terminal half drawn.
  WriteAll(fd_, line);
  drawn_ = true;
}

}  // namespace warden::supervisor
