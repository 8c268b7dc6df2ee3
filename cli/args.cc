#include "cli/args.h"

#include <charconv>

#include "fmt/format.h"

namespace warden::cli {

std::optional<int64_t> ParsePositive(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

std::string BadRunId(std::string_view value) {
  return fmt::format("--run wants a run id (a positive number), got '{}'", value);
}

}  // namespace warden::cli
