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
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      fmt::print("{}", kReplayUsage);
      return 0;
    }
    if (a == "--time") {
      options.time = true;
      continue;
    }
    if (a != "--db" && a != "--run" && a != "--pid" && a != "--syscall" && a != "--path" &&
        a != "--from" && a != "--to") {
      fmt::print(stderr, "warden replay: unknown argument '{}'\n{}", a, kReplayUsage);
      return 2;
    }
    if (i + 1 >= args.size()) {
      fmt::print(stderr, "warden replay: {} needs a value\n{}", a, kReplayUsage);
      return 2;
    }
    const std::string& v = args[++i];
    if (a == "--db") {
      db = v;
    } else if (a == "--run") {
      options.run_id = ParsePositive(v);
      if (!options.run_id) {
        fmt::print(stderr, "warden replay: {}\n", BadRunId(v));
        return 2;
      }
    } else if (a == "--pid") {
      int pid = 0;
      if (!ParseNumber(v, pid)) {
        fmt::print(stderr, "warden replay: --pid wants a process id, got '{}'\n", v);
        return 2;
      }
      options.pid = pid;
    } else if (a == "--syscall") {
      options.syscall = v;
    } else if (a == "--path") {
      if (auto s = policy::ValidateGlob(v); !s.ok()) {
        fmt::print(stderr, "warden replay: --path: {}\n", std::string(s.message()));
        return 2;
      }
      glob = std::make_shared<policy::Glob>(v);
      options.path_match = [glob](std::string_view path) { return glob->Match(path); };
    } else {
      auto t = forensics::ParseTimeNs(v, now);
      if (!t.ok()) {
        fmt::print(stderr, "warden replay: {}: {}\n", a, std::string(t.status().message()));
        return 2;
      }
      (a == "--from" ? options.from_ns : options.to_ns) = *t;
    }
  }
  absl::Status s = forensics::Replay(db, options, std::cout);
  std::cout.flush();
  if (!s.ok()) {
    fmt::print(stderr, "warden replay: {}\n", std::string(s.message()));
    return s.code() == absl::StatusCode::kAborted ? 1 : 2;
  }
  return 0;
}

}  // namespace warden::cli
