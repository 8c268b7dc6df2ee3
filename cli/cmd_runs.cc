// `warden runs [--db PATH] [--json]`: the runs a database holds.
#include <time.h>

#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/default_db.h"
#include "cli/option_table.h"
#include "fmt/format.h"
#include "forensics/export.h"
#include "forensics/timeparse.h"
#include "store/json.h"

namespace warden::cli {
namespace {

constexpr std::string_view kRunsUsage =
    "usage: warden runs [--db PATH] [--json]\n"
    "  --db PATH   database written by `warden run` (default: see warden(1), FILES)\n"
    "  --json      one JSON object per run\n";

std::string Status(const forensics::RunSummary& r) {
  if (!r.end_ns) return r.interrupted ? "interrupted" : "running";
  if (r.exit_signal) return fmt::format("{} (signal {})", r.exit_code.value_or(-1), *r.exit_signal);
  return r.exit_code ? std::to_string(*r.exit_code) : "?";
}

// "-" without a policy; "NAME (MODE)" with one.
std::string Policy(const forensics::RunSummary& r) {
  if (r.policy.empty()) return "-";
  if (r.policy_mode.empty()) return r.policy;
  return fmt::format("{} ({})", r.policy, r.policy_mode);
}

std::string Json(const forensics::RunSummary& r) {
  std::string end = r.end_ns ? std::to_string(*r.end_ns) : "null";
  std::string code = r.exit_code ? std::to_string(*r.exit_code) : "null";
  std::string sig = r.exit_signal ? std::to_string(*r.exit_signal) : "null";
  std::string policy = r.policy.empty() ? "null" : store::JsonQuote(r.policy);
  std::string mode = r.policy_mode.empty() ? "null" : store::JsonQuote(r.policy_mode);
  std::string stops = r.stops ? std::to_string(*r.stops) : "null";
  const char* state = r.end_ns ? "finished" : r.interrupted ? "interrupted" : "running";
  return fmt::format(R"({{"run":{},"argv":{},"start":{},"end":{},"state":"{}","exit_code":{},"exit_signal":{},"lost_events":{},"policy":{},"policy_mode":{},"stops":{},"uuid":"{}","labels":{}}})",
                     r.id, r.argv_json, r.start_ns, end, state, code, sig, r.lost_events, policy, mode,
                     stops, r.uuid, r.labels_json);
}

}  // namespace

int RunsCommand(const std::vector<std::string>& args) {
  std::string db = DefaultDb();
  bool json = false;
  std::vector<Option> table = {SetOption("--db", db), FlagOption("--json", json)};
  if (auto rc = ParseCommandLine("runs", args, std::move(table), kRunsUsage)) return *rc;
  auto runs = forensics::ListRuns(db);
  if (!runs.ok()) {
    fmt::print(stderr, "warden runs: {}\n", std::string(runs.status().message()));
    return 2;  // no such database, or not one: bad input, as for every reading command
  }
  if (!json)
    fmt::print("{:>4}  {:<24}  {:>9}  {:<22}  {:>9}  {:<24}  {}\n", "RUN", "START", "SECONDS",
               "EXIT", "STOPS", "POLICY", "COMMAND");
  for (const auto& r : *runs) {
    if (json) {
      fmt::print("{}\n", Json(r));
      continue;
    }
    std::string secs = r.end_ns ? fmt::format("{:.3f}", (*r.end_ns - r.start_ns) / 1e9) : "-";
    std::string stops = r.stops ? std::to_string(*r.stops) : "-";
    // RFC 3339 with milliseconds: the form every --from and --to accepts.
    fmt::print("{:>4}  {:<24}  {:>9}  {:<22}  {:>9}  {:<24}  {}\n", r.id, forensics::FormatRfc3339Ms(r.start_ns), secs,
               Status(r), stops, Policy(r), r.argv_json);
  }
  return 0;
}

}  // namespace warden::cli
