// `warden events [--db PATH] [--run ID] [--follow] [--kind K[,K...]]
//  [--format ndjson|text]`
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <ostream>
#include <string>
#include <vector>

#include "cli/default_db.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/option_table.h"
#include "cli/output.h"
#include "fmt/format.h"
#include "forensics/export.h"
#include "forensics/follow.h"

namespace warden::cli {
namespace {

constexpr std::string_view kEventsUsage =
    "usage: warden events [--db PATH] [--run ID] [--follow] [--kind K[,K...]]\n"
    "                     [--format ndjson|text]\n"
    "  --db PATH      database written by `warden run` (default: see warden(1), FILES)\n"
    "  --run ID       this run (default: the latest)\n"
    "  --follow, -f   keep printing the events a running `warden run` commits,\n"
    "                 until the run ends (or Ctrl-C)\n"
    "  --kind K,...   only these kinds: process, exec, file, net, syscall, policy,\n"
    "                 policy_change\n"
    "  --format F     ndjson (the lines of `warden export`, the default) or text\n";

std::atomic<bool> g_stop{false};

void OnStopSignal(int) { g_stop.store(true); }

}  // namespace

int EventsCommand(const std::vector<std::string>& args) {
  std::string db = DefaultDb();
  forensics::FollowOptions options;
  std::vector<Option> table = {
      SetOption("--db", db), RunIdOption(options.run_id), FlagOption("--follow", options.follow),
      FlagOption("-f", options.follow), KindsOption(options.kinds),
      {"--format", true,
       [&options](const std::string& v) -> std::optional<std::string> {
         if (v != "ndjson" && v != "text") return fmt::format("unknown format '{}'; supported: ndjson, text", v);
         options.format = v == "text" ? forensics::EventsFormat::kText : forensics::EventsFormat::kNdjson;
         return std::nullopt;
       }},
  };
  if (auto rc = ParseCommandLine("events", args, std::move(table), kEventsUsage)) return *rc;
  // Ctrl-C (or SIGTERM) ends a follow cleanly: what was read is printed
  // whole. A reader that goes away (`| head`) ends it quietly.
  struct sigaction sa{};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  options.stop = [] { return g_stop.load(); };

  FdStreambuf buf(STDOUT_FILENO, /*gzip=*/false);
  std::ostream out(&buf);
  absl::Status s = forensics::FollowEvents(db, options, out);
  out.flush();
  if (!s.ok()) {
    if (s.code() == absl::StatusCode::kAborted && buf.error() == EPIPE) return 0;
    fmt::print(stderr, "warden events: {}\n", std::string(s.message()));
    return s.code() == absl::StatusCode::kAborted ? 1 : 2;
  }
  return 0;
}

}  // namespace warden::cli
