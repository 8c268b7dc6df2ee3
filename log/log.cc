#include "log/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <array>

namespace warden::log {
namespace internal {
std::atomic<int> threshold{static_cast<int>(Level::kInfo)};
}  // namespace internal

namespace {

constexpr std::array<std::string_view, 7> kNames = {"trace", "debug", "info", "warn", "error", "fatal", "panic"};

std::atomic<int> log_fd{-1};  // -1: standard error

std::string Env(const char* name) {
  const char* v = getenv(name);
  return v != nullptr ? v : "";
}

void WriteAll(int fd, const std::string& line) {
  const char* p = line.data();
  size_t n = line.size();
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;  // nowhere left to report it
    p += w;
    n -= static_cast<size_t>(w);
  }
}

}  // namespace

std::optional<Level> ParseLevel(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return static_cast<Level>(i);
  if (name == "warning") return Level::kWarn;
  return std::nullopt;
}

std::string_view LevelName(Level level) { return kNames[static_cast<size_t>(level)]; }

absl::Status Configure(std::optional<std::string> level, std::optional<std::string> file) {
  if (!level && !Env("WARDEN_LOG_LEVEL").empty()) level = Env("WARDEN_LOG_LEVEL");
  if (!file && !Env("WARDEN_LOG_FILE").empty()) file = Env("WARDEN_LOG_FILE");
  if (level) {
    auto l = ParseLevel(*level);
    if (!l)
      return absl::InvalidArgumentError(fmt::format(
          "log level '{}': use one of trace, debug, info, warn, error, fatal, panic", *level));
    internal::threshold.store(static_cast<int>(*l));
  }
  if (file && !file->empty()) {
    int fd = open(file->c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
      return absl::InvalidArgumentError(
          fmt::format("log file {}: {}; give a writable path", *file, strerror(errno)));
    int old = log_fd.exchange(fd);
    if (old >= 0) close(old);
  }
  return absl::OkStatus();
}

void Write(Level level, std::string_view component, std::string_view message) {
  const int fd = log_fd.load();
  std::string line;
  if (fd < 0) {
    line = level < Level::kInfo ? fmt::format("warden {}: [{}] {}\n", component, LevelName(level), message)
                                : fmt::format("warden {}: {}\n", component, message);
    WriteAll(STDERR_FILENO, line);
    return;
  }
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm t{};
  gmtime_r(&ts.tv_sec, &t);
  char when[32];
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &t);
  line = fmt::format("{}.{:06}Z warden[{}] {} {}: {}\n", when, ts.tv_nsec / 1000, getpid(), LevelName(level),
                     component, message);
  WriteAll(fd, line);
}

}  // namespace warden::log
