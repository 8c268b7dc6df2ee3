// Command-line options as a table: each entry names an option, says
// whether it takes a value and how to apply it. `warden expect` and
// `warden verify` parse with it, and their run selection (--db, --run,
// --from, --to: learn/observation.h's Selection) is one shared set of
// entries.
#ifndef WARDEN_CLI_OPTION_TABLE_H_
#define WARDEN_CLI_OPTION_TABLE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "learn/observation.h"

namespace warden::cli {

struct Option {
  std::string_view name;  // "--db", "-o"
  bool takes_value;
  // Applies the value ("" for a flag); returns an error message, or nullopt.
  std::function<std::optional<std::string>(const std::string&)> apply;
  // A flag that may carry a value only as --name=VALUE (run --pin[=CPU]).
  bool optional_value = false;
};

// "--name VALUE", "--name=VALUE" and flags, in any order; a value may be
// given again (repeatable options append). The first problem as a message
// (an unknown argument, a missing value, what `apply` said), or nullopt.
// With `positional`: an argument that is not an option (no leading '-', or
// "-" alone), and every argument after "--", is appended there instead of
// being an error.
// `stop_at_positional`: the first positional argument ends the options;
// it and all after it are positional, options or not (run's CMD ARGS).
std::optional<std::string> ParseOptions(const std::vector<std::string>& args, const std::vector<Option>& table,
                                        std::vector<std::string>* positional = nullptr,
                                        bool stop_at_positional = false);

// The usual ways to apply an option: store its value, set a flag, append
// the value to a list.
Option SetOption(std::string_view name, std::string& field);
Option FlagOption(std::string_view name, bool& field);
Option AppendOption(std::string_view name, std::vector<std::string>& list);
// --run ID (a positive number; BadRunId's message otherwise).
Option RunIdOption(std::optional<int64_t>& run);
// --from T / --to T (forensics/timeparse.h, relative to `now_ns`).
Option TimeOption(std::string_view name, std::optional<int64_t>& ns, int64_t now_ns);
// --kind K,... (forensics/export.h's kinds), appended.
Option KindsOption(std::vector<std::string>& kinds);
// -h / --help.
std::vector<Option> HelpOptions(bool& help);

// A command's whole command line: `table` plus -h/--help. nullopt: go on;
// else the exit code to return: 0 after printing `usage` for --help, or
// `error_code` after "warden COMMAND: ERROR (warden COMMAND --help)".
std::optional<int> ParseCommandLine(std::string_view command, const std::vector<std::string>& args,
                                    std::vector<Option> table, std::string_view usage,
                                    std::vector<std::string>* positional = nullptr,
                                    bool stop_at_positional = false, int error_code = 2);

// --db PATH (repeatable), --run ID (repeatable), --from T, --to T
// (store/timeparse.h, relative to `now_ns`).
void AddSelectionOptions(std::vector<Option>& table, learn::Selection& selection, int64_t now_ns);

// A number from 0 to 1 (0.8), or a percentage (80%).
std::optional<double> ParseRate(std::string_view s);

}  // namespace warden::cli

#endif  // WARDEN_CLI_OPTION_TABLE_H_
