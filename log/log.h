// warden's own diagnostics, by level (trace < debug < info < warn < error <
// fatal < panic): each level includes those above it. Chosen with
// --log-level and --log-file, or WARDEN_LOG_LEVEL and WARDEN_LOG_FILE;
// default: info, to standard error.
//
// On standard error a line reads "warden COMPONENT: message" (levels
// below info are marked "[debug]", "[trace]"); in a log file every line is
// "TIME warden[PID] LEVEL COMPONENT: message", TIME in RFC 3339 (UTC, µs),
// written with one write(2) to a file opened O_APPEND, so that lines of
// several wardens sharing one file do not mix. Thread-safe. A check that
// a level is off costs one load (trace is used on hot paths).
#ifndef WARDEN_LOG_LOG_H_
#define WARDEN_LOG_LOG_H_

#include <atomic>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "fmt/format.h"

namespace warden::log {

enum class Level { kTrace, kDebug, kInfo, kWarn, kError, kFatal, kPanic };

std::optional<Level> ParseLevel(std::string_view name);
std::string_view LevelName(Level level);

// `level`, `file`: from the command line; unset: the environment's, else
// the defaults. InvalidArgument for an unknown level, a file that cannot be
// opened for appending (with what and how to fix).
absl::Status Configure(std::optional<std::string> level, std::optional<std::string> file);

namespace internal {
extern std::atomic<int> threshold;
}  // namespace internal

inline bool Enabled(Level level) {
  return static_cast<int>(level) >= internal::threshold.load(std::memory_order_relaxed);
}

void Write(Level level, std::string_view component, std::string_view message);

template <typename... Args>
void Log(Level level, std::string_view component, fmt::format_string<Args...> format, Args&&... args) {
  if (Enabled(level)) Write(level, component, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace warden::log

#endif  // WARDEN_LOG_LOG_H_
