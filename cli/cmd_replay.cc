// `warden replay [--db PATH] [--run ID] [--pid P] [--syscall NAME]
//  [--path GLOB] [--from T] [--to T] [--time]`
#include <charconv>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/default_db.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/option_table.h"
#include "fmt/format.h"
#include "policy/glob.h"
#include "forensics/replay.h"
#include "forensics/timeparse.h"

namespace warden::cli {
namespace {

constexpr std::string_view kReplayUsage =
    "usage: warden replay [--db PATH] [--run ID] [--pid P] [--syscall NAME] [--path GLOB]\n"
    "                     [--from T] [--to T] [--time]\n"
    "  --db PATH       database written by `warden run` (default: see warden(1), FILES)\n"
    "  --run ID        this run (default: the latest)\n"
    "  --pid P         only the calls of this process (or thread) id\n"
    "  --syscall NAME  only calls of this syscall\n"
    "  --path GLOB     only calls on a matching path (* within a name, ** across /)\n"
    "  --from T        only calls at or after T; --to T: at or before T\n"
    "                  (RFC 3339, \"1h ago\", or nanoseconds since the epoch)\n"
    "  --time          start each line with its time (RFC 3339, UTC, microseconds)\n";

template <typename T>
bool ParseNumber(const std::string& s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && out > 0;
}

}  // namespace

int ReplayCommand(const std::vector<std::string>& args) {
  std::string db = DefaultDb();
  forensics::ReplayOptions options;
  std::shared_ptr<policy::Glob> glob;
  const int64_t now = forensics::NowNs();
  std::vector<Option> table = {
      SetOption("--db", db), RunIdOption(options.run_id), FlagOption("--time", options.time),
      SetOption("--syscall", options.syscall), TimeOption("--from", options.from_ns, now),
      TimeOption("--to", options.to_ns, now),
      {"--pid", true,
       [&options](const std::string& v) -> std::optional<std::string> {
         int pid = 0;
         if (!ParseNumber(v, pid)) return fmt::format("--pid wants a process id, got '{}'", v);
         options.pid = pid;
         return std::nullopt;
       }},
      {"--path", true,
       [&options, &glob](const std::string& v) -> std::optional<std::string> {
         if (auto s = policy::ValidateGlob(v); !s.ok()) return fmt::format("--path: {}", std::string(s.message()));
         glob = std::make_shared<policy::Glob>(v);
         options.path_match = [glob](std::string_view path) { return glob->Match(path); };
         return std::nullopt;
       }},
  };
  if (auto rc = ParseCommandLine("replay", args, std::move(table), kReplayUsage)) return *rc;
  absl::Status s = forensics::Replay(db, options, std::cout);
  std::cout.flush();
  if (!s.ok()) {
    fmt::print(stderr, "warden replay: {}\n", std::string(s.message()));
    return s.code() == absl::StatusCode::kAborted ? 1 : 2;
  }
  return 0;
}

}  // namespace warden::cli
