// Option values the reading commands share.
#ifndef WARDEN_CLI_ARGS_H_
#define WARDEN_CLI_ARGS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace warden::cli {

// A whole decimal number greater than 0 (a run id, a pid); nullopt for
// anything else ("", "-1", "3x", overflow).
std::optional<int64_t> ParsePositive(std::string_view s);

// What every command says about a bad --run value.
std::string BadRunId(std::string_view value);

}  // namespace warden::cli

#endif  // WARDEN_CLI_ARGS_H_
